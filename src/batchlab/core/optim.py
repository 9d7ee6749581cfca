"""SGD update rule, loss reduction, learning-rate schedules and linear scaling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numba import njit

Reduction = Literal["mean", "sum"]
ScheduleKind = Literal["constant", "warmup", "step", "cosine"]
SCHEDULES: tuple[ScheduleKind, ...] = ("constant", "warmup", "step", "cosine")


def sgd_step(theta: np.ndarray, grad_sum: np.ndarray, batch_len: int, lr: float,
             reduction: Reduction = "mean") -> np.ndarray:
    """θ ← θ − η·g, where g averages (``mean``) or sums (``sum``) the batch's gradients.

    Summing equals averaging with the learning rate multiplied by the batch length.
    """
    if reduction == "mean":
        return theta - lr * grad_sum / batch_len
    if reduction == "sum":
        return theta - lr * grad_sum
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


@dataclass(frozen=True)
class Schedule:
    """Learning-rate multiplier per update.

    ``warmup_steps`` of linear warm-up (from 1/warmup_steps to 1) precede every kind;
    ``step`` multiplies by ``gamma`` every ``step_every`` updates; ``cosine`` decays
    from 1 at the first update to ``final_fraction`` just after the last one (as
    PyTorch's CosineAnnealingLR with T_max = updates), so no update has a zero step.
    """

    kind: ScheduleKind = "constant"
    warmup_steps: int = 0
    step_every: int = 100
    gamma: float = 0.5
    final_fraction: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.kind!r}")
        if self.warmup_steps < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {self.warmup_steps}")
        if self.step_every < 1:
            raise ValueError(f"step_every must be >= 1, got {self.step_every}")
        if not 0.0 < self.gamma <= 1.0:
            raise ValueError(f"gamma must be in (0, 1], got {self.gamma}")
        if not 0.0 <= self.final_fraction <= 1.0:
            raise ValueError(f"final_fraction must be in [0, 1], got {self.final_fraction}")


def learning_rates(schedule: Schedule, base_lr: float, updates: int) -> np.ndarray:
    """The learning rate of each of ``updates`` steps (float64 array)."""
    s = schedule
    return _schedule(SCHEDULES.index(s.kind), float(base_lr), updates, s.warmup_steps,
                     s.step_every, s.gamma, s.final_fraction)


@njit(cache=True)
def _schedule(kind: int, base_lr: float, updates: int, warmup: int, step_every: int,
              gamma: float, final_fraction: float) -> np.ndarray:
    """Compiled body of ``learning_rates`` (kind indexes SCHEDULES)."""
    out = np.empty(updates)
    span = max(updates, 1)  # cosine reaches final_fraction just after the last update
    for t in range(updates):
        if kind == 2:  # step
            m = gamma ** (t // step_every)
        elif kind == 3:  # cosine
            m = final_fraction + (1.0 - final_fraction) * 0.5 * (1.0 + math.cos(math.pi * t / span))
        else:
            m = 1.0
        if warmup > 0 and t + 1 < warmup:
            m *= (t + 1.0) / warmup
        out[t] = base_lr * m
    return out


def linear_scaling(base_lr: float, base_batch: int, batch: int) -> float:
    """Linear scaling rule: multiplying the batch by k multiplies the learning rate by k."""
    if base_batch < 1 or batch < 1:
        raise ValueError("batch sizes must be >= 1")
    return base_lr * batch / base_batch
