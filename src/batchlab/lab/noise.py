"""Gradient noise scale B_simple = tr Σ / |G|² (McCandlish et al., 2018) of a torch model.

``exact_noise`` uses the whole dataset: G = (1/N) Σ g_i and tr Σ = (1/N) Σ |g_i|² − |G|²,
with Σ the per-example covariance (1/N convention, as in the lesson).

``two_batch_estimate`` is the estimator used when per-example norms are unavailable: it
draws pairs of batches of sizes b < B (uniformly, without replacement) and solves
E|g_b|² = |G|² + c(b)·tr Σ for both sizes. Its biases, stated:

- finite-population bias: the usual formula takes c(b) = 1/b, true only with
  replacement. Without replacement c(b) = (N − b)/(b(N − 1)); with 1/b the tr Σ
  estimate is scaled by N/(N − 1) and the |G|² estimate is shifted by −tr Σ/(N − 1),
  which is what drives it negative near a minimum (``correction="none"`` keeps that
  formula; the default ``"finite"`` removes both, making |G|² and tr Σ unbiased).
- ratio bias: the ratio of two unbiased means is not unbiased (it is consistent, with
  bias O(1/draws)), and it is undefined when the |G|² mean is not positive; the
  confidence interval of the ratio comes from a bootstrap over draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import torch
from torch import nn

from batchlab.lab.batches import random_batch
from batchlab.lab.pergrad import Method, per_example, trainable
from batchlab.lab.workloads import LossKind, per_example_loss

Correction = Literal["finite", "none"]


@dataclass(frozen=True)
class NoiseScale:
    """Exact |G|², tr Σ and B_simple at one θ over N examples."""

    n: int
    g2: float
    tr_sigma: float
    b_simple: float
    loss: float
    method: str


def exact_noise(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor, *,
                method: Method = "auto", chunk: int = 4096) -> NoiseScale:
    """|G|², tr Σ and B_simple over the whole dataset from per-example gradient norms."""
    pe = per_example(model, kind, x, y, method=method, chunk=chunk)
    n = pe.n
    g = pe.grad_sum / n
    g2 = float(g @ g)
    tr = max(float(pe.sq_norms.mean()) - g2, 0.0)
    b = tr / g2 if g2 > 0 else float("inf")
    return NoiseScale(n, g2, tr, b, pe.loss_sum / n, pe.method)


def batch_gradient_sq(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor
                      ) -> float:
    """|g_B|² for the mean loss over the rows given (float64)."""
    loss = per_example_loss(kind, model(x), y).mean()
    grads = torch.autograd.grad(loss, trainable(model))
    return float(sum(g.double().square().sum() for g in grads))


def coefficient(n: int, b: int, correction: Correction) -> float:
    """c(b) in E|g_b|² = |G|² + c(b)·tr Σ."""
    if correction == "none":
        return 1.0 / b
    if correction == "finite":
        return (n - b) / (b * (n - 1))
    raise ValueError(f"correction must be 'finite' or 'none', got {correction!r}")


@dataclass(frozen=True)
class TwoBatchEstimate:
    """Means over ``draws`` pairs, their normal-theory intervals, and the ratio with its
    bootstrap interval (nan where the |G|² mean is not positive)."""

    b_small: int
    b_big: int
    draws: int
    correction: str
    g2: float
    tr_sigma: float
    b_simple: float
    g2_ci: tuple[float, float]
    tr_sigma_ci: tuple[float, float]
    b_simple_ci: tuple[float, float]
    negative_g2_draws: int


def solve_two_batch(n: int, b_small: int, b_big: int, s_small: np.ndarray,
                    s_big: np.ndarray, correction: Correction = "finite"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw estimates of |G|² and tr Σ from |g_b|² (small) and |g_B|² (big)."""
    cs, cb = coefficient(n, b_small, correction), coefficient(n, b_big, correction)
    tr = (s_small - s_big) / (cs - cb)
    g2 = (cs * s_big - cb * s_small) / (cs - cb)
    return g2, tr


def _mean_ci(v: np.ndarray, z: float) -> tuple[float, float]:
    half = z * float(v.std(ddof=1)) / np.sqrt(v.size) if v.size > 1 else float("inf")
    return float(v.mean() - half), float(v.mean() + half)


def two_batch_estimate(model: nn.Module, kind: LossKind, x: torch.Tensor, y: torch.Tensor,
                       b_small: int, b_big: int, draws: int, rng: np.random.Generator, *,
                       correction: Correction = "finite", level: float = 0.95,
                       boot: int = 2000) -> TwoBatchEstimate:
    """Estimate |G|², tr Σ, B_simple from ``draws`` independent pairs of batches."""
    n = int(x.shape[0])
    if not 1 <= b_small < b_big <= n:
        raise ValueError(f"batch sizes must satisfy 1 <= b_small < b_big <= N={n}, "
                         f"got {b_small} and {b_big}")
    if draws < 2:
        raise ValueError(f"draws must be >= 2, got {draws}")
    was_training = model.training
    model.eval()
    try:
        s_small = np.array([batch_gradient_sq(model, kind, *random_batch(x, y, b_small, rng))
                            for _ in range(draws)])
        s_big = np.array([batch_gradient_sq(model, kind, *random_batch(x, y, b_big, rng))
                          for _ in range(draws)])
    finally:
        model.train(was_training)
    g2, tr = solve_two_batch(n, b_small, b_big, s_small, s_big, correction)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    idx = rng.integers(0, draws, size=(boot, draws))
    bg, bt = g2[idx].mean(1), tr[idx].mean(1)
    ratios = np.where(bg > 0, bt / np.where(bg > 0, bg, 1.0), np.nan)
    ok = ratios[np.isfinite(ratios)]
    tail = (1 - level) / 2
    ci = (float(np.quantile(ok, tail)), float(np.quantile(ok, 1 - tail))) if ok.size \
        else (float("nan"), float("nan"))
    mg, mt = float(g2.mean()), float(tr.mean())
    return TwoBatchEstimate(b_small, b_big, draws, correction, mg, mt,
                            mt / mg if mg > 0 else float("nan"), _mean_ci(g2, z),
                            _mean_ci(tr, z), ci, int((g2 < 0).sum()))
