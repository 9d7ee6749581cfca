"""Per-example gradients of every model against central finite differences of its loss."""

import numpy as np
import pytest

from batchlab.core.models import MODELS

rng = np.random.default_rng(0)
X = rng.standard_normal(40)
Y = {"linear": rng.standard_normal(40), "logistic": (rng.random(40) < 0.5).astype(float),
     "sharp-flat": 0.3 * rng.standard_normal(40)}
POINTS = [np.array([0.3, -0.7]), np.array([-1.1, 0.5]), np.array([2.0, 1.0]),
          np.array([1.0, -0.3])]


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("theta", POINTS)
def test_gradient_matches_finite_differences(name, theta):
    m = MODELS[name]
    y = Y[name]
    h = 1e-6
    fd = np.column_stack([
        (m.losses(theta + h * e, X, y) - m.losses(theta - h * e, X, y)) / (2 * h)
        for e in np.eye(2)
    ])
    np.testing.assert_allclose(m.grads(theta, X, y), fd, rtol=1e-6, atol=1e-8)


def test_linear_loss_is_half_squared_residual():
    m = MODELS["linear"]
    theta = np.array([0.5, 0.25])
    np.testing.assert_allclose(m.losses(theta, X, Y["linear"]),
                               0.5 * (0.5 * X + 0.25 - Y["linear"]) ** 2, rtol=1e-14)


def test_logistic_loss_is_stable_for_large_margins():
    m = MODELS["logistic"]
    x = np.array([1e3, -1e3])
    y = np.array([1.0, 0.0])
    losses = m.losses(np.array([1.0, 0.0]), x, y)
    assert np.all(np.isfinite(losses)) and np.all(losses < 1e-300 + 1e-12)
    np.testing.assert_allclose(m.losses(np.array([-1.0, 0.0]), x, y), [1e3, 1e3])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_loss_many_equals_per_point_mean(name):
    m = MODELS[name]
    thetas = rng.standard_normal((7, 2))
    expect = [m.losses(t, X, Y[name]).mean() for t in thetas]
    np.testing.assert_allclose(m.loss_many(thetas, X, Y[name]), expect, rtol=1e-12, atol=1e-14)
