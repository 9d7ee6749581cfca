"""Server-Timing: every response carries the server's own time; an uncached scene adds
its build's stages, a cached one says it was a hit."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from batchlab.web.app import create_app
from batchlab.web.settings import Settings
from batchlab.web.timing import metrics, parse


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(Settings(results_dir=tmp_path_factory.mktemp("results"))))


def test_metrics_and_parse_round_trip() -> None:
    value = metrics([("engine", 0.0025), ("compress", 0.00125)])
    assert value == "engine;dur=2.500, compress;dur=1.250"
    assert parse(value) == {"engine": 2.5, "compress": 1.25}
    assert parse('cache;desc="hit", app;dur=0.3') == {"cache": 0.0, "app": 0.3}
    assert parse("") == {}


def test_every_response_says_how_long_the_server_took(client: TestClient) -> None:
    for url in ("/healthz", "/api/meta", "/static/css/lesson.css", "/api/scene?n=0"):
        r = client.get(url)
        app = parse(r.headers["server-timing"])["app"]
        assert 0 < app < 60_000, (url, r.headers["server-timing"])


def test_uncached_scene_reports_its_stages_within_the_servers_time(client: TestClient
                                                                   ) -> None:
    t = time.perf_counter()
    r = client.get("/api/scene?seed=71&format=binary")
    wall = (time.perf_counter() - t) * 1e3
    stages = parse(r.headers["server-timing"])
    assert set(stages) == {"engine", "serialise", "compress", "app"}
    assert all(v > 0 for v in stages.values())
    built = stages["engine"] + stages["serialise"] + stages["compress"]
    assert built <= stages["app"] <= wall  # stages inside the server's time, inside ours
    again = parse(client.get("/api/scene?seed=71&format=binary").headers["server-timing"])
    assert set(again) == {"cache", "app"}
