"""What a batch size costs and what it buys, measured on the engine.

Cost: the examples each update touches and the wall-clock time of the compiled SGD loop
per update and per epoch, timed on real runs (the same number of epochs for every B, so
every B processes the same examples). Benefit: the exact noise of the batch gradient,
tr Cov(g_B) = (N − B)/(B(N − 1))·tr Σ, next to a Monte Carlo estimate. Used by the
batch-size dial (C1) and the table of the three regimes (C10).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from batchlab.core.batching import EpochPlan, make_plan
from batchlab.core.data import Dataset
from batchlab.core.gradstats import (
    batch_covariance_factor,
    per_example_covariance,
    sample_batch_gradients,
)
from batchlab.core.models import Model
from batchlab.core.sgdloop import sgd_path

TIMED_EXAMPLES = 200_000  # examples walked by one timed run, the same for every B
MAX_TIMED_EXAMPLES = 2_000_000
REPEATS = 9
LARGE_B = 64  # "large B" for the linear fit of time against B
REGIME_SIZES = (1, 32, 64, 128)  # the table's rows, plus B = N


def dial_sizes(n: int) -> np.ndarray:
    """The dial's log steps below N (powers of two and 1.5× them: 1, 2, 3, 4, 6, 8, …), then N."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    p = 2 ** np.arange(int(np.log2(n)) + 1)
    steps = np.concatenate((p, 3 * p[1:] // 2))
    return np.unique(np.append(steps[steps < n], n)).astype(np.int64)


@dataclass(frozen=True)
class EpochCounts:
    """One epoch of a plan, counted: updates, examples touched, the largest and last batch."""

    updates: int
    examples: int
    largest: int
    last: int


def count_epoch(plan: EpochPlan, epoch: int = 0) -> EpochCounts:
    """Count the updates and examples of one epoch of ``plan`` (not the closed forms)."""
    sizes = (plan.ends - plan.starts)[plan.epoch == epoch]
    return EpochCounts(int(sizes.size), int(sizes.sum()), int(sizes.max()), int(sizes[-1]))


def time_runs(model: Model, data: Dataset, plan: EpochPlan, lr: float, start: np.ndarray,
              repeats: int) -> np.ndarray:
    """Seconds taken by the compiled SGD loop to walk the whole ``plan``, ``repeats`` times."""
    lrs = np.full(plan.updates, lr)
    scratch = np.empty((1, 2))  # one row: the loop keeps no path, as in run_many
    out = np.empty(repeats)
    for r in range(repeats):
        t0 = time.perf_counter()
        done, _, _ = sgd_path(model.kind, model.c, data.x, data.y, plan.order, plan.starts,
                              plan.ends, lrs, True, float(start[0]), float(start[1]), 1e6,
                              scratch)
        out[r] = time.perf_counter() - t0
        if done != plan.updates:
            raise ValueError(f"lr must keep the timed run finite; it stopped after {done} of "
                             f"{plan.updates} updates")
    return out


@dataclass(frozen=True, eq=False)
class CostCurve:
    """Per batch size: counts from the timed plans and the median measured times.

    ``seconds_per_update`` comes from drop-last runs, where every update touches exactly
    B examples; ``seconds_per_epoch`` from keep-last runs, where every epoch touches all N.
    Where B divides N the two plans are one and the same, so one set of runs gives both
    (at B = N the time per update is the time per epoch, exactly). Every repeat is kept,
    per update and per epoch, to tell a real difference from run-to-run noise.
    """

    batch_sizes: np.ndarray
    updates_per_epoch: np.ndarray  # keep-last, counted in the timed plan
    examples_per_epoch: np.ndarray  # keep-last, counted in the timed plan
    last_batch: np.ndarray
    seconds_per_update: np.ndarray
    seconds_per_epoch: np.ndarray
    spread: np.ndarray  # (slowest − fastest) / median of the per-update repeats, per B
    epochs: int
    repeats: int
    update_runs: np.ndarray  # (repeats, sizes): seconds per update of every repeat
    epoch_runs: np.ndarray  # (repeats, sizes): seconds per epoch of every repeat


def measure_costs(model: Model, data: Dataset, batch_sizes: np.ndarray, lr: float,
                  start: np.ndarray, rng: np.random.Generator, *,
                  examples: int = TIMED_EXAMPLES, repeats: int = REPEATS) -> CostCurve:
    """Time real SGD runs of the same ⌈examples/N⌉ epochs for every B; medians of ``repeats``.

    The repeats go round all batch sizes in turn, so a burst of load on the machine
    slows one run of many sizes rather than every run of one size.
    """
    if not 1 <= repeats <= 50:
        raise ValueError(f"repeats must be between 1 and 50, got {repeats}")
    if not data.n <= examples <= MAX_TIMED_EXAMPLES:
        raise ValueError(f"examples must be between N = {data.n} and {MAX_TIMED_EXAMPLES}, "
                         f"got {examples}")
    bs = np.asarray(batch_sizes, dtype=np.int64)
    epochs = -(-examples // data.n)
    order = make_plan(data.n, data.n, epochs, rng).order  # one shuffle per epoch, shared
    whole = [replace(make_plan(data.n, int(b), epochs, rng), order=order) for b in bs]
    exact = [replace(make_plan(data.n, int(b), epochs, rng, drop_last=True), order=order)
             for b in bs]
    same = data.n % bs == 0  # every batch full: the drop-last plan is the keep-last plan
    time_runs(model, data, whole[0], lr, start, 1)  # load the compiled loop before timing
    t_update, t_epoch = np.empty((repeats, bs.size)), np.empty((repeats, bs.size))
    for r in range(repeats):
        for k in range(bs.size):
            t_update[r, k] = time_runs(model, data, exact[k], lr, start, 1)[0]
            t_epoch[r, k] = (t_update[r, k] if same[k] else
                             time_runs(model, data, whole[k], lr, start, 1)[0])
    t_update /= np.array([p.updates for p in exact])  # seconds per update
    t_epoch /= epochs  # seconds per epoch
    mid = np.median(t_update, axis=0)
    counts = [count_epoch(p) for p in whole]
    return CostCurve(bs, np.array([c.updates for c in counts], dtype=np.int64),
                     np.array([c.examples for c in counts], dtype=np.int64),
                     np.array([c.last for c in counts], dtype=np.int64),
                     mid, np.median(t_epoch, axis=0),
                     (t_update.max(axis=0) - t_update.min(axis=0)) / mid, epochs, repeats,
                     t_update, t_epoch)


def paired_ratio(runs: np.ndarray, ref: int) -> np.ndarray:
    """Time of each batch size over that of size ``ref``, repeat by repeat (one round of
    the repeats times every size, so a slow spell of the machine divides out): the 25th,
    50th and 75th percentile of those ratios, (sizes, 3). A middle half that holds 1 means
    the two are the same within the run-to-run noise."""
    r = np.asarray(runs, dtype=np.float64)
    return np.percentile(r / r[:, [ref]], [25, 50, 75], axis=0).T


@dataclass(frozen=True)
class LinearFit:
    """seconds per update ≈ intercept + slope·B over B ≥ ``from_b``, and the log–log slope."""

    intercept: float
    slope: float
    loglog_slope: float
    r2: float
    from_b: int


def fit_time(batch_sizes: np.ndarray, seconds: np.ndarray, from_b: int = LARGE_B) -> LinearFit:
    """Least-squares line through the large-B times: slope = seconds per example touched."""
    b = np.asarray(batch_sizes, dtype=np.float64)
    t = np.asarray(seconds, dtype=np.float64)
    keep = b >= from_b
    if keep.sum() < 3:
        raise ValueError(f"from_b must leave at least 3 batch sizes, got {from_b}")
    slope, intercept = np.polyfit(b[keep], t[keep], 1)
    resid = t[keep] - (intercept + slope * b[keep])
    r2 = 1.0 - float(resid @ resid) / float(((t[keep] - t[keep].mean()) ** 2).sum())
    loglog = float(np.polyfit(np.log(b[keep]), np.log(t[keep]), 1)[0])
    return LinearFit(float(intercept), float(slope), loglog, r2, from_b)


@dataclass(frozen=True, eq=False)
class Regimes:
    """Rows of the regimes table at one θ: counts, the exact noise and a sampled estimate."""

    batch_sizes: np.ndarray
    updates_per_epoch: np.ndarray  # counted in a plan
    examples_per_update: np.ndarray  # the largest batch of the epoch: B
    last_batch: np.ndarray
    factor: np.ndarray  # (N − B)/(B(N − 1))
    trace_sigma: float
    exact: np.ndarray  # factor · tr Σ
    sampled: np.ndarray  # tr of the sample covariance of ``draws`` batch gradients
    sampled_se: np.ndarray  # its standard error, from the same draws
    draws: int


def regimes(model: Model, data: Dataset, theta: np.ndarray, rng: np.random.Generator,
            draws: int = 4000, sizes: tuple[int, ...] = REGIME_SIZES) -> Regimes:
    """The table for B in ``sizes`` (those ≤ N) and N: cost, updates and noise at ``theta``."""
    bs = np.array(sorted({b for b in sizes if b <= data.n} | {data.n}), dtype=np.int64)
    counts = [count_epoch(make_plan(data.n, int(b), 1, rng)) for b in bs]
    tr = float(np.trace(per_example_covariance(model, data, theta)))
    factor = np.array([batch_covariance_factor(data.n, int(b)) for b in bs])
    sampled, se = np.empty(bs.size), np.empty(bs.size)
    for k, b in enumerate(bs):
        g = sample_batch_gradients(model, data, theta, int(b), draws, rng).grads
        sq = ((g - g.mean(axis=0)) ** 2).sum(axis=1)  # squared distances to the sample mean
        sampled[k] = sq.sum() / (draws - 1)  # = tr of the sample covariance (ddof = 1)
        se[k] = sq.std(ddof=1) / np.sqrt(draws)
    return Regimes(bs, np.array([c.updates for c in counts], dtype=np.int64),
                   np.array([c.largest for c in counts], dtype=np.int64),
                   np.array([c.last for c in counts], dtype=np.int64), factor, tr, factor * tr,
                   sampled, se, draws)
