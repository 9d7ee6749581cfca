"""Deep-dive measurements: the noise law and the flat-basin preference of small batches."""

import numpy as np

from batchlab.core.data import sharp_flat_shifts, synthetic_regression
from batchlab.core.experiments import basin_fractions, noise_curve
from batchlab.core.models import LINEAR, SHARP_FLAT


def test_measured_noise_follows_the_exact_law_and_vanishes_at_full_batch():
    d = synthetic_regression(np.random.default_rng(0), 256)
    bs = np.array([1, 4, 16, 64, 256])
    c = noise_curve(LINEAR, d, np.array([0.0, 0.0]), bs, 4000, np.random.default_rng(1))
    np.testing.assert_allclose(c.measured[:-1], c.exact[:-1], rtol=0.1)
    assert c.exact[-1] == 0.0 and abs(c.measured[-1]) < 1e-20
    assert np.all(np.diff(c.exact) < 0)
    np.testing.assert_allclose(c.exact[0], c.one_over_b[0])  # B = 1: both equal tr Σ


def test_small_batches_end_in_the_flat_basin_more_often():
    d = sharp_flat_shifts(np.random.default_rng(0), 1000)
    r = basin_fractions(SHARP_FLAT, d, np.array([1, 1000]), 0.15, 5, 200,
                        np.random.default_rng(2), np.array([-1.1, 0.5]), np.array([1.0, -0.3]),
                        ((-2.5, 2.5), (-1.5, 1.5)))
    assert r.flat_fraction[0] > r.flat_fraction[1] + 0.2


def test_fit_recovers_a_known_critical_batch():
    from batchlab.core.experiments import fit_critical_batch

    bs = np.array([1.0, 2, 4, 8, 16, 64, 256])
    s_min, b_crit = fit_critical_batch(bs, np.round(50 * (1 + 12 / bs)).astype(int))
    assert abs(s_min - 50) < 1 and abs(b_crit - 12) < 0.5


def test_steps_to_target_fall_then_flatten_with_batch_size():
    from batchlab.core.experiments import steps_to_target

    d = synthetic_regression(np.random.default_rng(0), 1000)
    r = steps_to_target(LINEAR, d, np.array([1, 4, 16, 64, 256, 1000]),
                        np.geomspace(0.02, 1.5, 8), (3.0, 2.0), 1e-3, 10,
                        np.random.default_rng(3))
    assert np.all(r.steps > 0)
    assert r.steps[0] > 3 * r.steps[-1]  # small batches need many more updates
    assert r.steps[-2] <= 2 * r.steps[-1]  # diminishing returns at large B
    assert 0 < r.b_crit < 1000 and r.b_simple > 0
