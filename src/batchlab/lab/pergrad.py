"""Per-example gradients, summarised: each example's squared gradient norm |g_i|² and
the summed gradient Σ g_i over a dataset, without materialising the N gradients.

Linear and Conv2d layers give the norms in the same backward pass as the summed
gradient: a Linear layer's per-example weight gradient is the outer product g_i a_iᵀ of
its output gradient and input, so |g_i a_iᵀ|² = |g_i|²·|a_i|²; with a sequence or
spatial axis it is Σ_t g_t a_tᵀ, whose squared norm is the Gram sum Σ_{t,s}(a_t·a_s)(g_t·g_s).
Any other trainable layer falls back to ``torch.func.vmap(grad)``. The model is measured
in eval mode (no dropout draws, BatchNorm on running statistics) so examples stay
independent and the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad_and_value, vmap

from batchlab.lab.workloads import LossKind, per_example_loss

Method = Literal["auto", "hooks", "vmap"]
METHODS: tuple[Method, ...] = ("auto", "hooks", "vmap")


@dataclass(frozen=True, eq=False)
class PerExample:
    """|g_i|² for every example, Σ_i g_i (flattened, float64) and Σ_i ℓ_i."""

    sq_norms: torch.Tensor
    grad_sum: torch.Tensor
    loss_sum: float
    method: str

    @property
    def n(self) -> int:
        return int(self.sq_norms.shape[0])


class Unsupported(Exception):
    """The one-pass norms do not apply to this model (fall back to vmap)."""


def trainable(model: nn.Module) -> list[nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad]


def _tappable(m: nn.Module) -> bool:
    if isinstance(m, nn.Linear):
        return True
    return (isinstance(m, nn.Conv2d) and m.groups == 1 and m.padding_mode == "zeros"
            and not isinstance(m.padding, str))


def hooks_supported(model: nn.Module) -> bool:
    """True when every trainable parameter belongs to a Linear or plain Conv2d layer."""
    covered = {id(p) for m in model.modules() if _tappable(m) for p in m.parameters(False)}
    return all(id(p) in covered for p in trainable(model))


def _linear_sq(m: nn.Linear, a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    n = a.shape[0]
    a, g = a.reshape(n, -1, a.shape[-1]), g.reshape(n, -1, g.shape[-1])
    out = torch.zeros(n, dtype=a.dtype, device=a.device)
    if m.weight.requires_grad:
        if a.shape[1] == 1:
            out += a.square().sum((1, 2)) * g.square().sum((1, 2))
        else:
            out += (a @ a.transpose(1, 2) * (g @ g.transpose(1, 2))).sum((1, 2))
    if m.bias is not None and m.bias.requires_grad:
        out += g.sum(1).square().sum(1)
    return out


def _conv2d_sq(m: nn.Conv2d, a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    n = a.shape[0]
    assert not isinstance(m.padding, str)  # excluded by _tappable
    cols = F.unfold(a, m.kernel_size, m.dilation, m.padding, m.stride)  # (n, C·k·k, L)
    gout = g.reshape(n, g.shape[1], -1)  # (n, C_out, L)
    out = torch.zeros(n, dtype=a.dtype, device=a.device)
    if m.weight.requires_grad:
        length = cols.shape[2]
        if gout.shape[1] * cols.shape[1] <= length * length:
            out += (gout @ cols.transpose(1, 2)).square().sum((1, 2))
        else:
            out += (cols.transpose(1, 2) @ cols * (gout.transpose(1, 2) @ gout)).sum((1, 2))
    if m.bias is not None and m.bias.requires_grad:
        out += gout.sum(2).square().sum(1)
    return out


@contextmanager
def _tap(model: nn.Module) -> Iterator[list[tuple[nn.Module, torch.Tensor, list[torch.Tensor]]]]:
    """Record (layer, input, [output gradient]) for every tappable layer call."""
    seen: list[tuple[nn.Module, torch.Tensor, list[torch.Tensor]]] = []

    def hook(m: nn.Module, inp: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        box: list[torch.Tensor] = []
        seen.append((m, inp[0].detach(), box))
        if out.requires_grad:
            out.register_hook(lambda g: box.append(g.detach()))

    handles = [m.register_forward_hook(hook) for m in model.modules() if _tappable(m)]
    try:
        yield seen
    finally:
        for h in handles:
            h.remove()


def _hooks_chunk(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor
                 ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...], float]:
    params = trainable(model)
    with _tap(model) as seen:
        losses = per_example_loss(kind, model(x), y)
        total = losses.sum()
        grads = torch.autograd.grad(total, params)
    if len({id(m) for m, _, _ in seen}) != len(seen):
        raise Unsupported("a layer is called more than once per forward pass")
    sq = torch.zeros(x.shape[0], dtype=torch.float64, device=x.device)
    for m, a, box in seen:
        if not box:
            continue
        if isinstance(m, nn.Linear):
            sq += _linear_sq(m, a, box[0]).double()
        elif isinstance(m, nn.Conv2d):
            sq += _conv2d_sq(m, a, box[0]).double()
    return sq, grads, float(total.detach())


def _vmap_chunk(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...], float]:
    names = [k for k, p in model.named_parameters() if p.requires_grad]
    params = {k: p.detach() for k, p in model.named_parameters() if p.requires_grad}
    frozen = {k: p.detach() for k, p in model.named_parameters() if not p.requires_grad}
    buffers = dict(model.named_buffers())

    def loss_one(p: dict[str, torch.Tensor], xi: torch.Tensor, yi: torch.Tensor
                 ) -> torch.Tensor:
        out = functional_call(model, ({**p, **frozen}, buffers), (xi.unsqueeze(0),))
        return per_example_loss(kind, out, yi.unsqueeze(0)).sum()

    g, losses = vmap(grad_and_value(loss_one), in_dims=(None, 0, 0))(params, x, y)
    sq = sum(g[k].reshape(x.shape[0], -1).double().square().sum(1) for k in names)
    assert isinstance(sq, torch.Tensor)
    return sq, tuple(g[k].sum(0) for k in names), float(losses.sum())


def per_example(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor, *,
                method: Method = "auto", chunk: int = 4096) -> PerExample:
    """|g_i|² of every example and Σ g_i, in chunks of ``chunk`` rows (eval mode)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    use = "hooks" if method == "hooks" or (method == "auto" and hooks_supported(model)) \
        else "vmap"
    if use == "hooks" and not hooks_supported(model):
        raise Unsupported("hooks need every trainable parameter in a Linear or Conv2d layer")
    was_training = model.training
    model.eval()
    try:
        try:
            return _run(model, kind, x, y, use, chunk)
        except Unsupported:
            if method == "hooks":
                raise
            return _run(model, kind, x, y, "vmap", chunk)
    finally:
        model.train(was_training)


def _run(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor, use: str,
         chunk: int) -> PerExample:
    step = _hooks_chunk if use == "hooks" else _vmap_chunk
    if use == "vmap":  # vmap holds one gradient per row: bound the chunk by memory
        size = sum(p.numel() for p in trainable(model))
        chunk = max(1, min(chunk, 2**24 // max(size, 1)))
    sqs, total, loss = [], None, 0.0
    for s in range(0, int(x.shape[0]), chunk):
        sq, grads, lsum = step(model, kind, x[s:s + chunk], y[s:s + chunk])
        flat = torch.cat([g.reshape(-1).double() for g in grads])
        total = flat if total is None else total + flat
        sqs.append(sq)
        loss += lsum
    assert total is not None
    return PerExample(torch.cat(sqs), total, loss, use)


def loop_gradients(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor
                   ) -> torch.Tensor:
    """The reference: one forward and backward per example; returns the (N, P) gradients."""
    params = trainable(model)
    was_training = model.training
    model.eval()
    rows = []
    try:
        for i in range(int(x.shape[0])):
            li = per_example_loss(kind, model(x[i:i + 1]), y[i:i + 1]).sum()
            rows.append(torch.cat([g.reshape(-1) for g in torch.autograd.grad(li, params)]))
    finally:
        model.train(was_training)
    return torch.stack(rows).double()
