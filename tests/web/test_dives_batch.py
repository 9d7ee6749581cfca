"""C2/C3 API and widgets: /api/dives/batch equals independent computations (finite
differences, the race's own start, the engine's step), bad input is a 422 naming the
field, and both widgets draw, react and pass their checks in a real browser."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.batching import make_plan
from batchlab.core.data import load
from batchlab.core.models import LINEAR, model_for
from batchlab.core.scene import LIMITS, SceneSpec, build


def _wait_drawn(page: Any, name: str) -> None:
    """Wait for the widget's latest request to be all drawn (its JS sets data-drawn to "0" when
    a request starts, "1" for the newest only): a field filled early is no sign of the rest."""
    page.wait_for_selector(f".widget[data-widget='{name}'][data-drawn='1']", timeout=30_000)


def data_n(dataset: str) -> int:
    return {"diabetes": 442, "breast-cancer": 569}.get(dataset, 1000)


def test_batch_is_the_rows_of_the_race_dataset_at_the_race_start(finite: Any, api: Any) -> None:
    d = api("/api/dives/batch?dataset=synthetic&rows=3,17,42&lr=0.2")
    data = load("synthetic", 1000, np.random.default_rng(0))
    start = build(SceneSpec.for_dataset("synthetic", epochs=1)).method("mini").trajectory.params[0]
    assert d["rows"].tolist() == [3, 17, 42] and d["size"] == 3 and d["model"] == "linear"
    assert d["theta"] == start.tolist()
    np.testing.assert_array_equal(d["X"], np.column_stack([data.x[[3, 17, 42]], np.ones(3)]))
    np.testing.assert_array_equal(d["y"], data.y[[3, 17, 42]])
    np.testing.assert_allclose(d["z"], data.x[[3, 17, 42]] * start[0] + start[1], atol=1e-14)
    assert finite(d)


@pytest.mark.parametrize("dataset", ["diabetes", "breast-cancer"])
def test_batch_gradient_matches_finite_differences_and_the_engine(
        api: Any, dataset: str) -> None:
    rows = [5, 60, 7, 300, 2]
    d = api(f"/api/dives/batch?dataset={dataset}&rows={','.join(map(str, rows))}&w0=0.4&b0=-0.3")
    data = load(dataset, data_n(dataset), np.random.default_rng(0))
    model = model_for(data.task)
    theta = np.array([0.4, -0.3])
    assert d["theta"] == [0.4, -0.3]

    def j_b(t: np.ndarray) -> float:
        return float(model.losses(t, data.x[rows], data.y[rows]).mean())

    h = 1e-6
    fd = [(j_b(theta + h * e) - j_b(theta - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(d["grad"], fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(d["per_example"].mean(axis=0), d["grad"], atol=1e-15)
    assert d["grad_gap"] <= 1e-12
    np.testing.assert_allclose(d["engine_grad"], d["grad"], rtol=0, atol=1e-12)
    assert d["batch_loss"] == pytest.approx(j_b(theta), rel=1e-12)


def test_step_per_coordinate_is_the_engine_step(api: Any) -> None:
    d = api("/api/dives/batch?dataset=synthetic-classification&rows=9,8,7,6&lr=0.7")
    assert d["lr"] == 0.7
    (w, b), (gw, gb) = d["theta"], d["grad"]
    assert d["next"] == [w - 0.7 * gw, b - 0.7 * gb]
    assert d["step_gap"] <= 1e-12
    np.testing.assert_allclose(d["engine_next"], d["next"], rtol=0, atol=1e-12)
    full = np.array(d["theta"]) - 0.7 * np.array(d["full_grad"])
    np.testing.assert_allclose(d["full_next"], full, atol=1e-15)
    assert d["full_loss_after"] < d["loss_before"]


def test_defaults_are_the_races_start_and_rate(api: Any) -> None:
    """Without w0, b0 and lr, θ is where the race's mini-batch run starts and η its rate."""
    d = api("/api/dives/batch?dataset=diabetes&rows=1")
    assert d["lr"] == 0.2
    scene = build(SceneSpec.for_dataset("diabetes", epochs=1))
    assert d["theta"] == scene.method("mini").trajectory.params[0].tolist()


def test_random_batch_is_the_engines_first_block(api: Any) -> None:
    d = api("/api/dives/batch?dataset=synthetic&b=7&seed=11")
    plan = make_plan(1000, 7, 1, np.random.default_rng(11))
    assert d["rows"].tolist() == plan.batch(0).tolist() and d["size"] == 7


def test_dataset_endpoint(finite: Any, api: Any) -> None:
    d = api("/api/dives/batch/data?dataset=synthetic")
    data = load("synthetic", 1000, np.random.default_rng(0))
    np.testing.assert_array_equal(d["x"], data.x)
    np.testing.assert_array_equal(d["y"], data.y)
    assert d["max_rows"] == 16 and d["n"] == 1000 and d["lr"] == 0.2
    g = d["grid"]
    i, j = 7, 40
    assert g["loss"][i][j] == pytest.approx(
        LINEAR.loss(np.array([g["w"][j], g["b"][i]]), data.x, data.y), rel=1e-10)
    assert d["minimum"]["loss"] <= float(np.min(g["loss"])) + 1e-12
    assert finite(d)


@pytest.mark.parametrize(("query", "field"), [
    ("batch?rows=3,3", "rows"), ("batch?rows=1000", "rows"),
    ("batch?dataset=diabetes&rows=442", "rows"),
    ("batch?rows=a,b", "rows"), ("batch?rows=", "rows"), ("batch?rows=-1", "rows"),
    ("batch?rows=" + ",".join(map(str, range(17))), "rows"), ("batch?rows=" + "1" * 201, "rows"),
    ("batch?b=0", "b"), ("batch?b=17", "b"), ("batch?seed=-1", "seed"), ("batch?lr=0", "lr"),
    ("batch?lr=11", "lr"), ("batch?lr=nan", "lr"), ("batch?w0=1", "b0"), ("batch?b0=1", "w0"),
    ("batch?w0=1e9&b0=0", "w0"), ("batch?w0=0&b0=inf", "b0"), ("batch?dataset=mnist", "dataset"),
    ("batch/data?dataset=sharp-flat", "dataset"),
])
def test_bad_input_is_422_naming_the_field(client: TestClient, query: str, field: str) -> None:
    r = client.get(f"/api/dives/{query}")
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field


@pytest.mark.browser
def test_batch_rows_widget_picks_rows_and_checks(page: Any, widget: Any, console: list[str],
                                                 failed: list[str]) -> None:
    w = widget("batch-rows")
    assert w.locator(".br-eq").count() == 3
    assert "Check passed" in w.locator(".br-check").inner_text()
    assert w.locator(".main-svg").count() >= 1
    rows = w.locator("input.br-rows-input")
    before = rows.input_value()
    w.locator("input[id$='-r7']").check()
    page.wait_for_function("(el) => el.value.endsWith(', 7')", arg=rows.element_handle())
    # the rows field is filled before the chart, the matrices after it: wait for those too
    _wait_drawn(page, "batch-rows")
    x_b = w.locator(".br-eq .br-mat").first.locator("tbody tr")
    assert x_b.count() == len(before.split(",")) + 1
    # keyboard: one box in the tab order, arrows move, Space ticks
    w.locator("input[id$='-r0']").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    page.wait_for_function("(el) => el.value.endsWith(', 7, 2')", arg=rows.element_handle())
    _wait_drawn(page, "batch-rows")
    assert w.locator(".br-table input[tabindex='0']").count() == 1
    rows.fill("2, 2")
    rows.press("Enter")
    assert "only once" in w.locator(".field-error").first.inner_text()
    rows.fill("5, 60")
    rows.press("Enter")
    page.wait_for_function("(el) => el.querySelector('.br-eq .br-mat').querySelectorAll('tbody tr')"
                           ".length === 2", arg=w.element_handle())
    assert "Check passed" in w.locator(".br-check").inner_text()
    assert console == [] and failed == []


@pytest.mark.browser
def test_coordinate_step_widget_steps_and_checks(page: Any, widget: Any, console: list[str],
                                                 failed: list[str]) -> None:
    w = widget("coordinate-step")
    assert w.locator(".cs-coord").count() == 2
    assert "Check passed" in w.locator(".br-check").inner_text()
    assert "First step" in w.locator(".cs-where").inner_text()
    w.get_by_role("button", name="Take this step, draw a new batch").click()
    page.wait_for_function("(el) => el.querySelector('.cs-where').textContent.includes('Step 2')",
                           arg=w.element_handle())
    _wait_drawn(page, "coordinate-step")                     # its chart and cards too
    assert "Check passed" in w.locator(".br-check").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert console == [] and failed == []


@pytest.mark.parametrize("dataset", ["synthetic", "diabetes", "synthetic-classification",
                                     "breast-cancer"])
def test_the_prose_batch_exists_in_every_dataset(api: Any, dataset: str) -> None:
    """C2 opens on ℬ_t = {3, 17, 42}, the batch its text writes out, whatever the dataset."""
    d = api(f"/api/dives/batch?dataset={dataset}&rows=3,17,42")
    assert d["rows"].tolist() == [3, 17, 42] and d["grad_gap"] <= 1e-12


@pytest.mark.parametrize("path", ["batch?rows=3,17,42", "sum-vs-mean?b=25"])
def test_c3_and_c11_routes_take_the_races_learning_rates(client: TestClient, path: str) -> None:
    """C3 and C11 accept the race's η range (LIMITS, which the page's RATE reads from #meta)
    and refuse what lies outside it, naming the field."""
    low, high = LIMITS["lr"].low, LIMITS["lr"].high
    for lr in (low, high):
        assert client.get(f"/api/dives/{path}&lr={lr}").status_code == 200
    for lr in (low * 0.9, high * 1.1):
        r = client.get(f"/api/dives/{path}&lr={lr}")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lr"
