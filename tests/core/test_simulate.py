"""Trajectories: torch.optim.SGD oracle, sum/mean equivalence, determinism, divergence."""

import numpy as np
import pytest

from batchlab.core.data import synthetic_classification, synthetic_regression
from batchlab.core.landscape import minimise
from batchlab.core.models import LINEAR, LOGISTIC
from batchlab.core.optim import Schedule
from batchlab.core.simulate import RunConfig, run, run_many, run_plan, updates_to_settle

torch = pytest.importorskip("torch")

REG = synthetic_regression(np.random.default_rng(1), 120)
CLS = synthetic_classification(np.random.default_rng(2), 120)


def torch_sgd_path(model, data, plan, lrs, start, reduction):
    """Reference: a textbook PyTorch loop (autograd + torch.optim.SGD) on the same batches."""
    x = torch.tensor(data.x, dtype=torch.float64)
    y = torch.tensor(data.y, dtype=torch.float64)
    w = torch.tensor(start[0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(start[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=float(lrs[0]))
    path = [(start[0], start[1])]
    for t, idx in enumerate(plan.batches()):
        for group in opt.param_groups:
            group["lr"] = float(lrs[t])
        opt.zero_grad()
        z = w * x[idx] + b
        if model is LINEAR:
            per = 0.5 * (z - y[idx]) ** 2
        else:
            per = torch.nn.functional.binary_cross_entropy_with_logits(z, y[idx], reduction="none")
        (per.mean() if reduction == "mean" else per.sum()).backward()
        opt.step()
        path.append((w.item(), b.item()))
    return np.array(path)


@pytest.mark.parametrize(("model", "data"), [(LINEAR, REG), (LOGISTIC, CLS)])
@pytest.mark.parametrize("batch_size", [1, 7, 32, 120])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_trajectory_equals_torch_sgd(model, data, batch_size, reduction, sampling):
    lr = 0.3 if reduction == "mean" else 0.3 / batch_size
    cfg = RunConfig(batch_size=batch_size, lr=lr, epochs=3, start=(-1.0, 2.0),
                    reduction=reduction, sampling=sampling,
                    schedule=Schedule("cosine", warmup_steps=3))
    traj = run(model, data, cfg, np.random.default_rng(11))
    ref = torch_sgd_path(model, data, traj.plan, traj.lr, cfg.start, reduction)
    np.testing.assert_allclose(traj.params, ref, rtol=0, atol=1e-10)


def test_sum_reduction_equals_mean_with_lr_times_b():
    for b in (1, 5, 40):
        mean = run(LINEAR, REG, RunConfig(b, 0.2, 2, (0.0, 0.0)), np.random.default_rng(4))
        summ = run(LINEAR, REG, RunConfig(b, 0.2 / b, 2, (0.0, 0.0), reduction="sum"),
                   np.random.default_rng(4))
        np.testing.assert_allclose(mean.params, summ.params, atol=1e-12)


def test_same_spec_same_output_and_record_layout():
    cfg = RunConfig(batch_size=16, lr=0.1, epochs=2, start=(1.0, 1.0))
    a = run(LINEAR, REG, cfg, np.random.default_rng(9))
    b = run(LINEAR, REG, cfg, np.random.default_rng(9))
    np.testing.assert_array_equal(a.params, b.params)
    assert a.updates == 2 * 8
    assert a.examples.tolist() == [0, *np.cumsum([16] * 7 + [8] + [16] * 7 + [8]).tolist()]
    assert a.epoch.tolist() == [0] + [0] * 8 + [1] * 8
    np.testing.assert_allclose(a.loss, [LINEAR.loss(p, REG.x, REG.y) for p in a.params])
    assert a.batch(8).shape == (8,)


def test_full_batch_is_plain_gradient_descent():
    cfg = RunConfig(batch_size=REG.n, lr=0.4, epochs=5, start=(2.0, -1.0))
    traj = run(LINEAR, REG, cfg, np.random.default_rng(0))
    theta = np.array(cfg.start)
    for k in range(1, 6):
        theta = theta - 0.4 * LINEAR.grads(theta, REG.x, REG.y).mean(axis=0)
        np.testing.assert_allclose(traj.params[k], theta, atol=1e-13)


def test_divergence_stops_cleanly_without_nan():
    cfg = RunConfig(batch_size=REG.n, lr=3.0, epochs=200, start=(2.0, 2.0))
    traj = run(LINEAR, REG, cfg, np.random.default_rng(0))
    assert traj.diverged and traj.diverged_at == traj.updates + 1
    assert traj.updates < 200
    assert np.all(np.isfinite(traj.params)) and np.all(np.isfinite(traj.loss))
    assert np.abs(traj.params).max() <= cfg.max_abs


def test_run_many_matches_single_runs_from_the_same_stream():
    cfg = RunConfig(batch_size=8, lr=0.2, epochs=2, start=(0.5, 0.5))
    many = run_many(LINEAR, REG, cfg, np.random.default_rng(3), runs=4)
    rng = np.random.default_rng(3)
    singles = [run(LINEAR, REG, cfg, rng).final for _ in range(4)]
    np.testing.assert_allclose(many.params, singles, atol=1e-14)
    assert not many.diverged.any()


@pytest.mark.parametrize(("field", "kwargs"), [("lr", {"lr": 0.0}), ("epochs", {"epochs": 0}),
                                               ("reduction", {"reduction": "max"})])
def test_config_errors_name_the_field(field, kwargs):
    base = {"batch_size": 1, "lr": 0.1}
    with pytest.raises(ValueError, match=field):
        RunConfig(**(base | kwargs))


def test_run_plan_accepts_a_given_order():
    from batchlab.core.batching import make_plan

    plan = make_plan(REG.n, 10, 1, np.random.default_rng(0), sampling="sequential")
    traj = run_plan(LINEAR, REG, RunConfig(10, 0.1), plan)
    assert traj.batch(1).tolist() == list(range(10))


@pytest.mark.parametrize(("model", "data", "lr"), [(LINEAR, REG, 0.3), (LOGISTIC, CLS, 2.0),
                                                   (LINEAR, REG, 3.0)])
def test_updates_to_settle_is_where_the_run_stays_within_the_gap(model, data, lr):
    cfg = RunConfig(batch_size=4, lr=lr, epochs=5, start=(2.0, -1.0))
    base = model.loss(minimise(model, data), data.x, data.y)
    for gap in (1e-3, 1e-2, 0.1, 1e-30):
        traj = run(model, data, cfg, np.random.default_rng(7))
        inside = traj.loss - base <= gap
        expect = None if traj.diverged else next(
            (k for k in range(len(inside)) if inside[k:].all()), None)
        got = updates_to_settle(model, data, cfg, np.random.default_rng(7), base, gap)
        assert got == expect
