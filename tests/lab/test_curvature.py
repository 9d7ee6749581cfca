"""Sharpness against dense references: the full Hessian of a tiny model, and the exact
maximum of a convex loss over the ε-box (attained at a vertex)."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.func import functional_call

from batchlab.lab.curvature import epsilon_sharpness, full_loss, hvp, top_eigenvalue
from batchlab.lab.workloads import per_example_loss


def _tiny() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    x = torch.randn(40, 3, generator=g, dtype=torch.float64)
    return model, x, torch.randint(0, 3, (40,), generator=g)


def _dense_hessian(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    names = [k for k, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def f(v: torch.Tensor) -> torch.Tensor:
        parts, i = {}, 0
        for k, s in zip(names, shapes, strict=True):
            parts[k] = v[i:i + s.numel()].reshape(s)
            i += s.numel()
        return per_example_loss("cross_entropy", functional_call(model, parts, (x,)), y).mean()

    h: torch.Tensor = torch.autograd.functional.hessian(f, flat)
    return h


def test_hvp_and_top_eigenvalue_match_the_dense_hessian() -> None:
    model, x, y = _tiny()
    h = _dense_hessian(model, x, y)
    v = torch.randn(h.shape[0], generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    torch.testing.assert_close(hvp(model, "cross_entropy", x, y, v), h @ v, rtol=1e-10,
                               atol=1e-12)
    eig = torch.linalg.eigvalsh(h)
    largest = float(eig[eig.abs().argmax()])
    lam = top_eigenvalue(model, "cross_entropy", x, y, iters=2000, tol=1e-12)
    assert lam == pytest.approx(largest, rel=1e-6)


def test_epsilon_sharpness_reaches_the_best_vertex_of_a_convex_loss() -> None:
    g = torch.Generator().manual_seed(2)
    model = nn.Linear(2, 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.5, -1.0]]))
        model.bias.fill_(0.2)
    x = torch.randn(30, 2, generator=g, dtype=torch.float64)
    y = x @ torch.tensor([1.0, 2.0], dtype=torch.float64) + 0.1
    eps = 0.05
    theta = torch.cat([model.weight.detach().reshape(-1), model.bias.detach()])
    box = eps * (theta.abs() + 1)
    with torch.no_grad():
        base = float(full_loss(model, "mse", x, y))
        best = base
        for signs in itertools.product((-1.0, 1.0), repeat=3):
            t = theta + box * torch.tensor(signs, dtype=torch.float64)
            pred = x @ t[:2] + t[2]
            best = max(best, float(((pred - y) ** 2).mean()))
    expected = 100 * (best - base) / (1 + base)
    got = epsilon_sharpness(model, "mse", x, y, epsilon=eps, steps=20)
    assert got == pytest.approx(expected, rel=1e-9)
    assert torch.equal(torch.cat([model.weight.reshape(-1), model.bias]), theta)  # restored


def test_sharper_minimum_has_larger_eigenvalue() -> None:
    """Scaling the inputs by s scales the Hessian of a linear least-squares fit by s²."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(50, 3, generator=g, dtype=torch.float64)
    y = x.sum(1)
    model = nn.Linear(3, 1).double()
    lams = [top_eigenvalue(model, "mse", s * x, y, iters=500, tol=1e-12) for s in (1.0, 3.0)]
    xa = torch.cat([x, torch.ones(50, 1, dtype=torch.float64)], 1)
    dense = 2 * float(torch.linalg.eigvalsh(xa.T @ xa / 50).max())
    assert lams[0] == pytest.approx(dense, rel=1e-6)
    assert lams[1] > 8 * lams[0]
