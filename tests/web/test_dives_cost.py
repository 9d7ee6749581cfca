"""C1 and C10 API and widgets: counts equal the closed forms, the noise equals an independent
computation and its sampled estimate, timings have the right shape, bad input is a 422."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.batching import iterations_per_epoch
from batchlab.core.data import load
from batchlab.core.landscape import minimise
from batchlab.core.models import LINEAR
from batchlab.core.scene import METHODS, REACH


def test_dial_counts_and_timings(api: Any) -> None:
    d = api("/api/dives/cost?dataset=diabetes")
    bs = d["batch_sizes"].astype(int)
    assert d["n"] == 442 and bs[0] == 1 and bs[-1] == 442 and {32, 64, 128} <= set(bs)
    assert d["counts_match"] is True
    assert d["updates_per_epoch"].tolist() == [iterations_per_epoch(442, int(b)) for b in bs]
    assert np.all(d["examples_per_epoch"] == 442)
    assert d["last_batch"].tolist() == [442 - (-(-442 // b) - 1) * b for b in bs]
    t, e = d["seconds_per_update"], d["seconds_per_epoch"]
    assert np.all(np.isfinite(t)) and np.all(t > 0) and np.all(e > 0)
    at = {int(b): i for i, b in enumerate(bs)}
    assert t[at[442]] > 3 * t[at[32]] and t[at[256]] > t[at[64]]  # shape only: timings vary
    assert t[at[442]] == e[at[442]]  # B = N: one update is the epoch, one measurement
    up, ep = np.asarray(d["update_ratio"]), np.asarray(d["epoch_ratio"])
    assert up.shape == ep.shape == (bs.size, 3)  # [q25, median, q75] of run-by-run ratios
    assert np.all(up[:, 0] <= up[:, 1]) and np.all(up[:, 1] <= up[:, 2])
    assert up[0].tolist() == [1.0, 1.0, 1.0] and ep[-1].tolist() == [1.0, 1.0, 1.0]
    assert up[at[442], 0] > 3 * up[at[32], 2]  # ~14× the examples: clear of the noise
    f = d["fit"]
    assert f["from_b"] == 64 and f["slope"] > 0 and 0.6 < f["loglog_slope"] < 1.4
    assert d["repeats"] >= 5 and d["epochs"] * 442 >= 100_000


def test_regimes_agree_with_an_independent_computation(api: Any) -> None:
    d = api("/api/dives/regimes?dataset=diabetes&seed=3")
    data = load("diabetes", 442, np.random.default_rng(0))
    theta = minimise(LINEAR, data) + REACH * np.asarray(METHODS[0].offset)
    np.testing.assert_allclose(d["theta"], theta, atol=1e-12)
    bs = d["batch_sizes"].astype(int)
    assert bs.tolist() == [1, 32, 64, 128, 442]
    assert d["examples_per_update"].tolist() == bs.tolist()
    assert d["updates_per_epoch"].tolist() == [442, 14, 7, 4, 1]
    assert d["last_batch"].tolist() == [1, 26, 58, 58, 442]
    g = LINEAR.grads(theta, data.x, data.y)
    tr = float(np.sum(np.var(g, axis=0)))  # tr Σ, Σ with 1/N
    assert d["trace_sigma"] == pytest.approx(tr, rel=1e-12)
    np.testing.assert_allclose(d["exact"], (442 - bs) / (bs * 441) * tr, rtol=1e-12, atol=1e-15)
    i = 1  # B = 32: the widget's check
    assert abs(d["sampled"][i] - d["exact"][i]) < 4.5 * d["sampled_se"][i]
    assert d["sampled"][i] == pytest.approx(d["exact"][i], rel=0.1)
    assert d["exact"][-1] == 0.0 and d["sampled"][-1] < 1e-20
    dial = api("/api/dives/cost?dataset=diabetes")
    at = np.searchsorted(dial["batch_sizes"], bs)
    np.testing.assert_array_equal(d["seconds_per_update"], dial["seconds_per_update"][at])


def test_timings_are_measured_once_per_process(client: TestClient) -> None:
    a = client.get("/api/dives/cost?dataset=diabetes")
    b = client.get("/api/dives/cost?dataset=diabetes")
    assert a.content == b.content and a.headers["etag"] == b.headers["etag"]


@pytest.mark.parametrize("query,field", [("cost?dataset=mnist", "dataset"),
                                         ("regimes?dataset=iris", "dataset"),
                                         ("regimes?seed=-1", "seed"),
                                         ("regimes?seed=1001", "seed"),
                                         ("regimes?seed=abc", "seed")])
def test_bad_input_is_422_naming_the_field(client: TestClient, query: str, field: str) -> None:
    r = client.get(f"/api/dives/{query}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field


@pytest.mark.browser
def test_dial_moves_and_shows_measured_costs(page: Any, widget: Any, console: list[str],
                                             failed: list[str]) -> None:
    w = widget("cost-dial")
    assert w.locator(".main-svg").count() >= 1
    out = lambda key: w.locator(f"[data-out='{key}']").inner_text()  # noqa: E731
    assert out("examples-per-update") == "32" and out("updates-per-epoch") == "32"
    w.get_by_role("button", name="128").click()
    assert out("examples-per-update") == "128" and out("updates-per-epoch") == "8"
    assert out("examples-per-epoch") == "1,000"
    dial = w.get_by_label("Batch size B")
    dial.focus()
    page.keyboard.press("End")
    assert out("regime") == "Full batch" and out("updates-per-epoch") == "1"
    page.keyboard.press("Home")
    assert out("regime") == "Stochastic" and out("updates-per-epoch") == "1,000"
    assert out("time-per-update").endswith(("ns", "µs", "ms"))
    note = w.locator(".widget-note").inner_text()
    assert "Check: for B ≥ 64" in note and "differ from run to run" in note
    w.get_by_label("Dataset").select_option("breast-cancer")
    page.wait_for_selector(".widget[data-widget='cost-dial'][data-drawn='1']", timeout=30_000)
    assert out("examples-per-epoch") == "569"
    assert console == [] and failed == []


@pytest.mark.browser
def test_regimes_table_shows_five_rows_and_the_check(page: Any, widget: Any, console: list[str],
                                                     failed: list[str]) -> None:
    w = widget("regimes-table")
    rows = w.locator("tbody tr")
    assert rows.count() == 5
    assert [rows.nth(i).get_attribute("data-b") for i in range(5)] == \
        ["1", "32", "64", "128", "1000"]
    assert "Full batch" in rows.nth(4).inner_text() and "Stochastic" in rows.nth(0).inner_text()
    assert "Check at B = 32" in w.locator(".rt-check").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: rows become cards
    page.wait_for_function("window.innerWidth === 390")    # the page has the new width
    box = w.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert w.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert console == [] and failed == []
