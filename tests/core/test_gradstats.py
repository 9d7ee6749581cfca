"""Gradient statistics against exhaustive enumeration of every batch, and Monte Carlo."""

from itertools import combinations, product

import numpy as np
import pytest

from batchlab.core.data import Dataset, synthetic_classification, synthetic_regression
from batchlab.core.gradstats import (
    batch_covariance,
    batch_covariance_factor,
    epoch_batch_gradients,
    full_gradient,
    noise_scale,
    per_example_covariance,
    sample_batch_gradients,
)
from batchlab.core.models import LINEAR, LOGISTIC

THETA = np.array([0.7, -0.4])


def small(n: int, seed: int) -> Dataset:
    return synthetic_regression(np.random.default_rng(seed), n)


@pytest.mark.parametrize("n", [2, 3, 5, 8, 10])
def test_exact_mean_and_covariance_without_replacement_by_enumeration(n):
    d = small(n, n)
    g = LINEAR.grads(THETA, d.x, d.y)
    sigma = per_example_covariance(LINEAR, d, THETA)
    for b in range(1, n + 1):
        gb = np.array([g[list(s)].mean(axis=0) for s in combinations(range(n), b)])
        mean = gb.mean(axis=0)
        cov = (gb - mean).T @ (gb - mean) / gb.shape[0]
        np.testing.assert_allclose(mean, full_gradient(LINEAR, d, THETA), atol=1e-12)
        np.testing.assert_allclose(cov, batch_covariance(sigma, n, b), atol=1e-12)
    np.testing.assert_allclose(batch_covariance(sigma, n, n), 0.0)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_exact_covariance_with_replacement_by_enumeration(n):
    d = small(n, 10 + n)
    g = LINEAR.grads(THETA, d.x, d.y)
    sigma = per_example_covariance(LINEAR, d, THETA)
    for b in range(1, 4):
        gb = np.array([g[list(s)].mean(axis=0) for s in product(range(n), repeat=b)])
        mean = gb.mean(axis=0)
        cov = (gb - mean).T @ (gb - mean) / gb.shape[0]
        np.testing.assert_allclose(mean, full_gradient(LINEAR, d, THETA), atol=1e-12)
        np.testing.assert_allclose(cov, batch_covariance(sigma, n, b, replacement=True),
                                   atol=1e-12)


def test_sigma_is_the_per_example_covariance_with_1_over_n():
    d = synthetic_classification(np.random.default_rng(0), 50)
    g = LOGISTIC.grads(THETA, d.x, d.y)
    np.testing.assert_allclose(per_example_covariance(LOGISTIC, d, THETA),
                               np.cov(g, rowvar=False, ddof=0), atol=1e-14)


def test_monte_carlo_agrees_with_the_exact_formula():
    d = small(200, 1)
    sigma = per_example_covariance(LINEAR, d, THETA)
    mc = sample_batch_gradients(LINEAR, d, THETA, 16, 40_000, np.random.default_rng(0))
    exact = batch_covariance(sigma, 200, 16)
    np.testing.assert_allclose(mc.cov, exact, rtol=0.05, atol=0.02 * np.abs(exact).max())
    se = np.sqrt(np.diag(exact) / 40_000)
    assert np.all(np.abs(mc.mean - full_gradient(LINEAR, d, THETA)) < 5 * se)


def test_one_epoch_of_batch_gradients_averages_to_the_full_gradient():
    from batchlab.core.batching import make_plan

    d = small(100, 2)
    plan = make_plan(100, 20, 1, np.random.default_rng(0))
    gb = epoch_batch_gradients(LINEAR, d, THETA, plan.order, plan.starts, plan.ends)
    np.testing.assert_allclose(gb.mean(axis=0), full_gradient(LINEAR, d, THETA), atol=1e-14)


def test_noise_scale_is_trace_sigma_over_squared_gradient_norm():
    d = small(300, 3)
    g = full_gradient(LINEAR, d, THETA)
    tr = np.trace(per_example_covariance(LINEAR, d, THETA))
    assert noise_scale(LINEAR, d, THETA) == pytest.approx(tr / (g @ g), rel=1e-14)


def test_factor_values_and_errors():
    assert batch_covariance_factor(10, 1) == pytest.approx(1.0)
    assert batch_covariance_factor(10, 10) == 0.0
    assert batch_covariance_factor(10, 4, replacement=True) == 0.25
    with pytest.raises(ValueError, match="batch_size"):
        batch_covariance_factor(10, 11)
