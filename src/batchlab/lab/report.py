"""Write a finished experiment's summary (JSON and text table) and its figures (HTML that
works offline, beside one copy of the page's plotly.js bundle; PNG through kaleido; Plotly
JSON for the web page) into the result directory.

PNG export needs Chromium; when it fails the HTML is still written and the failure is
recorded as a warning in ``summary.json`` instead of stopping the run.
"""

from __future__ import annotations

import shutil
import warnings as _warnings
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from batchlab.lab.store import FIGURES, SUMMARY, TABLE, write_json
from batchlab.web.vendor import PLOTLY_JS

_kaleido_started = False


def _start_kaleido() -> None:
    """Start kaleido's Chromium once per process (each export then takes ~0.2 s)."""
    global _kaleido_started
    if not _kaleido_started:
        import kaleido

        start = getattr(kaleido, "start_sync_server", None)
        if start is not None:
            start(silence_warnings=True)
        _kaleido_started = True


def write_figures(out: Path, figures: dict[str, go.Figure], png: bool = True) -> list[str]:
    """Write each figure as HTML (plotly.js once, alongside: the page's 1.5 MB cartesian
    bundle, not the wheel's 4.8 MB one), JSON and PNG; return warnings."""
    folder = out / FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    if figures:
        shutil.copyfile(PLOTLY_JS, folder / PLOTLY_JS.name)
    for name, fig in figures.items():
        fig.write_html(folder / f"{name}.html", include_plotlyjs=PLOTLY_JS.name, full_html=True)
        (folder / f"{name}.json").write_text(fig.to_json())
    if png and figures:
        try:
            _start_kaleido()
            with _warnings.catch_warnings():  # plotly notes that a running server ignores kopts
                _warnings.simplefilter("ignore", UserWarning)
                for name, fig in figures.items():
                    fig.write_image(folder / f"{name}.png", scale=2)
        except Exception as exc:  # kaleido raises several types when Chromium is absent
            warnings.append(f"PNG export failed ({type(exc).__name__}: {exc}); "
                            "HTML figures were written. Install Chromium for PNGs.")
    return warnings


def write_summary(out: Path, summary: dict[str, Any], table: str) -> None:
    write_json(out / SUMMARY, summary)
    tmp = out / f".{TABLE}.tmp"
    tmp.write_text(table + "\n")
    tmp.replace(out / TABLE)
