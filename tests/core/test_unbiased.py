"""The batch gradient is unbiased: exact enumeration for small N, one epoch's exact average,
the running means' RMS laws by Monte Carlo, and P(i ∈ B) = B/N by counting."""

from itertools import combinations

import numpy as np
import pytest

from batchlab.core.batching import make_plan
from batchlab.core.data import Dataset, synthetic_classification, synthetic_regression
from batchlab.core.gradstats import full_gradient, per_example_covariance
from batchlab.core.models import LINEAR, LOGISTIC, Model
from batchlab.core.unbiased import (
    epoch_mean,
    expected_epoch_distance,
    inclusion_counts,
    random_mean,
    running_mean,
)

THETA = np.array([0.9, -0.6])


def regression(n: int, seed: int = 0) -> Dataset:
    return synthetic_regression(np.random.default_rng(seed), n)


@pytest.mark.parametrize(("model", "data"), [
    (LINEAR, regression(7, 1)),
    (LOGISTIC, synthetic_classification(np.random.default_rng(2), 8)),
])
def test_every_batch_size_is_unbiased_by_enumerating_all_batches(model: Model,
                                                                 data: Dataset) -> None:
    n = data.n
    per_example = model.grads(THETA, data.x, data.y)
    exact = per_example.sum(axis=0) / n  # ∇J by its definition, not via gradstats
    np.testing.assert_allclose(full_gradient(model, data, THETA), exact, atol=1e-15)
    for b in range(1, n + 1):  # B = 1 and B = N included
        batches = list(combinations(range(n), b))
        mean = np.mean([per_example[list(s)].mean(axis=0) for s in batches], axis=0)
        np.testing.assert_allclose(mean, exact, atol=1e-14)
        # the indicator argument: every index is in exactly a share B/N of the batches
        counts = np.bincount(np.concatenate(batches), minlength=n)
        np.testing.assert_array_equal(counts * n, np.full(n, b * len(batches)))


def test_running_mean_against_a_loop() -> None:
    v = np.random.default_rng(0).standard_normal((9, 2))
    w = np.arange(1, 10, dtype=float)
    for k in range(9):
        np.testing.assert_allclose(running_mean(v)[k], v[: k + 1].mean(axis=0), atol=1e-15)
        np.testing.assert_allclose(running_mean(v, w)[k],
                                   np.average(v[: k + 1], axis=0, weights=w[: k + 1]),
                                   atol=1e-15)


@pytest.mark.parametrize("b", [1, 5, 20, 100])
def test_one_epoch_with_b_dividing_n_averages_exactly_to_the_full_gradient(b: int) -> None:
    data = regression(100)
    ep = epoch_mean(LINEAR, data, THETA, b, np.random.default_rng(b))
    assert ep.grads.shape == (100 // b, 2) and np.all(ep.sizes == b)
    g = LINEAR.grads(THETA, data.x, data.y).mean(axis=0)
    assert ep.gap < 1e-14 and ep.plain_gap < 1e-14
    np.testing.assert_allclose(ep.running[-1], g, atol=1e-14)
    assert np.abs(ep.grads - g).max() > 1e-3 or b == 100  # single batches are off


def test_same_batches_as_the_engine_plan() -> None:
    data = regression(30)
    ep = epoch_mean(LINEAR, data, THETA, 7, np.random.default_rng(5))
    plan = make_plan(30, 7, 1, np.random.default_rng(5))
    g = LINEAR.grads(THETA, data.x, data.y)
    np.testing.assert_allclose(ep.grads, [g[i].mean(axis=0) for i in plan.batches()],
                               atol=1e-15)


def test_short_last_batch_needs_the_weighted_mean() -> None:
    data = regression(100, 3)
    ep = epoch_mean(LINEAR, data, THETA, 30, np.random.default_rng(0))  # 30, 30, 30, 10
    assert ep.sizes.tolist() == [30, 30, 30, 10]
    assert ep.gap < 1e-14
    assert ep.plain_gap > 1e-4  # the short batch counted like a full one: biased
    weighted = (ep.sizes[:, None] * ep.grads).sum(axis=0) / 100
    np.testing.assert_allclose(weighted, full_gradient(LINEAR, data, THETA), atol=1e-14)


def test_epoch_running_mean_follows_the_without_replacement_law() -> None:
    data = regression(60, 4)
    trace = float(np.trace(per_example_covariance(LINEAR, data, THETA)))
    rng = np.random.default_rng(0)
    sq = np.mean([((epoch_mean(LINEAR, data, THETA, 6, rng).running
                    - full_gradient(LINEAR, data, THETA)) ** 2).sum(axis=1)
                  for _ in range(3000)], axis=0)
    exact = expected_epoch_distance(trace, 60, 6, 10) ** 2
    np.testing.assert_allclose(sq[:-1], exact[:-1], rtol=0.08)
    assert exact[-1] == 0.0 and sq[-1] < 1e-28


def test_random_batches_running_mean_follows_one_over_k() -> None:
    data = regression(80, 5)
    rng = np.random.default_rng(1)
    runs = [random_mean(LINEAR, data, THETA, 8, 16, rng) for _ in range(1500)]
    sq = np.mean([r.distance ** 2 for r in runs], axis=0)
    np.testing.assert_allclose(sq, runs[0].expected ** 2, rtol=0.1)
    factor = (80 - 8) / (8 * 79)
    np.testing.assert_allclose(runs[0].expected[0] ** 2, factor * runs[0].trace_sigma)
    assert runs[0].trace_sigma == pytest.approx(
        np.trace(np.cov(LINEAR.grads(THETA, data.x, data.y), rowvar=False, ddof=0)))


@pytest.mark.parametrize(("n", "b", "position"), [(200, 20, 0), (200, 20, 7), (300, 1, 3)])
def test_inclusion_probability_is_b_over_n_by_counting(n: int, b: int, position: int) -> None:
    inc = inclusion_counts(n, b, 3000, np.random.default_rng(n + b), position)
    assert inc.counts.sum() == 3000 * b  # each epoch's batch holds B examples
    assert inc.expected == b / n
    assert inc.max_z < 5.5
    # E[spread²] = p(1 − p)/E exactly; N examples estimate it to about 1/√(2N)
    assert inc.spread == pytest.approx(inc.expected_spread, rel=0.2)


def test_inclusion_counts_the_chosen_batch_of_the_engine_plan() -> None:
    inc = inclusion_counts(10, 3, 4, np.random.default_rng(9), position=2)
    plan = make_plan(10, 3, 4, np.random.default_rng(9))
    picked = np.concatenate([plan.batch(4 * e + 2) for e in range(4)])
    np.testing.assert_array_equal(inc.counts, np.bincount(picked, minlength=10))


def test_full_batch_is_always_in() -> None:
    inc = inclusion_counts(30, 30, 10, np.random.default_rng(0))
    assert np.all(inc.frequency == 1.0) and inc.max_z == 0.0 and inc.expected_spread == 0.0


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"epochs": 0}, "epochs"), ({"epochs": 10**6}, "epochs"), ({"position": 3}, "position"),
])
def test_inclusion_rejects_bad_input(kwargs: dict[str, int], word: str) -> None:
    args = {"n": 10, "batch_size": 3, "epochs": 5, "rng": np.random.default_rng(0)}
    with pytest.raises(ValueError, match=word):
        inclusion_counts(**{**args, **kwargs})  # type: ignore[arg-type]
