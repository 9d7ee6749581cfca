"""JSON API: health, the controls' ranges, the race scene and epoch plans."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.batching import SAMPLINGS, make_plan
from batchlab.core.data import FIXED_SIZES
from batchlab.core.export import plan_to_dict
from batchlab.core.scene import (
    LIMITS,
    MAX_EXAMPLES_PROCESSED,
    METHODS,
    RACE_SCHEDULES,
    RECOMMENDED,
    SceneSpec,
)
from batchlab.web.errors import FieldError, field_error
from batchlab.web.frame import MEDIA_TYPE
from batchlab.web.responses import send
from batchlab.web.scenes import ENCODINGS, HIT, SceneCache
from batchlab.web.schemas import PlanQuery, SceneQuery

MAX_PLAN_INDICES = 100_000


def meta() -> dict[str, Any]:
    """What the page's controls need so that page and server agree on ranges and defaults."""
    return {
        "defaults": asdict(SceneSpec()),
        "limits": {k: {"low": v.low, "high": v.high} for k, v in LIMITS.items()},
        "recommended": RECOMMENDED,
        "fixed_sizes": FIXED_SIZES,
        "schedules": RACE_SCHEDULES,
        "samplings": SAMPLINGS,
        "max_examples_processed": MAX_EXAMPLES_PROCESSED,
        "methods": [{"key": m.key, "label": m.label} for m in METHODS],
    }


def make_router(cache: SceneCache, max_age: int) -> APIRouter:
    """The /api routes and /healthz, bound to one scene cache."""
    router = APIRouter()

    @router.get("/healthz", tags=["health"])
    def healthz(request: Request) -> dict[str, Any]:
        """Liveness, the scene cache's size, and whether the start-up warm-up is done."""
        return {"status": "ok", "warm": bool(getattr(request.app.state, "warm", False)),
                "scene_cache": cache.stats()}

    @router.get("/api/meta", tags=["scene"])
    def get_meta() -> dict[str, Any]:
        """Allowed ranges, defaults and recommended settings per dataset."""
        return meta()

    @router.get("/api/scene", tags=["scene"], response_class=Response,
                responses={200: {"content": {"application/json": {}, MEDIA_TYPE: {}}}})
    async def get_scene(request: Request, q: Annotated[SceneQuery, Query()]) -> Response:
        """The race of the three methods for one spec. JSON arrays are base64 typed arrays
        ``{"dtype": "f8"|"i4"|"u2"|"u1", "shape": [...], "bdata": ...}`` (little-endian);
        ``format=binary`` sends the same values as one binary frame."""
        values = q.model_dump()
        fmt = values.pop("format")
        try:
            spec = SceneSpec.for_dataset(values.pop("dataset"), **values)
        except ValueError as exc:
            raise field_error(exc, set(SceneQuery.model_fields)) from None
        body, timings = await cache.body(spec, fmt)
        return send(request, body, ENCODINGS[fmt].media_type, max_age,
                    timing=HIT if timings is None else timings.header())

    @router.get("/api/epoch-plan", tags=["batching"])
    def get_epoch_plan(q: Annotated[PlanQuery, Query()]) -> dict[str, Any]:
        """How N examples are cut into batches of B, epoch by epoch."""
        if q.batch_size > q.n:
            raise FieldError("batch_size", f"batch_size must be between 1 and n={q.n}, "
                                           f"got {q.batch_size}")
        if q.n * q.epochs > MAX_PLAN_INDICES:
            raise FieldError("epochs", f"epochs × n must be at most {MAX_PLAN_INDICES}, "
                                       f"got {q.n * q.epochs}")
        plan = make_plan(q.n, q.batch_size, q.epochs, np.random.default_rng(q.seed),
                         sampling=q.sampling, drop_last=q.drop_last)
        return plan_to_dict(plan, q.drop_last)

    return router
