"""Measurements behind the deep dives: each runs the real algorithm many times and
returns the numbers a widget plots next to the formula it checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from batchlab.core.data import Dataset
from batchlab.core.gradstats import batch_covariance_factor, per_example_covariance
from batchlab.core.gradstats import sample_batch_gradients as _sample
from batchlab.core.landscape import minimise
from batchlab.core.models import Model
from batchlab.core.optim import Schedule
from batchlab.core.simulate import RunConfig, run_many


@dataclass(frozen=True, eq=False)
class NoiseCurve:
    """tr Cov(g_B) per batch size: measured by sampling, exact, and the Σ/B approximation."""

    batch_sizes: np.ndarray
    measured: np.ndarray
    exact: np.ndarray
    one_over_b: np.ndarray


def noise_curve(model: Model, data: Dataset, theta: np.ndarray, batch_sizes: np.ndarray,
                draws: int, rng: np.random.Generator) -> NoiseCurve:
    """Gradient noise against B at a fixed θ (without replacement)."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    tr = float(np.trace(per_example_covariance(model, data, theta)))
    measured = np.array([np.trace(_sample(model, data, theta, int(b), draws, rng).cov)
                         for b in bs])
    exact = np.array([batch_covariance_factor(data.n, int(b)) * tr for b in bs])
    return NoiseCurve(bs, measured, exact, tr / bs)


@dataclass(frozen=True, eq=False)
class BasinFractions:
    """Share of runs (one per start point) that end nearer the flat minimum, per B."""

    batch_sizes: np.ndarray
    flat_fraction: np.ndarray
    sharp: np.ndarray
    flat: np.ndarray
    runs: int


def basin_fractions(model: Model, data: Dataset, batch_sizes: np.ndarray, lr: float,
                    epochs: int, runs: int, rng: np.random.Generator,
                    sharp_guess: np.ndarray, flat_guess: np.ndarray,
                    box: tuple[tuple[float, float], tuple[float, float]],
                    schedule: Schedule | None = None) -> BasinFractions:
    """Start ``runs`` runs uniformly in ``box`` (the same starts for every B) and count
    where each ends: the basin whose minimum is nearer."""
    sharp, flat = minimise(model, data, sharp_guess), minimise(model, data, flat_guess)
    (w0, w1), (b0, b1) = box
    starts = rng.uniform([w0, b0], [w1, b1], size=(runs, 2))
    fractions = []
    for b in batch_sizes:
        cfg = RunConfig(int(b), lr, epochs, schedule=schedule or Schedule())
        ends = run_many(model, data, cfg, rng, runs, starts)
        near_flat = (np.linalg.norm(ends.params - flat, axis=1)
                     < np.linalg.norm(ends.params - sharp, axis=1))
        fractions.append(float(np.mean(near_flat & ~ends.diverged)))
    return BasinFractions(np.asarray(batch_sizes), np.array(fractions), sharp, flat, runs)
