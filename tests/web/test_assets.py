"""The vendored plotly.js (its cartesian bundle) draws every trace the page and batchlab's
Python figures make, with no console message, in a real Chromium."""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchlab.core.scene import SceneSpec, build
from batchlab.figures import loss_figure, race_figure
from batchlab.web.assets import plotly_js

pytestmark = pytest.mark.browser

REGISTERED = "Object.keys(Plotly.PlotSchema.get().traces)"


def test_the_vendored_file_is_the_cartesian_bundle() -> None:
    head = plotly_js().read_bytes()[:200]
    assert b"plotly.js (cartesian - minified) v" in head
    assert (plotly_js().parent / "LICENSE.plotly.js.txt").read_text().startswith("MIT License")


def test_every_trace_the_page_draws_is_in_the_bundle(page: Any, server: str,
                                                     console: list[str]) -> None:
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    widgets = page.locator(".widget[data-widget]")
    for i in range(widgets.count()):
        w = widgets.nth(i)
        w.scroll_into_view_if_needed()
        page.wait_for_function("w => w.dataset.drawn === '1'", arg=w.element_handle(),
                               timeout=30_000)
    drawn = page.evaluate("""[...document.querySelectorAll('.js-plotly-plot')]
        .flatMap(gd => gd._fullData.map(t => t.type))""")
    assert {"scatter", "contour", "bar"} <= set(drawn)
    assert set(drawn) <= set(page.evaluate(REGISTERED))
    assert console == []


def test_python_figures_draw_with_the_bundle(page: Any, server: str) -> None:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    scene = build(SceneSpec(epochs=2))
    for fig in (race_figure(scene), loss_figure(scene)):
        spec = json.loads(fig.to_json())
        shown = page.evaluate("""async fig => {
            const el = document.body.appendChild(document.createElement('div'));
            const gd = await Plotly.newPlot(el, fig.data, fig.layout);
            return gd._fullData.map(t => [t.type, t.visible]);
        }""", spec)
        assert [t for t, _ in shown] == [t.get("type", "scatter") for t in spec["data"]]
        assert all(v is True or v == "legendonly" for _, v in shown)
    assert messages == []
