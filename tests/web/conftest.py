"""Browser-test plumbing: Debian's Chromium, the app on a free loopback port, no outside hosts."""

from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient

from batchlab.web import typed
from batchlab.web.app import create_app
from batchlab.web.settings import Settings

CHROMIUM = "/usr/bin/chromium"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium with flags that keep it quiet and offline."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The app in-process (no server), with its own results folder."""
    return TestClient(create_app(Settings(results_dir=tmp_path_factory.mktemp("results"))))


@pytest.fixture
def api(client: TestClient) -> Callable[[str], dict[str, Any]]:
    """``api(url)``: GET ``url`` from the app, require a 200, decode its typed arrays."""
    def get(url: str) -> dict[str, Any]:
        r = client.get(url)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = typed.loads(r.content)
        return out
    return get


def _finite(obj: Any) -> bool:
    if isinstance(obj, np.ndarray):
        return bool(np.all(np.isfinite(obj)))
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return True


@pytest.fixture
def finite() -> Callable[[Any], bool]:
    """``finite(obj)``: no NaN or infinity anywhere in a decoded response."""
    return _finite


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    port = _free_port()
    settings = Settings(port=port, results_dir=tmp_path_factory.mktemp("results"))
    srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


class Outside:
    """Every request to a non-loopback host: recorded, then aborted."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def handle(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            self.attempts.append(route.request.url)
            route.abort()


@pytest.fixture
def outside(context: Any) -> Outside:
    """Route interception on the whole browser context."""
    rec = Outside()
    context.route("**/*", rec.handle)
    return rec


@pytest.fixture
def failed(page: Any) -> list[str]:
    """URLs the page requested that answered with a status of 400 or more."""
    urls: list[str] = []
    page.on("response", lambda r: urls.append(r.url) if r.status >= 400 else None)
    return urls


@pytest.fixture
def widget(page: Any, server: str) -> Callable[..., Any]:
    """``widget(name, anchor="")``: open the lesson, scroll the widget into view, wait until
    it has drawn (``data-drawn="1"``) and return its locator."""
    def open_widget(name: str, anchor: str = "") -> Any:
        page.goto(f"{server}/{'#' + anchor if anchor else ''}")
        page.wait_for_selector("body[data-ready='1']", timeout=20_000)
        sel = f".widget[data-widget='{name}']"
        page.locator(sel).scroll_into_view_if_needed()
        page.wait_for_selector(f"{sel}[data-drawn='1']", timeout=30_000)
        return page.locator(sel)
    return open_widget


@pytest.fixture
def console(page: Any) -> list[str]:
    """Console errors and uncaught exceptions of the page."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors
