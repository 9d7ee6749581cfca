"""Plotly figures of lab results (sweeps, noise, timing): pure functions from a summary
(and its records) to named ``go.Figure`` objects; nothing is written here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go

Record = dict[str, Any]
Figures = dict[str, go.Figure]
COLORS = ("#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf")


def _fig(title: str, x: str, y: str, x_type: str = "log", log_y: bool = False) -> go.Figure:
    """An empty figure in the lab's style; ``x_type`` is plotly's axis type ('log',
    'linear', or 'category' for text labels, which a numeric axis cannot place)."""
    fig = go.Figure()
    fig.update_layout(title=title, template="plotly_white", width=760, height=460,
                      margin={"l": 70, "r": 20, "t": 60, "b": 60})
    fig.update_xaxes(title=x, type=x_type)
    fig.update_yaxes(title=y, type="log" if log_y else "linear")
    return fig


def _col(table: list[dict[str, Any]], key: str) -> list[Any]:
    return [row.get(key) for row in table]


def _vline(fig: go.Figure, x: Any, label: str, dash: str, side: str) -> None:
    """A labelled vertical line at B = x on a log x axis: the shape takes data units, the
    annotation log10 units (so add_vline, which passes one x to both, cannot be used)."""
    if isinstance(x, int | float) and np.isfinite(x) and x > 0:
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper",
                      line={"dash": dash, "color": "#555"})
        fig.add_annotation(x=float(np.log10(x)), y=1, yref="paper", yanchor="bottom",
                           xanchor="right" if side == "left" else "left", showarrow=False,
                           text=f"{label} = {x:.3g}")


def sweep_figures(summary: dict[str, Any], records: list[Record]) -> Figures:
    t = [r for r in summary["table"] if r.get("steps")]
    fits = summary.get("fits", {})
    bs = np.array(_col(t, "batch_size"), dtype=float)
    grid = np.geomspace(bs.min(), bs.max(), 100) if bs.size else np.array([])
    out: Figures = {}
    for key, name, unit in (("steps", "steps", "steps"), ("examples", "examples", "examples")):
        fig = _fig(f"{unit.capitalize()} to target vs batch size (best η per B)", "batch size B",
                   unit, log_y=True)
        fig.add_scatter(x=bs, y=_col(t, key), mode="markers+lines", name="measured",
                        marker={"symbol": "circle", "size": 9})
        bc = fits.get(f"b_crit_{key}")
        lo = fits.get("s_min" if key == "steps" else "e_min")
        if isinstance(bc, float) and isinstance(lo, float) and grid.size:
            fit = lo * (1 + bc / grid) if key == "steps" else lo * (1 + grid / bc)
            fig.add_scatter(x=grid, y=fit, mode="lines", line={"dash": "dash"},
                            name=f"fit, B_crit = {bc:.3g}")
            _vline(fig, bc, "B_crit", "dash", "left")
        _vline(fig, fits.get("b_simple_target"), "B_simple at target", "dot", "right")
        out[f"{name}_vs_batch"] = fig
    return out


def scaling_figures(summary: dict[str, Any], records: list[Record]) -> Figures:
    fig = _fig("Linear scaling: loss vs examples (solid: warm-up, dashed: none)",
               "examples processed", "training loss", x_type="linear", log_y=True)
    sizes = sorted({r["config"]["batch_size"] for r in records})
    for r in sorted(records, key=lambda r: (r["config"]["batch_size"],
                                            r["config"]["warmup_steps"])):
        c, res = r["config"], r["result"]
        if c.get("seed") != min(x["config"].get("seed", 0) for x in records):
            continue
        color = COLORS[sizes.index(c["batch_size"]) % len(COLORS)]
        warm = c["warmup_steps"] > 0
        short = warm and res["steps"][-1] < c["warmup_steps"]  # the rate never reaches η
        fig.add_scatter(x=res["examples"], y=res["loss"], mode="lines",
                        name=f"B={c['batch_size']}, η={res['lr']:.3g}"
                             f"{', warm-up' if warm else ''}"
                             f"{' (longer than the run: η not reached)' if short else ''}",
                        line={"color": color, "dash": "solid" if warm else "dash"})
    return {"loss_vs_examples": fig}


def sharpness_figures(summary: dict[str, Any], records: list[Record]) -> Figures:
    out: Figures = {}
    for key, label in (("lambda_max", "largest Hessian eigenvalue λ_max"),
                       ("epsilon_sharpness", "ε-sharpness (%)")):
        fig = _fig(f"{label} vs batch size", "batch size B", label, log_y=True)
        for r in records:
            v = r["result"].get(key)
            if isinstance(v, int | float) and v > 0:
                fig.add_scatter(x=[r["config"]["batch_size"]], y=[v], mode="markers",
                                marker={"color": "#999", "size": 6}, showlegend=False)
        fig.add_scatter(x=_col(summary["table"], "batch_size"),
                        y=_col(summary["table"], key), mode="lines+markers",
                        name="mean over seeds", marker={"symbol": "diamond", "size": 10})
        out[f"{key}_vs_batch"] = fig
    return out


def throughput_figures(summary: dict[str, Any], records: list[Record]) -> Figures:
    t = summary["table"]
    speed = _fig("Training throughput vs batch size", "batch size B", "samples / s",
                 log_y=True)
    mem = _fig("Memory vs batch size", "batch size B", "MiB", log_y=True)
    for dev in sorted({row["device"] for row in t}):
        rows = [row for row in t if row["device"] == dev]
        speed.add_scatter(x=_col(rows, "batch_size"), y=_col(rows, "samples_per_s"),
                          mode="lines+markers", name=dev)
        mem.add_scatter(x=_col(rows, "batch_size"), y=_col(rows, "peak_mib"),
                        mode="lines+markers", name=f"{dev}: peak above idle")
        mem.add_scatter(x=_col(rows, "batch_size"), y=_col(rows, "saved_mib"),
                        mode="lines+markers", line={"dash": "dot"},
                        name=f"{dev}: saved for backward")
    return {"throughput": speed, "memory": mem}


def noise_figures(summary: dict[str, Any], records: list[Record]) -> Figures:
    track = _fig("Gradient noise scale during training (exact)", "step", "B_simple",
                 x_type="linear", log_y=True)
    for i, r in enumerate(sorted(records, key=lambda r: r["config"].get("seed", 0))):
        pts = r["result"].get("track") or []
        track.add_scatter(x=[p["step"] for p in pts], y=[p["b_simple"] for p in pts],
                          mode="lines+markers", name=f"seed {r['config'].get('seed')}",
                          line={"color": COLORS[i % len(COLORS)]})
    est = _fig("B_simple: exact vs two-batch estimates (95% bootstrap interval)",
               "", "B_simple", x_type="category", log_y=True)
    rows = summary["table"]
    labels = [f"seed {row['seed']} · {row['at']}" for row in rows]
    est.add_scatter(x=labels, y=_col(rows, "b_simple"), mode="markers", name="exact",
                    marker={"symbol": "diamond", "size": 11})
    y = _col(rows, "two_batch")
    ci = _col(rows, "two_batch_ci")
    hi = [c[1] - v if c and v is not None and c[1] is not None else None
          for c, v in zip(ci, y, strict=True)]
    lo = [v - c[0] if c and v is not None and c[0] is not None else None
          for c, v in zip(ci, y, strict=True)]
    est.add_scatter(x=labels, y=y, mode="markers", name="two-batch (finite-population)",
                    error_y={"type": "data", "array": hi, "arrayminus": lo})
    est.add_scatter(x=labels, y=_col(rows, "two_batch_1_over_b"), mode="markers",
                    name="two-batch (1/B formula)", marker={"symbol": "x", "size": 9})
    return {"noise_tracking": track, "noise_estimates": est}


FIGURES: dict[str, Callable[[dict[str, Any], list[Record]], Figures]] = {
    "sweep": sweep_figures, "scaling": scaling_figures, "sharpness": sharpness_figures,
    "throughput": throughput_figures, "noise": noise_figures}
