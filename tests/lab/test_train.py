"""Training: one step equals a hand-written SGD step, warm-up rates, the target and seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from batchlab.core.batching import iterations_per_epoch
from batchlab.lab.batches import epoch_batches
from batchlab.lab.train import EVAL_GROWTH, TrainConfig, evaluate, max_steps_for_epochs, train
from batchlab.lab.workloads import fresh_model, per_example_loss, resolve, with_dtype


def test_first_steps_equal_manual_sgd_with_warmup() -> None:
    w = with_dtype(resolve("cancer-logreg"), torch.float64)
    cfg = TrainConfig(batch_size=50, lr=0.4, max_steps=3, seed=7, warmup_steps=4,
                      stop_at_target=False)
    model, _ = train(w, cfg)
    ref = fresh_model(w, 7)
    batches = epoch_batches(w.x, w.y, 50, np.random.default_rng([7, 1]))
    for t in range(3):
        xb, yb = next(batches)
        loss = per_example_loss(w.loss, ref(xb), yb).mean()
        grads = torch.autograd.grad(loss, list(ref.parameters()))
        with torch.no_grad():
            for p, g in zip(ref.parameters(), grads, strict=True):
                p -= 0.4 * (t + 1) / 4 * g  # linear warm-up: (t+1)/warmup of the rate
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-14)


def test_target_is_the_first_evaluation_below_it() -> None:
    w = resolve("digits-mlp")
    _, r = train(w, TrainConfig(64, 0.3, 2000, seed=0, target_loss=0.3))
    assert r.hit_step is not None and not r.diverged
    i = r.steps.index(r.hit_step)
    assert r.loss[i] <= 0.3 < r.loss[i - 1]
    assert r.hit_step - r.steps[i - 1] <= max(1, EVAL_GROWTH * r.hit_step + 1)
    k = iterations_per_epoch(w.n, 64)  # 29: 28 batches of 64 and one of 5 (keep last)
    assert r.hit_examples == r.hit_step // k * w.n + r.hit_step % k * 64
    assert r.steps[-1] == r.hit_step  # stopped at the target


def test_same_seed_same_run_and_accuracy_target() -> None:
    w = resolve("cancer-logreg")
    cfg = TrainConfig(16, 0.5, 300, seed=2, target_accuracy=0.97)
    (m1, r1), (m2, r2) = train(w, cfg), train(w, cfg)
    assert r1 == r2 and r1.hit_step is not None
    assert r1.accuracy[r1.steps.index(r1.hit_step)] >= 0.97
    assert evaluate(m1, w, w.x, w.y) == evaluate(m2, w, w.x, w.y)


def test_divergence_is_detected_and_noise_is_tracked() -> None:
    w = resolve("cancer-logreg")
    _, r = train(w, TrainConfig(32, 1e4, 200, seed=0, stop_at_target=False))
    assert r.diverged
    _, r = train(w, TrainConfig(32, 0.5, 40, seed=0, noise_every=10, stop_at_target=False))
    assert [p["step"] for p in r.noise] == [0, 10, 20, 30, 40]
    assert all(p["tr_sigma"] >= 0 and p["b_simple"] > 0 for p in r.noise)


def test_epochs_to_steps_follow_the_core() -> None:
    assert max_steps_for_epochs(10, 3, 2) == 2 * iterations_per_epoch(10, 3) == 8
    assert max_steps_for_epochs(10, 3, 2, drop_last=True) == 6
    with pytest.raises(ValueError, match="batch_size"):
        train(resolve("cancer-logreg"), TrainConfig(10_000, 0.1, 5))
