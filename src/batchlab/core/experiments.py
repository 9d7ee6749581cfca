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


@dataclass(frozen=True, eq=False)
class CriticalBatch:
    """Fewest updates to reach the target per B (learning rate tuned on a grid), the fit
    S(B) = S_min·(1 + B_crit/B), and the gradient noise scale B_simple at the start."""

    batch_sizes: np.ndarray
    steps: np.ndarray  # mean over seeds, best rate; -1 where no rate reached the target
    best_lr: np.ndarray
    s_min: float
    b_crit: float
    b_simple: float


def fit_critical_batch(batch_sizes: np.ndarray, steps: np.ndarray) -> tuple[float, float]:
    """Least-squares fit of S = S_min + S_min·B_crit·(1/B); returns (S_min, B_crit)."""
    ok = steps > 0
    if ok.sum() < 2:
        raise ValueError("need at least two batch sizes that reach the target")
    a = np.column_stack([np.ones(int(ok.sum())), 1.0 / batch_sizes[ok]])
    (s_min, slope), *_ = np.linalg.lstsq(a, steps[ok].astype(np.float64), rcond=None)
    return float(s_min), float(slope / s_min) if s_min > 0 else float("inf")


def steps_to_target(model: Model, data: Dataset, batch_sizes: np.ndarray, lrs: np.ndarray,
                    start: tuple[float, float], target_gap: float, max_epochs: int,
                    rng: np.random.Generator, seeds: int = 5) -> CriticalBatch:
    """Updates until J(θ) − J(θ*) first drops to ``target_gap``, averaged over ``seeds``
    shuffles (a rate counts only if every seed gets there), minimised over ``lrs``."""
    from batchlab.core.gradstats import noise_scale
    from batchlab.core.simulate import run

    j_star = model.loss(minimise(model, data), data.x, data.y)
    steps, best = [], []
    for b in batch_sizes:
        found = [(np.inf, np.nan)]
        for lr in lrs:
            cfg = RunConfig(int(b), float(lr), max_epochs, start)
            hits = []
            for _ in range(seeds):
                hit = np.flatnonzero(run(model, data, cfg, rng).loss - j_star <= target_gap)
                hits.append(float(hit[0]) if hit.size else np.inf)
            if np.all(np.isfinite(hits)):
                found.append((float(np.mean(hits)), float(lr)))
        s, lr_best = min(found)
        steps.append(-1.0 if np.isinf(s) else s)
        best.append(lr_best)
    st = np.array(steps)
    s_min, b_crit = fit_critical_batch(np.asarray(batch_sizes, dtype=np.float64), st)
    return CriticalBatch(np.asarray(batch_sizes), st, np.array(best), s_min, b_crit,
                         noise_scale(model, data, np.asarray(start)))
