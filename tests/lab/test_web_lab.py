"""The /lab page and /api/lab/results: listing, figures, no traversal, no 500, offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from batchlab.lab import store
from batchlab.web.routes.lab import make_router
from batchlab.web.settings import Settings


def _result(root: Path, name: str) -> Path:
    folder = root / name
    store.write_json(folder / store.META, {"kind": "sweep", "workload": "digits-mlp",
                                           "created": "2025-01-01T00:00:00"})
    store.write_json(folder / store.SUMMARY, {
        "columns": ["batch_size", "steps"], "table": [{"batch_size": 8, "steps": 120.5}],
        "fits": {"b_crit_steps": 31.25}, "notes": ["a <b>note</b>"], "warnings": []})
    (folder / "figures").mkdir()
    (folder / "figures" / "steps_vs_batch.json").write_text('{"data": [], "layout": {}}')
    (folder / "figures" / "steps_vs_batch.png").write_bytes(b"\x89PNG\r\n")
    return folder


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    root = tmp_path / "results"
    _result(root, "good-run")
    bad = root / "bad-run"
    bad.mkdir()
    (bad / store.META).write_text("[1, 2")
    (bad / store.SUMMARY).write_text('{"columns": 5, "table": {"x": 1}, "fits": [1]}')
    odd = root / "odd-run"
    store.write_json(odd / store.META, {"kind": 3})
    store.write_json(odd / store.SUMMARY, {"columns": ["a", 7], "table": [3, {"a": [1, None]}]})
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "figures").mkdir()
    (tmp_path / "secret" / "figures" / "x.json").write_text('{"secret": 1}')
    store.write_json(tmp_path / "secret" / store.META, {"kind": "sweep"})
    (root / "link-out").symlink_to(tmp_path / "secret")
    app = FastAPI()
    app.include_router(make_router(Settings(results_dir=root)))
    return TestClient(app)


def test_api_lists_results_defensively(client: TestClient) -> None:
    r = client.get("/api/lab/results")
    assert r.status_code == 200
    by = {e["name"]: e for e in r.json()["results"]}
    assert set(by) == {"bad-run", "good-run", "link-out", "odd-run"}
    good = by["good-run"]
    assert good["rows"] == [["8", "120.5"]] and good["fits"] == [["b_crit_steps", "31.25"]]
    assert good["figures"] == ["steps_vs_batch"] and good["error"] is None
    assert by["bad-run"]["kind"] == "" and by["bad-run"]["rows"] == []
    assert by["odd-run"]["rows"] == [["[1, -]", "-"]]
    assert by["link-out"]["error"] and by["link-out"]["figures"] == []  # outside: not read


def test_page_shows_tables_and_figures_offline(client: TestClient) -> None:
    r = client.get("/lab")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    html = r.text
    assert "good-run" in html and "120.5" in html and "b_crit_steps = 31.25" in html
    assert "a &lt;b&gt;note&lt;/b&gt;" in html  # escaped
    assert '/lab/good-run/figures/steps_vs_batch.png' in html
    assert '/static/vendor/plotly-cartesian.min.js' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_figures_served_and_traversal_refused(client: TestClient) -> None:
    assert client.get("/api/lab/results/good-run/figures/steps_vs_batch").json() == {
        "data": [], "layout": {}}
    png = client.get("/lab/good-run/figures/steps_vs_batch.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    for url in ("/api/lab/results/..%2Fsecret/figures/x",
                "/api/lab/results/link-out/figures/x",
                "/api/lab/results/good-run/figures/..%2F..%2Fmeta",
                "/api/lab/results/.hidden/figures/x",
                "/lab/good-run/figures/missing.png"):
        assert client.get(url).status_code == 404, url


def test_empty_or_missing_results_dir(tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(make_router(Settings(results_dir=tmp_path / "none")))
    c = TestClient(app)
    listing = c.get("/api/lab/results").json()
    assert listing["results"] == [] and listing["exists"] is False
    assert f"No results yet in <code>{tmp_path / 'none'}</code> (the folder does not" in \
        c.get("/lab").text
    (tmp_path / "none").mkdir()
    assert c.get("/api/lab/results").json()["exists"] is True
    assert "does not" not in c.get("/lab").text
