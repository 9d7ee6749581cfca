"""Part C deep dives: the API behind their widgets, under ``/api/dives/*``.

Each module of this package is one family of widgets and exports
``make_router(answer: Answer) -> APIRouter``; ``make_routers`` includes every module it
finds, so adding a deep dive touches no shared file. Computations live in the core; the
modules here validate, call the core, and cache the JSON (typed arrays) as ready bytes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.scene import LIMITS
from batchlab.web import typed
from batchlab.web.responses import Blob, send

Answer = Callable[[Request, Callable[[], Blob]], Awaitable[Response]]
JSON: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}}}}
LrQuery = Annotated[float | None, Query(
    ge=LIMITS["lr"].low, le=LIMITS["lr"].high, allow_inf_nan=False,
    description="learning rate η, in the race's range (default: the race's for this dataset)")]
"""A dive's learning rate: the race's range, so every widget takes the same η."""


class _Module(Protocol):
    def make_router(self, answer: Answer) -> APIRouter: ...


def blob(obj: Any) -> Blob:
    """JSON with typed arrays, compressed once (wrap the builder in ``lru_cache``)."""
    return Blob.of(typed.dumps(obj))


def make_routers(max_builds: int) -> list[APIRouter]:
    """One router per module of this package, sharing a bound on concurrent builds."""
    limiter = CapacityLimiter(max_builds)

    async def answer(request: Request, build: Callable[[], Blob]) -> Response:
        return send(request, await to_thread.run_sync(build, limiter=limiter),
                    "application/json")

    routers = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module: _Module = importlib.import_module(f"{__name__}.{info.name}")
        routers.append(module.make_router(answer))
    return routers
