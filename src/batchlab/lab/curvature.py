"""Sharpness of a trained model: the largest Hessian eigenvalue of the full-data loss by
Hessian-vector power iteration, and the ε-sharpness of Keskar et al. (2017).

ε-sharpness: 100·(max_{z ∈ C} J(θ + z) − J(θ)) / (1 + J(θ)) over the box
C = {z : |z_j| ≤ ε(|θ_j| + 1)}; the maximum is approached by projected sign-gradient
ascent from z = 0 (a lower bound on the true maximum, as any local search gives).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from batchlab.lab.pergrad import trainable
from batchlab.lab.workloads import LossKind, per_example_loss


def full_loss(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor,
              chunk: int = 8192) -> torch.Tensor:
    """J(θ) = mean per-example loss over all rows (differentiable)."""
    n = int(x.shape[0])
    parts = [per_example_loss(kind, model(x[s:s + chunk]), y[s:s + chunk]).sum()
             for s in range(0, n, chunk)]
    return torch.stack(parts).sum() / n


def hvp(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor,
        v: torch.Tensor) -> torch.Tensor:
    """H v for the full-data loss (double backward), v flattened like the parameters."""
    params = trainable(model)
    grads = torch.autograd.grad(full_loss(model, kind, x, y), params, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])
    hv = torch.autograd.grad(flat @ v.to(flat.dtype), params)
    return torch.cat([h.reshape(-1) for h in hv]).detach()


def top_eigenvalue(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor, *,
                   iters: int = 50, tol: float = 1e-6, seed: int = 0) -> float:
    """The Hessian eigenvalue of largest magnitude (the largest one at a minimum)."""
    size = sum(p.numel() for p in trainable(model))
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(size, generator=gen, dtype=torch.float64)
    v = (v / v.norm()).to(next(model.parameters()).device)
    lam = 0.0
    was = model.training
    model.eval()
    try:
        for _ in range(iters):
            hv = hvp(model, kind, x, y, v).double()
            new = float(v.double() @ hv)
            norm = float(hv.norm())
            if norm == 0.0:
                return 0.0
            v = hv / norm
            if abs(new - lam) <= tol * max(abs(new), 1e-12):
                return new
            lam = new
    finally:
        model.train(was)
    return lam


def epsilon_sharpness(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor,
                      *, epsilon: float = 1e-3, steps: int = 20) -> float:
    """Keskar's ε-sharpness (percent), maximised by projected sign-gradient ascent."""
    params = trainable(model)
    theta = parameters_to_vector(params).detach().clone()
    box = epsilon * (theta.abs() + 1)
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            base = float(full_loss(model, kind, x, y))
        z = torch.zeros_like(theta)
        best = base
        for _ in range(steps):
            vector_to_parameters(theta + z, params)
            loss = full_loss(model, kind, x, y)
            best = max(best, float(loss.detach()))
            g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(loss, params)])
            z = torch.clamp(z + 2 * box / steps * torch.sign(g), -box, box)
        vector_to_parameters(theta + z, params)
        with torch.no_grad():
            best = max(best, float(full_loss(model, kind, x, y)))
    finally:
        with torch.no_grad():
            vector_to_parameters(theta, params)
        model.train(was)
    return 100.0 * (best - base) / (1.0 + base)
