"""C4 "Building an epoch": /api/dives/sorted-data equals the core's comparison, bad input is
a 422 naming the field, and the page's epoch-builder and sorted-data widgets draw real plans."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.data import load
from batchlab.core.models import LOGISTIC
from batchlab.core.ordering import compare_orderings
from batchlab.core.simulate import RunConfig
from batchlab.web import typed


def test_sorted_data_equals_the_core(finite: Any, client: TestClient) -> None:
    r = client.get("/api/dives/sorted-data?b=25&lr=1&epochs=5&seed=3")
    assert r.status_code == 200
    d = typed.loads(r.content)
    assert finite(d)
    data = load("synthetic-classification", 1000, np.random.default_rng(0))
    c = compare_orderings(LOGISTIC, data, RunConfig(25, 1.0, 5, (0.0, 0.0)),
                          np.random.default_rng(3))
    for key, sampling in (("sorted", "sequential"), ("shuffled", "shuffle")):
        run = c.run(sampling)
        np.testing.assert_array_equal(d[key]["w"], run.trajectory.params[:, 0])
        np.testing.assert_array_equal(d[key]["loss"], run.trajectory.loss)
        assert d[key]["mean_cosine"] == run.mean_cosine
        assert len(d[key]["share"]) == d[key]["updates"] == 200
    assert d["updates_per_epoch"] == 40 and d["class0"] + d["class1"] == 1000
    assert d["sorted"]["mean_cosine"] > 0.7 > 0.2 > abs(d["shuffled"]["mean_cosine"])
    assert d["replay_gap"] < 1e-12
    assert d["grid"]["loss"].shape == (60, 60)


def test_sorted_data_on_breast_cancer(client: TestClient) -> None:
    d = typed.loads(client.get("/api/dives/sorted-data?dataset=breast-cancer&b=569&epochs=2")
                    .content)
    # B = N: one batch holds everything, so reading order cannot matter
    np.testing.assert_allclose(d["sorted"]["w"], d["shuffled"]["w"], atol=1e-12)
    assert d["n"] == 569 and d["replay_gap"] < 1e-12


@pytest.mark.parametrize(("query", "field"), [
    ("b=0", "b"), ("b=1001", "b"), ("dataset=breast-cancer&b=570", "b"), ("lr=0", "lr"),
    ("lr=nan", "lr"), ("lr=11", "lr"), ("epochs=0", "epochs"), ("epochs=11", "epochs"),
    ("seed=-1", "seed"), ("seed=1001", "seed"), ("dataset=diabetes", "dataset"),
])
def test_bad_input_is_422_naming_the_field(client: TestClient, query: str, field: str) -> None:
    r = client.get(f"/api/dives/sorted-data?{query}")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field


def test_epoch_plan_of_the_worked_case(client: TestClient) -> None:
    keep = client.get("/api/epoch-plan?n=10&batch_size=3&seed=0").json()
    drop = client.get("/api/epoch-plan?n=10&batch_size=3&seed=0&drop_last=true").json()
    assert [len(b) for b in keep["batches"]] == [3, 3, 3, 1]
    assert sorted(i for b in keep["batches"] for i in b) == list(range(10))
    assert drop["batches"] == keep["batches"][:3]


@pytest.mark.browser
def test_epoch_builder_draws_the_worked_case(page: Any, widget: Any, console: list[str],
                                             failed: list[str]) -> None:
    w = widget("epoch-builder", "epoch")
    assert w.locator("[data-out=keep]").inner_text().startswith("4")
    assert w.locator("[data-out=drop]").inner_text().startswith("3")
    assert "yes" in w.locator("[data-out=check]").inner_text()
    blocks = w.locator(".eb-epoch[data-epoch='1'] .eb-block")
    assert blocks.count() == 4
    assert "eb-short" in (blocks.nth(3).get_attribute("class") or "")
    cells = w.locator(".eb-epoch[data-epoch='1'] .eb-block .eb-cell").all_inner_texts()
    assert sorted(int(c) for c in cells) == list(range(10))
    w.locator(".eb-next").click()
    page.wait_for_selector(".eb-epoch[data-epoch='2']")
    assert w.locator(".eb-epoch").count() == 2
    w.locator("input[value=drop]").check()
    assert w.locator(".eb-epoch[data-epoch='2'] .eb-dropped").count() == 1
    assert w.locator(".eb-epoch[data-epoch='2'] [data-check=skipped]").count() == 1
    w.locator("input[type=number]").nth(1).fill("11")
    assert re.search(r"B must be .* N = 10", w.locator(".field-error").inner_text())
    assert w.locator("input[type=number]").nth(1).get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert console == [] and failed == []


@pytest.mark.browser
def test_sorted_data_draws_both_runs(page: Any, widget: Any, console: list[str],
                                     failed: list[str]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    w = widget("sorted-data", "epoch")
    assert w.locator(".main-svg").count() >= 2
    assert w.locator(".sd-check").get_attribute("data-ok") == "true"
    def number(out: str) -> float:  # the page writes a real minus sign
        return float(w.locator(f"[data-out={out}]").inner_text().replace("\u2212", "-"))

    cos_sorted, cos_shuffled = number("cos-sorted"), number("cos-shuffled")
    assert cos_sorted > 0.7 > 0.2 > abs(cos_shuffled)
    w.locator("input[type=number]").fill("2000")
    assert "B must be" in w.locator(".field-error").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert console == [] and failed == []


def test_sorted_run_is_not_always_the_more_repetitive_one(api: Any) -> None:
    """Why the widget's caption is chosen from the numbers: on breast cancer with B = 100 the
    shuffled run's consecutive batch gradients agree more than the sorted run's, and at B = 1
    every batch of both runs holds a single class, so that count tells them apart only for B > 1."""
    d = api("/api/dives/sorted-data?dataset=breast-cancer&b=100")
    assert d["sorted"]["mean_cosine"] < d["shuffled"]["mean_cosine"]
    d = api("/api/dives/sorted-data?b=1&epochs=1")
    for key in ("sorted", "shuffled"):
        assert set(np.unique(d[key]["share"]).tolist()) <= {0.0, 1.0}
    assert d["sorted"]["mean_cosine"] > d["shuffled"]["mean_cosine"]
