"""Epoch plans: coverage, counts and determinism, for every N and B hypothesis tries."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchlab.core.batching import iterations_per_epoch, make_plan

sizes = st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n)))


@given(sizes, st.integers(1, 4), st.integers(0, 2**32 - 1))
@settings(max_examples=150, deadline=None)
def test_keep_last_covers_every_example_once_per_epoch(nb, epochs, seed):
    n, b = nb
    plan = make_plan(n, b, epochs, np.random.default_rng(seed))
    k = -(-n // b)
    assert plan.updates == epochs * k == epochs * iterations_per_epoch(n, b)
    for e in range(epochs):
        seen = np.concatenate([plan.batch(t) for t in range(e * k, (e + 1) * k)])
        assert sorted(seen.tolist()) == list(range(n))
        sizes_ = [len(plan.batch(t)) for t in range(e * k, (e + 1) * k)]
        assert sizes_[:-1] == [b] * (k - 1)
        assert sizes_[-1] == n - (k - 1) * b


@given(sizes, st.integers(1, 3), st.integers(0, 2**32 - 1))
@settings(max_examples=150, deadline=None)
def test_drop_last_covers_floor_n_over_b_times_b_distinct_examples(nb, epochs, seed):
    n, b = nb
    plan = make_plan(n, b, epochs, np.random.default_rng(seed), drop_last=True)
    k = n // b
    assert plan.updates == epochs * k == epochs * iterations_per_epoch(n, b, drop_last=True)
    for e in range(epochs):
        seen = np.concatenate([plan.batch(t) for t in range(e * k, (e + 1) * k)])
        assert len(seen) == len(set(seen.tolist())) == k * b
        assert all(len(plan.batch(t)) == b for t in range(e * k, (e + 1) * k))


@given(sizes, st.sampled_from(["shuffle", "sequential", "replacement"]), st.booleans(),
       st.integers(0, 2**32 - 1))
@settings(max_examples=80, deadline=None)
def test_same_seed_gives_the_same_plan(nb, sampling, drop_last, seed):
    n, b = nb
    a = make_plan(n, b, 2, np.random.default_rng(seed), sampling=sampling, drop_last=drop_last)
    c = make_plan(n, b, 2, np.random.default_rng(seed), sampling=sampling, drop_last=drop_last)
    np.testing.assert_array_equal(a.order, c.order)
    np.testing.assert_array_equal(a.starts, c.starts)
    np.testing.assert_array_equal(a.epoch, c.epoch)


def test_worked_case_n10_b3():
    plan = make_plan(10, 3, 1, np.random.default_rng(0))
    assert [len(b) for b in plan.batches()] == [3, 3, 3, 1]
    assert iterations_per_epoch(10, 3) == 4
    assert iterations_per_epoch(10, 3, drop_last=True) == 3


def test_sequential_keeps_the_stored_order_every_epoch():
    plan = make_plan(7, 3, 2, np.random.default_rng(1), sampling="sequential")
    assert [b.tolist() for b in plan.batches()] == [[0, 1, 2], [3, 4, 5], [6]] * 2


def test_shuffle_reshuffles_each_epoch():
    plan = make_plan(50, 50, 2, np.random.default_rng(3))
    assert plan.batch(0).tolist() != plan.batch(1).tolist()


def test_replacement_draws_full_batches_with_repeats():
    plan = make_plan(5, 4, 50, np.random.default_rng(0), sampling="replacement")
    assert plan.updates == 50 * 2
    assert all(len(b) == 4 for b in plan.batches())
    assert any(len(set(b.tolist())) < 4 for b in plan.batches())


@pytest.mark.parametrize(("n", "b", "msg"), [(0, 1, "n must be"), (5, 0, "batch_size"),
                                             (5, 6, "batch_size")])
def test_bad_sizes_name_the_field(n, b, msg):
    with pytest.raises(ValueError, match=msg):
        iterations_per_epoch(n, b)
