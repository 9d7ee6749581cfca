"""Run SGD on a dataset: one recorded trajectory, or many seeds at once for statistics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from batchlab.core.batching import EpochPlan, Sampling, make_plan
from batchlab.core.data import Dataset
from batchlab.core.models import Model
from batchlab.core.optim import Reduction, Schedule, learning_rates
from batchlab.core.sgdloop import sgd_finals, sgd_path

MAX_UPDATES = 2_000_000


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines one SGD run except the data, the model and the generator."""

    batch_size: int
    lr: float
    epochs: int = 1
    start: tuple[float, float] = (0.0, 0.0)
    sampling: Sampling = "shuffle"
    drop_last: bool = False
    reduction: Reduction = "mean"
    schedule: Schedule = field(default_factory=Schedule)
    max_abs: float = 1e6

    def __post_init__(self) -> None:
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {self.lr}")
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if self.reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {self.reduction!r}")
        if not all(np.isfinite(self.start)):
            raise ValueError("start must be two finite numbers")


@dataclass(frozen=True, eq=False)
class Trajectory:
    """A recorded run. Row k of the arrays is the state after update k (row 0: the start).

    ``examples[k]``: examples processed after k updates; ``epoch[k]``: 0-based epoch of
    update k (row 0 counts as epoch 0); ``lr[k-1]``: step used by update k; update k
    used the examples ``plan.batch(k - 1)``. If the run diverged, ``diverged_at`` is
    the update that produced a non-finite or runaway point and the arrays stop before it.
    """

    config: RunConfig
    params: np.ndarray
    loss: np.ndarray
    examples: np.ndarray
    epoch: np.ndarray
    lr: np.ndarray
    plan: EpochPlan
    diverged_at: int | None

    @property
    def updates(self) -> int:
        return int(self.params.shape[0] - 1)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def final(self) -> np.ndarray:
        return self.params[-1]

    def batch(self, k: int) -> np.ndarray:
        """Example indices used by update k (1-based)."""
        if not 1 <= k <= self.updates:
            raise IndexError(f"update must be between 1 and {self.updates}, got {k}")
        return self.plan.batch(k - 1)


def plan_for(data: Dataset, config: RunConfig, rng: np.random.Generator) -> EpochPlan:
    """The batch order a run with ``config`` uses on ``data``."""
    plan = make_plan(data.n, config.batch_size, config.epochs, rng,
                     sampling=config.sampling, drop_last=config.drop_last)
    if plan.updates > MAX_UPDATES:
        raise ValueError(f"epochs × updates per epoch must be at most {MAX_UPDATES}, "
                         f"got {plan.updates}")
    return plan


def run(model: Model, data: Dataset, config: RunConfig, rng: np.random.Generator) -> Trajectory:
    """Run mini-batch SGD with the given batch size (B = N: full batch, B = 1: stochastic)."""
    plan = plan_for(data, config, rng)
    return run_plan(model, data, config, plan)


def updates_to_settle(model: Model, data: Dataset, config: RunConfig,
                      rng: np.random.Generator, base: float, gap: float) -> int | None:
    """Updates after which J − ``base`` stays within ``gap`` to the end of the run, on the
    path ``run`` takes with the same generator; None if the run ends outside the gap or
    diverges. A noisy run that only dips below the gap now and then does not count."""
    plan = plan_for(data, config, rng)
    params, _ = _path(model, data, config, plan)
    if len(params) < plan.updates + 1:  # diverged
        return None
    return model.settled_within(params, data.x, data.y, base, gap)


def _path(model: Model, data: Dataset, config: RunConfig,
          plan: EpochPlan) -> tuple[np.ndarray, np.ndarray]:
    """The points after every update (row 0: the start; it stops before a divergence)
    and the step sizes of the whole plan."""
    lrs = learning_rates(config.schedule, config.lr, plan.updates)
    out = np.empty((plan.updates + 1, 2))
    done, _, _ = sgd_path(model.kind, model.c, data.x, data.y, plan.order, plan.starts,
                          plan.ends, lrs, config.reduction == "mean", float(config.start[0]),
                          float(config.start[1]), config.max_abs, out)
    return out[: done + 1], lrs


def run_plan(model: Model, data: Dataset, config: RunConfig, plan: EpochPlan) -> Trajectory:
    """Run SGD along a given plan (useful to compare against another implementation)."""
    params, lrs = _path(model, data, config, plan)
    done = len(params) - 1
    lengths = plan.ends[:done] - plan.starts[:done]
    examples = np.concatenate(([0], np.cumsum(lengths)))
    epoch = np.concatenate(([0], plan.epoch[:done]))
    loss = model.loss_many(params, data.x, data.y)
    diverged_at = done + 1 if done < plan.updates else None
    return Trajectory(config, params, loss, examples, epoch, lrs[:done], plan, diverged_at)


@dataclass(frozen=True, eq=False)
class Finals:
    """End points of many independent runs (one seed stream, one row per run)."""

    params: np.ndarray  # (R, 2)
    loss: np.ndarray  # (R,) dataset loss at the end point
    diverged: np.ndarray  # (R,) bool


def run_many(model: Model, data: Dataset, config: RunConfig, rng: np.random.Generator,
             runs: int, starts: np.ndarray | None = None) -> Finals:
    """Run ``runs`` independent shuffles (and optionally start points) in one compiled call."""
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    plans = [plan_for(data, config, rng) for _ in range(runs)]
    orders = np.stack([p.order for p in plans])
    p0 = plans[0]
    lrs = learning_rates(config.schedule, config.lr, p0.updates)
    theta0 = (np.tile(np.asarray(config.start, dtype=np.float64), (runs, 1)) if starts is None
              else np.ascontiguousarray(starts, dtype=np.float64).reshape(runs, 2))
    finals, done = sgd_finals(model.kind, model.c, data.x, data.y, orders, p0.starts, p0.ends,
                              lrs, config.reduction == "mean", theta0, config.max_abs)
    return Finals(finals, model.loss_many(finals, data.x, data.y), done < p0.updates)
