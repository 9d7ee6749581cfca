"""C8 /api/dives/lr-scaling: the curves are the core's study, the stated check (stability
limit from the Hessian vs the runs) holds, bad input is a 422 naming the field, and the
widget draws, switches k and warm-up, and fits a phone."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.scaling import ScalingSetup, factors_for, scaling_study
from batchlab.web.dives.scaling import BUDGETS, SEEDS
from batchlab.web.experiments import far_start


def test_curves_equal_the_core_study(finite: Any, api: Any) -> None:
    d = api("/api/dives/lr-scaling?dataset=diabetes&b=2&lr=0.05&seed=3&warmup=0.5")
    data, model, theta = far_start("diabetes")
    setup = ScalingSetup(2, 0.05, BUDGETS["diabetes"].epochs, factors_for(data.n, 2), SEEDS, 0.5)
    s = scaling_study(model, data, setup, theta, np.random.default_rng(3))
    np.testing.assert_array_equal(d["base"]["gap"], s.base.gap)
    assert len(d["runs"]) == len(s.curves) == 3 * len(setup.factors)
    for got, want in zip(d["runs"], s.curves, strict=True):
        assert (got["k"], got["rule"], got["batch_size"]) == (want.k, want.rule, want.batch_size)
        assert got["lr"] == pytest.approx(want.lr)
        np.testing.assert_array_equal(got["examples"], want.examples)
        np.testing.assert_array_equal(got["gap"], want.gap)
    assert d["target_gap"] == pytest.approx(s.target_gap) and finite(d)


def test_default_shows_hold_and_break_and_the_check_passes(finite: Any, api: Any) -> None:
    d = api("/api/dives/lr-scaling?")
    assert (d["dataset"], d["b"], d["lr"]) == ("synthetic", 4, BUDGETS["synthetic"].lr)
    assert d["lambda_max"] == pytest.approx(1.0, rel=1e-6)  # standardised x: H = I
    assert d["lr_limit"] == pytest.approx(2.0, rel=1e-6)
    assert d["k_limit"] == pytest.approx(2.0 / d["lr"], rel=1e-6)
    assert d["largest_holding"] >= 8
    check = d["limit_check"]
    assert check["below"] > 0 and check["below_diverged"] == 0
    assert check["beyond"] > 0 and check["beyond_failed"] == check["beyond"]
    for r in d["runs"]:
        expected = "reached" if r["to_target"] > 0 else ("diverged" if r["diverged"] else "budget")
        assert r["outcome"] == expected  # the two ways to miss the target kept apart
        if r["rule"] == "scaled":
            assert r["lr"] == pytest.approx(r["k"] * d["lr"])  # the linear scaling rule
            assert r["diverged"] == (r["lr"] > d["lr_limit"])
            assert (r["ratio"] == -1) == (r["to_target"] == -1)
        if r["rule"] == "unscaled" and r["k"] == 2:
            assert 1.6 < r["ratio"] < 2.5  # same η, half the steps: about twice the examples
    assert d["first_diverged"] == min(r["k"] for r in d["runs"] if r["diverged"])
    assert d["first_diverged_warmup"] is None
    assert any(r["outcome"] == "budget" for r in d["runs"] if r["rule"] == "unscaled")
    assert all(r["rule"] != "warm-up" for r in d["runs"]) and finite(d)


def test_logistic_data_and_warm_up(finite: Any, api: Any) -> None:
    d = api("/api/dives/lr-scaling?dataset=breast-cancer&warmup=1")
    assert d["lambda_max"] < 1 and d["limit_check"]["below_diverged"] == 0
    warm = [r for r in d["runs"] if r["rule"] == "warm-up"]
    assert warm and all(r["warmup_updates"] >= 1 for r in warm)
    assert finite(d)


@pytest.mark.parametrize("query, field", [
    ("b=0", "b"), ("b=65", "b"), ("lr=0", "lr"), ("lr=11", "lr"), ("lr=nan", "lr"),
    ("dataset=mnist", "dataset"), ("seed=-1", "seed"), ("seed=1001", "seed"),
    ("warmup=1.5", "warmup"), ("warmup=-0.1", "warmup"),
    ("lr=3", "lr"),  # the base run itself diverges: a cross-field check in the core
])
def test_bad_input_is_422_naming_the_field(client: TestClient, query: str, field: str) -> None:
    r = client.get(f"/api/dives/lr-scaling?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field


# The widget with its latest measurement drawn: its JS sets data-drawn to "0" when a
# measurement starts and to "1" when the newest one is drawn.
DRAWN = "#learning-rate .widget[data-drawn='1']"


@pytest.mark.browser
def test_widget_draws_and_switches(page: Any, server: str, console: list[str]) -> None:
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    w = page.locator("#learning-rate .widget[data-widget='lr-scaling']")
    w.scroll_into_view_if_needed()
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert w.locator(".main-svg").count() >= 2
    text = w.inner_text()
    assert "Could not" not in text and "predicted break" in text and "0 of" in text
    selects = w.locator("select")
    assert selects.count() == 5 and w.locator("label").count() == 5
    selects.nth(4).select_option("128")  # k beyond the limit
    page.wait_for_function("document.querySelector('#learning-rate .widget-note')"
                           ".textContent.includes('k = 128')")
    assert "diverged" in w.locator(".widget-note").first.inner_text()
    selects.nth(3).select_option("1")  # warm-up over the first epoch: a new measurement
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert "with warm-up" in w.inner_text()
    assert console == []


@pytest.mark.browser
def test_a_base_that_misses_the_target_is_not_called_a_failed_rule(page: Any,
                                                                   server: str) -> None:
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    w = page.locator("#learning-rate .widget[data-widget='lr-scaling']")
    w.scroll_into_view_if_needed()
    page.wait_for_selector(DRAWN, timeout=30_000)
    status = "document.querySelector('#learning-rate .widget-note').textContent"
    selects = w.locator("select")
    # each choice marks the widget not drawn until its own measurement is, summary and notes
    # included (the status line is written first: it says nothing of the rest)
    selects.nth(1).select_option("16")
    page.wait_for_selector(DRAWN, timeout=30_000)
    selects.nth(2).select_option("0.003")  # too small a rate for the 2-epoch budget
    page.wait_for_selector(DRAWN, timeout=30_000)
    text = w.inner_text()
    assert "does not reach the target" in w.locator(".widget-note").first.inner_text()
    assert "here it does, within ×1.25" in text and "no target: the base run misses it" in text
    assert "Target (dotted): a tenth of the starting gap" in text
    assert "Scaled runs out of budget" not in text
    selects.nth(0).select_option("diabetes")
    page.wait_for_selector(DRAWN, timeout=30_000)
    selects.nth(1).select_option("1")
    page.wait_for_selector(DRAWN, timeout=30_000)
    selects.nth(2).select_option("1")  # the base diverges: a message, and no stale charts
    page.wait_for_function(f"{status}.includes('Could not measure')", timeout=30_000)
    assert w.locator(".main-svg").count() == 0


@pytest.mark.browser
def test_widget_fits_a_phone(page: Any, server: str, console: list[str]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    page.locator("#learning-rate .widget").scroll_into_view_if_needed()
    page.wait_for_selector(DRAWN, timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#learning-rate .widget").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert console == []
