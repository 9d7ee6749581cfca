"""Third-party browser code, served locally (no CDN)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response

from batchlab.web.responses import Blob, send
from batchlab.web.vendor import PLOTLY_JS


def make_router(plotly: Callable[[], Blob], max_age: int) -> APIRouter:
    """plotly.js at /static/vendor/, pre-compressed."""
    router = APIRouter(include_in_schema=False)

    @router.get(f"/static/vendor/{PLOTLY_JS.name}")
    def get_plotly(request: Request) -> Response:
        return send(request, plotly(), "text/javascript", max_age)

    return router
