"""Why shuffle: the same SGD run on class-sorted data, read in stored order or reshuffled.

Sorting a classification set by label changes nothing about its loss J (a mean does not
care about order); only the order in which batches arrive differs. Read in order, the
first batches of every epoch hold one class only, so consecutive batch gradients point
the same way and the parameters chase whichever class is being read. Each run is also
replayed by a plain NumPy loop (a second computation path), which yields the batch
gradients whose consecutive cosines measure how correlated the pushes are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from batchlab.core.batching import EpochPlan, Sampling, iterations_per_epoch
from batchlab.core.data import Dataset
from batchlab.core.landscape import minimise
from batchlab.core.models import Model
from batchlab.core.simulate import RunConfig, Trajectory, run

ORDERINGS: tuple[Sampling, ...] = ("sequential", "shuffle")
"""Stored (class-sorted) order every epoch, then a fresh permutation every epoch."""


def sort_by_class(data: Dataset) -> Dataset:
    """The same examples with every label-0 row first, then label 1 (stable within a class)."""
    if data.task != "classification":
        raise ValueError(f"sorting by class needs a classification dataset, got {data.task!r}")
    idx = np.argsort(data.y, kind="stable")
    return replace(data, x=data.x[idx], y=data.y[idx],
                   description=data.description + " Stored sorted by class (0s first).")


def replay(model: Model, data: Dataset, plan: EpochPlan, lrs: np.ndarray,
           start: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The path and the batch gradient of every update, by a plain NumPy loop (mean loss).

    Row 0 of the path is the start; gradient row t is the one update t + 1 used.
    """
    theta = np.asarray(start, dtype=np.float64).copy()
    path = np.empty((plan.updates + 1, 2))
    grads = np.empty((plan.updates, 2))
    path[0] = theta
    for t, idx in enumerate(plan.batches()):
        grads[t] = model.grads(theta, data.x[idx], data.y[idx]).mean(axis=0)
        theta = theta - lrs[t] * grads[t]
        path[t + 1] = theta
    return path, grads


def consecutive_cosines(grads: np.ndarray) -> np.ndarray:
    """cos of the angle between batch gradients t and t + 1 (0 where one of them is zero)."""
    a, b = grads[:-1], grads[1:]
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dots = np.einsum("ij,ij->i", a, b)
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def class_share(data: Dataset, plan: EpochPlan) -> np.ndarray:
    """Share of label-1 examples in each batch of a plan."""
    return np.array([data.y[idx].mean() for idx in plan.batches()])


@dataclass(frozen=True, eq=False)
class OrderedRun:
    """One run of the comparison and the statistics of its batches."""

    sampling: Sampling
    trajectory: Trajectory
    grads: np.ndarray  # (U, 2) batch gradient of each update (from the replay)
    replay_gap: float  # max |engine path − NumPy replay|
    cosines: np.ndarray  # (U − 1,) between consecutive batch gradients
    share: np.ndarray  # (U,) share of class 1 in each batch
    epoch_loss: np.ndarray  # (epochs + 1,) J at the start and after each epoch

    @property
    def mean_cosine(self) -> float:
        return float(self.cosines.mean()) if self.cosines.size else 0.0


@dataclass(frozen=True, eq=False)
class OrderingComparison:
    """Class-sorted data read in order versus shuffled each epoch, same settings otherwise."""

    data: Dataset  # the class-sorted data both runs use
    minimum: np.ndarray
    min_loss: float
    runs: tuple[OrderedRun, ...]  # in the order of ORDERINGS

    def run(self, sampling: Sampling) -> OrderedRun:
        for r in self.runs:
            if r.sampling == sampling:
                return r
        raise KeyError(sampling)

    @property
    def replay_gap(self) -> float:
        """Largest difference between the engine's paths and their NumPy replays."""
        return max(r.replay_gap for r in self.runs)


def _ordered_run(model: Model, data: Dataset, config: RunConfig, sampling: Sampling,
                 rng: np.random.Generator) -> OrderedRun:
    cfg = replace(config, sampling=sampling)
    traj = run(model, data, cfg, rng)
    path, grads = replay(model, data, traj.plan, traj.lr, cfg.start)
    per_epoch = iterations_per_epoch(data.n, cfg.batch_size, cfg.drop_last)
    return OrderedRun(sampling, traj, grads,
                      float(np.abs(traj.params - path[: traj.params.shape[0]]).max()),
                      consecutive_cosines(grads), class_share(data, traj.plan),
                      traj.loss[::per_epoch])


def compare_orderings(model: Model, data: Dataset, config: RunConfig,
                      rng: np.random.Generator) -> OrderingComparison:
    """Sort ``data`` by class, then run ``config`` reading it in order and shuffled."""
    if config.reduction != "mean":
        raise ValueError("the ordering comparison averages the batch loss (reduction 'mean')")
    sorted_data = sort_by_class(data)
    minimum = minimise(model, sorted_data)
    runs = tuple(_ordered_run(model, sorted_data, config, s, rng) for s in ORDERINGS)
    return OrderingComparison(sorted_data, minimum,
                              model.loss(minimum, sorted_data.x, sorted_data.y), runs)
