"""The linear scaling rule study: curves are honest seed means, the rule holds for small
k, unscaled runs lag by about k, and the break sits where gradient descent's stability
limit 2/λ_max (checked against the closed-form Hessian) says it must."""

from __future__ import annotations

import numpy as np
import pytest

from batchlab.core.data import synthetic_regression
from batchlab.core.landscape import minimise
from batchlab.core.models import LINEAR
from batchlab.core.scaling import (
    ScalingSetup,
    end_level,
    factors_for,
    first_reach,
    mean_curve,
    scaling_study,
    stability_limit,
)
from batchlab.core.simulate import RunConfig, run

DATA = synthetic_regression(np.random.default_rng(0), 1000)
START = minimise(LINEAR, DATA) + np.array([-2.25, 1.875])


@pytest.fixture(scope="module")
def study():
    setup = ScalingSetup(4, 0.03, 2, (2, 4, 8, 64, 128), seeds=6, warmup_epochs=1.0)
    return scaling_study(LINEAR, DATA, setup, START, np.random.default_rng(5))


def test_stability_limit_equals_the_closed_form_hessian():
    a = np.column_stack([DATA.x, np.ones(DATA.n)])
    lam = np.linalg.eigvalsh(a.T @ a / DATA.n)[-1]  # J is ½·mean residual² -> H = AᵀA/N
    got_lam, limit = stability_limit(LINEAR, DATA, minimise(LINEAR, DATA))
    assert got_lam == pytest.approx(lam, rel=1e-6)
    assert limit == pytest.approx(2 / lam, rel=1e-6)


def test_full_batch_descent_survives_just_below_the_limit_and_not_above():
    _, limit = stability_limit(LINEAR, DATA, minimise(LINEAR, DATA))
    below = run(LINEAR, DATA, RunConfig(DATA.n, 0.97 * limit, 60, tuple(START)),
                np.random.default_rng(0))
    above = run(LINEAR, DATA, RunConfig(DATA.n, 1.03 * limit, 60, tuple(START)),
                np.random.default_rng(0))
    assert below.loss[-1] < below.loss[0] and above.loss[-1] > above.loss[0]


def test_mean_curve_is_the_mean_of_the_seeds_runs():
    seeds = np.array([3, 11, 29])
    cfg = RunConfig(8, 0.05, 1, tuple(START))
    j_star = LINEAR.loss(minimise(LINEAR, DATA), DATA.x, DATA.y)
    c = mean_curve(LINEAR, DATA, cfg, seeds, j_star, 2, "scaled", 0.05)
    by_hand = np.mean([run(LINEAR, DATA, cfg, np.random.default_rng(int(s))).loss - j_star
                       for s in seeds], axis=0)
    np.testing.assert_allclose(c.gap, by_hand, rtol=1e-12)
    assert c.examples[-1] == DATA.n and not c.diverged
    assert c.to_target == first_reach(c.examples, c.gap, 0.05)


def test_first_reach_and_end_level():
    ex, gap = np.array([0, 4, 8, 12]), np.array([5.0, 1.0, 0.2, 0.3])
    assert first_reach(ex, gap, 1.0) == 4 and first_reach(ex, gap, 0.2) == 8
    assert first_reach(ex, gap, 0.1) == np.inf
    assert end_level(np.arange(21.0)) == pytest.approx(19.5)  # mean of the last 2 of 20


def test_the_rule_holds_for_small_k(study):
    scaled = {c.k: c for c in study.curves if c.rule == "scaled"}
    for k in (2, 4, 8):
        assert study.holds(scaled[k]), (k, study.ratio(scaled[k]))
    assert study.largest_holding() >= 8
    assert study.base.to_target < np.inf
    assert study.target_gap == pytest.approx(10 * end_level(study.base.gap))


def test_unscaled_runs_lag_by_about_k(study):
    unscaled = {c.k: c for c in study.curves if c.rule == "unscaled"}
    assert 1.6 < study.ratio(unscaled[2]) < 2.5
    assert 3.0 < study.ratio(unscaled[4]) < 5.0
    assert unscaled[64].to_target == np.inf  # same η, 64 times fewer steps: never there
    assert unscaled[64].outcome == "budget" and not unscaled[64].diverged  # on its way
    assert unscaled[2].outcome == "reached"


def test_the_rule_breaks_exactly_past_the_stability_limit(study):
    # kη = 0.06 … 1.92 below 2/λ_max = 2, 3.84 above it
    for c in study.curves:
        if c.rule in ("scaled", "warm-up"):
            assert c.diverged == (c.lr > study.lr_limit), (c.k, c.rule, c.lr)
    assert study.first_diverged() == 128 and study.first_diverged("warm-up") == 128
    outcomes = {c.k: c.outcome for c in study.curves if c.rule == "scaled"}
    assert outcomes[128] == "diverged" and outcomes[64] != "diverged"
    check = study.limit_check()
    assert check == {"below": 8, "below_diverged": 0, "beyond": 2, "beyond_failed": 2}


def test_warm_up_spans_the_asked_epochs_and_costs_examples(study):
    warm = {c.k: c for c in study.curves if c.rule == "warm-up"}
    scaled = {c.k: c for c in study.curves if c.rule == "scaled"}
    assert warm[8].warmup_updates == -(-DATA.n // 32)  # one epoch of k·B = 32
    assert warm[8].to_target > scaled[8].to_target  # a slower start, nothing to rescue


def test_setup_and_factors_are_checked():
    assert factors_for(1000, 4) == (2, 4, 8, 16, 32, 64, 128)
    assert factors_for(10, 8) == ()
    with pytest.raises(ValueError, match="factors"):
        ScalingSetup(4, 0.1, 1, (1, 2))
    with pytest.raises(ValueError, match="warmup_epochs"):
        ScalingSetup(4, 0.1, 1, (2,), warmup_epochs=2.0)
    with pytest.raises(ValueError, match="k·batch_size"):
        scaling_study(LINEAR, DATA, ScalingSetup(16, 0.1, 1, (128,)), START,
                      np.random.default_rng(0))
    with pytest.raises(ValueError, match="diverge"):
        scaling_study(LINEAR, DATA, ScalingSetup(16, 2.5, 1, (2,)), START,
                      np.random.default_rng(0))
