"""The lesson in a real Chromium: race, rhythm, controls, URL state, keyboard, offline."""

from __future__ import annotations

import math
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from batchlab.web import typed

pytestmark = pytest.mark.browser
READY = "body[data-ready='1']"


def _open(page: Any, server: str, query: str = "") -> None:
    page.goto(f"{server}/{('?' + query) if query else ''}")
    page.wait_for_selector(READY, timeout=20_000)


def _counter(page: Any, method: str, name: str) -> int:
    text = page.text_content(f".lane-{method} [data-c={name}]")
    return int(text.split("/")[0].strip().replace(",", "").split(".")[0])


def _api(server: str, path: str) -> Any:
    with urllib.request.urlopen(f"{server}{path}") as r:
        return typed.loads(r.read())


def _query(page: Any) -> dict[str, list[str]]:
    """The address bar's query as the page has it now: ``page.url`` follows history.replaceState
    through a protocol event that may still be on its way when a click returns."""
    return parse_qs(urlsplit(page.evaluate("location.href")).query)


def _layer_pixel(page: Any, key: str, k: float) -> list[int]:
    """RGBA of the race's canvas layer at method ``key``'s point after update ``k`` (a
    fractional k: that far along the step from update ⌊k⌋ to the next)."""
    return page.evaluate("""([key, k]) => {
        const gd = document.getElementById('landscape'), f = gd._fullLayout;
        const c = gd.querySelector('canvas.path-layer'), m = window.batchlab.model.byKey[key];
        const s = c.width / f.width, i = Math.floor(k), a = k - i;
        const at = (v) => v[i] + a * ((v[i + 1] ?? v[i]) - v[i]);
        const x = (f.xaxis._offset + f.xaxis.l2p(at(m.w))) * s;
        const y = (f.yaxis._offset + f.yaxis.l2p(at(m.b))) * s;
        return Array.from(c.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data);
    }""", [key, k])


def test_page_draws_three_paths_and_the_minimum(page: Any, server: str, outside: Any,
                                                console: list[str]) -> None:
    _open(page, server)
    traces = page.evaluate("""() => document.getElementById('landscape').data.map(
        t => ({type: t.type, n: t.x ? t.x.length : 0, symbol: t.marker && t.marker.symbol}))""")
    assert traces[0]["type"] == "contour"
    assert [t["n"] > 10 for t in traces[1:4]] == [True] * 3        # full paths
    assert traces[-1]["symbol"] == "star" and traces[-1]["n"] == 1   # the minimum
    # every scatter trace rendered (those raised by zorder sit in overlay layers of their own)
    assert page.locator("#landscape .trace.scatter").count() >= 4
    # travelled paths and markers on the canvas layer, each at its last update, under the
    # hover labels' svg
    assert page.evaluate("window.batchlab.drawn.ks") == page.evaluate(
        "window.batchlab.model.methods.map(m => m.updates)")
    assert page.evaluate("""() => {
        const next = document.querySelector('#landscape canvas.path-layer').nextElementSibling;
        return next.matches('svg.main-svg') && !!next.querySelector('.hoverlayer'); }""")
    starts = page.evaluate("window.batchlab.model.methods.map(m => [m.w[0], m.b[0]])")
    (fw, fb), (mw, mb), (sw, _sb) = starts
    assert fw < sw and fb > mb and sw > mw                           # upper left, below, right
    assert page.is_visible("text=FULL BATCH") and page.is_visible("text=STOCHASTIC")
    assert outside.attempts == [] and console == []


def test_play_advances_counters_and_paths_together(page: Any, server: str) -> None:
    _open(page, server, "t=0")
    assert _counter(page, "mini", "updates") == 0
    page.click("#play")
    # animation frames move the playhead: wait for the first mini-batch update, however slow
    # the frames come, then pause (well before full batch's second update at 2,000 examples)
    page.wait_for_function("parseInt(document.querySelector('.lane-mini [data-c=updates]')"
                           ".textContent) > 0")
    page.click("#play")  # pause
    k = _counter(page, "mini", "updates")
    assert k > 0 and _counter(page, "stochastic", "updates") > k
    assert _counter(page, "full", "updates") <= 1
    drawn = page.evaluate("window.batchlab.drawn.ks")
    assert drawn[1] == k and drawn[2] == _counter(page, "stochastic", "updates")
    # the mini-batch marker (selected: drawn last) is painted at its update's point
    assert _layer_pixel(page, "mini", k) == [0x1A, 0x7F, 0x37, 255]


def test_playback_paints_what_a_fresh_draw_paints(page: Any, server: str) -> None:
    """Played paths are extended piece by piece: the picture (dashes included) matches the
    same moment drawn from scratch, up to anti-aliasing where the pieces meet."""
    pixels = """() => { const c = document.querySelector('#landscape canvas.path-layer');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }"""
    _open(page, server, "t=0")
    page.click("#play")
    page.wait_for_function("window.batchlab.t > 1500")
    page.click("#play")  # pause, then land on a whole number of examples (a URL can hold it)
    t = round(page.evaluate("window.batchlab.t")) + 1
    page.evaluate("""(t) => { const s = document.getElementById('scrub');
        s.value = String(t); s.dispatchEvent(new Event('input')); }""", t)
    played, ks = np.array(page.evaluate(pixels)), page.evaluate("window.batchlab.drawn.ks")
    _open(page, server, f"t={t}")
    fresh = np.array(page.evaluate(pixels))
    assert page.evaluate("window.batchlab.drawn.ks") == ks and ks[2] > 1500
    painted = (fresh.reshape(-1, 4)[:, 3] > 0).sum()
    off = (np.abs(played - fresh).reshape(-1, 4).max(axis=1) > 64).sum()
    assert painted > 1000 and off < 0.03 * painted


def test_rhythm_counts_match_the_trajectories(page: Any, server: str) -> None:
    _open(page, server, "t=1000")  # exactly one epoch of examples
    assert _counter(page, "full", "updates") == 1
    assert _counter(page, "mini", "updates") == math.ceil(1000 / 32)
    assert _counter(page, "stochastic", "updates") == 1000
    assert _counter(page, "mini", "examples") == 1000


def test_selecting_a_method_shows_its_formula(page: Any, server: str) -> None:
    _open(page, server)
    page.click("label.pick-stochastic")
    assert page.is_visible("#card-stochastic .formula math")
    assert page.is_hidden("#card-mini") and page.is_hidden("#card-full")
    assert page.locator(".lane-stochastic.selected").count() == 1
    assert _query(page)["method"] == ["stochastic"]


def test_url_round_trips(page: Any, server: str) -> None:
    q = ("dataset=diabetes&n=442&batch_size=64&lr=0.3&epochs=20&seed=5&method=full"
         "&axis=updates&t=10")
    _open(page, server, q)
    assert page.input_value("#dataset") == "diabetes"
    assert page.input_value("#batch_size") == "64" and page.input_value("#lr") == "0.3"
    assert page.is_checked("input[name=method][value=full]")
    assert page.is_checked("input[name=axis][value=updates]")
    assert page.evaluate("window.batchlab.t") == 10
    assert _counter(page, "full", "updates") == 10
    page.wait_for_timeout(400)
    assert _query(page) == parse_qs(q)
    spec = page.evaluate("window.batchlab.model.spec")
    assert (spec["batch_size"], spec["seed"], spec["epochs"]) == (64, 5, 20)
    api = _api(server, "/api/scene?dataset=diabetes&n=442&batch_size=64&lr=0.3&epochs=20&seed=5")
    w = page.evaluate("Array.from(window.batchlab.model.byKey.stochastic.w.slice(0, 50))")
    assert w == api["methods"][2]["w"][:50].tolist()  # same seed, same path, every digit
    page.reload()
    page.wait_for_selector(READY)
    assert page.evaluate("window.batchlab.t") == 10


def test_page_decodes_the_binary_frame_to_the_json_values(page: Any, server: str) -> None:
    """The page's frame decoder (JS) against its JSON decoder, field by field, exactly."""
    _open(page, server)
    diff = page.evaluate("""async () => {
        const api = await import('/static/js/api.js');
        const q = '/api/scene?dataset=diabetes&batch_size=16&epochs=4&seed=9';
        const b = api.decodeFrame(await (await fetch(q + '&format=binary')).arrayBuffer());
        const j = api.decodeTyped(await (await fetch(q)).json());
        const bad = [];
        const same = (x, y, path) => {
          if (ArrayBuffer.isView(x) || Array.isArray(x)) {
            if (x.constructor !== y.constructor || x.length !== y.length) bad.push(path);
            else for (let i = 0; i < x.length; i++) same(x[i], y[i], `${path}[${i}]`);
          } else if (x && typeof x === 'object') {
            const kx = Object.keys(x).sort().join(), ky = Object.keys(y).sort().join();
            if (kx !== ky) bad.push(path);
            else for (const k of Object.keys(x)) same(x[k], y[k], `${path}.${k}`);
          } else if (!Object.is(x, y)) bad.push(path);
        };
        same(b, j, '');
        const w = b.methods[2].w;
        return {bad: bad.slice(0, 5), n: w.length, type: w.constructor.name,
                grid: [b.landscape.loss.length, b.landscape.loss[0].length]};
    }""")
    assert diff["bad"] == [] and diff["type"] == "Float64Array" and diff["n"] == 4 * 442 + 1
    assert diff["grid"] == [61, 61]


def test_keyboard_play_pause_and_step(page: Any, server: str) -> None:
    _open(page, server, "t=0&method=full")
    page.focus("#landscape")
    page.keyboard.press("Space")
    assert page.evaluate("window.batchlab.playing") is True
    page.keyboard.press("Space")
    assert page.evaluate("window.batchlab.playing") is False
    page.keyboard.press("Home")
    page.click("#reset")
    page.focus("#landscape")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.batchlab.t") == 1000  # full batch: next update = one epoch
    assert _counter(page, "full", "updates") == 1
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("window.batchlab.t") == 0


def test_step_past_a_finished_method_never_jumps_back(page: Any, server: str) -> None:
    # updates axis: full batch made its 30 updates long before update 500 of the others
    _open(page, server, "axis=updates&t=500&method=full")
    page.click("#step")
    assert page.evaluate("window.batchlab.t") == 501  # the next update of a running method
    page.click("#back")
    page.click("#back")
    assert page.evaluate("window.batchlab.t") == 499
    page.click("#reset")
    page.click("#step")
    assert page.evaluate("window.batchlab.t") == 1  # while running: full batch's own update


def test_tab_reaches_every_control(page: Any, server: str) -> None:
    _open(page, server)
    wanted = {"play", "step", "back", "reset", "speed", "scrub", "batch_size", "lr", "epochs",
              "dataset", "n", "seed", "reseed", "landscape"}
    seen: set[str] = set()
    page.focus("body")
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id || document.activeElement.name || ''"))
    assert wanted <= seen, wanted - seen
    assert {"axis", "method"} <= seen
    ring = page.evaluate("""() => { document.getElementById('play').focus();
        return getComputedStyle(document.activeElement).outlineStyle; }""")
    assert ring != "none"


def test_no_outside_requests_while_playing(page: Any, server: str, outside: Any,
                                           console: list[str]) -> None:
    _open(page, server, "t=0")
    page.click("#play")
    page.wait_for_timeout(500)
    page.click("label.pick-full")
    page.select_option("#speed", "4")
    assert outside.attempts == [] and console == []
    assert page.evaluate("""fetch('https://example.com/x').then(() => 'ok', () => 'blocked')""") \
        == "blocked"
    assert outside.attempts == ["https://example.com/x"]  # interception really records


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844},
                                      {"width": 1280, "height": 800}])
def test_no_horizontal_overflow(page: Any, server: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    _open(page, server)
    page.click("summary")  # the data table opened too
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    box = page.locator("#landscape").bounding_box()
    assert box["height"] >= 300 and box["width"] <= viewport["width"]


def test_a_field_that_is_no_number_is_named_and_not_sent(page: Any, server: str) -> None:
    _open(page, server)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/scene" in r.url else None)
    page.fill("#lr", "")
    page.wait_for_selector("#err-lr:has-text('Learning rate η must be a number from 0.0001 to 10')")
    page.wait_for_timeout(600)  # past the debounce: nothing went out
    assert sent == [] and page.get_attribute("#lr", "aria-invalid") == "true"
    page.fill("#lr", "0.1")
    page.wait_for_function("JSON.parse(document.body.dataset.sceneKey).lr === 0.1")
    assert page.text_content("#err-lr") == ""


def test_invalid_batch_size_shows_the_servers_message(page: Any, server: str) -> None:
    _open(page, server)
    before = page.evaluate("document.body.dataset.sceneKey")
    page.fill("#batch_size", "5000")
    page.wait_for_selector(
        "#err-batch_size:has-text('Batch size B must be between 1 and N = 1000')")
    assert page.get_attribute("#batch_size", "aria-invalid") == "true"
    assert page.evaluate("document.body.dataset.sceneKey") == before  # last good scene stays
    page.fill("#batch_size", "64")
    page.wait_for_function("JSON.parse(document.body.dataset.sceneKey).batch_size === 64")
    assert page.text_content("#err-batch_size") == ""


def test_huge_learning_rate_says_diverged(page: Any, server: str, console: list[str]) -> None:
    _open(page, server, "lr=10")
    assert "diverged after update" in page.text_content("#diverged")
    assert page.locator("#landscape .contourlayer").count() == 1
    assert console == []


def test_divergence_wording_matches_the_counters(page: Any, server: str) -> None:
    """diverged_at is the update that ran away; the arrays (and the counter) stop before it."""
    _open(page, server, "lr=10")
    banner = page.text_content("#diverged")
    runs = page.evaluate(
        "window.batchlab.model.methods.map(m => [m.key, m.label, m.diverged_at, m.updates])")
    for key, label, at, updates in runs:
        assert updates == at - 1
        assert f"{label} diverged after update {updates}" in banner
        assert _counter(page, key, "updates") == updates
    table = page.text_content("#table")
    assert "diverged after update" in table and "diverged at update" not in table


def test_subtitle_names_the_learning_rate_schedule(page: Any, server: str) -> None:
    _open(page, server)
    assert page.text_content("#fig-sub").endswith("η = 0.2, cosine decay")
    _open(page, server, "schedule=constant")
    assert page.text_content("#fig-sub").endswith("η = 0.2, constant")


def test_unknown_dataset_in_the_link_falls_back_with_a_notice(page: Any, server: str,
                                                              console: list[str]) -> None:
    page.goto(f"{server}/?dataset=nope&schedule=sometimes")
    page.wait_for_selector(READY, state="attached", timeout=20_000)
    assert page.is_hidden("#loading")                       # no endless spinner
    assert page.input_value("#dataset") == "synthetic"
    spec = page.evaluate("window.batchlab.model.spec")
    assert (spec["dataset"], spec["schedule"]) == ("synthetic", "cosine")
    notice = page.text_content("#link-notice")
    assert "dataset “nope”" in notice and "schedule “sometimes”" in notice
    assert "“nope” is not one of the choices" in page.text_content("#err-dataset")
    page.wait_for_timeout(400)
    assert _query(page)["dataset"] == ["synthetic"]
    assert console == []                                     # no page error, no 422


def test_refused_number_in_the_link_shows_the_servers_message(page: Any, server: str,
                                                              console: list[str]) -> None:
    page.goto(f"{server}/?dataset=synthetic&n=1000&batch_size=5000&lr=0.2&epochs=30&seed=0")
    page.wait_for_selector(READY, state="attached", timeout=20_000)
    assert page.is_hidden("#loading")
    assert "Batch size B must be between 1 and N = 1000" in page.text_content("#err-batch_size")
    assert "batch size B “5000” → 32" in page.text_content("#link-notice")
    assert page.input_value("#batch_size") == "32"
    assert page.evaluate("window.batchlab.model.spec.batch_size") == 32
    assert [c for c in console if "422" not in c] == []      # the refused request only
    page.click("#link-notice button")                        # dismissed
    assert page.locator("#link-notice").count() == 0


def test_links_refused_field_by_field_still_draw_a_race(page: Any, server: str) -> None:
    """The server names one field at a time: each is replaced in turn."""
    page.goto(f"{server}/?dataset=diabetes&n=1000&batch_size=5000&epochs=200")
    page.wait_for_selector(READY, state="attached", timeout=20_000)
    spec = page.evaluate("window.batchlab.model.spec")
    assert (spec["dataset"], spec["n"], spec["batch_size"]) == ("diabetes", 442, 32)
    assert spec["n"] * spec["epochs"] <= 50_000
    notice = page.text_content("#link-notice")
    assert "examples N “1000” → 442" in notice and "batch size B “5000”" in notice


def test_unreachable_server_says_so_instead_of_spinning(page: Any, server: str) -> None:
    page.route("**/api/scene**", lambda route: route.abort())
    page.goto(server)
    page.wait_for_selector("#loading.failed", timeout=20_000)
    assert "could not be computed" in page.text_content("#loading")
    assert "Could not reach the server" in page.text_content("#err-query")


def test_a_chart_library_that_fails_to_load_is_named(page: Any, server: str) -> None:
    page.route("**/plotly-cartesian.min.js", lambda route: route.abort())
    page.goto(server)
    page.wait_for_selector("#loading.failed", timeout=20_000)
    assert "could not be drawn (plotly.js did not load)" in page.text_content("#err-query")


def test_an_unreadable_scene_is_named_and_logged_not_called_unreachable(
        page: Any, server: str, console: list[str]) -> None:
    page.route("**/api/scene**", lambda route: route.fulfill(
        status=200, body=b"not a frame", content_type="application/vnd.batchlab.frame"))
    page.goto(server)
    page.wait_for_selector("#loading.failed", timeout=20_000)
    assert "could not be read (not a batchlab frame)" in page.text_content("#err-query")
    assert any("not a batchlab frame" in e for e in console)


def test_a_stochastic_cloud_never_hides_another_methods_point(page: Any, server: str) -> None:
    """Breast cancer at η = 2: B = 1 wanders over most of the map, full batch ends inside its
    cloud; the full-batch marker is still painted on top (mini-batch is the selected one)."""
    _open(page, server, "dataset=breast-cancer&n=569&lr=2&epochs=80")
    k = page.evaluate("window.batchlab.model.byKey.full.updates")
    assert _layer_pixel(page, "full", k) == [0x1F, 0x5F, 0xBF, 255]


def test_a_faded_path_is_evenly_faded_where_its_pieces_meet(page: Any, server: str) -> None:
    """Full batch (not selected) at its 5th update: the stored path ends at update 4, the
    last piece runs on to 5; the joint is as transparent as the middle of a step."""
    _open(page, server, "t=5000")
    assert page.evaluate("window.batchlab.drawn.ks")[0] == 5
    joint, middle = _layer_pixel(page, "full", 4), _layer_pixel(page, "full", 2.5)
    assert middle[3] == pytest.approx(0.55 * 255, abs=8)
    assert joint[3] == pytest.approx(middle[3], abs=8)


def test_race_is_drawn_to_equal_scale_with_the_selected_method_on_top(page: Any,
                                                                      server: str) -> None:
    for query in ("", "dataset=breast-cancer&n=569&lr=2&epochs=80&method=stochastic"):
        _open(page, server, query)
        scale = page.evaluate("""() => { const f = document.getElementById('landscape')._fullLayout;
            const px = (a) => a._length / (a.range[1] - a.range[0]);
            return [px(f.xaxis), px(f.yaxis)]; }""")
        assert scale[0] == pytest.approx(scale[1], rel=1e-3)
    zorder = page.evaluate("document.getElementById('landscape')._fullData.map(t => t.zorder)")
    assert zorder[1:4] == [0, 0, 1] and zorder[4] == 2  # stochastic's full path, the star
    assert page.evaluate("window.batchlab.drawn.order") == ["full", "mini", "stochastic"]


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844},
                                      {"width": 1280, "height": 800}])
def test_readout_numbers_stay_on_one_line_in_their_cells(page: Any, server: str,
                                                         viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    _open(page, server, "lr=10")
    bad = page.evaluate("""async () => {
      const { fmtSci } = await import('/static/js/look.js');  // as the readout writes them
      const widest = { loss: fmtSci(2.2109e69), eta: fmtSci(5.4831e-10) };
      return [...document.querySelectorAll('#readout td:not(.batch)')].filter(c => {
        c.textContent = widest[c.dataset.r] || c.textContent;
        const r = document.createRange(); r.selectNodeContents(c);
        const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
        return lines > 1 || r.getBoundingClientRect().right > c.getBoundingClientRect().right + 0.5;
      }).map(c => c.dataset.r);
    }""")
    assert bad == []


def test_first_epochs_chart_is_a_staircase_in_the_pages_order(page: Any, server: str) -> None:
    _open(page, server)
    sel = ".widget[data-widget='loss-curves']"
    page.locator(sel).scroll_into_view_if_needed()
    page.wait_for_selector(f"{sel}[data-drawn='1']")
    traces = page.evaluate(f"""() => document.querySelector("{sel} .measure-chart")._fullData
        .map(t => [t.name, t.line.shape, t.legendrank])""")
    assert {t[1] for t in traces} == {"hv"}
    by_rank = [name.split(" (")[0] for name, _, _ in sorted(traces, key=lambda t: t[2])]
    labels = page.evaluate("window.batchlab.model.methods.map(m => m.label)")
    assert by_rank == labels and labels[0].lower().startswith("full")


def test_dataset_change_applies_recommended_settings(page: Any, server: str) -> None:
    _open(page, server)
    page.select_option("#dataset", "breast-cancer")
    page.wait_for_function("JSON.parse(document.body.dataset.sceneKey).dataset === 'breast-cancer'")
    assert (page.input_value("#n"), page.input_value("#lr"), page.input_value("#epochs")) == \
        ("569", "2", "80")


def test_the_figure_names_its_data_and_loss_and_who_stops_short(page: Any, server: str) -> None:
    _open(page, server)
    data = page.text_content("#fig-data")
    assert data.startswith("Synthetic: y = 1.5·x − 0.5") and "squared error" in data
    assert "stops short" not in data  # every run ends within 1 % of its starting gap
    _open(page, server, "dataset=breast-cancer")
    data = page.text_content("#fig-data")
    assert "log loss of σ(w·x + b)" in data
    assert ("Full batch stops short here: after its 80 updates, J − J* is still 6.1\u00a0% "
            "of its starting value.") in data


def test_the_n_preset_keeps_a_full_batch_when_n_changes(page: Any, server: str) -> None:
    _open(page, server)
    page.click("[data-batch='N']")
    page.fill("#n", "500")
    page.wait_for_function("JSON.parse(document.body.dataset.sceneKey).n === 500")
    assert page.input_value("#batch_size") == "500"
    assert page.locator("#err-batch_size").inner_text() == ""
    page.select_option("#dataset", "breast-cancer")  # still full batch on the new dataset
    page.wait_for_function("JSON.parse(document.body.dataset.sceneKey).dataset === 'breast-cancer'")
    assert page.input_value("#batch_size") == page.input_value("#n") == "569"
    page.fill("#batch_size", "64")
    page.fill("#n", "400")  # B no longer N: it stays
    assert page.input_value("#batch_size") == "64"


def test_worked_example_counts_match_the_epoch_plan(page: Any, server: str) -> None:
    _open(page, server)
    w = page.locator(".widget[data-widget='updates-per-epoch']").first
    for n, b in [(1000, 32), (1000, 100), (10, 3), (7, 7), (1000, 1)]:
        w.locator("input").nth(0).fill(str(n))
        w.locator("input").nth(1).fill(str(b))
        keep = int(w.locator("[data-out=keep]").text_content().replace(",", ""))
        drop = int(w.locator("[data-out=drop]").text_content().replace(",", ""))
        assert keep == _api(server, f"/api/epoch-plan?n={n}&batch_size={b}")[
            "iterations_per_epoch"]
        assert drop == _api(server, f"/api/epoch-plan?n={n}&batch_size={b}&drop_last=true")[
            "iterations_per_epoch"]


def test_worked_example_rejects_fractional_sizes(page: Any, server: str) -> None:
    _open(page, server)
    w = page.locator(".widget[data-widget='updates-per-epoch']").first
    w.locator("input").nth(0).fill("10")
    w.locator("input").nth(1).fill("2.5")
    assert w.locator(".field-error").text_content() == "B must be a whole number from 1 to N = 10."
    assert w.locator("input").nth(1).get_attribute("aria-invalid") == "true"
    assert w.locator("[data-out=keep]").text_content() == "—"
    assert "divides" not in w.locator(".widget-note").text_content()
    w.locator("input").nth(0).fill("7.5")
    w.locator("input").nth(1).fill("3")
    assert w.locator(".field-error").text_content().startswith("N must be a whole number from 1 to")
    assert w.locator("input").nth(0).get_attribute("aria-invalid") == "true"
    w.locator("input").nth(0).fill("10")
    assert w.locator(".field-error").text_content() == ""
    assert w.locator("[data-out=keep]").text_content() == "4"


def test_reduced_motion_does_not_autoplay(page: Any, server: str) -> None:
    page.emulate_media(reduced_motion="reduce")
    _open(page, server, "t=0")
    page.wait_for_timeout(300)
    assert page.evaluate("window.batchlab.reduceMotion") is True
    assert page.evaluate("window.batchlab.playing") is False
    assert page.evaluate("window.batchlab.t") == 0


def test_hovering_a_lane_outlines_the_update_the_readout_shows(page: Any, server: str) -> None:
    _open(page, server, "t=2600")
    lane = page.locator(".lane-mini canvas")
    lane.scroll_into_view_if_needed()
    box = lane.bounding_box()

    def ink_columns() -> int:  # canvas columns holding the outline's dark ink
        return int(page.evaluate("""() => {
            const c = document.querySelector('.lane-mini canvas'), g = c.getContext('2d');
            const d = g.getImageData(0, 0, c.width, c.height).data, cols = new Set();
            for (let i = 0; i < d.length; i += 4)
              if (d[i] < 60 && d[i + 1] < 60 && d[i + 2] < 70 && d[i + 3] > 200)
                cols.add((i / 4) % c.width);
            return cols.size;
        }"""))
    assert ink_columns() == 0
    # placed when it happens, so a late shift of the layout cannot move the pointer off the lane
    lane.hover(position={"x": box["width"] * 0.4, "y": box["height"] / 2})
    page.wait_for_function("document.querySelector('#readout tr[data-method=mini]')"
                           ".classList.contains('hovered')")
    assert ink_columns() > 0
    page.mouse.move(0, 0)
    page.wait_for_function("!document.querySelector('#readout tr.hovered')")
    assert ink_columns() == 0
