"""C2 and C3: /api/dives/batch, one batch as matrices and the update it gives per coordinate.

``/batch/data`` sends a race dataset once (its rows, the race's mini-batch start, the
loss surface around it); ``/batch`` evaluates a chosen or random batch at a point θ:
X_B, y_B, one forward pass, residuals, per-example gradients, their mean g_B beside the
engine's batch gradient, and the step θ − η·g_B beside the engine's own update.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.batchview import (
    check_rows,
    coordinate_step,
    model_curve,
    random_rows,
)
from batchlab.core.data import Dataset, load
from batchlab.core.landscape import MAX_PARAM, loss_grid, minimise
from batchlab.core.models import Model, model_for
from batchlab.core.scene import REACH, RECOMMENDED, race_start
from batchlab.web.dives import JSON, Answer, LrQuery, blob
from batchlab.web.errors import FieldError
from batchlab.web.responses import Blob
from batchlab.web.schemas import Dataset as DatasetName

MAX_ROWS = 16  # the largest batch shown as matrices: enough to see the pattern, still readable
RESOLUTION = 61
BOX = 1.3 * REACH  # half-width of the loss surface sent around the minimum
MAX_ROWS_TEXT = 200
_SEP = re.compile(r"[\s,;]+")
Coordinate = Annotated[float | None, Query(ge=-MAX_PARAM, le=MAX_PARAM, allow_inf_nan=False,
                                           description="a coordinate of θ = (w0, b0)")]


@lru_cache(maxsize=8)
def _setup(dataset: str) -> tuple[Dataset, Model, np.ndarray]:
    """The race's dataset (its n and data seed), its model and the mini-batch start."""
    data = load(dataset, int(RECOMMENDED[dataset]["n"]), np.random.default_rng(0))
    model = model_for(data.task)
    return data, model, race_start(model, data, "mini")


def _x_range(data: Dataset) -> tuple[float, float]:
    lo, hi = float(data.x.min()), float(data.x.max())
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


@lru_cache(maxsize=8)
def dataset_blob(dataset: str) -> Blob:
    """Every row of the dataset, the race's start and minimum, and J on a grid around them."""
    data, model, start = _setup(dataset)
    m = minimise(model, data)
    grid = loss_grid(model, data, (m[0] - BOX, m[0] + BOX), (m[1] - BOX, m[1] + BOX),
                     RESOLUTION)
    return blob({
        "dataset": dataset, "n": data.n, "task": data.task, "model": model.name,
        "description": data.description, "x_label": data.x_label, "y_label": data.y_label,
        "x": data.x, "y": data.y, "lr": RECOMMENDED[dataset]["lr"], "max_rows": MAX_ROWS,
        "start": [float(start[0]), float(start[1])],
        "minimum": {"w": float(m[0]), "b": float(m[1]), "loss": model.loss(m, data.x, data.y)},
        "grid": {"w": grid.w, "b": grid.b, "loss": grid.loss},
    })


def _vec(a: np.ndarray) -> list[float]:
    return [float(a[0]), float(a[1])]


@lru_cache(maxsize=256)
def batch_blob(dataset: str, rows: tuple[int, ...], lr: float,
               theta: tuple[float, float] | None) -> Blob:
    """The batch at θ (None: the race's mini-batch start) as matrices, its gradient and
    step, and both checks against the engine."""
    data, model, start = _setup(dataset)
    s = coordinate_step(model, data, rows, start if theta is None else np.asarray(theta), lr)
    v = s.view
    xs, now = model_curve(model, v.theta, _x_range(data))
    _, after = model_curve(model, s.next_theta, _x_range(data))
    return blob({
        "dataset": dataset, "n": data.n, "task": data.task, "model": model.name,
        "rows": v.rows, "size": v.size, "theta": _vec(v.theta), "lr": lr,
        "X": v.design, "y": v.target, "z": v.scores, "yhat": v.prediction,
        "residual": v.residual, "losses": v.losses, "per_example": v.per_example,
        "grad": _vec(v.grad), "engine_grad": _vec(v.engine_grad), "grad_gap": v.grad_gap,
        "batch_loss": v.batch_loss,
        "next": _vec(s.next_theta), "engine_next": _vec(s.engine_next),
        "step_gap": s.step_gap,
        "full_grad": _vec(s.full_grad), "full_next": _vec(s.full_next),
        "loss_before": s.loss_before, "loss_after": s.loss_after,
        "full_loss_after": s.full_loss_after, "batch_loss_after": s.batch_loss_after,
        "curve": {"x": xs, "now": now, "next": after},
    })


def parse_rows(text: str, n: int) -> tuple[int, ...]:
    """'3, 17 42' -> (3, 17, 42), validated against N; a FieldError names ``rows``."""
    words = [w for w in _SEP.split(text.strip()) if w]
    if not all(re.fullmatch(r"\d{1,9}", w) for w in words):
        raise FieldError("rows", "rows must be whole numbers (0 to N − 1) separated by "
                                 f"commas, got {text!r}")
    try:
        return tuple(int(i) for i in check_rows([int(w) for w in words], n, MAX_ROWS))
    except ValueError as e:
        raise FieldError("rows", str(e)) from None


def _theta(w0: float | None, b0: float | None) -> tuple[float, float] | None:
    """θ = (w0, b0) when both are given; None (the race's start) when neither is."""
    if w0 is None and b0 is None:
        return None
    if w0 is None or b0 is None:
        raise FieldError("b0" if b0 is None else "w0", "give both w0 and b0, or neither "
                         "(then θ is the race's mini-batch start)")
    return float(w0), float(b0)


def make_router(answer: Answer) -> APIRouter:
    """GET /api/dives/batch/data and /api/dives/batch."""
    router = APIRouter(tags=["deep dives"])

    @router.get("/batch/data", response_class=Response, responses=JSON)
    async def get_batch_data(
        request: Request,
        dataset: Annotated[DatasetName, Query(description="which race dataset")] = "synthetic",
    ) -> Response:
        """The race's dataset: x, y, the mini-batch start, the minimum and J on a grid."""
        return await answer(request, lambda: dataset_blob(dataset))

    @router.get("/batch", response_class=Response, responses=JSON)
    async def get_batch(
        request: Request,
        dataset: Annotated[DatasetName, Query(description="which race dataset")] = "synthetic",
        rows: Annotated[str | None, Query(max_length=MAX_ROWS_TEXT, description=(
            f"the batch: 1 to {MAX_ROWS} distinct row indices (0 to N − 1), e.g. 3,17,42; "
            "absent: a random batch of b rows"))] = None,
        b: Annotated[int, Query(ge=1, le=MAX_ROWS, description="size of the random batch "
                                "drawn when rows is absent")] = 4,
        seed: Annotated[int, Query(ge=0, le=1_000_000, description="shuffle seed of the "
                                   "random batch")] = 0,
        lr: LrQuery = None,
        w0: Coordinate = None,
        b0: Coordinate = None,
    ) -> Response:
        """X_B (with the bias column), y_B, z = X_B θ, ŷ, r = ŷ − y_B, ℓ_i, the per-example
        gradients r_i·(x_i, 1) and their mean g_B, the engine's batch gradient and
        ``grad_gap`` (largest difference); the step θ − η·g_B per coordinate, the engine's
        next point after one update on these rows and ``step_gap``; the full-batch step
        and J before and after, for comparison. θ = (w0, b0), default the race's start."""
        n = int(RECOMMENDED[dataset]["n"])
        picked = (parse_rows(rows, n) if rows is not None else
                  tuple(int(i) for i in random_rows(n, b, np.random.default_rng(seed))))
        eta = float(RECOMMENDED[dataset]["lr"]) if lr is None else float(lr)
        theta = _theta(w0, b0)
        return await answer(request, lambda: batch_blob(dataset, picked, eta, theta))

    return router

