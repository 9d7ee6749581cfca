"""Measurements behind the deep dives: each runs the real algorithm many times and
returns the numbers a widget plots next to the formula it checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from batchlab.core.batching import iterations_per_epoch
from batchlab.core.data import Dataset
from batchlab.core.gradstats import (
    batch_covariance_factor,
    full_gradient,
    noise_scale,
    per_example_covariance,
)
from batchlab.core.gradstats import sample_batch_gradients as _sample
from batchlab.core.landscape import minimise
from batchlab.core.models import Model
from batchlab.core.optim import Schedule
from batchlab.core.simulate import RunConfig, run_many, updates_to_settle


@dataclass(frozen=True, eq=False)
class NoiseCurve:
    """tr Cov(g_B) per batch size: measured by sampling without replacement (with its
    standard error) and with replacement, the exact law, and the Σ/B approximation."""

    batch_sizes: np.ndarray
    measured: np.ndarray
    measured_se: np.ndarray
    replacement: np.ndarray
    replacement_se: np.ndarray
    exact: np.ndarray
    one_over_b: np.ndarray
    trace_sigma: float

    def relative_error(self) -> np.ndarray:
        """|measured − exact| / exact without replacement, for B < N (where exact > 0)."""
        ok = self.exact > 0
        return np.abs(self.measured[ok] - self.exact[ok]) / self.exact[ok]

    def z_scores(self) -> np.ndarray:
        """Deviation from the exact law in standard errors of the estimate, B < N."""
        ok = self.exact > 0
        return np.abs(self.measured[ok] - self.exact[ok]) / self.measured_se[ok]

    def replacement_error(self) -> np.ndarray:
        """|measured − tr Σ/B| / (tr Σ/B) with replacement, for every B."""
        return np.abs(self.replacement - self.one_over_b) / self.one_over_b

    def replacement_z(self) -> np.ndarray:
        """The same deviation in standard errors of the estimate."""
        return np.abs(self.replacement - self.one_over_b) / self.replacement_se


def _spread(grads: np.ndarray) -> tuple[float, float]:
    """tr of the sample covariance of the rows (ddof 1) and the standard error of that
    estimate (the spread of the squared deviations it averages)."""
    d = grads - grads.mean(axis=0)
    sq = np.einsum("ij,ij->i", d, d)
    return float(sq.sum() / (len(sq) - 1)), float(sq.std(ddof=1) / np.sqrt(len(sq)))


def noise_curve(model: Model, data: Dataset, theta: np.ndarray, batch_sizes: np.ndarray,
                draws: int, rng: np.random.Generator) -> NoiseCurve:
    """Gradient noise against B at a fixed θ, by sampling ``draws`` batches per size."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    tr = float(np.trace(per_example_covariance(model, data, theta)))
    without = np.array([_spread(_sample(model, data, theta, int(b), draws, rng).grads)
                        for b in bs])
    with_r = np.array([_spread(_sample(model, data, theta, int(b), draws, rng,
                                       replacement=True).grads) for b in bs])
    exact = np.array([batch_covariance_factor(data.n, int(b)) * tr for b in bs])
    return NoiseCurve(bs, without[:, 0], without[:, 1], with_r[:, 0], with_r[:, 1], exact,
                      tr / bs, tr)


def wilson(successes: np.ndarray, n: int, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (95 % by default) for a share of ``successes`` out of ``n``."""
    k = np.asarray(successes, dtype=np.float64)
    p, z2 = k / n, z * z
    mid = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return mid - half, mid + half


@dataclass(frozen=True, eq=False)
class BasinFractions:
    """Where runs from the same random starts end, per B: nearer the flat or the sharp
    minimum. Every B makes the same number of updates, so only the noise differs."""

    batch_sizes: np.ndarray
    flat_count: np.ndarray  # runs that ended nearer the flat minimum (and stayed finite)
    ended_flat: np.ndarray  # (len(B), runs) bool: which starts ended flat
    settle: np.ndarray  # median distance of the end points from their basin's minimum
    updates: np.ndarray  # updates each run made, per B
    starts: np.ndarray  # (runs, 2)
    sharp: np.ndarray
    flat: np.ndarray
    runs: int

    @property
    def flat_fraction(self) -> np.ndarray:
        return self.flat_count / self.runs


def basin_fractions(model: Model, data: Dataset, batch_sizes: np.ndarray, lr: float,
                    updates: int, runs: int, rng: np.random.Generator,
                    sharp_guess: np.ndarray, flat_guess: np.ndarray,
                    box: tuple[tuple[float, float], tuple[float, float]],
                    schedule: Schedule | None = None) -> BasinFractions:
    """Start ``runs`` runs uniformly in ``box`` (the same starts for every B), run each for
    whole epochs until at least ``updates`` updates, and see which minimum is nearer."""
    sharp, flat = minimise(model, data, sharp_guess), minimise(model, data, flat_guess)
    (w0, w1), (b0, b1) = box
    starts = rng.uniform([w0, b0], [w1, b1], size=(runs, 2))
    counts, ended, settle, made = [], [], [], []
    for b in batch_sizes:
        per_epoch = iterations_per_epoch(data.n, int(b))
        epochs = -(-updates // per_epoch)
        cfg = RunConfig(int(b), lr, epochs, schedule=schedule or Schedule())
        ends = run_many(model, data, cfg, rng, runs, starts)
        to_flat = np.linalg.norm(ends.params - flat, axis=1)
        to_sharp = np.linalg.norm(ends.params - sharp, axis=1)
        near_flat = (to_flat < to_sharp) & ~ends.diverged
        counts.append(int(near_flat.sum()))
        ended.append(near_flat)
        settle.append(float(np.median(np.minimum(to_flat, to_sharp)[~ends.diverged]))
                      if (~ends.diverged).any() else float("inf"))
        made.append(epochs * per_epoch)
    return BasinFractions(np.asarray(batch_sizes), np.array(counts), np.array(ended),
                          np.array(settle), np.array(made), starts, sharp, flat, runs)


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

    def fit(self, b: np.ndarray) -> np.ndarray:
        """The fitted S_min·(1 + B_crit/B)."""
        return self.s_min * (1.0 + self.b_crit / np.asarray(b, dtype=np.float64))

    def _misses(self) -> tuple[np.ndarray, np.ndarray]:
        """The batch sizes that reached the target and |measured − fit| / fit at each."""
        ok = self.steps > 0
        f = self.fit(self.batch_sizes[ok])
        return self.batch_sizes[ok], np.abs(self.steps[ok] - f) / f

    def fit_error(self) -> float:
        """Largest |measured − fit| / fit over the batch sizes that reached the target."""
        return float(self._misses()[1].max())

    def fit_worst(self) -> int:
        """The batch size where that largest deviation is."""
        b, miss = self._misses()
        return int(b[int(np.argmax(miss))])


FIT_SPAN = 100.0  # fit_critical_batch searches B_crit from min(B)/FIT_SPAN to max(B)·FIT_SPAN


def fit_critical_batch(batch_sizes: np.ndarray, steps: np.ndarray) -> tuple[float, float]:
    """Fit S = S_min·(1 + B_crit/B) by least squares on log S (relative errors, as the
    log–log chart shows them): for each B_crit on a fine log grid the best log S_min is a
    mean, held at 0 or above (no run takes fewer than one update), so one scan finds the
    optimum. Returns (S_min, B_crit)."""
    ok = steps > 0
    if ok.sum() < 2:
        raise ValueError("need at least two batch sizes that reach the target")
    b = np.asarray(batch_sizes, dtype=np.float64)[ok]
    log_s = np.log(np.asarray(steps, dtype=np.float64)[ok])
    crit = np.geomspace(b.min() / FIT_SPAN, b.max() * FIT_SPAN, 4001)
    resid = log_s[None, :] - np.log1p(crit[:, None] / b[None, :])
    log_min = np.maximum(resid.mean(axis=1), 0.0)  # a convex 1-D fit: clip = constrained optimum
    best = int(np.argmin(((resid - log_min[:, None]) ** 2).sum(axis=1)))
    return float(np.exp(log_min[best])), float(crit[best])


def best_steps(model: Model, data: Dataset, batch_size: int, lrs: np.ndarray,
               start: tuple[float, float], j_star: float, target_gap: float, max_epochs: int,
               rng: np.random.Generator, seeds: int = 5,
               drop_last: bool = False) -> tuple[float, float]:
    """Updates until J − ``j_star`` falls to ``target_gap`` and stays there to the end of
    ``max_epochs``, averaged over ``seeds`` shuffles (a rate counts only if every seed
    settles), minimised over ``lrs``: (updates, rate), or (-1, NaN) if no rate settles."""
    found = [(np.inf, np.nan)]
    for lr in lrs:
        cfg = RunConfig(int(batch_size), float(lr), max_epochs, start, drop_last=drop_last)
        hits = [updates_to_settle(model, data, cfg, rng, j_star, target_gap)
                for _ in range(seeds)]
        if all(h is not None for h in hits):
            found.append((float(np.mean(np.asarray(hits, dtype=np.float64))), float(lr)))
    s, lr_best = min(found)
    return (-1.0 if np.isinf(s) else s), lr_best


def steps_to_target(model: Model, data: Dataset, batch_sizes: np.ndarray, lrs: np.ndarray,
                    start: tuple[float, float], target_gap: float, max_epochs: int,
                    rng: np.random.Generator, seeds: int = 5) -> CriticalBatch:
    """``best_steps`` for every B (partial last batches kept), the B_crit fit and the noise
    scale at the start."""
    j_star = model.loss(minimise(model, data), data.x, data.y)
    found = [best_steps(model, data, int(b), lrs, start, j_star, target_gap, max_epochs,
                        rng, seeds) for b in batch_sizes]
    st = np.array([f[0] for f in found])
    s_min, b_crit = fit_critical_batch(np.asarray(batch_sizes, dtype=np.float64), st)
    return CriticalBatch(np.asarray(batch_sizes), st, np.array([f[1] for f in found]),
                         s_min, b_crit, noise_scale(model, data, np.asarray(start)))


def descent_to_target(model: Model, data: Dataset, start: np.ndarray, lr: float,
                      target_gap: float, max_steps: int) -> tuple[int, np.ndarray]:
    """Plain gradient descent on the exact gradient, written out apart from the engine:
    the steps until J − J* ≤ ``target_gap`` (-1 if never) and the point where it got there
    (or the last point)."""
    j_star = model.loss(minimise(model, data), data.x, data.y)
    theta = np.asarray(start, dtype=np.float64).copy()
    for t in range(max_steps + 1):
        if model.loss(theta, data.x, data.y) - j_star <= target_gap:
            return t, theta
        theta = theta - lr * full_gradient(model, data, theta)
    return -1, theta


def point_at_gap(model: Model, data: Dataset, start: np.ndarray, theta_star: np.ndarray,
                 gap: float, iters: int = 60) -> np.ndarray:
    """The point on the straight line from θ* to ``start`` where J − J* equals ``gap`` (by
    bisection; the gap grows along that line on a convex loss): a fixed place at the target
    loss to measure the noise scale at, whichever run got there."""
    a, b = np.asarray(theta_star, dtype=np.float64), np.asarray(start, dtype=np.float64)
    j_star = model.loss(a, data.x, data.y)
    lo, hi = 0.0, 1.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if model.loss(a + mid * (b - a), data.x, data.y) - j_star < gap:
            lo = mid
        else:
            hi = mid
    return a + 0.5 * (lo + hi) * (b - a)
