"""Mini-batch SGD on a workload until a target (loss or accuracy) or a step budget.

The learning rate of each step comes from the core's schedules (linear warm-up included),
the batches from the in-memory data path. The full-data loss is evaluated on a geometric
grid of steps (every step at first, then every ~1%), so the steps to a target are exact
to within 1% at a small fraction of the training cost.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from batchlab.core.batching import iterations_per_epoch
from batchlab.core.optim import Schedule, ScheduleKind, learning_rates
from batchlab.lab.batches import batch_stream
from batchlab.lab.grids import EVAL_GROWTH
from batchlab.lab.noise import exact_noise
from batchlab.lab.workloads import Workload, correct, fresh_model, per_example_loss

DIVERGED = 1e3  # stop once the loss exceeds this multiple of the initial loss (+10)


@dataclass(frozen=True)
class TrainConfig:
    """One training run: batch size, base rate, schedule, budget, target and seed."""

    batch_size: int
    lr: float
    max_steps: int
    seed: int = 0
    momentum: float = 0.0
    schedule: ScheduleKind = "constant"
    warmup_steps: int = 0
    drop_last: bool = False
    target_loss: float | None = None
    target_accuracy: float | None = None
    stop_at_target: bool = True
    noise_every: int = 0  # exact noise scale every this many steps (0: never)

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.max_steps < 1 or not self.lr > 0:
            raise ValueError(f"batch_size and max_steps must be >= 1 and lr > 0, got "
                             f"{self.batch_size}, {self.max_steps}, {self.lr}")


@dataclass(frozen=True)
class TrainResult:
    """The curve on the evaluation grid, when the target was first met, and divergence."""

    steps: list[int]
    examples: list[int]
    loss: list[float]
    accuracy: list[float]
    hit_step: int | None
    hit_examples: int | None
    diverged: bool
    noise: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(model: nn.Module, w: Workload, x: torch.Tensor, y: torch.Tensor,
             chunk: int = 8192) -> tuple[float, float]:
    """Mean loss and accuracy over the whole dataset (eval mode, no gradients)."""
    was = model.training
    model.eval()
    total, right = 0.0, 0
    with torch.no_grad():
        for s in range(0, int(x.shape[0]), chunk):
            out = model(x[s:s + chunk])
            total += float(per_example_loss(w.loss, out, y[s:s + chunk]).double().sum())
            right += int(correct(w.loss, out, y[s:s + chunk]))
    model.train(was)
    n = int(x.shape[0])
    return total / n, right / n


def _reached(cfg: TrainConfig, loss: float, acc: float) -> bool:
    if cfg.target_loss is not None and loss <= cfg.target_loss:
        return True
    return cfg.target_accuracy is not None and acc >= cfg.target_accuracy


def max_steps_for_epochs(n: int, batch_size: int, epochs: float, drop_last: bool = False
                         ) -> int:
    """Steps in ``epochs`` passes over N examples (the core's keep/drop-last convention)."""
    return max(1, math.ceil(epochs * iterations_per_epoch(n, batch_size, drop_last)))


def train(w: Workload, cfg: TrainConfig, device: str = "cpu") -> tuple[nn.Module, TrainResult]:
    """Train a fresh model (seeded by ``cfg.seed``) and return it with its record."""
    if cfg.batch_size > w.n:
        raise ValueError(f"batch_size must be between 1 and N={w.n}, got {cfg.batch_size}")
    x, y = w.x.to(device), w.y.to(device)
    model = fresh_model(w, cfg.seed, device)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    rates = learning_rates(Schedule(cfg.schedule, cfg.warmup_steps), cfg.lr, cfg.max_steps)
    stream = batch_stream(x, y, cfg.batch_size, np.random.default_rng([cfg.seed, 1]),
                          drop_last=cfg.drop_last)
    steps, examples, losses, accs, noise = [], [], [], [], []
    hit: tuple[int, int] | None = None
    seen, next_eval, first = 0, 0, None
    diverged = False
    for t in range(cfg.max_steps + 1):
        if t == next_eval or t == cfg.max_steps:
            loss, acc = evaluate(model, w, x, y)
            steps.append(t)
            examples.append(seen)
            losses.append(loss)
            accs.append(acc)
            first = loss if first is None else first
            if not math.isfinite(loss) or loss > DIVERGED * first + 10:
                diverged = True
                break
            if hit is None and _reached(cfg, loss, acc):
                hit = (t, seen)
            next_eval = max(t + 1, math.ceil(t * (1 + EVAL_GROWTH)))
        if cfg.noise_every and (t % cfg.noise_every == 0 or t == cfg.max_steps):
            ns = exact_noise(model, w.loss, x, y)
            noise.append({"step": t, "examples": seen, "g2": ns.g2, "tr_sigma": ns.tr_sigma,
                          "b_simple": ns.b_simple, "loss": ns.loss})
        if t == cfg.max_steps or (hit is not None and cfg.stop_at_target):
            break
        xb, yb = next(stream)
        for group in opt.param_groups:
            group["lr"] = float(rates[t])
        opt.zero_grad(set_to_none=True)
        per_example_loss(w.loss, model(xb), yb).mean().backward()
        opt.step()
        seen += int(xb.shape[0])
    return model, TrainResult(steps, examples, losses, accs, hit[0] if hit else None,
                              hit[1] if hit else None, diverged, noise)
