"""Trials: one frozen configuration per measurement and the top-level function that runs
it. Every trial seeds itself from its configuration (model weights from ``seed``, batch
order from ``[seed, 1]``) and sets its own thread count, so a record depends on nothing
but its configuration: the same under the serial, pool and Ray executors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from batchlab.lab.curvature import epsilon_sharpness, top_eigenvalue
from batchlab.lab.noise import exact_noise, two_batch_estimate
from batchlab.lab.pergrad import Method
from batchlab.lab.timing import measure
from batchlab.lab.train import TrainConfig, max_steps_for_epochs, train
from batchlab.lab.workloads import Workload, fresh_model


@dataclass(frozen=True)
class Common:
    """Where a trial runs: device and torch CPU threads."""

    device: str = "cpu"
    threads: int = 1


@dataclass(frozen=True)
class SweepTrial(Common):
    """Steps and examples to the target at one (B, η, seed)."""

    batch_size: int = 32
    lr: float = 0.1
    seed: int = 0
    max_steps: int = 1000
    target_loss: float | None = None
    target_accuracy: float | None = None
    momentum: float = 0.0
    kind: str = "sweep"


@dataclass(frozen=True)
class ScalingTrial(Common):
    """A fixed number of epochs at B with η = base_lr·B/base_batch, with or without warm-up."""

    batch_size: int = 32
    base_batch: int = 32
    base_lr: float = 0.1
    warmup_steps: int = 0
    epochs: float = 5.0
    seed: int = 0
    kind: str = "scaling"

    @property
    def lr(self) -> float:
        return self.base_lr * self.batch_size / self.base_batch


@dataclass(frozen=True)
class SharpnessTrial(Common):
    """Train at (B, η) for some epochs, then measure λ_max and the ε-sharpness."""

    batch_size: int = 32
    lr: float = 0.1
    epochs: float = 20.0
    seed: int = 0
    epsilon: float = 1e-3
    power_iters: int = 50
    ascent_steps: int = 20
    kind: str = "sharpness"


@dataclass(frozen=True)
class ThroughputTrial(Common):
    """Samples/s and peak memory of training steps at B."""

    batch_size: int = 32
    steps: int = 20
    repeats: int = 5
    warmup: int = 5
    seed: int = 0
    kind: str = "throughput"


@dataclass(frozen=True)
class NoiseTrial(Common):
    """Exact and two-batch noise scale at the start, tracked exactly while training."""

    seed: int = 0
    method: Method = "auto"
    b_small: int = 16
    b_big: int = 256
    draws: int = 64
    batch_size: int = 32
    lr: float = 0.1
    train_steps: int = 200
    noise_every: int = 20
    kind: str = "noise"


def _setup(trial: Common) -> None:
    """Per-trial process state: the thread count (a worker runs one trial at a time)."""
    if trial.device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device must be 'cpu' here: CUDA is not available")
    torch.set_num_threads(trial.threads)


def sweep_trial(w: Workload, t: SweepTrial) -> dict[str, Any]:
    _setup(t)
    start = exact_noise(fresh_model(w, t.seed, t.device), w.loss, w.x.to(t.device),
                        w.y.to(t.device))
    cfg = TrainConfig(t.batch_size, t.lr, t.max_steps, t.seed, t.momentum,
                      target_loss=t.target_loss, target_accuracy=t.target_accuracy)
    model, r = train(w, cfg, t.device)
    end = exact_noise(model, w.loss, w.x.to(t.device), w.y.to(t.device))
    return {"hit_step": r.hit_step, "hit_examples": r.hit_examples, "diverged": r.diverged,
            "final_loss": r.loss[-1], "final_accuracy": r.accuracy[-1],
            "noise_start": asdict(start), "noise_end": asdict(end)}


def scaling_trial(w: Workload, t: ScalingTrial) -> dict[str, Any]:
    _setup(t)
    steps = max_steps_for_epochs(w.n, t.batch_size, t.epochs)
    cfg = TrainConfig(t.batch_size, t.lr, steps, t.seed, warmup_steps=t.warmup_steps,
                      target_loss=w.target_loss, stop_at_target=False)
    _, r = train(w, cfg, t.device)
    return {"lr": t.lr, "steps": r.steps, "examples": r.examples, "loss": r.loss,
            "accuracy": r.accuracy, "diverged": r.diverged, "final_loss": r.loss[-1],
            "hit_examples": r.hit_examples, "target_loss": w.target_loss}


def sharpness_trial(w: Workload, t: SharpnessTrial) -> dict[str, Any]:
    _setup(t)
    steps = max_steps_for_epochs(w.n, t.batch_size, t.epochs)
    cfg = TrainConfig(t.batch_size, t.lr, steps, t.seed, stop_at_target=False)
    model, r = train(w, cfg, t.device)
    x, y = w.x.to(t.device), w.y.to(t.device)
    out: dict[str, Any] = {"initial_loss": r.loss[0], "final_loss": r.loss[-1],
                           "final_accuracy": r.accuracy[-1], "diverged": r.diverged,
                           "steps": steps}
    if not r.diverged:
        out["lambda_max"] = top_eigenvalue(model, w.loss, x, y, iters=t.power_iters,
                                           seed=t.seed)
        out["epsilon_sharpness"] = epsilon_sharpness(model, w.loss, x, y, epsilon=t.epsilon,
                                                     steps=t.ascent_steps)
    return out


def throughput_trial(w: Workload, t: ThroughputTrial) -> dict[str, Any]:
    _setup(t)
    r = measure(fresh_model(w, t.seed, t.device), w, t.batch_size, steps=t.steps,
                repeats=t.repeats, warmup=t.warmup, device=t.device, seed=t.seed)
    return asdict(r)


def noise_trial(w: Workload, t: NoiseTrial) -> dict[str, Any]:
    _setup(t)
    x, y = w.x.to(t.device), w.y.to(t.device)
    rng = np.random.default_rng([t.seed, 2])

    def at(model: torch.nn.Module) -> dict[str, Any]:
        exact = exact_noise(model, w.loss, x, y, method=t.method)
        est = {c: asdict(two_batch_estimate(model, w.loss, x, y, t.b_small, t.b_big, t.draws,
                                            rng, correction=c))
               for c in ("finite", "none")}
        return {"exact": asdict(exact), "two_batch": est}

    start = at(fresh_model(w, t.seed, t.device))
    cfg = TrainConfig(t.batch_size, t.lr, t.train_steps, t.seed, noise_every=t.noise_every,
                      stop_at_target=False)
    model, r = train(w, cfg, t.device)
    return {"start": start, "end": at(model), "track": r.noise, "diverged": r.diverged}


TRIAL_FUNCTIONS: dict[str, Callable[[Workload, Any], dict[str, Any]]] = {
    "sweep": sweep_trial, "scaling": scaling_trial, "sharpness": sharpness_trial,
    "throughput": throughput_trial, "noise": noise_trial}
