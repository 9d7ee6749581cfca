"""Per-example gradient norms against the reference: one backward pass per example."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from batchlab.lab.pergrad import Unsupported, hooks_supported, loop_gradients, per_example


def _data(n: int, shape: tuple[int, ...], classes: int = 3) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, *shape, generator=g, dtype=torch.float64)
    return x, torch.randint(0, classes, (n,), generator=g)


class Seq(nn.Module):
    """A Linear applied along a sequence axis (the Gram-trick case), then pooled."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(4, 5), nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(torch.tanh(self.a(x)).mean(1))


class Shared(nn.Module):
    """The same layer twice: norms no longer factor, so ``auto`` must fall back."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.out = nn.Linear(4, 4), nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.a(torch.relu(self.a(x)))))


def _models() -> dict[str, tuple[nn.Module, tuple[int, ...], bool]]:
    torch.manual_seed(0)  # test-local weights; library code never seeds globally
    frozen = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
    frozen[0].weight.requires_grad_(False)
    models = {
        "mlp": (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), (4,), True),
        "cnn": (nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(),
                              nn.Conv2d(3, 4, 3, stride=2, dilation=1), nn.Flatten(),
                              nn.Linear(4 * 2 * 2, 3)), (2, 6, 6), True),
        "wide_conv": (nn.Sequential(nn.Conv2d(1, 16, 3, dilation=2), nn.Flatten(),
                                    nn.Linear(16 * 2 * 2, 3)), (1, 6, 6), True),
        "seq": (Seq(), (7, 4), True),
        "frozen": (frozen, (4,), True),
        "layernorm": (nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Linear(6, 3)), (4,),
                      False),
        "shared": (Shared(), (4,), True),
    }
    return {k: (m.double(), shape, ok) for k, (m, shape, ok) in models.items()}


@pytest.mark.parametrize("name", list(_models()))
def test_norms_and_sum_match_the_per_example_loop(name: str) -> None:
    model, shape, tappable = _models()[name]
    x, y = _data(37, shape)
    ref = loop_gradients(model, "cross_entropy", x, y)
    assert hooks_supported(model) is tappable
    for method in ("auto", "vmap", *(("hooks",) if tappable and name != "shared" else ())):
        pe = per_example(model, "cross_entropy", x, y, method=method, chunk=16)
        torch.testing.assert_close(pe.sq_norms, ref.square().sum(1), rtol=1e-10, atol=0)
        torch.testing.assert_close(pe.grad_sum, ref.sum(0), rtol=1e-10, atol=1e-12)
    assert per_example(model, "cross_entropy", x, y).method == (
        "hooks" if tappable and name != "shared" else "vmap")


def test_hooks_refuse_what_they_cannot_do() -> None:
    models = _models()
    x, y = _data(5, (4,))
    with pytest.raises(Unsupported):
        per_example(models["layernorm"][0], "cross_entropy", x, y, method="hooks")
    with pytest.raises(Unsupported):
        per_example(models["shared"][0], "cross_entropy", x, y, method="hooks")


@pytest.mark.parametrize("kind", ["bce", "mse"])
def test_other_losses(kind: str) -> None:
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    x = torch.randn(20, 3, dtype=torch.float64)
    y = (x[:, 0] > 0).double() if kind == "bce" else x[:, 1].clone()
    ref = loop_gradients(model, kind, x, y)  # type: ignore[arg-type]
    pe = per_example(model, kind, x, y)  # type: ignore[arg-type]
    torch.testing.assert_close(pe.sq_norms, ref.square().sum(1), rtol=1e-10, atol=0)


def test_measured_in_eval_mode_and_mode_restored() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 3)).double().train()
    x, y = _data(10, (4,))
    a = per_example(model, "cross_entropy", x, y).sq_norms
    b = per_example(model, "cross_entropy", x, y).sq_norms
    assert torch.equal(a, b) and model.training
