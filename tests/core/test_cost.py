"""Costs of a batch size: counts against closed forms, timings by their shape (never their
values, which differ run to run), and the regimes' noise against enumeration and sampling."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from batchlab.core.batching import iterations_per_epoch, make_plan
from batchlab.core.cost import (
    count_epoch,
    dial_sizes,
    fit_time,
    measure_costs,
    paired_ratio,
    regimes,
    time_runs,
)
from batchlab.core.data import load, synthetic_classification, synthetic_regression
from batchlab.core.models import LINEAR, LOGISTIC, model_for
from batchlab.core.scene import SceneSpec, build, race_start


@pytest.mark.parametrize("n", [1, 2, 10, 442, 569, 1000])
def test_dial_sizes_are_log_steps_from_1_to_n(n: int) -> None:
    s = dial_sizes(n)
    assert s[0] == 1 and s[-1] == n and np.all(np.diff(s) > 0)
    assert np.all(s[1:] / s[:-1] <= 2.0)
    assert {32, 64, 128} <= set(s.tolist()) or n < 128


@pytest.mark.parametrize("n", [1, 7, 10, 100, 1000])
def test_counted_epochs_match_the_closed_forms(n: int) -> None:
    rng = np.random.default_rng(n)
    for b in {b for b in (1, 2, 3, n // 3, n) if 1 <= b <= n}:
        keep = count_epoch(make_plan(n, b, 3, rng), epoch=2)
        k = iterations_per_epoch(n, b)
        assert (keep.updates, keep.examples, keep.largest) == (k, n, b)
        assert keep.last == n - (k - 1) * b
        drop = count_epoch(make_plan(n, b, 1, rng, drop_last=True))
        assert (drop.updates, drop.examples, drop.last) == (n // b, (n // b) * b, b)


def test_race_start_is_where_the_races_full_batch_run_starts() -> None:
    scene = build(SceneSpec.for_dataset("diabetes", epochs=1))
    data, model = scene.dataset, scene.model
    np.testing.assert_allclose(race_start(model, data, "full"),
                               scene.method("full").trajectory.params[0], atol=1e-12)
    np.testing.assert_allclose(race_start(model, data, "stochastic"),
                               scene.method("stochastic").trajectory.params[0], atol=1e-12)


def test_a_diverging_timed_run_is_refused() -> None:
    data = synthetic_regression(np.random.default_rng(0), 100)
    plan = make_plan(100, 1, 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^lr"):
        time_runs(LINEAR, data, plan, 50.0, np.zeros(2), 1)


def test_fit_recovers_an_exact_line() -> None:
    b = np.array([1, 8, 64, 128, 256, 512], dtype=float)
    f = fit_time(b, 3e-9 + 2e-9 * b)
    assert f.intercept == pytest.approx(3e-9) and f.slope == pytest.approx(2e-9)
    assert f.r2 == pytest.approx(1.0) and 0.9 < f.loglog_slope < 1.0
    assert fit_time(b, 5e-9 * b).loglog_slope == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"^from_b"):
        fit_time(b, b, from_b=300)


def test_measured_time_grows_with_b_while_an_epoch_stays_n_examples() -> None:
    data = synthetic_classification(np.random.default_rng(1), 400)
    sizes = dial_sizes(400)
    c = measure_costs(LOGISTIC, data, sizes, 0.5, np.zeros(2), np.random.default_rng(0),
                      examples=80_000, repeats=5)
    assert c.epochs == 200 and c.repeats == 5
    assert np.all(c.examples_per_epoch == 400)
    assert c.updates_per_epoch.tolist() == [iterations_per_epoch(400, int(b)) for b in sizes]
    assert np.all(c.seconds_per_update > 0) and np.all(c.seconds_per_epoch > 0)
    assert np.all(np.isfinite(c.spread)) and np.all(c.spread >= 0)
    t = dict(zip(sizes.tolist(), c.seconds_per_update, strict=True))
    # 400 vs 32 examples per update: ~12× the arithmetic; asked loosely (timings are noisy)
    assert t[400] > 4 * t[32] > 0 and t[256] > t[64]
    f = fit_time(sizes, c.seconds_per_update)
    assert f.slope > 0 and 0.6 < f.loglog_slope < 1.4
    e = dict(zip(sizes.tolist(), c.seconds_per_epoch, strict=True))
    assert 0.33 < e[400] / e[64] < 3.0  # the same N examples per epoch


def test_one_set_of_runs_times_both_where_b_divides_n() -> None:
    data = synthetic_regression(np.random.default_rng(2), 60)
    sizes = np.array([1, 7, 20, 60])  # 7 leaves a short batch; 1, 20 and 60 divide 60
    c = measure_costs(LINEAR, data, sizes, 0.1, np.zeros(2), np.random.default_rng(0),
                      examples=6_000, repeats=3)
    assert c.update_runs.shape == c.epoch_runs.shape == (3, 4)
    # B = N: one update is the epoch, and the page's two numbers are one measurement
    assert c.seconds_per_update[-1] == c.seconds_per_epoch[-1]
    np.testing.assert_array_equal(c.update_runs[:, -1], c.epoch_runs[:, -1])
    for k in (0, 2):  # B | N: the same runs, so epoch = update × updates per epoch
        np.testing.assert_allclose(c.epoch_runs[:, k],
                                   c.update_runs[:, k] * c.updates_per_epoch[k], rtol=1e-12)
    np.testing.assert_array_equal(c.seconds_per_update, np.median(c.update_runs, axis=0))


def test_paired_ratio_divides_out_a_slow_round() -> None:
    runs = np.array([[1.0, 2.0, 1.01], [2.0, 4.0, 1.98], [1.0, 2.0, 1.0], [3.0, 6.0, 3.03]])
    q = paired_ratio(runs, 0)  # round 4 is 3× slower for every size: the ratios stay
    assert q.shape == (3, 3)
    np.testing.assert_allclose(q[0], 1.0)
    np.testing.assert_allclose(q[1], 2.0)  # twice the time, every round: clear of 1
    assert q[2, 0] <= 1.0 <= q[2, 2]  # ±1 % either way: the same within the noise
    # the medians alone would wander with the slow rounds; the ratios do not
    assert np.median(runs[:, 1]) / np.median(runs[:, 0]) == pytest.approx(2.0)


def test_measure_costs_bounds_its_work() -> None:
    data = synthetic_regression(np.random.default_rng(0), 50)
    with pytest.raises(ValueError, match=r"^repeats"):
        measure_costs(LINEAR, data, np.array([1]), 0.1, np.zeros(2), np.random.default_rng(0),
                      repeats=0)
    with pytest.raises(ValueError, match=r"^examples"):
        measure_costs(LINEAR, data, np.array([1]), 0.1, np.zeros(2), np.random.default_rng(0),
                      examples=10**9)


def test_regimes_noise_equals_enumeration_of_every_batch() -> None:
    n = 6
    data = synthetic_regression(np.random.default_rng(3), n)
    theta = np.array([0.4, -1.2])
    r = regimes(LINEAR, data, theta, np.random.default_rng(0), draws=50, sizes=(1, 2, 3))
    assert r.batch_sizes.tolist() == [1, 2, 3, 6]
    g = LINEAR.grads(theta, data.x, data.y)
    for b, exact in zip(r.batch_sizes, r.exact, strict=True):
        gb = np.array([g[list(s)].mean(axis=0) for s in combinations(range(n), int(b))])
        assert exact == pytest.approx(float(np.trace(np.cov(gb, rowvar=False, ddof=0))),
                                      abs=1e-12)
    assert r.exact[-1] == 0.0 and r.factor[0] == 1.0


@pytest.mark.parametrize("dataset", ["synthetic", "breast-cancer"])
def test_regimes_exact_noise_agrees_with_sampled_batches(dataset: str) -> None:
    data = load(dataset, 500, np.random.default_rng(0))
    model = model_for(data.task)
    theta = race_start(model, data, "full")
    r = regimes(model, data, theta, np.random.default_rng(1), draws=4000)
    assert r.batch_sizes.tolist() == [1, 32, 64, 128, 500]
    assert r.examples_per_update.tolist() == [1, 32, 64, 128, 500]
    assert r.updates_per_epoch.tolist() == [500, 16, 8, 4, 1]
    assert r.last_batch.tolist() == [1, 20, 52, 116, 500]
    tr = float(np.trace(np.cov(model.grads(theta, data.x, data.y), rowvar=False, ddof=0)))
    assert r.trace_sigma == pytest.approx(tr, rel=1e-12)
    np.testing.assert_allclose(r.exact, (500 - r.batch_sizes) / (r.batch_sizes * 499) * tr,
                               rtol=1e-12, atol=1e-15)
    z = (r.sampled[:-1] - r.exact[:-1]) / r.sampled_se[:-1]
    assert np.all(np.abs(z) < 4.5), z
    np.testing.assert_allclose(r.sampled[:-1], r.exact[:-1], rtol=0.12)
    assert r.sampled[-1] < 1e-20 * tr  # B = N: every batch is the whole dataset
    assert np.all(np.diff(r.exact) < 0)  # noise falls as B grows
