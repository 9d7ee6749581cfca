"""The linear scaling rule, measured: runs with batch B and rate η against runs with kB
and η (unscaled) or kB and kη (scaled, optionally warmed up), compared per example seen.

The rule's reasoning: k small steps of size η and one step of size kη on a k-times larger
batch move about as far and carry the same noise (variance k·η²·Σ/B either way) -- as long
as the loss is nearly straight over the long step. Curvature ends it: gradient descent
on a bowl of largest curvature λ_max is stable only for a rate below 2/λ_max.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from batchlab.core.data import Dataset
from batchlab.core.landscape import hessian, minimise
from batchlab.core.models import Model
from batchlab.core.optim import Schedule, linear_scaling
from batchlab.core.simulate import RunConfig, run

Rule = Literal["base", "unscaled", "scaled", "warm-up"]
Outcome = Literal["reached", "diverged", "budget"]
RUNAWAY = 1e4  # |w| or |b| beyond this stops a run (the landscapes span about ±10)
HOLDS = 1.25  # the rule "holds" at k when a run needs within ×1.25 the base's examples


@dataclass(frozen=True)
class ScalingSetup:
    """A base batch size and rate, the factors k to try, and how long and often to run."""

    batch_size: int
    lr: float
    epochs: int
    factors: tuple[int, ...]
    seeds: int = 8
    warmup_epochs: float = 0.0  # 0: no warmed-up runs
    above_floor: float = 10.0  # target: this many times the level the base run ends at

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.epochs < 1 or self.seeds < 1:
            raise ValueError("batch_size, epochs and seeds must be >= 1")
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {self.lr}")
        if not self.factors or min(self.factors) < 2:
            raise ValueError("factors must be integers >= 2")
        if not 0.0 <= self.warmup_epochs <= self.epochs:
            raise ValueError(f"warmup_epochs must be between 0 and epochs={self.epochs}")
        if not self.above_floor > 1.0:
            raise ValueError(f"above_floor must be > 1, got {self.above_floor}")


@dataclass(frozen=True, eq=False)
class Curve:
    """The seed-averaged loss gap J − J* after each update of one (batch, rate) setting."""

    k: int
    rule: Rule
    batch_size: int
    lr: float
    warmup_updates: int
    examples: np.ndarray  # examples seen after each update (row 0: the start)
    gap: np.ndarray  # mean over seeds of J(θ) − J*, up to the first seed that ran away
    diverged: bool  # a seed ran away, or the mean loss ended above where it started
    to_target: float  # examples until the mean gap first reaches the target; inf if never

    @property
    def outcome(self) -> Outcome:
        """How the run ended: it reached the target, or missed it for one of two different
        reasons -- it diverged, or it was still on its way when its examples ran out."""
        if np.isfinite(self.to_target):
            return "reached"
        return "diverged" if self.diverged else "budget"


@dataclass(frozen=True, eq=False)
class Scaling:
    """All runs of a study, the target, and the stability limit the rule cannot pass."""

    setup: ScalingSetup
    base: Curve
    curves: tuple[Curve, ...]  # per factor k: unscaled, scaled (and warm-up), k ascending
    start_gap: float
    target_gap: float
    lambda_max: float  # largest curvature of J at its minimum
    lr_limit: float  # 2/λ_max: gradient descent with a larger rate diverges near θ*

    def ratio(self, c: Curve) -> float:
        """Examples to target relative to the base run (the rule says 1); inf if never."""
        return c.to_target / self.base.to_target

    def holds(self, c: Curve) -> bool:
        """Did this run reach the target within ×HOLDS of the base's examples?"""
        return bool(np.isfinite(c.to_target) and 1 / HOLDS <= self.ratio(c) <= HOLDS)

    def first_diverged(self, rule: Rule = "scaled") -> int | None:
        """Smallest k whose run with this rule diverged (None: none did)."""
        return next((c.k for c in self.curves if c.rule == rule and c.diverged), None)

    def limit_check(self) -> dict[str, int]:
        """The stability limit as a prediction for the scaled runs (warmed up or not):
        below 2/λ_max none should diverge; beyond it none should reach the target."""
        runs = [c for c in self.curves if c.rule in ("scaled", "warm-up")]
        below = [c for c in runs if c.lr < self.lr_limit]
        beyond = [c for c in runs if c.lr > self.lr_limit]
        return {"below": len(below), "below_diverged": sum(c.diverged for c in below),
                "beyond": len(beyond),
                "beyond_failed": sum(c.diverged or not np.isfinite(c.to_target) for c in beyond)}

    def largest_holding(self, rule: Rule = "scaled") -> int:
        """Largest k up to which every run with this rule kept the rule (1: none did)."""
        best = 1
        for c in (c for c in self.curves if c.rule == rule):
            if not self.holds(c):
                break
            best = c.k
        return best


def factors_for(n: int, batch_size: int, most: int = 8) -> tuple[int, ...]:
    """k = 2, 4, 8, … while k·B fits in the dataset (at most ``most`` of them)."""
    ks = [2**j for j in range(1, most + 1) if 2**j * batch_size <= n]
    return tuple(ks)


def stability_limit(model: Model, data: Dataset, theta: np.ndarray) -> tuple[float, float]:
    """(λ_max, 2/λ_max) of the Hessian at θ: the largest rate gradient descent survives."""
    lam = float(np.linalg.eigvalsh(hessian(model, data, theta))[-1])
    return lam, (2.0 / lam if lam > 0 else float("inf"))


def first_reach(examples: np.ndarray, gap: np.ndarray, target_gap: float) -> float:
    """Examples seen when ``gap`` first drops to ``target_gap`` (inf: never)."""
    hit = np.flatnonzero(gap <= target_gap)
    return float(examples[hit[0]]) if hit.size else float("inf")


def end_level(gap: np.ndarray) -> float:
    """Where a run ends: the mean gap over its last tenth of updates (its noise floor once
    it has converged), so one lucky or unlucky update does not decide it."""
    tail = max(1, (len(gap) - 1) // 10)
    return float(np.mean(gap[-tail:]))


def mean_curve(model: Model, data: Dataset, cfg: RunConfig, seeds: np.ndarray, j_star: float,
               k: int, rule: Rule, target_gap: float) -> Curve:
    """Run ``cfg`` once per seed and average the loss gap over the seeds, update by update."""
    runs = [run(model, data, cfg, np.random.default_rng(int(s))) for s in seeds]
    length = min(len(r.loss) for r in runs)
    gap = np.mean([r.loss[:length] - j_star for r in runs], axis=0)
    examples = runs[0].examples[:length]
    diverged = any(r.diverged for r in runs) or bool(gap[-1] > gap[0])
    return Curve(k, rule, cfg.batch_size, cfg.lr, cfg.schedule.warmup_steps, examples, gap,
                 diverged, first_reach(examples, gap, target_gap))


def scaling_study(model: Model, data: Dataset, setup: ScalingSetup, start: np.ndarray,
                  rng: np.random.Generator) -> Scaling:
    """The base run and, per factor k, (kB, η), (kB, kη) and, if asked, (kB, kη) warmed
    up over ``warmup_epochs`` -- every setting run on the same ``seeds`` shuffles."""
    s = setup
    if s.batch_size * max(s.factors) > data.n:
        raise ValueError(f"factors must keep k·batch_size ≤ n={data.n}")
    theta_star = minimise(model, data)
    j_star = model.loss(theta_star, data.x, data.y)
    start_gap = model.loss(np.asarray(start), data.x, data.y) - j_star
    seeds = rng.integers(0, 2**32, size=s.seeds)
    begin = (float(start[0]), float(start[1]))
    target_gap = float("nan")

    def curve(k: int, rule: Rule, lr: float, warmup: int = 0) -> Curve:
        cfg = RunConfig(k * s.batch_size, lr, s.epochs, begin, max_abs=RUNAWAY,
                        schedule=Schedule(warmup_steps=warmup))
        return mean_curve(model, data, cfg, seeds, j_star, k, rule, target_gap)

    base = curve(1, "base", s.lr)
    if base.diverged:
        raise ValueError(f"lr={s.lr} makes the base run diverge; choose a smaller rate")
    target_gap = min(s.above_floor * end_level(base.gap), 0.1 * start_gap)
    base = replace(base, to_target=first_reach(base.examples, base.gap, target_gap))
    curves = []
    for k in s.factors:
        scaled = linear_scaling(s.lr, s.batch_size, k * s.batch_size)
        curves += [curve(k, "unscaled", s.lr), curve(k, "scaled", scaled)]
        if s.warmup_epochs > 0:
            per_epoch = -(-data.n // (k * s.batch_size))
            curves.append(curve(k, "warm-up", scaled, max(1, round(s.warmup_epochs * per_epoch))))
    lam, limit = stability_limit(model, data, theta_star)
    return Scaling(s, base, tuple(curves), start_gap, target_gap, lam, limit)
