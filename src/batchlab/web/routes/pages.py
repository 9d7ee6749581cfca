"""The lesson page, rendered on the server from the lesson's content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates

from batchlab.lesson.render import ContentError
from batchlab.web.routes.api import meta

WEB = Path(__file__).resolve().parent.parent
TEMPLATES = WEB / "templates"
MATH_CSS = WEB / "static" / "fonts" / "math.css"
DIVES_CSS = WEB / "static" / "css" / "dives"


def make_router(lesson_text: Callable[[], Any], has_lab: bool) -> APIRouter:
    """GET / : the whole lesson (header, interactive race, sections, link to the lab)."""
    router = APIRouter(include_in_schema=False)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    meta_json = json.dumps(meta(), separators=(",", ":")).replace("</", "<\\/")

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request) -> Response:
        try:
            lesson = lesson_text()  # cached by the lesson until a content file changes
        except ContentError as exc:  # an instructor's edit broke a file: say where
            return PlainTextResponse(f"The lesson text has an error: {exc}", status_code=503)
        methods = {m.id: m for m in lesson.methods}
        return templates.TemplateResponse(request, "index.html", {
            "lesson": lesson, "methods": methods, "meta_json": meta_json,
            "has_lab": has_lab, "math_css": MATH_CSS.is_file(),
            "dives_css": sorted(p.name for p in DIVES_CSS.glob("*.css"))})

    return router
