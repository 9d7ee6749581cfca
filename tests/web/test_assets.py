"""The vendored plotly.js (its cartesian bundle) draws every trace the page and batchlab's
Python figures make, with no console message, in a real Chromium."""

from __future__ import annotations

import json
from pathlib import Path
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


def test_lab_report_html_draws_offline_with_the_bundle(page: Any, tmp_path: Path) -> None:
    from batchlab.figures.lab import sweep_figures
    from batchlab.lab import report

    table = [{"batch_size": b, "steps": 100 * (1 + 32 / b), "examples": 100 * (b + 32)}
             for b in (8, 32, 128)]
    summary = {"table": table, "fits": {"s_min": 100.0, "b_crit_steps": 32.0, "e_min": 3200.0,
                                        "b_crit_examples": 32.0, "b_simple_target": 50.0}}
    report.write_figures(tmp_path, sweep_figures(summary, []), png=False)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    for html in sorted((tmp_path / "figures").glob("*.html")):
        page.goto(html.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=10_000)
        assert page.evaluate("document.querySelector('.js-plotly-plot')._fullData.length") > 0
    assert messages == []


def test_exported_html_figure_carries_the_bundle_and_draws_offline(page: Any,
                                                                    tmp_path: Path) -> None:
    from batchlab.cli import main

    assert "</script" not in plotly_js().read_text()  # safe to inline
    out = tmp_path / "race.html"
    assert main(["figure", "race", "--out", str(out), "--epochs", "2"]) == 0
    html = out.read_text()
    assert "plotly.js (cartesian - minified) v" in html and out.stat().st_size < 2_000_000
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.goto(out.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=10_000)
    assert page.evaluate("document.querySelector('.js-plotly-plot')._fullData.length") > 3
    assert messages == []


# Every absolute URL in the vendored bundle, reviewed: none is fetched by the page.
BUNDLE_URLS = {
    # XML namespaces: names, never requested
    "http://www.w3.org/2000/svg", "http://www.w3.org/2000/xmlns/", "http://www.w3.org/1999/xlink",
    "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/1999/xhtml",
    # licence comments and texts of error messages
    "https://feross.org/opensource", "https://feross.org", "http://feross.org",
    "https://github.com/voidqk/polybooljs", "https://github.com/d3/d3-time-format/tree/v2.2.3",
    "https://github.com/d3/d3-format/tree/v1.4.5", "http://syntheti.cc",
    "http://getify.mit-license.org", "https://plotly.com/javascript/animations/",
    # config defaults batchlab never uses: the mode bar's logo link (the mode bar is hidden on
    # the lesson, displaylogo is false on /lab), topojsonURL (geo traces, not in this bundle),
    # plotlyServerURL (the "edit in Chart Studio" button, off by default)
    "https://plotly.com/", "https://cdn.plot.ly/un/", "https://cloud.plotly.com/newchart",
}


def test_the_bundles_outside_urls_are_the_reviewed_ones() -> None:
    import re

    found = set(re.findall(r"https?://[A-Za-z0-9./_-]+", plotly_js().read_text()))
    assert found == BUNDLE_URLS  # a new release adding one fails here, to be reviewed
