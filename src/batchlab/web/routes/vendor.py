"""Third-party browser code, served locally (no CDN)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response

from batchlab.web.responses import Blob, send


def make_router(plotly: Callable[[], Blob], max_age: int) -> APIRouter:
    """/static/vendor/plotly.min.js from the plotly wheel, pre-compressed."""
    router = APIRouter(include_in_schema=False)

    @router.get("/static/vendor/plotly.min.js")
    def get_plotly(request: Request) -> Response:
        return send(request, plotly(), "text/javascript", max_age)

    return router
