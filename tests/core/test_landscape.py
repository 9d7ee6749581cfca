"""Loss grid and exact minimiser."""

import numpy as np
import pytest

from batchlab.core.data import breast_cancer, synthetic_regression
from batchlab.core.gradstats import full_gradient
from batchlab.core.landscape import hessian, loss_grid, minimise
from batchlab.core.models import LINEAR, LOGISTIC


def test_grid_values_are_the_dataset_loss():
    d = synthetic_regression(np.random.default_rng(0), 50)
    g = loss_grid(LINEAR, d, (-1, 2), (0, 1), 5)
    assert g.loss.shape == (5, 5)
    assert g.loss[3, 1] == pytest.approx(LINEAR.loss(np.array([g.w[1], g.b[3]]), d.x, d.y))


def test_least_squares_minimiser_matches_numpy_polyfit():
    d = synthetic_regression(np.random.default_rng(1), 200)
    np.testing.assert_allclose(minimise(LINEAR, d), np.polyfit(d.x, d.y, 1), atol=1e-12)


def test_logistic_minimiser_has_zero_gradient_and_positive_curvature():
    d = breast_cancer()
    t = minimise(LOGISTIC, d)
    assert np.abs(full_gradient(LOGISTIC, d, t)).max() < 1e-10
    assert np.all(np.linalg.eigvalsh(hessian(LOGISTIC, d, t)) > 0)


def test_separable_labels_have_no_minimiser():
    from batchlab.core.data import Dataset

    x = np.linspace(-1, 1, 20)
    d = Dataset("sep", x, (x > 0).astype(float), "classification", "")
    with pytest.raises(ValueError, match="no finite minimiser"):
        minimise(LOGISTIC, d)


def test_resolution_limits():
    d = synthetic_regression(np.random.default_rng(0), 10)
    with pytest.raises(ValueError, match="resolution"):
        loss_grid(LINEAR, d, (0, 1), (0, 1), 1)
