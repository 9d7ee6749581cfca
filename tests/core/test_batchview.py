"""One batch as matrices: the matrix path against finite differences, plain scalar loops,
the engine's batch gradient, the engine's SGD step and the race's own first update."""

from __future__ import annotations

import math

import numpy as np
import pytest

from batchlab.core.batching import make_plan
from batchlab.core.batchview import (
    batch_view,
    check_rows,
    coordinate_step,
    design_matrix,
    model_curve,
    predict,
    random_rows,
)
from batchlab.core.data import Dataset, load, sharp_flat_shifts
from batchlab.core.gradstats import full_gradient
from batchlab.core.models import LINEAR, LOGISTIC, SHARP_FLAT, Model, model_for
from batchlab.core.optim import sgd_step
from batchlab.core.scene import SceneSpec, build, race_start

ROWS = [3, 17, 42, 101, 7]


@pytest.fixture(scope="module", params=["synthetic", "breast-cancer"])
def setup(request: pytest.FixtureRequest) -> tuple[Dataset, Model, np.ndarray]:
    data = load(request.param, 1000 if request.param == "synthetic" else 569,
                np.random.default_rng(0))
    model = model_for(data.task)
    return data, model, race_start(model, data, "mini")


def _batch_loss(model: Model, data: Dataset, rows: list[int], theta: np.ndarray) -> float:
    return float(model.losses(theta, data.x[rows], data.y[rows]).mean())


def test_forward_pass_matches_a_scalar_loop(setup: tuple[Dataset, Model, np.ndarray]) -> None:
    data, model, theta = setup
    v = batch_view(model, data, ROWS, theta)
    w, b = theta
    for k, i in enumerate(ROWS):
        z = w * data.x[i] + b
        yhat = z if model is LINEAR else 1.0 / (1.0 + math.exp(-z))
        assert v.design[k].tolist() == [data.x[i], 1.0]
        assert v.target[k] == data.y[i]
        assert v.scores[k] == pytest.approx(z, abs=1e-14)
        assert v.prediction[k] == pytest.approx(yhat, abs=1e-14)
        assert v.residual[k] == pytest.approx(yhat - data.y[i], abs=1e-14)
        # the engine's loss, written out by hand from the matrix path's prediction
        ell = (0.5 * (yhat - data.y[i]) ** 2 if model is LINEAR else
               -(data.y[i] * math.log(yhat) + (1 - data.y[i]) * math.log(1 - yhat)))
        assert v.losses[k] == pytest.approx(ell, rel=1e-12)
    assert v.batch_loss == pytest.approx(float(np.mean(v.losses)), rel=1e-15)


def test_per_example_gradients_match_finite_differences(
        setup: tuple[Dataset, Model, np.ndarray]) -> None:
    data, model, theta = setup
    v = batch_view(model, data, ROWS, theta)
    h = 1e-6
    for k, i in enumerate(ROWS):
        for j in range(2):
            e = np.zeros(2)
            e[j] = h
            up = model.losses(theta + e, data.x[i:i + 1], data.y[i:i + 1])[0]
            down = model.losses(theta - e, data.x[i:i + 1], data.y[i:i + 1])[0]
            assert v.per_example[k, j] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-8)


def test_batch_gradient_is_the_gradient_of_the_batch_loss(
        setup: tuple[Dataset, Model, np.ndarray]) -> None:
    data, model, theta = setup
    v = batch_view(model, data, ROWS, theta)
    h = 1e-6
    fd = [(_batch_loss(model, data, ROWS, theta + h * e) -
           _batch_loss(model, data, ROWS, theta - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(v.grad, fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(v.grad, v.per_example.mean(axis=0), rtol=0, atol=1e-15)
    assert v.grad_gap <= 1e-12
    np.testing.assert_allclose(v.engine_grad, v.grad, rtol=0, atol=1e-12)


def test_step_per_coordinate_matches_the_engine(setup: tuple[Dataset, Model, np.ndarray]) -> None:
    data, model, theta = setup
    lr = 0.3
    s = coordinate_step(model, data, ROWS, theta, lr)
    g = s.view.grad
    assert s.next_theta.tolist() == [theta[0] - lr * g[0], theta[1] - lr * g[1]]
    assert s.step_gap <= 1e-12
    np.testing.assert_allclose(s.engine_next, s.next_theta, rtol=0, atol=1e-12)
    summed = s.view.per_example.sum(axis=0)
    np.testing.assert_allclose(sgd_step(theta, summed, len(ROWS), lr), s.next_theta, atol=1e-12)
    np.testing.assert_allclose(s.full_grad, full_gradient(model, data, theta), atol=1e-15)
    np.testing.assert_allclose(s.full_next, theta - lr * s.full_grad, atol=1e-15)
    assert s.loss_before == pytest.approx(model.loss(theta, data.x, data.y), rel=1e-12)
    assert s.loss_after == pytest.approx(model.loss(s.next_theta, data.x, data.y), rel=1e-12)
    assert s.full_loss_after < s.loss_before  # a small full step goes downhill on J
    assert s.batch_loss_after < s.view.batch_loss  # and the batch step on J_B


@pytest.mark.parametrize("dataset", ["synthetic", "synthetic-classification"])
def test_race_first_update_is_the_same_step(dataset: str) -> None:
    """The race's mini-batch path: its start is race_start and its first point is the
    step on its first batch, coordinate by coordinate."""
    scene = build(SceneSpec.for_dataset(dataset, epochs=1))
    traj = scene.method("mini").trajectory
    start = race_start(scene.model, scene.dataset, "mini")
    np.testing.assert_allclose(traj.params[0], start, rtol=0, atol=0)
    s = coordinate_step(scene.model, scene.dataset, traj.batch(1), start, float(traj.lr[0]))
    np.testing.assert_allclose(s.next_theta, traj.params[1], rtol=0, atol=1e-12)


def test_whole_dataset_batch_gives_the_full_gradient() -> None:
    data = load("synthetic", 12, np.random.default_rng(4))
    theta = np.array([0.3, -0.7])
    v = batch_view(LINEAR, data, np.arange(12)[::-1], theta)
    np.testing.assert_allclose(v.grad, full_gradient(LINEAR, data, theta), atol=1e-15)
    # least squares: the full gradient is Xᵀ(Xθ − y)/N, the normal-equations residual
    x = design_matrix(data.x)
    np.testing.assert_allclose(v.grad, x.T @ (x @ theta - data.y) / 12, atol=1e-14)


def test_random_rows_is_the_first_block_of_a_shuffled_epoch() -> None:
    rows = random_rows(100, 7, np.random.default_rng(5))
    plan = make_plan(100, 7, 1, np.random.default_rng(5))
    assert rows.tolist() == plan.batch(0).tolist()
    assert len(set(rows.tolist())) == 7 and rows.min() >= 0 and rows.max() < 100


@pytest.mark.parametrize(("rows", "message"), [
    ([], "between 1 and 16"), (list(range(17)), "between 1 and 16"), ([0, 10], "between 0 and 9"),
    ([-1], "between 0 and 9"), ([2, 2], "must not repeat"),
])
def test_check_rows_rejects(rows: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_rows(rows, 10 if "between 0" in message else 100, limit=16)


def test_only_linear_and_logistic_have_a_matrix_form() -> None:
    data = sharp_flat_shifts(np.random.default_rng(0), n=20)
    with pytest.raises(ValueError, match="linear or logistic"):
        batch_view(SHARP_FLAT, data, [0, 1], np.zeros(2))
    with pytest.raises(ValueError, match="lr must be"):
        coordinate_step(LINEAR, data, [0, 1], np.zeros(2), 0.0)


def test_model_curve_and_sigmoid() -> None:
    xs, ys = model_curve(LOGISTIC, np.array([2.0, -1.0]), (-3.0, 3.0), 7)
    np.testing.assert_allclose(ys, 1 / (1 + np.exp(-(2 * xs - 1))), rtol=1e-14)
    assert predict(LOGISTIC, np.array([-800.0, 800.0])).tolist() == [0.0, 1.0]  # no overflow
