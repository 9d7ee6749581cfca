"""The lesson's race as static Plotly figures: the landscape with the three paths, and the
loss of each method against epochs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from batchlab.core.scene import Scene
from batchlab.figures.style import LOOKS, MINIMUM_COLOR


def race_figure(scene: Scene) -> go.Figure:
    """Contours of J(w, b), the three recorded paths and the exact minimum (a star)."""
    g = scene.grid
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=g.w, y=g.b, z=np.sqrt(np.maximum(g.loss - scene.min_loss, 0.0)),
        colorscale="Greys", reversescale=True, showscale=False, opacity=0.45,
        contours={"coloring": "lines", "start": 0, "size": float(
            np.sqrt(max(np.percentile(g.loss, 95) - scene.min_loss, 1e-12)) / 14)},
        hoverinfo="skip", name="loss contours"))
    for m in scene.methods:
        look, t = LOOKS[m.key], m.trajectory
        fig.add_trace(go.Scatter(
            x=t.params[:, 0], y=t.params[:, 1], mode="lines",
            name=f"{m.label} (B = {m.batch_size})",
            line={"color": look.color, "dash": look.dash, "width": 2 if m.key == "full" else 1.4},
            customdata=np.column_stack([np.arange(t.updates + 1), t.examples, t.loss]),
            hovertemplate="update %{customdata[0]}<br>examples %{customdata[1]}"
                          "<br>J = %{customdata[2]:.5f}<extra>" + m.label + "</extra>"))
        fig.add_trace(go.Scatter(
            x=t.params[:1, 0], y=t.params[:1, 1], mode="markers", showlegend=False,
            marker={"color": look.color, "symbol": look.symbol, "size": 11,
                    "line": {"color": "white", "width": 1}}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=[scene.minimum[0]], y=[scene.minimum[1]], mode="markers", name="minimum",
        marker={"symbol": "star", "size": 16, "color": MINIMUM_COLOR,
                "line": {"color": "white", "width": 1}}))
    fig.update_layout(
        template="simple_white", margin={"l": 50, "r": 10, "t": 30, "b": 45},
        xaxis={"title": "w (slope)", "range": [g.w[0], g.w[-1]]},
        yaxis={"title": "b (intercept)", "range": [g.b[0], g.b[-1]]},
        legend={"orientation": "h", "y": 1.08}, width=760, height=560)
    return fig


def loss_figure(scene: Scene) -> go.Figure:
    """Dataset loss after each update against epochs (examples processed ÷ N)."""
    fig = go.Figure()
    n = scene.dataset.n
    for m in scene.methods:
        look, t = LOOKS[m.key], m.trajectory
        fig.add_trace(go.Scatter(
            x=t.examples / n, y=t.loss - scene.min_loss, mode="lines",
            name=f"{m.label} (B = {m.batch_size})",
            line={"color": look.color, "dash": look.dash, "width": 1.6}))
    fig.update_layout(
        template="simple_white", margin={"l": 60, "r": 10, "t": 30, "b": 45},
        xaxis={"title": "epochs (examples processed ÷ N)"},
        yaxis={"title": "J(θ) − J(θ*)", "type": "log"},
        legend={"orientation": "h", "y": 1.1}, width=760, height=380)
    return fig
