"""Class-sorted data in order vs shuffled: sorting, the NumPy replay against a scalar
reference, cosines and class shares against their definitions, and the comparison itself."""

import math

import numpy as np
import pytest

from batchlab.core.batching import iterations_per_epoch, make_plan
from batchlab.core.data import load, synthetic_classification, synthetic_regression
from batchlab.core.models import LOGISTIC
from batchlab.core.ordering import (
    class_share,
    compare_orderings,
    consecutive_cosines,
    replay,
    sort_by_class,
)
from batchlab.core.simulate import RunConfig, run_plan

CLS = synthetic_classification(np.random.default_rng(3), 90)
BIG = load("synthetic-classification", 1000, np.random.default_rng(0))


def scalar_path(data, batches, lr, start):
    """Reference: logistic SGD written out by hand, one example at a time (no NumPy maths)."""
    w, b = start
    path = [(w, b)]
    for idx in batches:
        gw = gb = 0.0
        for i in idx:
            x, y = float(data.x[i]), float(data.y[i])
            r = 1.0 / (1.0 + math.exp(-(w * x + b))) - y  # dℓ/dz for the log loss
            gw += r * x
            gb += r
        w, b = w - lr * gw / len(idx), b - lr * gb / len(idx)
        path.append((w, b))
    return np.array(path)


def test_sort_by_class_keeps_the_examples_and_the_loss():
    s = sort_by_class(CLS)
    assert np.all(np.diff(s.y) >= 0)
    pairs = sorted(zip(CLS.x.tolist(), CLS.y.tolist(), strict=True))
    assert sorted(zip(s.x.tolist(), s.y.tolist(), strict=True)) == pairs
    for label in (0.0, 1.0):  # stable: each class keeps its stored order
        np.testing.assert_array_equal(s.x[s.y == label], CLS.x[CLS.y == label])
    for theta in np.random.default_rng(1).normal(size=(5, 2)):
        assert LOGISTIC.loss(theta, s.x, s.y) == pytest.approx(LOGISTIC.loss(theta, CLS.x, CLS.y),
                                                               abs=1e-14)


def test_sort_by_class_needs_labels():
    with pytest.raises(ValueError, match="classification"):
        sort_by_class(synthetic_regression(np.random.default_rng(0), 20))


@pytest.mark.parametrize("sampling", ["sequential", "shuffle"])
@pytest.mark.parametrize("batch_size", [1, 7, 90])
def test_replay_equals_scalar_reference_and_engine(sampling, batch_size):
    plan = make_plan(CLS.n, batch_size, 3, np.random.default_rng(5), sampling=sampling)
    lrs = np.full(plan.updates, 0.7)
    path, grads = replay(LOGISTIC, CLS, plan, lrs, (-1.0, 0.5))
    ref = scalar_path(CLS, list(plan.batches()), 0.7, (-1.0, 0.5))
    np.testing.assert_allclose(path, ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads, -(np.diff(ref, axis=0)) / 0.7, rtol=0, atol=1e-10)
    engine = run_plan(LOGISTIC, CLS, RunConfig(batch_size, 0.7, 3, (-1.0, 0.5)), plan)
    np.testing.assert_allclose(engine.params, path, rtol=0, atol=1e-12)


def test_cosines_follow_the_definition():
    g = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [3.0, 4.0], [4.0, -3.0]])
    np.testing.assert_allclose(consecutive_cosines(g), [1.0, -1.0, 0.0, 0.0, 0.0], atol=1e-15)
    rng = np.random.default_rng(2)
    h = rng.normal(size=(20, 2))
    ref = [float(h[t] @ h[t + 1]) / (math.hypot(*h[t]) * math.hypot(*h[t + 1]))
           for t in range(19)]
    np.testing.assert_allclose(consecutive_cosines(h), ref, rtol=1e-12)


def test_class_share_counts_labels_per_batch():
    plan = make_plan(CLS.n, 8, 2, np.random.default_rng(4))
    ref = [sum(CLS.y[i] for i in idx) / len(idx) for idx in plan.batches()]
    np.testing.assert_allclose(class_share(CLS, plan), ref, rtol=0, atol=1e-15)


def test_sorted_reading_gives_correlated_pushes_and_a_worse_end():
    b, epochs = 25, 5
    c = compare_orderings(LOGISTIC, BIG, RunConfig(b, 1.0, epochs, (0.0, 0.0)),
                          np.random.default_rng(0))
    srt, shf = c.run("sequential"), c.run("shuffle")
    upe = iterations_per_epoch(BIG.n, b)
    # in order: the stored (sorted) order every epoch; shuffled: a permutation every epoch
    np.testing.assert_array_equal(srt.trajectory.plan.order, np.tile(np.arange(BIG.n), epochs))
    for e in range(epochs):
        order = shf.trajectory.plan.order[e * BIG.n:(e + 1) * BIG.n]
        np.testing.assert_array_equal(np.sort(order), np.arange(BIG.n))
    # batches of one class when read in order: all but the one straddling the class boundary
    zeros = int((BIG.y == 0).sum())
    pure = np.isin(srt.share[:upe], (0.0, 1.0)).sum()
    assert pure == upe - (zeros % b != 0)
    assert srt.mean_cosine > 0.7 and abs(shf.mean_cosine) < 0.2
    assert srt.epoch_loss[-1] - c.min_loss > 100 * (shf.epoch_loss[-1] - c.min_loss)
    np.testing.assert_array_equal(srt.epoch_loss, srt.trajectory.loss[::upe])
    assert len(srt.epoch_loss) == epochs + 1
    assert c.replay_gap < 1e-12


def test_full_batch_makes_the_order_irrelevant():
    c = compare_orderings(LOGISTIC, CLS, RunConfig(CLS.n, 1.0, 4, (0.0, 0.0)),
                          np.random.default_rng(0))
    a, b = (r.trajectory.params for r in c.runs)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_sum_reduction_is_refused():
    with pytest.raises(ValueError, match="mean"):
        compare_orderings(LOGISTIC, CLS, RunConfig(5, 0.1, 1, reduction="sum"),
                          np.random.default_rng(0))
