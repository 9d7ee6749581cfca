"""Summing per-example gradients instead of averaging them: the same run, rescaled.

With the summed loss the step is η_sum·Σ_{i∈B} g_i = (η_sum·B)·g_B, so summing with
η_sum = η/B takes exactly the steps of averaging with η. Three runs walk one batch
order: averaged with η, summed with η/B (the same path up to rounding) and summed with
η (every step B times longer, which diverges or lands elsewhere). A short last batch
breaks the match: summed with η/B, its step is scaled by |B_k|/B instead of 1. The
engine's summed path is also checked against a plain NumPy loop of the same summed update
(``core.ordering.replay``: a second implementation, with its own rounding).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from batchlab.core.batching import EpochPlan
from batchlab.core.data import Dataset
from batchlab.core.models import Model
from batchlab.core.ordering import replay
from batchlab.core.simulate import RunConfig, Trajectory, plan_for, run_plan

MATCH = 1e-12  # paths closer than this (per coordinate) count as the same path


def path_gaps(a: Trajectory, b: Trajectory) -> np.ndarray:
    """Largest coordinate difference between two paths after each update they both made."""
    m = min(a.params.shape[0], b.params.shape[0])
    return np.abs(a.params[:m] - b.params[:m]).max(axis=1)


@dataclass(frozen=True, eq=False)
class ReductionComparison:
    """Three runs on one plan: mean with η, sum with η/B, sum with η."""

    mean: Trajectory
    sum_scaled: Trajectory
    sum_raw: Trajectory
    replay: np.ndarray  # NumPy, summed with η/B, as many updates as ``sum_scaled`` made

    @property
    def replay_gap(self) -> float:
        """Largest difference between the engine's summed-with-η/B path and the NumPy
        loop of the same update: the engine checked by a second implementation."""
        return float(np.abs(self.replay - self.sum_scaled.params).max())

    @property
    def plan(self) -> EpochPlan:
        return self.mean.plan

    @property
    def gaps(self) -> np.ndarray:
        """|θ_mean − θ_sum(η/B)| (largest coordinate) after every update, row 0 the start."""
        return path_gaps(self.mean, self.sum_scaled)

    @property
    def gap(self) -> float:
        """Largest difference between the averaged and the summed-with-η/B paths."""
        return float(self.gaps.max())

    @property
    def first_split(self) -> int | None:
        """The first update after which the two paths differ by more than MATCH, if any."""
        over = np.flatnonzero(self.gaps > MATCH)
        return int(over[0]) if over.size else None

    @property
    def raw_gap(self) -> float:
        """Largest difference between the averaged path and the summed-with-η one."""
        return float(path_gaps(self.mean, self.sum_raw).max())


def summed_replay(model: Model, data: Dataset, plan: EpochPlan, lr: float,
                  start: tuple[float, float], updates: int) -> np.ndarray:
    """θ ← θ − (η/B)·(sum of the batch's gradients) by plain NumPy for the first
    ``updates`` batches (row 0: the start): the summed convention, computed outside the
    engine (a mean-gradient step with η·|batch|/B is the same step)."""
    first = EpochPlan(plan.n, plan.batch_size, plan.order, plan.starts[:updates],
                      plan.ends[:updates], plan.epoch[:updates])
    sizes = (first.ends - first.starts).astype(np.float64)
    path, _ = replay(model, data, first, lr * sizes / plan.batch_size, start)
    return path


def compare_reductions(model: Model, data: Dataset, config: RunConfig,
                       rng: np.random.Generator) -> ReductionComparison:
    """Plan one batch order from ``config`` (its reduction is ignored) and run it three ways."""
    if config.schedule.kind != "constant" or config.schedule.warmup_steps:
        raise ValueError("schedule must be constant: the comparison replays a fixed η")
    plan = plan_for(data, config, rng)
    mean = replace(config, reduction="mean")
    scaled = replace(config, reduction="sum", lr=config.lr / config.batch_size)
    raw = replace(config, reduction="sum")
    by_mean, by_sum, by_raw = (run_plan(model, data, c, plan) for c in (mean, scaled, raw))
    path = summed_replay(model, data, plan, config.lr, config.start, by_sum.updates)
    return ReductionComparison(by_mean, by_sum, by_raw, path)
