"""The compiled shuffle produces valid, uniform, reproducible permutations."""

from collections import Counter
from itertools import permutations as all_perms

import numpy as np
import pytest

from batchlab.core.shuffle import permutations


def test_rows_are_permutations_and_reproducible():
    a = permutations(100, 5, np.random.default_rng(1)).reshape(5, 100)
    b = permutations(100, 5, np.random.default_rng(1)).reshape(5, 100)
    np.testing.assert_array_equal(a, b)
    for row in a:
        assert sorted(row.tolist()) == list(range(100))
    assert len({tuple(r) for r in a}) == 5


def test_all_orders_of_four_are_equally_likely():
    rows = 48_000
    p = permutations(4, rows, np.random.default_rng(7)).reshape(rows, 4)
    counts = Counter(map(tuple, p.tolist()))
    assert set(counts) == set(all_perms(range(4)))
    expected = rows / 24
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 49.7  # 99.9 % quantile of chi-square with 23 degrees of freedom


def test_bad_sizes():
    with pytest.raises(ValueError, match="n must be in"):
        permutations(0, 1, np.random.default_rng(0))


def test_rejected_draws_take_spare_words_and_report_exhaustion():
    from batchlab.core.shuffle import _fisher_yates_rows

    n = 3  # bound 3 rejects a 32-bit word whose low product is 0: all-zero words do
    out = np.empty(n, dtype=np.int64)
    zeros = np.zeros(2, dtype=np.uint64)
    assert not _fisher_yates_rows(zeros, n, 1, out)
    raw = np.array([0, 0, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    assert _fisher_yates_rows(raw, n, 1, out)
    assert sorted(out.tolist()) == [0, 1, 2]
