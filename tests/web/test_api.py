"""API: thin routes over the core, 422 naming the field for bad input, never NaN."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from batchlab.core.batching import iterations_per_epoch
from batchlab.core.scene import RECOMMENDED, SceneSpec, build
from batchlab.web import frame, typed
from batchlab.web.app import create_app
from batchlab.web.schemas import Dataset
from batchlab.web.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(results_dir=tmp_path_factory.mktemp("results"), scene_cache_size=8)
    return TestClient(create_app(settings))


def _field(r: Any) -> str:
    assert r.status_code == 422, r.text
    return str(r.json()["detail"][0]["loc"][-1])


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_start_up_warms_the_default_scene_then_says_so(tmp_path: Any) -> None:
    with TestClient(create_app(Settings(results_dir=tmp_path))) as c:  # runs the lifespan
        deadline = time.monotonic() + 60
        while not (h := c.get("/healthz").json())["warm"]:
            assert time.monotonic() < deadline, "warm-up did not finish in 60 s"
            time.sleep(0.05)
        assert h["scene_cache"]["items"] == 1  # the page's default scene, ready


def test_meta_agrees_with_core(client: TestClient) -> None:
    m = client.get("/api/meta").json()
    assert m["recommended"] == RECOMMENDED
    assert m["limits"]["batch_size"] == {"low": 1, "high": 5000}
    assert [x["key"] for x in m["methods"]] == ["full", "mini", "stochastic"]
    assert m["schedules"] == ["cosine", "constant"] and "shuffle" in m["samplings"]


def test_dataset_literal_matches_core() -> None:
    assert set(Dataset.__args__) == set(RECOMMENDED)


def test_default_scene_has_three_real_paths(client: TestClient) -> None:
    r = client.get("/api/scene")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    s = typed.loads(r.content)
    full, mini, sto = s["methods"]
    assert (full["key"], mini["key"], sto["key"]) == ("full", "mini", "stochastic")
    assert full["updates"] == 30 and mini["updates"] == 30 * 32 and sto["updates"] == 30_000
    for m in s["methods"]:
        assert len(m["w"]) == len(m["b"]) == len(m["loss"]) == m["updates"] + 1
        assert m["examples"][-1] == 30 * 1000
        assert m["w"].dtype == np.float64 and m["examples"].dtype == np.uint16  # 30 000 fits
        assert m["updates_per_epoch"] == iterations_per_epoch(1000, m["batch_size"])
    assert set(s["minimum"]) == {"w", "b", "loss"}


def test_scene_is_compressed_and_cached(client: TestClient) -> None:
    url = "/api/scene?seed=7"
    z = client.get(url, headers={"Accept-Encoding": "gzip, zstd"})
    a = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert z.headers["content-encoding"] == "zstd" and a.headers["content-encoding"] == "gzip"
    # different bytes on the wire, different ETags: a 304 only for the encoding held
    assert a.headers["etag"] != z.headers["etag"]
    gz = {"Accept-Encoding": "gzip", "If-None-Match": a.headers["etag"]}
    assert client.get(url, headers=gz).status_code == 304
    zs = {"Accept-Encoding": "zstd", "If-None-Match": a.headers["etag"]}
    assert client.get(url, headers=zs).status_code == 200
    both = f'"nope", W/{a.headers["etag"]}, {z.headers["etag"]}'  # a list, one weak: still held
    assert client.get(url, headers={**zs, "If-None-Match": both}).status_code == 304
    assert client.get(url, headers={**zs, "If-None-Match": "*"}).status_code == 304
    refused = client.get(url, headers={"Accept-Encoding": "zstd;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"
    raw = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len({raw.headers["etag"], a.headers["etag"], z.headers["etag"]}) == 3
    assert raw.content == a.content == z.content  # the client inflated both the same
    assert client.get("/healthz").json()["scene_cache"]["items"] >= 1


@pytest.mark.parametrize("fmt", ["json", "binary"])
def test_scene_arrays_are_the_engines_exact_values(client: TestClient, fmt: str) -> None:
    r = client.get(f"/api/scene?seed=2&n=200&epochs=3&format={fmt}")
    s = (frame.loads if fmt == "binary" else typed.loads)(r.content)
    scene = build(SceneSpec(seed=2, n=200, epochs=3))
    for rec, m in zip(s["methods"], scene.methods, strict=True):
        np.testing.assert_array_equal(rec["w"], m.trajectory.params[:, 0])
        np.testing.assert_array_equal(rec["loss"], m.trajectory.loss)
        np.testing.assert_array_equal(rec["order"], m.trajectory.plan.order)
        np.testing.assert_array_equal(rec["step_lr"], m.trajectory.lr)
    np.testing.assert_array_equal(s["landscape"]["loss"], scene.grid.loss)


def test_binary_scene_carries_the_same_values_as_json(client: TestClient) -> None:
    b = client.get("/api/scene?seed=5&format=binary")
    j = client.get("/api/scene?seed=5")
    assert b.headers["content-type"] == frame.MEDIA_TYPE
    assert b.headers["etag"] != j.headers["etag"]
    _assert_same(frame.loads(b.content), typed.loads(j.content))
    assert len(b.content) < len(j.content)


def _assert_same(a: Any, b: Any) -> None:
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    else:
        assert a == b


def test_real_dataset_defaults_to_its_recommended_settings(client: TestClient) -> None:
    spec = typed.loads(client.get("/api/scene?dataset=breast-cancer").content)["spec"]
    assert (spec["n"], spec["lr"], spec["epochs"]) == (569, 2.0, 80)


def test_same_seed_same_paths(client: TestClient) -> None:
    client.app.state.scene_cache._items.clear()  # type: ignore[attr-defined]
    a = client.get("/api/scene?seed=3&batch_size=64").content
    client.app.state.scene_cache._items.clear()  # type: ignore[attr-defined]
    b = client.get("/api/scene?seed=3&batch_size=64").content
    c = client.get("/api/scene?seed=4&batch_size=64").content
    assert a == b
    assert not np.array_equal(typed.loads(a)["methods"][2]["w"],
                              typed.loads(c)["methods"][2]["w"])


@pytest.mark.parametrize(("query", "field"), [
    ("batch_size=0", "batch_size"),
    ("batch_size=2000", "batch_size"),
    ("batch_size=abc", "batch_size"),
    ("lr=1e9", "lr"),
    ("lr=nan", "lr"),
    ("lr=inf", "lr"),
    ("lr=-1", "lr"),
    ("epochs=0", "epochs"),
    ("epochs=100", "epochs"),
    ("n=5", "n"),
    ("dataset=diabetes&n=1000", "n"),
    ("dataset=mnist", "dataset"),
    ("seed=-1", "seed"),
    ("schedule=zigzag", "schedule"),
    ("schedule=warmup", "schedule"),  # the race has no warm-up length to go with it
    ("schedule=step", "schedule"),  # counted in each method's own updates: not comparable
    ("bogus=1", "bogus"),
    ("format=xml", "format"),
])
def test_bad_scene_input_is_422_naming_the_field(client: TestClient, query: str,
                                                 field: str) -> None:
    r = client.get(f"/api/scene?{query}")
    assert _field(r) == field
    assert r.json()["detail"][0]["msg"]


def test_huge_learning_rate_diverges_into_valid_json(finite: Any, client: TestClient) -> None:
    r = client.get("/api/scene?lr=10", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    json.loads(r.content, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    s = typed.loads(r.content)
    assert finite(s)
    assert all(m["diverged"] and m["diverged_at"] >= 1 for m in s["methods"])


@pytest.mark.parametrize(("n", "b", "drop"), [(1000, 32, False), (1000, 32, True),
                                              (10, 3, False), (10, 3, True), (7, 7, False)])
def test_epoch_plan(client: TestClient, n: int, b: int, drop: bool) -> None:
    d = client.get(f"/api/epoch-plan?n={n}&batch_size={b}&drop_last={str(drop).lower()}").json()
    assert d["iterations_per_epoch"] == (n // b if drop else -(-n // b))
    assert len(d["batches"]) == d["iterations_per_epoch"]
    seen = sorted(i for batch in d["batches"] for i in batch)
    assert seen == sorted(set(seen)) and len(seen) == (n // b * b if drop else n)


@pytest.mark.parametrize(("query", "field"), [("n=10&batch_size=11", "batch_size"),
                                              ("n=0&batch_size=1", "n"),
                                              ("batch_size=3", "n"),
                                              ("n=100000&batch_size=1&epochs=5", "epochs")])
def test_bad_plan_input(client: TestClient, query: str, field: str) -> None:
    assert _field(client.get(f"/api/epoch-plan?{query}")) == field


def test_openapi_and_no_remote_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/scene", "/api/epoch-plan", "/healthz", "/api/meta"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 404


def test_plotly_served_locally_and_compressed(client: TestClient) -> None:
    r = client.get("/static/vendor/plotly-cartesian.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < 2_000_000
    assert b"plotly.js" in r.content[:200]
    z = client.get("/static/vendor/plotly-cartesian.min.js", headers={"Accept-Encoding": "zstd"})
    assert z.headers["content-encoding"] == "zstd" and z.content == r.content
    assert int(z.headers["content-length"]) < int(r.headers["content-length"])


def test_broken_lesson_content_names_the_file_and_line(tmp_path: Any) -> None:
    from pathlib import Path

    from batchlab.lesson.errors import ContentError
    from batchlab.web.routes import pages

    def broken() -> Any:
        raise ContentError(Path("b2-formulas.md"), 12, "unclosed $")

    from fastapi import FastAPI

    app = FastAPI()
    app.include_router(pages.make_router(broken, has_lab=False))
    r = TestClient(app).get("/")
    assert r.status_code == 503 and "b2-formulas.md:12" in r.text and "unclosed $" in r.text
