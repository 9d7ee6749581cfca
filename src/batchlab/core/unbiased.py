"""Why a batch gradient is right on average: everything measured at one fixed θ.

Each example lands in a given batch of a shuffled epoch with probability B/N, so the mean
gradient of a batch, (1/B)·Σ_{i∈B} g_i, has expectation (1/N)·Σ_i g_i = ∇J(θ). Here:
the batch gradients of one shuffled epoch and their running mean, which reaches ∇J
exactly at the end of the epoch (each example counted once, the short last batch
weighted by its size); the running mean of independently drawn batches, which only
approaches it like 1/√k; and the inclusion frequency P(i ∈ B) counted over many epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from batchlab.core.batching import make_plan
from batchlab.core.data import Dataset
from batchlab.core.gradstats import (
    batch_covariance_factor,
    epoch_batch_gradients,
    full_gradient,
    per_example_covariance,
    sample_batch_gradients,
)
from batchlab.core.models import Model

MAX_INCLUSION_CELLS = 4_000_000  # epochs × N indices drawn for the inclusion count


def running_mean(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Row k: the (weighted) mean of rows 0..k of ``values``."""
    v = np.asarray(values, dtype=np.float64)
    w = np.ones(v.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    return np.cumsum(w[:, None] * v, axis=0) / np.cumsum(w)[:, None]


def distance(points: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Euclidean distance of each row of ``points`` from ``target``."""
    return np.linalg.norm(np.asarray(points) - np.asarray(target)[None, :], axis=1)


@dataclass(frozen=True, eq=False)
class EpochMean:
    """The batch gradients of one shuffled epoch at θ and their size-weighted running mean."""

    theta: np.ndarray  # (2,)
    full: np.ndarray  # ∇J(θ), (2,)
    grads: np.ndarray  # g_k, one row per batch in epoch order, (K, 2)
    sizes: np.ndarray  # |B_k|, (K,)
    running: np.ndarray  # Σ_{j≤k} |B_j| g_j / Σ_{j≤k} |B_j|, (K, 2)

    @property
    def gap(self) -> float:
        """Largest coordinate difference between the epoch's weighted mean and ∇J(θ)."""
        return float(np.abs(self.running[-1] - self.full).max())

    @property
    def plain_gap(self) -> float:
        """The same for the unweighted mean of the K arrows (off when the last batch is short)."""
        return float(np.abs(self.grads.mean(axis=0) - self.full).max())


def epoch_mean(model: Model, data: Dataset, theta: np.ndarray, batch_size: int,
               rng: np.random.Generator) -> EpochMean:
    """Shuffle, cut into blocks of B (short last block kept), one gradient per block at θ."""
    t = np.asarray(theta, dtype=np.float64).reshape(2)
    plan = make_plan(data.n, batch_size, 1, rng)
    grads = epoch_batch_gradients(model, data, t, plan.order, plan.starts, plan.ends)
    sizes = plan.ends - plan.starts
    return EpochMean(t, full_gradient(model, data, t), grads, sizes, running_mean(grads, sizes))


def expected_epoch_distance(trace_sigma: float, n: int, batch_size: int,
                            batches: int) -> np.ndarray:
    """RMS distance from ∇J of the running mean after k = 1..batches batches of one epoch.

    After k batches the running mean averages min(kB, N) distinct examples drawn without
    replacement, so E|m_k − ∇J|² = (N − kB)/(kB(N − 1))·tr Σ, zero once the epoch is done.
    """
    seen = np.minimum(np.arange(1, batches + 1) * batch_size, n)
    return np.sqrt(np.array([batch_covariance_factor(n, int(s)) for s in seen]) * trace_sigma)


@dataclass(frozen=True, eq=False)
class RandomMean:
    """Independently drawn batches at θ (each a fresh shuffle's first block) and their mean."""

    grads: np.ndarray  # (D, 2)
    running: np.ndarray  # (D, 2)
    distance: np.ndarray  # |running_k − ∇J|, (D,)
    expected: np.ndarray  # √(E|running_k − ∇J|²) = √(factor·tr Σ / k), (D,)
    trace_sigma: float  # tr Σ(θ), the per-example gradients' total variance


def random_mean(model: Model, data: Dataset, theta: np.ndarray, batch_size: int, draws: int,
                rng: np.random.Generator) -> RandomMean:
    """The running mean of ``draws`` independent batch gradients and its exact RMS error."""
    t = np.asarray(theta, dtype=np.float64).reshape(2)
    mc = sample_batch_gradients(model, data, t, batch_size, draws, rng)
    run = running_mean(mc.grads)
    tr = float(np.trace(per_example_covariance(model, data, t)))
    k = np.arange(1, draws + 1)
    expected = np.sqrt(batch_covariance_factor(data.n, batch_size) * tr / k)
    return RandomMean(mc.grads, run, distance(run, full_gradient(model, data, t)), expected, tr)


@dataclass(frozen=True, eq=False)
class Inclusion:
    """How often each example was in batch ``position`` of an epoch, over many epochs."""

    counts: np.ndarray  # (N,)
    epochs: int
    batch_size: int
    position: int

    @property
    def frequency(self) -> np.ndarray:
        return self.counts / self.epochs

    @property
    def expected(self) -> float:
        """P(i ∈ B) = C(N−1, B−1)/C(N, B) = B/N for a full batch."""
        return self.batch_size / self.counts.size

    @property
    def spread(self) -> float:
        """Standard deviation of the frequencies across the N examples."""
        return float(self.frequency.std())

    @property
    def expected_spread(self) -> float:
        """√(p(1 − p)/E) with p = B/N: each epoch is one Bernoulli(p) draw per example and
        the frequencies average exactly p, so E[spread²] = p(1 − p)/E."""
        p = self.expected
        return float(np.sqrt(p * (1.0 - p) / self.epochs))

    @property
    def max_z(self) -> float:
        """Largest |frequency − B/N| in binomial standard errors (0 when B = N)."""
        p = self.expected
        se = np.sqrt(p * (1.0 - p) / self.epochs)
        dev = float(np.abs(self.frequency - p).max())
        return 0.0 if se == 0.0 else dev / float(se)


def inclusion_counts(n: int, batch_size: int, epochs: int, rng: np.random.Generator,
                     position: int = 0) -> Inclusion:
    """Count, over ``epochs`` shuffled epochs, which examples the ``position``-th batch held."""
    if epochs < 1 or epochs * n > MAX_INCLUSION_CELLS:
        raise ValueError(f"epochs must be between 1 and {MAX_INCLUSION_CELLS // n} for n={n}, "
                         f"got {epochs}")
    k = n // batch_size  # full batches per epoch: position must name one of them
    if not 0 <= position < k:
        raise ValueError(f"position must be between 0 and {k - 1}, got {position}")
    plan = make_plan(n, batch_size, epochs, rng)
    per_epoch = plan.updates // epochs
    picked = np.concatenate([plan.batch(e * per_epoch + position) for e in range(epochs)])
    return Inclusion(np.bincount(picked, minlength=n), epochs, batch_size, position)
