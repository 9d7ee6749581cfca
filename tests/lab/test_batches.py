"""The data path: the core's epoch plan applied to device tensors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from batchlab.core.batching import iterations_per_epoch, make_plan
from batchlab.lab.batches import batch_stream, epoch_batches, random_batch


@pytest.mark.parametrize(("n", "b", "drop"), [(10, 3, False), (10, 3, True), (7, 7, False),
                                               (100, 1, False), (33, 32, True)])
def test_epoch_follows_the_core_plan(n: int, b: int, drop: bool) -> None:
    x = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    y = torch.arange(n)
    batches = list(epoch_batches(x, y, b, np.random.default_rng(5), drop_last=drop))
    plan = make_plan(n, b, 1, np.random.default_rng(5), drop_last=drop)
    assert len(batches) == iterations_per_epoch(n, b, drop) == plan.updates
    for t, (xb, yb) in enumerate(batches):
        assert yb.tolist() == plan.batch(t).tolist()
        assert torch.equal(xb[:, 0].long(), yb)  # rows stay paired
    seen = torch.cat([yb for _, yb in batches]).tolist()
    assert len(seen) == len(set(seen)) == (n // b * b if drop else n)


def test_stream_reshuffles_each_epoch_and_is_seeded() -> None:
    x, y = torch.zeros(10, 2), torch.arange(10)
    def first(k: int) -> list[list[int]]:
        stream = batch_stream(x, y, 5, np.random.default_rng(1))
        return [next(stream)[1].tolist() for _ in range(k)]

    a, b = first(8), first(8)
    assert a == b
    epochs = [sorted(a[i] + a[i + 1]) for i in range(0, 8, 2)]
    assert all(e == list(range(10)) for e in epochs)
    assert a[0] != a[2] or a[1] != a[3]


def test_random_batch_has_distinct_rows() -> None:
    _, yb = random_batch(torch.zeros(50, 1), torch.arange(50), 20, np.random.default_rng(0))
    assert len(set(yb.tolist())) == 20
