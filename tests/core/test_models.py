"""Model registry and the sharp/flat surface's two basins."""

import numpy as np
import pytest

from batchlab.core.data import sharp_flat_shifts
from batchlab.core.landscape import hessian, minimise
from batchlab.core.models import MODELS, SHARP_FLAT, model_for


def test_sharp_flat_average_loss_has_a_sharp_and_a_flat_minimum():
    d = sharp_flat_shifts(np.random.default_rng(0))
    sharp = minimise(SHARP_FLAT, d, np.array([-1.1, 0.5]))
    flat = minimise(SHARP_FLAT, d, np.array([1.0, -0.3]))
    assert np.linalg.norm(sharp - flat) > 1.0
    sharp_curv = np.linalg.eigvalsh(hessian(SHARP_FLAT, d, sharp))
    flat_curv = np.linalg.eigvalsh(hessian(SHARP_FLAT, d, flat))
    assert np.all(sharp_curv > 0) and np.all(flat_curv > 0)  # both are minima
    assert sharp_curv.min() > 5 * flat_curv.max()


@pytest.mark.parametrize(("task", "name"), [("regression", "linear"),
                                            ("classification", "logistic"),
                                            ("shifts", "sharp-flat")])
def test_model_for_task(task, name):
    assert model_for(task) is MODELS[name]


def test_unknown_task():
    with pytest.raises(ValueError, match="no model"):
        model_for("ranking")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_settled_within_is_where_loss_many_stays_within_the_gap(name):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(60), (rng.random(60) < 0.5).astype(float)
    m = MODELS[name]
    line = np.linspace([2.5, -1.5], [0.1, 0.2], 200)  # a line across the surface, then
    thetas = np.vstack([line, line[::-1], line])  # back and forth: the loss dips, rises
    j = m.loss_many(thetas, x, y)
    base = float(j.min())
    for gap in (0.0, 1e-6, 0.1, 1.0, float(j.max() - base)):
        inside = j - base <= gap
        settled = next((k for k in range(len(j)) if inside[k:].all()), None)
        assert m.settled_within(thetas, x, y, base, gap) == settled
    assert m.settled_within(thetas, x, y, base - 1.0, 0.5) is None  # never that low
