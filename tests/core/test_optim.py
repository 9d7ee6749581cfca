"""SGD step, schedules and linear scaling."""

import numpy as np
import pytest

from batchlab.core.optim import Schedule, learning_rates, linear_scaling, sgd_step


def test_sgd_step_mean_and_sum():
    theta, g = np.array([1.0, 2.0]), np.array([4.0, -8.0])
    np.testing.assert_allclose(sgd_step(theta, g, 4, 0.5), [0.5, 3.0])
    np.testing.assert_allclose(sgd_step(theta, g, 4, 0.5 / 4, "sum"), [0.5, 3.0])
    with pytest.raises(ValueError, match="reduction"):
        sgd_step(theta, g, 4, 0.5, "max")  # type: ignore[arg-type]


def test_constant_and_warmup():
    np.testing.assert_allclose(learning_rates(Schedule(), 0.1, 3), [0.1] * 3)
    np.testing.assert_allclose(learning_rates(Schedule(warmup_steps=4), 1.0, 6),
                               [0.25, 0.5, 0.75, 1, 1, 1])


def test_step_decay():
    lr = learning_rates(Schedule("step", step_every=2, gamma=0.1), 1.0, 5)
    np.testing.assert_allclose(lr, [1, 1, 0.1, 0.1, 0.01])


def test_cosine_matches_torch_cosine_annealing():
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=2.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100, eta_min=0.2)
    ref = []
    for _ in range(100):
        ref.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    lr = learning_rates(Schedule("cosine", final_fraction=0.1), 2.0, 100)
    np.testing.assert_allclose(lr, ref, rtol=1e-12)
    assert lr[-1] > 0.2 and np.all(np.diff(lr) < 0)


def test_linear_scaling_rule():
    assert linear_scaling(0.1, 32, 128) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        linear_scaling(0.1, 0, 1)


@pytest.mark.parametrize(("kwargs", "field"), [({"kind": "exp"}, "schedule"),
                                               ({"warmup_steps": -1}, "warmup_steps"),
                                               ({"gamma": 0.0}, "gamma"),
                                               ({"final_fraction": 2.0}, "final_fraction")])
def test_schedule_errors(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Schedule(**kwargs)
