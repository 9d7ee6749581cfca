"""C5 and C11: /api/dives/batch-arrows and /api/dives/sum-vs-mean equal the core, bad input
is a 422 naming the field, and the page's batch-arrows and sum-vs-mean widgets draw them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.data import load
from batchlab.core.models import LINEAR, LOGISTIC
from batchlab.core.reduction import compare_reductions
from batchlab.core.scene import race_start
from batchlab.core.simulate import RunConfig
from batchlab.core.unbiased import epoch_mean, inclusion_counts, random_mean


def test_batch_arrows_equal_the_core(api: Any, finite: Any) -> None:
    d = api("/api/dives/batch-arrows?b=50&seed=4")
    assert finite(d)
    data = load("synthetic", 1000, np.random.default_rng(0))
    theta = race_start(LINEAR, data, "mini")
    rng = np.random.default_rng(4)
    ep = epoch_mean(LINEAR, data, theta, 50, rng)
    rnd = random_mean(LINEAR, data, theta, 50, 1000, rng)
    inc = inclusion_counts(1000, 50, 2000, rng)
    np.testing.assert_array_equal(d["epoch"]["grads"]["w"], ep.grads[:, 0])
    np.testing.assert_array_equal(d["epoch"]["running"]["b"], ep.running[:, 1])
    np.testing.assert_array_equal(d["random"]["distance"], rnd.distance)
    assert d["full"] == ep.full.tolist() and d["theta"] == theta.tolist()
    assert d["inclusion"]["spread"] == inc.spread and d["inclusion"]["expected"] == 0.05
    # the check: one epoch's batch gradients average to ∇J(θ), up to rounding
    assert len(d["epoch"]["sizes"]) == 20 and d["epoch"]["gap"] < 1e-14
    assert d["epoch"]["plain_gap"] < 1e-14
    assert d["epoch"]["distance"][-1] < 1e-14 and d["epoch"]["expected"][-1] == 0.0
    assert d["random"]["gap"] > 1e-4  # 1000 random batches only come close
    assert abs(d["inclusion"]["mean"] - 0.05) < 1e-15


def test_batch_arrows_short_batch_and_the_extremes(api: Any) -> None:
    d = api("/api/dives/batch-arrows?dataset=breast-cancer&b=100")
    assert d["epoch"]["sizes"].tolist() == [100] * 5 + [69]
    assert d["epoch"]["gap"] < 1e-14 < 1e-6 < d["epoch"]["plain_gap"]
    one = api("/api/dives/batch-arrows?dataset=diabetes&b=1")
    assert len(one["epoch"]["sizes"]) == 442 and one["epoch"]["gap"] < 1e-14
    full = api("/api/dives/batch-arrows?dataset=diabetes&b=442")
    assert len(full["epoch"]["sizes"]) == 1 and full["epoch"]["gap"] < 1e-14
    assert full["inclusion"]["min"] == 1.0 and full["inclusion"]["max_z"] == 0.0


@pytest.mark.parametrize("b", [1, 50, 442])
def test_batch_arrows_gaps_are_largest_coordinate_differences(api: Any, b: int) -> None:
    """Every "− ∇J" number the widget prints is the largest coordinate difference; the
    chart's distances are lengths (the one the RMS law is about), never shown as a gap."""
    d = api(f"/api/dives/batch-arrows?dataset=diabetes&b={b}")
    full = np.asarray(d["full"])
    e, r = d["epoch"], d["random"]
    end = np.array([e["running"]["w"][-1], e["running"]["b"][-1]])
    assert e["gap"] == float(np.abs(end - full).max())
    assert e["plain_gap"] == float(np.abs(np.asarray(e["plain_mean"]) - full).max())
    rnd = np.array([r["running"]["w"][-1], r["running"]["b"][-1]])
    assert r["gap"] == float(np.abs(rnd - full).max())
    assert e["distance"][-1] == pytest.approx(float(np.hypot(*(end - full))), abs=1e-300)


def test_sum_vs_mean_equals_the_core(api: Any, finite: Any) -> None:
    d = api("/api/dives/sum-vs-mean?b=25&lr=0.2&epochs=3&seed=2")
    assert finite(d)
    data = load("synthetic", 1000, np.random.default_rng(0))
    start = race_start(LINEAR, data, "mini")
    c = compare_reductions(LINEAR, data, RunConfig(25, 0.2, 3, (start[0], start[1])),
                           np.random.default_rng(2))
    np.testing.assert_array_equal(d["mean"]["w"], c.mean.params[:, 0])
    np.testing.assert_array_equal(d["sum_scaled"]["b"], c.sum_scaled.params[:, 1])
    np.testing.assert_array_equal(d["sum_raw"]["loss"], c.sum_raw.loss)
    assert d["updates_per_epoch"] == 40 and d["short"] == 0 and d["sum_scaled"]["lr"] == 0.008
    # the check: the paths coincide; summed with η diverges
    assert d["gap"] <= 1e-12 and d["replay_gap"] <= 1e-12 and d["first_split"] is None
    assert d["sum_raw"]["diverged_at"] is not None and d["mean"]["diverged_at"] is None
    g = d["grid"]
    assert g["loss"].shape == (60, 60)
    # a square box (one scale for both axes) holding the minimum and the averaged path
    assert np.isclose(g["w"][-1] - g["w"][0], g["b"][-1] - g["b"][0], rtol=1e-12)
    for key in ("w", "b"):
        inside = [d["minimum"][key], *d["mean"][key]]
        assert g[key][0] < min(inside) and max(inside) < g[key][-1]


def test_sum_vs_mean_short_batch_and_default_lr(api: Any) -> None:
    keep = api("/api/dives/sum-vs-mean?dataset=breast-cancer&b=32")
    assert keep["lr"] == 2.0 and keep["short"] == 569 - 17 * 32
    assert keep["first_split"] == 18 and keep["split_size"] == 25 and keep["gap"] > 1e-6
    drop = api("/api/dives/sum-vs-mean?dataset=breast-cancer&b=32&last=drop")
    assert drop["first_split"] is None and drop["gap"] <= 1e-12
    assert drop["sum_raw"]["diverged_at"] is None and drop["raw_gap"] > 0.1
    data = load("breast-cancer", 569, np.random.default_rng(0))
    assert drop["start"] == race_start(LOGISTIC, data, "mini").tolist()


@pytest.mark.parametrize(("path", "query", "field"), [
    ("batch-arrows", "b=0", "b"), ("batch-arrows", "b=1001", "b"),
    ("batch-arrows", "dataset=diabetes&b=443", "b"), ("batch-arrows", "seed=-1", "seed"),
    ("batch-arrows", "seed=1001", "seed"), ("batch-arrows", "dataset=sharp-flat", "dataset"),
    ("batch-arrows", "b=x", "b"),
    ("sum-vs-mean", "b=0", "b"), ("sum-vs-mean", "dataset=breast-cancer&b=570", "b"),
    ("sum-vs-mean", "lr=0", "lr"), ("sum-vs-mean", "lr=nan", "lr"), ("sum-vs-mean", "lr=11", "lr"),
    ("sum-vs-mean", "epochs=0", "epochs"), ("sum-vs-mean", "epochs=11", "epochs"),
    ("sum-vs-mean", "last=maybe", "last"), ("sum-vs-mean", "seed=5000", "seed"),
])
def test_bad_input_is_422_naming_the_field(client: TestClient, path: str, query: str,
                                           field: str) -> None:
    r = client.get(f"/api/dives/{path}?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field


@pytest.mark.browser
def test_batch_arrows_draws_the_epoch_and_its_mean(page: Any, widget: Any, console: list[str],
                                                   failed: list[str]) -> None:
    sel = ".widget[data-widget='batch-arrows']"
    w = widget("batch-arrows", "unbiased")
    assert w.locator(".main-svg").count() >= 2
    assert w.locator("[data-out=check]").get_attribute("data-ok") == "true"
    assert w.locator("[data-out=inclusion]").get_attribute("data-ok") == "true"
    assert "20 batch gradients" in w.locator("[data-out=check]").inner_text()
    page.evaluate(f"document.querySelector(\"{sel}\").dataset.drawn = ''")
    w.get_by_role("button", name="B = N").click()
    page.wait_for_selector(f"{sel}[data-drawn='1']", timeout=30_000)
    assert "single batch, the whole dataset" in w.locator("[data-out=check]").inner_text()
    # B = N: no 1/√k to chart (every mean is ∇J up to rounding); a sentence says so instead
    assert w.locator(".ba-dist").is_hidden() and "no 1/√k to chart" in w.inner_text()
    assert "standard errors" not in w.inner_text() and "only closes in" not in w.inner_text()
    page.evaluate(f"document.querySelector(\"{sel}\").dataset.drawn = ''")
    w.get_by_role("button", name="B = 1").click()
    page.wait_for_selector(f"{sel}[data-drawn='1']", timeout=30_000)
    assert w.locator(".ba-dist").is_visible() and w.locator(".ba-dist-note").is_hidden()
    w.locator("input[type=number]").fill("0")
    assert "B must be" in w.locator(".field-error").inner_text()
    assert w.locator("input[type=number]").get_attribute("aria-invalid") == "true"
    assert console == [] and failed == []


@pytest.mark.browser
def test_sum_vs_mean_draws_coinciding_paths_on_a_phone(page: Any, widget: Any,
                                                       console: list[str],
                                                       failed: list[str]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sel = ".widget[data-widget='sum-vs-mean']"
    w = widget("sum-vs-mean", "sum-vs-mean")
    assert w.locator(".main-svg").count() >= 2
    check = w.locator("[data-out=check]")
    assert check.get_attribute("data-ok") == "true" and "coincide" in check.inner_text()
    assert "diverged" in w.locator("[data-out=facts]").inner_text()
    page.evaluate(f"document.querySelector(\"{sel}\").dataset.drawn = ''")
    w.get_by_label("Batch size B").fill("32")  # 1000 = 31·32 + 8: a short last batch
    page.wait_for_selector(f"{sel}[data-drawn='1']", timeout=30_000)
    assert check.get_attribute("data-ok") == "false" and "short last batch" in check.inner_text()
    page.evaluate(f"document.querySelector(\"{sel}\").dataset.drawn = ''")
    w.get_by_label("Short last batch").select_option("drop")
    page.wait_for_selector(f"{sel}[data-drawn='1']", timeout=30_000)
    assert check.get_attribute("data-ok") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert console == [] and failed == []
