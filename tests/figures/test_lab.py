"""Lab figures place every point on its axis: text labels need a category axis (a linear
one draws nothing), a log axis takes positive numbers only."""

from __future__ import annotations

from numbers import Real
from typing import Any

import plotly.graph_objects as go
import pytest

from batchlab.figures.lab import noise_figures, scaling_figures, sweep_figures
from batchlab.lab.analysis import summarise_noise, summarise_scaling, summarise_sweep


def _unplaceable(fig: go.Figure) -> list[tuple[str, Any]]:
    """(trace name, x value) for each x value that the figure's x axis type cannot place."""
    kind = fig.layout.xaxis.type
    bad = []
    for trace in fig.data:
        for x in trace.x if trace.x is not None else ():
            number = isinstance(x, Real) and not isinstance(x, bool)
            placed = {"linear": number, "log": number and x > 0}.get(kind, True)
            if x is not None and not placed:
                bad.append((trace.name, x))
    return bad


def _noise_record(seed: int) -> dict[str, Any]:
    def at(b: float) -> dict[str, Any]:
        est = {"b_simple": b * 1.1, "b_simple_ci": [b * 0.8, b * 1.4]}
        return {"exact": {"g2": 0.02, "tr_sigma": 2.6, "b_simple": b},
                "two_batch": {"finite": est, "none": {"b_simple": b * 1.3,
                                                      "negative_g2_draws": 0}}}
    track = [{"step": t, "b_simple": 130.0 + t} for t in (0, 20, 40)]
    return {"config": {"seed": seed}, "result": {"start": at(130.0), "end": at(145.0),
                                                 "track": track}}


def test_noise_estimates_use_a_category_axis_and_draw_every_point() -> None:
    records = [_noise_record(0), _noise_record(1)]
    figs = noise_figures(summarise_noise(records), records)
    est = figs["noise_estimates"]
    assert est.layout.xaxis.type == "category"
    labels = ["seed 0 · start", "seed 0 · end", "seed 1 · start", "seed 1 · end"]
    assert all(list(t.x) == labels for t in est.data)
    two = next(t for t in est.data if t.name == "two-batch (finite-population)")
    assert list(two.error_y.array) == pytest.approx([130 * 0.3, 145 * 0.3] * 2)
    assert list(two.error_y.arrayminus) == pytest.approx([130 * 0.3, 145 * 0.3] * 2)
    assert figs["noise_tracking"].layout.xaxis.type == "linear"
    assert all(_unplaceable(f) == [] for f in figs.values())


def test_sweep_and_scaling_figures_place_every_point() -> None:
    sweep = [{"config": {"batch_size": b, "lr": 0.1, "seed": 0},
              "result": {"hit_step": round(100 * (1 + 40 / b)),
                         "hit_examples": round(100 * (b + 40)), "diverged": False,
                         "final_loss": 0.1, "noise_start": {"b_simple": 50.0, "loss": 2.3},
                         "noise_end": {"b_simple": 60.0}}} for b in (8, 32, 128)]
    for fig in sweep_figures(summarise_sweep(sweep), sweep).values():
        assert fig.layout.xaxis.type == "log" and _unplaceable(fig) == []
    scaling = [_scaling_record(512, w) for w in (0, 30)]
    fig = scaling_figures(summarise_scaling(scaling), scaling)["loss_vs_examples"]
    assert fig.layout.xaxis.type == "linear" and _unplaceable(fig) == []


def _scaling_record(b: int, warm: int, run: int = 20) -> dict[str, Any]:
    steps = list(range(run + 1))
    return {"config": {"batch_size": b, "warmup_steps": warm, "seed": 0},
            "result": {"lr": 1.6, "steps": steps, "examples": [t * b for t in steps],
                       "loss": [2.3 - 0.1 * t for t in steps], "final_loss": 0.3,
                       "diverged": False, "hit_examples": None}}


def test_scaling_legend_says_when_the_warmup_outlasts_the_run() -> None:
    records = [_scaling_record(512, 0), _scaling_record(512, 30), _scaling_record(512, 20)]
    fig = scaling_figures(summarise_scaling(records), records)["loss_vs_examples"]
    assert [t.name for t in fig.data] == [
        "B=512, η=1.6", "B=512, η=1.6, warm-up",  # 20 warm-up updates: η at the last one
        "B=512, η=1.6, warm-up (longer than the run: η not reached)"]
