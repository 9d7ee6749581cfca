"""The lesson's live measurements: API values equal the core's, bad input is a 422,
and the page draws every measurement when the reader scrolls to it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.data import load
from batchlab.core.gradstats import batch_covariance_factor, per_example_covariance
from batchlab.core.models import LINEAR
from batchlab.web import typed
from batchlab.web.app import create_app
from batchlab.web.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(Settings(results_dir=tmp_path_factory.mktemp("r"))))


def test_noise_curve_matches_the_exact_law(client: TestClient) -> None:
    d = typed.loads(client.get("/api/experiments/noise-vs-batch?dataset=diabetes").content)
    data = load("diabetes", 442, np.random.default_rng(0))
    tr = np.trace(per_example_covariance(LINEAR, data, d["theta"]))
    exact = [batch_covariance_factor(442, int(b)) * tr for b in d["batch_sizes"]]
    np.testing.assert_allclose(d["exact"], exact, rtol=1e-12)
    np.testing.assert_allclose(d["measured"][:-1], d["exact"][:-1], rtol=0.15)
    assert d["batch_sizes"][-1] == 442 and d["exact"][-1] == 0.0


def test_flat_basin_favours_small_batches(client: TestClient) -> None:
    d = typed.loads(client.get("/api/experiments/flat-basin").content)
    assert d["constant"][0] > d["constant"][-1] + 0.2
    assert d["runs"] == 200 and len(d["cosine"]) == len(d["batch_sizes"])


def test_steps_to_target_fall_with_batch_size(client: TestClient) -> None:
    d = typed.loads(client.get("/api/experiments/steps-to-target").content)
    assert d["steps"][0] > 2 * d["steps"][-1] > 0
    assert d["b_crit"] > 0 and d["b_simple"] > 0


@pytest.mark.parametrize("query", ["noise-vs-batch?dataset=mnist", "flat-basin?seed=-1",
                                   "steps-to-target?seed=100000"])
def test_bad_input_is_422(client: TestClient, query: str) -> None:
    r = client.get(f"/api/experiments/{query}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] in ("dataset", "seed")


def test_page_draws_the_measurements_on_scroll(page: Any, server: str,
                                               console: list[str]) -> None:
    page.goto(f"{server}/")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    for name in ("flat-basin", "noise-vs-batch", "loss-curves", "steps-to-target"):
        w = page.locator(f".widget[data-widget='{name}']")
        w.scroll_into_view_if_needed()
        page.wait_for_selector(f".widget[data-widget='{name}'][data-drawn='1']", timeout=30_000)
        assert w.locator(".main-svg").count() >= 1
        assert "Could not" not in w.inner_text()
    assert console == []
