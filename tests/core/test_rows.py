"""Row-wise work on threads: the same rows in the same order, bit for bit."""

import numpy as np
import pytest

from batchlab.core import rows
from batchlab.core.models import MODELS


@pytest.mark.parametrize("count", [1, 2, 3, 10, 1001])
def test_by_rows_covers_every_row_once_in_order(count, monkeypatch):
    monkeypatch.setattr(rows, "cores", lambda: 4)
    calls = []

    def fn(i, j):
        calls.append((i, j))
        return np.arange(i, j, dtype=np.float64) ** 2

    out = rows.by_rows(fn, count, rows.MIN_WORK)  # work enough for a thread per row
    np.testing.assert_array_equal(out, np.arange(count, dtype=np.float64) ** 2)
    assert len(calls) == min(4, count)
    assert sorted(calls)[0][0] == 0 and sorted(calls)[-1][1] == count


def test_small_work_stays_on_the_calling_thread(monkeypatch):
    monkeypatch.setattr(rows, "cores", lambda: 4)
    calls = []
    rows.by_rows(lambda i, j: calls.append((i, j)) or np.zeros(j - i), 100, 10)
    assert calls == [(0, 100)]


@pytest.mark.parametrize("name", ["logistic", "sharp-flat"])
def test_threaded_loss_many_equals_one_call_bit_for_bit(name, monkeypatch):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(500), (rng.random(500) < 0.5).astype(float)
    thetas = rng.standard_normal((9001, 2))
    m = MODELS[name]
    monkeypatch.setattr(rows, "cores", lambda: 3)
    threaded = m.loss_many(thetas, x, y)
    monkeypatch.setattr(rows, "cores", lambda: 1)
    np.testing.assert_array_equal(threaded, m.loss_many(thetas, x, y))
