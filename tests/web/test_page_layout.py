"""The lesson's layout in a real Chromium: display math on a phone, the C5 distance chart's
scale and its one gap metric, the C1 dial's timings at B = N and their ratios, and the
update-rhythm lanes at phone, tablet and desktop widths, and the C7 map's labels."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest

from batchlab.web import typed

pytestmark = pytest.mark.browser
READY = "body[data-ready='1']"
PHONE = {"width": 390, "height": 844}
# deep dives whose formulas were made to fit a phone (split, prose moved out of them)
MUST_FIT = ("dial", "unbiased", "noise", "regimes")

# every display formula: its section, the column width, the formula's own width, and
# whether it carries the scroll cue (edge shadows that scroll with it) in a scroller
MATH = """() => Array.from(document.querySelectorAll('.math-display')).map(box => {
  const m = box.querySelector('math[display=block]'), s = getComputedStyle(box);
  m.style.minWidth = '0';
  const own = m.getBoundingClientRect().width;
  m.style.minWidth = '';
  const sec = box.closest('section');
  return {section: sec ? sec.id : '', column: box.clientWidth, width: own,
          text: m.textContent.slice(0, 40), scrolls: /auto|scroll/.test(s.overflowX),
          cue: /local/.test(s.backgroundAttachment) && /scroll/.test(s.backgroundAttachment)
               && (s.backgroundImage.match(/gradient/g) || []).length >= 4};
})"""


def _open(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.wait_for_selector(READY, timeout=20_000)


def _api(server: str, path: str) -> Any:
    with urllib.request.urlopen(f"{server}{path}") as r:
        return typed.loads(r.read())


def test_display_math_fits_a_phone_or_shows_a_scroll_cue(page: Any, server: str) -> None:
    page.set_viewport_size(PHONE)
    _open(page, server)
    boxes = [b for b in page.evaluate(MATH) if b["column"] > 0]  # hidden method cards: 0
    assert len(boxes) > 30
    assert all(b["scrolls"] and b["cue"] for b in boxes)  # a formula that grows still shows it
    assert [b for b in boxes if b["width"] > b["column"] + 1] == []  # today every one fits
    assert {b["section"] for b in boxes} >= set(MUST_FIT)


def test_batch_arrows_distance_chart_scales_to_the_random_batches(page: Any,
                                                                   widget: Any) -> None:
    sel = ".widget[data-widget='batch-arrows']"
    for b in ("50", "1"):
        w = widget("batch-arrows", "unbiased")
        if b == "1":
            page.evaluate(f"document.querySelector(\"{sel}\").dataset.drawn = ''")
            w.get_by_role("button", name="B = 1").click()
            page.wait_for_selector(f"{sel}[data-drawn='1']", timeout=30_000)
        chart = page.evaluate(f"""() => {{
          const c = document.querySelector("{sel} .ba-dist");
          const r = c.layout.yaxis.range, rnd = c.data[1].y.filter(v => v > 0);
          return {{range: r, low: Math.log10(Math.min(...rnd)), high: Math.log10(Math.max(...rnd)),
                   note: c.layout.annotations[0].text}};
        }}""")
        lo, hi = chart["range"]
        assert hi - lo <= 6.5  # not 1e-16 … 1: the 1/√k law gets the height
        assert lo <= chart["low"] and chart["high"] <= hi  # every random-batch point drawn
        # one metric, one number: the chart's end-of-epoch label is the tile and the check
        tile = w.locator("[data-out=facts] div").nth(1)
        assert "largest coordinate difference" in tile.locator("dt").inner_text()
        value = tile.locator("dd").inner_text()
        assert f"end of epoch: {value}" in chart["note"]
        assert "largest coordinate" in chart["note"]
        assert f"up to {value} (the largest coordinate difference" in \
            w.locator("[data-out=check]").inner_text()


def test_dial_gives_one_time_at_b_equal_n_and_honest_ratios(page: Any, widget: Any,
                                                            server: str) -> None:
    w = widget("cost-dial")
    d = _api(server, "/api/dives/cost?dataset=synthetic")
    out = lambda key: w.locator(f"[data-out='{key}']")  # noqa: E731
    sub = lambda key: out(key).locator("xpath=following-sibling::small").inner_text()  # noqa: E731
    dial = w.get_by_label("Batch size B")
    dial.focus()
    page.keyboard.press("Home")
    for k, b in enumerate(d["batch_sizes"].astype(int)):
        if k:
            page.keyboard.press("ArrowRight")
        assert out("examples-per-update").inner_text() == f"{b:,}"
        text = sub("time-per-epoch")
        if b == d["n"]:
            assert out("time-per-update").inner_text() == out("time-per-epoch").inner_text()
            assert "one update is the whole epoch" in text
            continue
        lo, mid, hi = d["epoch_ratio"][k]
        shown = re.search(r"×([\d.,]+) the time of B = N", text)
        if lo <= 1 <= hi or float(f"{mid:.2g}") == 1:  # as the page rounds it
            assert "about the same as B = N" in text, (b, text)
        else:
            assert shown is not None and float(shown.group(1).replace(",", "")) == \
                pytest.approx(mid, rel=5e-3), (b, text)
        assert not (shown and float(shown.group(1)) < 1 <= hi)  # never "cheaper" in noise


def test_no_widget_control_runs_past_its_card_on_a_phone(page: Any, server: str) -> None:
    page.set_viewport_size(PHONE)
    _open(page, server)
    widgets = page.locator(".widget[data-widget]")
    for i in range(widgets.count()):
        widgets.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("w => w.dataset.drawn === '1'", arg=widgets.nth(i).element_handle(),
                               timeout=30_000)
    past = page.evaluate("""() => [...document.querySelectorAll('.widget select, .widget input')]
      .map(e => {
        const w = e.closest('.widget'), s = getComputedStyle(w), r = w.getBoundingClientRect();
        const inner = r.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth);
        return [w.dataset.widget, e.id, e.getBoundingClientRect().right - inner];
      }).filter(x => x[2] > 0.5)""")
    assert past == []


@pytest.mark.parametrize("width", [390, 800, 1280])
def test_rhythm_lanes_keep_label_bar_and_counters_apart(page: Any, server: str,
                                                        width: int) -> None:
    """Each lane's label, bar and counters take boxes of their own, and the label is wider
    than a word (a stray grid column once squeezed it under the bar on phones)."""
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, server)
    lanes = page.evaluate("""() => Array.from(document.querySelectorAll('.lane')).map(l => {
        const box = (s) => { const r = l.querySelector(s).getBoundingClientRect();
                             return [r.left, r.top, r.right, r.bottom]; };
        return {label: box('.lane-label'), bar: box('.lane-canvas'), counters: box('.counters')};
    })""")
    assert len(lanes) == 3

    def apart(a: list[float], b: list[float]) -> bool:
        return a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5

    for lane in lanes:
        assert apart(lane["label"], lane["bar"]) and apart(lane["label"], lane["counters"])
        assert apart(lane["bar"], lane["counters"])
        assert lane["label"][2] - lane["label"][0] >= 140


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}])
def test_flat_basin_map_labels_leave_the_rescued_runs_visible(page: Any, widget: Any,
                                                              viewport: dict[str, int]) -> None:
    """The minima's labels sit where no run the noise rescued (B = 1) is marked."""
    page.set_viewport_size(viewport)
    w = widget("flat-basin", "regularisation")
    hits = w.locator(".measure-chart").first.evaluate("""(c) => {
        const boxes = [...c.querySelectorAll('.annotation .annotation-text-g')]
          .map(a => a.getBoundingClientRect());
        const rescued = [...c.querySelectorAll('.scatterlayer .trace')]
          .find(t => t.__data__[0].trace.name.startsWith('flat, rescued'));
        const points = [...rescued.querySelectorAll('path.point')]
          .map(p => p.getBoundingClientRect());
        const meet = (a, b) => a.left < b.right && b.left < a.right
          && a.top < b.bottom && b.top < a.bottom;
        return {labels: boxes.length, points: points.length,
                hits: boxes.flatMap(a => points.filter(p => meet(a, p))).length};
    }""")
    assert hits["labels"] == 2 and hits["points"] > 10
    assert hits["hits"] == 0
