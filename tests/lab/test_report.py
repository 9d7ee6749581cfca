"""Figures and report files: every experiment draws, and a PNG failure is only a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchlab.figures.lab import FIGURES, sweep_figures
from batchlab.lab import report
from batchlab.web.vendor import PLOTLY_JS


def _sweep_summary() -> dict:  # type: ignore[type-arg]
    table = [{"batch_size": b, "steps": 100 * (1 + 32 / b), "examples": 100 * (b + 32)}
             for b in (8, 32, 128)]
    return {"table": table, "fits": {"s_min": 100.0, "b_crit_steps": 32.0, "e_min": 3200.0,
                                     "b_crit_examples": 32.0, "b_simple_target": 50.0}}


def test_sweep_figure_has_measurement_fit_and_markers() -> None:
    figs = sweep_figures(_sweep_summary(), [])
    steps = figs["steps_vs_batch"]
    assert [t.name for t in steps.data] == ["measured", "fit, B_crit = 32"]
    assert list(steps.data[0].y) == pytest.approx([500.0, 200.0, 125.0])
    fit = steps.data[1]
    assert fit.y[0] == pytest.approx(100 * (1 + 32 / 8))  # the fitted law at B = 8
    assert [sh.x0 for sh in steps.layout.shapes] == [32.0, 50.0]
    assert [a.x for a in steps.layout.annotations] == pytest.approx([1.50515, 1.69897], rel=1e-5)
    assert set(FIGURES) == {"sweep", "scaling", "sharpness", "throughput", "noise"}


def test_png_failure_becomes_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("no chromium")

    monkeypatch.setattr(report, "_start_kaleido", broken)
    warnings = report.write_figures(tmp_path, sweep_figures(_sweep_summary(), []))
    assert len(warnings) == 1 and "no chromium" in warnings[0]
    assert (tmp_path / "figures" / "steps_vs_batch.html").is_file()
    bundle = tmp_path / "figures" / "plotly-cartesian.min.js"  # offline HTML, one copy
    assert bundle.read_bytes() == PLOTLY_JS.read_bytes()
    assert 'src="plotly-cartesian.min.js"' in (
        tmp_path / "figures" / "steps_vs_batch.html").read_text()
    assert not (tmp_path / "figures" / "steps_vs_batch.png").exists()
