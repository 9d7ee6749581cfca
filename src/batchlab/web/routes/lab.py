"""The lab's pages: ``GET /lab`` lists saved result directories (summary tables and
figures), ``GET /api/lab/results`` returns the same as JSON.

Only plain names are accepted for result directories and figures, every path is
resolved and must stay inside ``settings.results_dir``, and a missing, oversized or
malformed file is reported in the entry instead of failing the request. Torch-free.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from batchlab.lab import store
from batchlab.web.settings import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_BYTES = 8 * 2**20  # larger summary or figure files are not read


def _inside(root: Path, p: Path) -> bool:
    try:
        return p.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _read(root: Path, p: Path) -> Any | None:
    """Parsed JSON of a file inside ``root`` that is small enough, else None."""
    try:
        if not _inside(root, p) or not p.is_file() or p.stat().st_size > MAX_BYTES:
            return None
    except OSError:
        return None
    return store.read_json(p)


def _text(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _entry(root: Path, name: str) -> dict[str, Any]:
    """One result directory, described defensively (anything malformed becomes a note)."""
    folder = root / name
    meta = _read(root, folder / store.META)
    summary = _read(root, folder / store.SUMMARY)
    meta = meta if isinstance(meta, dict) else {}
    entry: dict[str, Any] = {"name": name, "kind": _text(meta.get("kind")),
                             "workload": _text(meta.get("workload")),
                             "created": _text(meta.get("created")), "columns": [],
                             "rows": [], "fits": [], "notes": [], "warnings": [],
                             "figures": [], "error": None}
    if not isinstance(summary, dict):
        entry["error"] = "no readable summary.json (still running, or malformed)"
    else:
        cols = summary.get("columns")
        rows = summary.get("table")
        if isinstance(cols, list) and isinstance(rows, list):
            entry["columns"] = [store.cell(c) for c in cols]
            entry["rows"] = [[store.cell(r.get(c)) if isinstance(c, str) else "-"
                              for c in cols] for r in rows if isinstance(r, dict)]
        fits = summary.get("fits")
        if isinstance(fits, dict):
            entry["fits"] = [[store.cell(k), store.cell(v)] for k, v in fits.items()]
        for key in ("notes", "warnings"):
            v = summary.get(key)
            entry[key] = [store.cell(x) for x in v] if isinstance(v, list) else []
    figs = folder / store.FIGURES
    if _inside(root, figs) and figs.is_dir():
        entry["figures"] = sorted(p.stem for p in figs.glob("*.json")
                                  if store.NAME.match(p.stem))
        entry["png"] = sorted(p.stem for p in figs.glob("*.png") if store.NAME.match(p.stem))
    return entry


def _figure_path(root: Path, name: str, figure: str, suffix: str) -> Path:
    folder = store.safe_child(root, name)
    if folder is None or not store.NAME.match(figure):
        raise HTTPException(404, "no such result")
    p = folder / store.FIGURES / f"{figure}{suffix}"
    if not _inside(root, p) or not p.is_file() or p.stat().st_size > MAX_BYTES:
        raise HTTPException(404, "no such figure")
    return p


def make_router(settings: Settings) -> APIRouter:
    """Routes over ``settings.results_dir`` (read-only)."""
    router = APIRouter()
    templates = Jinja2Templates(directory=str(TEMPLATES))
    root = Path(settings.results_dir)

    def entries() -> list[dict[str, Any]]:
        return [_entry(root, n) for n in store.list_results(root)]

    @router.get("/api/lab/results")
    def results() -> JSONResponse:
        return JSONResponse({"results_dir": root.name, "exists": root.is_dir(),
                             "results": entries()})

    @router.get("/api/lab/results/{name}/figures/{figure}")
    def figure_json(name: str, figure: str) -> Response:
        p = _figure_path(root, name, figure, ".json")
        return Response(p.read_bytes(), media_type="application/json")

    @router.get("/lab/{name}/figures/{figure}.png", include_in_schema=False)
    def figure_png(name: str, figure: str) -> FileResponse:
        return FileResponse(_figure_path(root, name, figure, ".png"), media_type="image/png")

    @router.get("/lab", response_class=HTMLResponse, include_in_schema=False)
    def lab_page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "lab.html", {
            "results": entries(), "results_dir": str(settings.results_dir),
            "exists": root.is_dir()})

    return router


def __getattr__(name: str) -> Any:
    """``router``: the routes over the default settings, built on first access."""
    if name == "router":
        return make_router(Settings())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
