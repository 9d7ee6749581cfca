"""The data path: tensors stay in memory on the device; an epoch is one gather by a
permutation, then contiguous slices (views, no copies) of B rows.

The plan comes from the core (``make_plan``), so keep/drop-last and the number of
updates per epoch follow the same conventions as the lesson.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from batchlab.core.batching import make_plan

Batch = tuple[torch.Tensor, torch.Tensor]


def epoch_batches(x: torch.Tensor, y: torch.Tensor, batch_size: int,
                  rng: np.random.Generator, *, drop_last: bool = False,
                  shuffle: bool = True) -> Iterator[Batch]:
    """One epoch of (x_B, y_B): permute once on the device, then slice blocks of B."""
    plan = make_plan(int(x.shape[0]), batch_size, 1, rng, drop_last=drop_last,
                     sampling="shuffle" if shuffle else "sequential")
    idx = torch.from_numpy(plan.order).to(x.device, non_blocking=True)
    xs, ys = x.index_select(0, idx), y.index_select(0, idx)
    for s, e in zip(plan.starts.tolist(), plan.ends.tolist(), strict=True):
        yield xs[s:e], ys[s:e]


def batch_stream(x: torch.Tensor, y: torch.Tensor, batch_size: int,
                 rng: np.random.Generator, *, drop_last: bool = False) -> Iterator[Batch]:
    """Endless batches, epoch after epoch, each epoch freshly shuffled from ``rng``."""
    while True:
        yield from epoch_batches(x, y, batch_size, rng, drop_last=drop_last)


def random_batch(x: torch.Tensor, y: torch.Tensor, batch_size: int,
                 rng: np.random.Generator) -> Batch:
    """B distinct rows drawn uniformly (without replacement)."""
    idx = torch.from_numpy(rng.choice(int(x.shape[0]), size=batch_size, replace=False))
    idx = idx.to(x.device)
    return x.index_select(0, idx), y.index_select(0, idx)
