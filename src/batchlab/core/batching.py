"""Epoch plans: which example indices go into each update.

An epoch plan permutes the indices (or keeps their stored order), cuts them into
contiguous blocks of B, and keeps or drops the short last block. Sampling with
replacement is a separate mode: each update draws B indices independently.
Every plan is a flat ``order`` array plus one ``[start, end)`` slice per update, so
a compiled loop can walk it without Python objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numba import njit

from batchlab.core.shuffle import permutations

Sampling = Literal["shuffle", "sequential", "replacement"]
SAMPLINGS: tuple[Sampling, ...] = ("shuffle", "sequential", "replacement")


def _check_sizes(n: int, batch_size: int) -> None:
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and n={n}, got {batch_size}")


def iterations_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    """Updates in one epoch: ceil(N/B) when the short last batch is kept, floor(N/B) if dropped."""
    _check_sizes(n, batch_size)
    return n // batch_size if drop_last else -(-n // batch_size)


@dataclass(frozen=True)
class EpochPlan:
    """Batches of one or more epochs: batch t holds ``order[starts[t]:ends[t]]``."""

    n: int
    batch_size: int
    order: np.ndarray  # int64, concatenated example indices
    starts: np.ndarray  # int64, one per update
    ends: np.ndarray  # int64, one per update
    epoch: np.ndarray  # int64, epoch index (0-based) of each update

    @property
    def updates(self) -> int:
        return int(self.starts.shape[0])

    def batch(self, t: int) -> np.ndarray:
        """Example indices of update ``t``."""
        return self.order[self.starts[t] : self.ends[t]]

    def batches(self) -> Iterator[np.ndarray]:
        for t in range(self.updates):
            yield self.batch(t)


@njit(cache=True)
def _slices(n: int, batch_size: int, k: int, epochs: int, stride: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and epoch of every update: k blocks of B per epoch, epochs ``stride`` apart."""
    u = k * epochs
    starts = np.empty(u, dtype=np.int64)
    ends = np.empty(u, dtype=np.int64)
    epoch = np.empty(u, dtype=np.int64)
    for e in range(epochs):
        for j in range(k):
            t = e * k + j
            starts[t] = e * stride + j * batch_size
            ends[t] = e * stride + min((j + 1) * batch_size, n)
            epoch[t] = e
    return starts, ends, epoch


def make_plan(
    n: int,
    batch_size: int,
    epochs: int,
    rng: np.random.Generator,
    *,
    sampling: Sampling = "shuffle",
    drop_last: bool = False,
) -> EpochPlan:
    """Plan ``epochs`` epochs of updates.

    ``shuffle``: a fresh permutation each epoch, cut into blocks of B.
    ``sequential``: the stored order every epoch (no shuffling).
    ``replacement``: each update draws B indices uniformly with replacement; an epoch
    is ``iterations_per_epoch`` such updates (same count as without replacement).
    """
    _check_sizes(n, batch_size)
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    k = iterations_per_epoch(n, batch_size, drop_last)
    if sampling == "replacement":
        order = rng.integers(0, n, size=epochs * k * batch_size, dtype=np.int64)
        starts, ends, epoch = _slices(k * batch_size, batch_size, k, epochs, k * batch_size)
    else:
        if sampling == "shuffle":
            order = permutations(n, epochs, rng)
        else:
            order = np.tile(np.arange(n, dtype=np.int64), epochs)
        starts, ends, epoch = _slices(n, batch_size, k, epochs, n)
    return EpochPlan(n, batch_size, order, starts, ends, epoch)
