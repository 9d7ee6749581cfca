"""Deep-dive measurements against independent references: the noise law by enumerating
every batch of a small dataset, the flat-basin count of the noiseless runs by plain
gradient descent, the Wilson interval by known values, the full-batch step count by a
separate descent loop, and the critical-batch fit on exact data."""

from itertools import combinations, product

import numpy as np
import pytest

from batchlab.core.data import sharp_flat_shifts, synthetic_regression
from batchlab.core.experiments import (
    basin_fractions,
    descent_to_target,
    fit_critical_batch,
    noise_curve,
    point_at_gap,
    steps_to_target,
    wilson,
)
from batchlab.core.gradstats import batch_covariance_factor, full_gradient, per_example_covariance
from batchlab.core.landscape import minimise
from batchlab.core.models import LINEAR, SHARP_FLAT

SHARP_GUESS, FLAT_GUESS = np.array([-1.1, 0.5]), np.array([1.0, -0.3])
BOX = ((-2.5, 2.5), (-1.5, 1.5))


@pytest.mark.parametrize("b", [1, 2, 3, 5, 7])
def test_exact_law_equals_enumeration_of_every_batch(b):
    d = synthetic_regression(np.random.default_rng(4), 7)
    theta = np.array([0.3, -0.8])
    g = LINEAR.grads(theta, d.x, d.y)
    sigma = per_example_covariance(LINEAR, d, theta)
    without = np.array([g[list(c)].mean(axis=0) for c in combinations(range(7), b)])
    cov = np.cov(without, rowvar=False, ddof=0)  # every batch equally likely: population
    np.testing.assert_allclose(cov, batch_covariance_factor(7, b) * sigma, atol=1e-12)
    if b <= 3:  # with replacement: every ordered tuple of b indices
        with_r = np.array([g[list(t)].mean(axis=0) for t in product(range(7), repeat=b)])
        np.testing.assert_allclose(np.cov(with_r, rowvar=False, ddof=0), sigma / b, atol=1e-12)


def test_measured_noise_follows_both_laws_within_its_standard_errors():
    d = synthetic_regression(np.random.default_rng(0), 256)
    bs = np.array([1, 4, 16, 64, 256])
    c = noise_curve(LINEAR, d, np.array([0.0, 0.0]), bs, 4000, np.random.default_rng(1))
    assert np.all(c.z_scores() < 3.5) and np.all(c.relative_error() < 0.1)
    assert np.all(c.replacement_z() < 3.5) and np.all(c.replacement_error() < 0.12)
    assert c.exact[-1] == 0.0 and abs(c.measured[-1]) < 1e-20
    assert c.replacement[-1] > 0.5 * c.one_over_b[-1]  # with replacement, B = N is still noisy
    assert np.all(np.diff(c.exact) < 0)
    np.testing.assert_allclose(c.exact[0], c.one_over_b[0])  # B = 1: both equal tr Σ
    assert c.trace_sigma == pytest.approx(c.exact[0])


def test_wilson_interval_matches_known_values():
    lo, hi = wilson(np.array([0, 5, 10]), 10)
    np.testing.assert_allclose(lo, [0.0, 0.2366, 0.7225], atol=1e-4)
    np.testing.assert_allclose(hi, [0.2775, 0.7634, 1.0], atol=1e-4)


@pytest.fixture(scope="module")
def basins():
    d = sharp_flat_shifts(np.random.default_rng(0), 128, 0.2)
    r = basin_fractions(SHARP_FLAT, d, np.array([1, 128]), 0.4, 512, 100,
                        np.random.default_rng(2), SHARP_GUESS, FLAT_GUESS, BOX)
    return d, r


def test_small_batches_end_in_the_flat_basin_more_often(basins):
    _, r = basins
    sharp_without_noise = ~r.ended_flat[1]
    assert sharp_without_noise.sum() >= 5  # starts in the sharp basin's catchment
    assert r.ended_flat[0][sharp_without_noise].all()  # B = 1 rescues every one of them
    assert r.flat_fraction[0] > r.flat_fraction[1] + 0.04
    assert r.updates.tolist() == [512, 512]  # the same number of updates for every B
    assert r.ended_flat.shape == (2, 100)
    assert r.ended_flat.sum(axis=1).tolist() == r.flat_count.tolist()
    assert r.settle[1] < 1e-6 < r.settle[0]  # gradient descent settles; B = 1 jitters


def test_full_batch_counts_equal_plain_gradient_descent(basins):
    d, r = basins
    sharp, flat = minimise(SHARP_FLAT, d, SHARP_GUESS), minimise(SHARP_FLAT, d, FLAT_GUESS)
    for i in range(0, 100, 5):
        theta = r.starts[i].copy()
        for _ in range(512):
            theta = theta - 0.4 * full_gradient(SHARP_FLAT, d, theta)
        ends_flat = np.linalg.norm(theta - flat) < np.linalg.norm(theta - sharp)
        assert ends_flat == r.ended_flat[1, i]


def test_fit_recovers_a_known_critical_batch():
    bs = np.array([1.0, 2, 4, 8, 16, 64, 256])
    s_min, b_crit = fit_critical_batch(bs, 50 * (1 + 12 / bs))
    assert s_min == pytest.approx(50, rel=2e-3) and b_crit == pytest.approx(12, rel=5e-3)
    s_min, b_crit = fit_critical_batch(bs, np.round(50 * (1 + 12 / bs)))
    assert abs(s_min - 50) < 1 and abs(b_crit - 12) < 0.5


def test_steps_to_target_fall_then_flatten_with_batch_size():
    d = synthetic_regression(np.random.default_rng(0), 1000)
    r = steps_to_target(LINEAR, d, np.array([1, 4, 16, 64, 256, 1000]),
                        np.geomspace(0.002, 1.5, 12), (3.0, 2.0), 1e-2, 10,
                        np.random.default_rng(3))
    assert np.all(r.steps > 0)
    assert r.steps[0] > 3 * r.steps[-1]  # small batches need many more updates
    assert r.steps[-2] <= 2 * r.steps[-1]  # diminishing returns at large B
    assert 0 < r.b_crit < 1000 and r.b_simple > 0
    assert 0 <= r.fit_error() < 1
    steps, _ = descent_to_target(LINEAR, d, np.array([3.0, 2.0]), float(r.best_lr[-1]), 1e-2, 10)
    assert steps == r.steps[-1]  # full batch is deterministic: the engine equals plain descent


def test_descent_to_target_counts_steps_and_stops_there():
    d = synthetic_regression(np.random.default_rng(0), 200)
    start = minimise(LINEAR, d) + np.array([1.0, 0.0])  # H = I: the gap is ½·0.5^(2t)
    steps, at = descent_to_target(LINEAR, d, start, 0.5, 0.5 * 0.25**3 + 1e-12, 10)
    assert steps == 3
    np.testing.assert_allclose(at - minimise(LINEAR, d), [0.125, 0.0], atol=1e-9)
    assert descent_to_target(LINEAR, d, start, 0.01, 1e-9, 5)[0] == -1


def test_point_at_gap_lies_on_the_target_level():
    d = synthetic_regression(np.random.default_rng(3), 300)
    star = minimise(LINEAR, d)
    start = np.array([3.0, 2.0])
    j_star = LINEAR.loss(star, d.x, d.y)
    gap0 = LINEAR.loss(start, d.x, d.y) - j_star
    p = point_at_gap(LINEAR, d, start, star, 1e-4 * gap0)
    assert LINEAR.loss(p, d.x, d.y) - j_star == pytest.approx(1e-4 * gap0, rel=1e-6)
    # on a quadratic the gap grows like t² along the line: t = √1e-4 = 0.01
    assert p == pytest.approx(star + 0.01 * (start - star), rel=1e-6)


def test_fit_never_needs_fewer_than_one_update():
    bs = 2.0 ** np.arange(10)
    steps = np.maximum(80 / bs, 1.0)  # halving down to a floor of one update
    s_min, b_crit = fit_critical_batch(bs, steps)
    assert s_min == 1.0 and 10 < b_crit < 200
    free = np.log(steps) - np.log1p(b_crit / bs)
    assert free.mean() < 0  # unconstrained, this B_crit would have wanted S_min < 1
