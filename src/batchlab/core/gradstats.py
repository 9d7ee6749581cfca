"""Gradient statistics at a fixed θ: the exact full gradient, the per-example
covariance Σ, the covariance of a batch gradient, Monte Carlo checks, and the
gradient noise scale B_simple = tr Σ / |G|².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from batchlab.core.data import Dataset
from batchlab.core.models import Model


def full_gradient(model: Model, data: Dataset, theta: np.ndarray) -> np.ndarray:
    """G(θ) = ∇J(θ) = (1/N) Σ_i ∇ℓ_i(θ)."""
    return model.grads(theta, data.x, data.y).mean(axis=0)


def per_example_covariance(model: Model, data: Dataset, theta: np.ndarray) -> np.ndarray:
    """Σ(θ) = (1/N) Σ_i (g_i − G)(g_i − G)ᵀ, the spread of single-example gradients."""
    g = model.grads(theta, data.x, data.y)
    d = g - g.mean(axis=0)
    return d.T @ d / g.shape[0]


def batch_covariance_factor(n: int, batch_size: int, replacement: bool = False) -> float:
    """Cov(g_B) = factor · Σ: (N − B)/(B(N − 1)) without replacement, 1/B with it."""
    if n < 1 or not 1 <= batch_size <= (n if not replacement else batch_size):
        raise ValueError(f"batch_size must be between 1 and n={n}, got {batch_size}")
    if replacement:
        return 1.0 / batch_size
    if n == 1:
        return 0.0
    return (n - batch_size) / (batch_size * (n - 1))


def batch_covariance(sigma: np.ndarray, n: int, batch_size: int,
                     replacement: bool = False) -> np.ndarray:
    """Exact covariance of the mean gradient over a uniformly drawn batch of size B."""
    return batch_covariance_factor(n, batch_size, replacement) * np.asarray(sigma)


def noise_scale(model: Model, data: Dataset, theta: np.ndarray) -> float:
    """Gradient noise scale B_simple = tr Σ / |G|² (McCandlish et al., 2018)."""
    g = full_gradient(model, data, theta)
    tr = float(np.trace(per_example_covariance(model, data, theta)))
    g2 = float(g @ g)
    return float("inf") if g2 == 0.0 else tr / g2


@dataclass(frozen=True, eq=False)
class MonteCarlo:
    """Batch gradients sampled at one θ, with their sample mean and covariance."""

    grads: np.ndarray  # (draws, 2)
    mean: np.ndarray
    cov: np.ndarray


def sample_batch_gradients(model: Model, data: Dataset, theta: np.ndarray, batch_size: int,
                           draws: int, rng: np.random.Generator,
                           replacement: bool = False) -> MonteCarlo:
    """Draw ``draws`` batches of B examples and return their mean gradients."""
    if draws < 2:
        raise ValueError(f"draws must be >= 2, got {draws}")
    g = model.grads(theta, data.x, data.y)
    n = g.shape[0]
    if replacement:
        idx = rng.integers(0, n, size=(draws, batch_size))
    else:
        batch_covariance_factor(n, batch_size)
        idx = rng.permuted(np.tile(np.arange(n), (draws, 1)), axis=1)[:, :batch_size]
    gb = g[idx].mean(axis=1)
    return MonteCarlo(gb, gb.mean(axis=0), np.cov(gb, rowvar=False, ddof=1))


def epoch_batch_gradients(model: Model, data: Dataset, theta: np.ndarray,
                          order: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Mean gradient of each batch of a plan, all at the same θ (rows in plan order)."""
    g = model.grads(theta, data.x, data.y)
    return np.stack([g[order[s:e]].mean(axis=0) for s, e in zip(starts, ends, strict=True)])
