"""Summed loss with η/B is the averaged loss with η: engine paths against NumPy loops."""

import numpy as np
import pytest

from batchlab.core.batching import EpochPlan
from batchlab.core.data import Dataset, synthetic_classification, synthetic_regression
from batchlab.core.models import LINEAR, LOGISTIC, Model
from batchlab.core.optim import Schedule
from batchlab.core.reduction import MATCH, compare_reductions
from batchlab.core.simulate import RunConfig

START = (2.0, -2.0)


def summed_loop(model: Model, data: Dataset, plan: EpochPlan, lr: float,
                updates: int) -> np.ndarray:
    """θ ← θ − lr·Σ_{i∈B_t} ∇ℓ_i(θ), written out independently of the core."""
    theta = np.array(START)
    path = [theta]
    for t in range(updates):
        idx = plan.order[plan.starts[t]:plan.ends[t]]
        theta = theta - lr * model.grads(theta, data.x[idx], data.y[idx]).sum(axis=0)
        path.append(theta)
    return np.array(path)


@pytest.mark.parametrize(("model", "data", "lr"), [
    (LINEAR, synthetic_regression(np.random.default_rng(0), 200), 0.2),
    (LOGISTIC, synthetic_classification(np.random.default_rng(1), 200), 1.0),
])
@pytest.mark.parametrize("b", [1, 8, 50, 200])
def test_summed_with_lr_over_b_coincides_with_averaged(model: Model, data: Dataset, lr: float,
                                                       b: int) -> None:
    c = compare_reductions(model, data, RunConfig(b, lr, 3, START), np.random.default_rng(b))
    assert c.mean.updates == c.sum_scaled.updates == 3 * (200 // b)
    assert not c.mean.diverged
    assert c.gap <= MATCH and c.first_split is None and c.replay_gap <= MATCH
    np.testing.assert_allclose(summed_loop(model, data, c.plan, lr / b, c.mean.updates),
                               c.mean.params, atol=1e-12, rtol=0)
    assert c.gaps.shape == (c.mean.updates + 1,) and c.gaps[0] == 0.0


def test_summed_with_lr_takes_b_times_longer_steps_and_diverges() -> None:
    data = synthetic_regression(np.random.default_rng(2), 200)
    c = compare_reductions(LINEAR, data, RunConfig(25, 0.2, 3, START), np.random.default_rng(0))
    assert not c.mean.diverged and c.sum_raw.diverged  # η·B = 5 is past the limit 2/λ ≈ 2
    raw = c.sum_raw
    np.testing.assert_allclose(raw.params, summed_loop(LINEAR, data, c.plan, 0.2, raw.updates),
                               rtol=1e-12, atol=1e-9)
    assert raw.diverged_at == raw.updates + 1 and np.all(np.isfinite(raw.loss))
    assert np.abs(raw.params[-1]).max() > 1e3 > np.abs(c.mean.params[-1]).max()
    assert c.raw_gap > 1e3


def test_summed_with_lr_on_logistic_lands_elsewhere() -> None:
    data = synthetic_classification(np.random.default_rng(3), 200)
    c = compare_reductions(LOGISTIC, data, RunConfig(40, 1.0, 4, START), np.random.default_rng(0))
    assert not c.sum_raw.diverged and c.raw_gap > 0.5


def test_stochastic_all_three_agree() -> None:
    data = synthetic_regression(np.random.default_rng(4), 50)
    c = compare_reductions(LINEAR, data, RunConfig(1, 0.1, 2, START), np.random.default_rng(0))
    np.testing.assert_array_equal(c.mean.params, c.sum_raw.params)
    assert c.gap == 0.0 and c.raw_gap == 0.0


def test_short_last_batch_splits_the_paths_where_it_is_used() -> None:
    data = synthetic_regression(np.random.default_rng(5), 100)
    c = compare_reductions(LINEAR, data, RunConfig(30, 0.2, 2, START), np.random.default_rng(0))
    assert (c.plan.ends - c.plan.starts).tolist() == [30, 30, 30, 10] * 2
    assert c.first_split == 4 and c.gaps[3] <= MATCH and c.gap > 1e-4
    # summed with η/B is averaged with η·|B_t|/B: the short batch's step is 10/30 as long
    theta = np.array(START)
    for t in range(c.plan.updates):
        idx = c.plan.order[c.plan.starts[t]:c.plan.ends[t]]
        lr = 0.2 * idx.size / 30
        theta = theta - lr * LINEAR.grads(theta, data.x[idx], data.y[idx]).mean(axis=0)
        np.testing.assert_allclose(c.sum_scaled.params[t + 1], theta, atol=1e-12)
    dropped = compare_reductions(LINEAR, data, RunConfig(30, 0.2, 2, START, drop_last=True),
                                 np.random.default_rng(0))
    assert dropped.first_split is None and dropped.gap <= MATCH and dropped.plan.updates == 6


def test_a_schedule_is_refused() -> None:
    data = synthetic_regression(np.random.default_rng(6), 20)
    cfg = RunConfig(5, 0.1, 1, START, schedule=Schedule("cosine"))
    with pytest.raises(ValueError, match="schedule"):
        compare_reductions(LINEAR, data, cfg, np.random.default_rng(0))


def test_numpy_check_follows_the_summed_run_even_past_a_short_batch() -> None:
    data = synthetic_regression(np.random.default_rng(0), 200)
    c = compare_reductions(LINEAR, data, RunConfig(32, 0.2, 3, START), np.random.default_rng(4))
    assert c.first_split == 7 and c.gap > 1e-6  # 200 = 6·32 + 8: update 7 is short
    assert c.replay_gap <= MATCH  # the NumPy loop of the summed update still matches
    np.testing.assert_allclose(summed_loop(LINEAR, data, c.plan, 0.2 / 32, c.sum_scaled.updates),
                               c.sum_scaled.params, atol=1e-12, rtol=0)
