"""Third-party browser code, served locally (no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from batchlab.web.assets import lazy_blob, plotly_js
from batchlab.web.responses import send


def make_router(max_age: int) -> APIRouter:
    """/static/vendor/plotly.min.js from the plotly wheel, pre-compressed."""
    router = APIRouter(include_in_schema=False)
    plotly = lazy_blob(plotly_js)

    @router.get("/static/vendor/plotly.min.js")
    def get_plotly(request: Request) -> Response:
        return send(request, plotly(), "text/javascript", max_age)

    return router
