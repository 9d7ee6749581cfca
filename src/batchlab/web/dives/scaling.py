"""C8, batch size and learning rate: /api/dives/lr-scaling runs the linear scaling rule
(``core.scaling``) from the race's far start and reports where it holds and where it breaks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.scaling import HOLDS, Curve, Scaling, ScalingSetup, factors_for, scaling_study
from batchlab.web.dives import JSON, Answer, Blob, blob
from batchlab.web.errors import FieldError
from batchlab.web.experiments import far_start
from batchlab.web.schemas import Dataset

SEEDS = 8


@dataclass(frozen=True)
class Budget:
    """Per dataset: a base rate that shows all three regimes, and the epochs every run gets."""

    lr: float
    epochs: int


BUDGETS: dict[str, Budget] = {
    "synthetic": Budget(0.03, 2),
    "diabetes": Budget(0.03, 3),
    "synthetic-classification": Budget(0.3, 3),
    "breast-cancer": Budget(0.5, 6),
}


def _curve(study: Scaling, c: Curve) -> dict[str, Any]:
    """One run for the page; ``to_target`` and ``ratio`` are -1 where the target was missed,
    and ``outcome`` says why: "diverged" or "budget" (still on its way when the examples ran
    out)."""
    reached = bool(np.isfinite(c.to_target))
    return {"k": c.k, "rule": c.rule, "batch_size": c.batch_size, "lr": c.lr,
            "warmup_updates": c.warmup_updates, "examples": c.examples, "gap": c.gap,
            "diverged": c.diverged, "outcome": c.outcome,
            "to_target": c.to_target if reached else -1,
            "ratio": study.ratio(c) if reached else -1, "holds": study.holds(c)}


@lru_cache(maxsize=64)
def lr_scaling(dataset: str, b: int, lr: float | None, seed: int, warmup: float) -> Blob:
    """The study for one base (B, η): every curve, the stability limit and the verdicts."""
    data, model, theta = far_start(dataset)
    budget = BUDGETS[dataset]
    base_lr = budget.lr if lr is None else lr
    setup = ScalingSetup(b, base_lr, budget.epochs, factors_for(data.n, b), SEEDS, warmup)
    s = scaling_study(model, data, setup, theta, np.random.default_rng(seed))
    return blob({
        "dataset": dataset, "n": data.n, "b": b, "lr": base_lr, "epochs": budget.epochs,
        "seeds": SEEDS, "seed": seed, "warmup": warmup, "above_floor": setup.above_floor,
        "start_gap": s.start_gap, "target_gap": s.target_gap, "holds_within": HOLDS,
        "lambda_max": s.lambda_max, "lr_limit": s.lr_limit, "k_limit": s.lr_limit / base_lr,
        "first_diverged": s.first_diverged(), "first_diverged_warmup":
            s.first_diverged("warm-up") if warmup > 0 else None,
        "largest_holding": s.largest_holding(), "limit_check": s.limit_check(),
        "base_reaches_target": bool(np.isfinite(s.base.to_target)),
        "base": _curve(s, s.base), "runs": [_curve(s, c) for c in s.curves]})


def make_router(answer: Answer) -> APIRouter:
    """GET /api/dives/lr-scaling."""
    router = APIRouter()

    @router.get("/lr-scaling", response_class=Response, responses=JSON)
    async def lr_scaling_route(
        request: Request,
        dataset: Annotated[Dataset, Query(description="which race dataset")] = "synthetic",
        b: Annotated[int, Query(ge=1, le=64, description="base batch size B")] = 4,
        lr: Annotated[float | None, Query(ge=1e-3, le=10.0, allow_inf_nan=False,
                                          description="base rate η (default: the dataset's)")
                      ] = None,
        seed: Annotated[int, Query(ge=0, le=1000, description="seed of the shuffles")] = 0,
        warmup: Annotated[float, Query(ge=0.0, le=1.0, description=(
            "warm-up of the scaled runs, in epochs (0: no warmed-up runs)"))] = 0.0,
    ) -> Response:
        """Loss gap against examples seen for (B, η), and per k: (kB, η), (kB, kη) and,
        with ``warmup``, (kB, kη) warmed up; each averaged over 8 shuffles. Examples to
        the target (-1: never), the ratio to the base (the rule says 1), the Hessian's
        λ_max and the rate limit 2/λ_max beyond which gradient descent diverges."""
        try:
            return await answer(request, lambda: lr_scaling(dataset, b, lr, seed, warmup))
        except ValueError as exc:  # the base rate itself diverges
            raise FieldError("lr", str(exc)) from None

    return router
