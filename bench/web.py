"""Web benchmark, one run on loopback: /api/scene uncached and cached against a static file
of the same bytes; the uncached split (engine / serialise / compress); page weight and time
to the first drawn figure in Chromium (when it is installed).

Run: ``make bench`` or ``.venv/bin/python bench/web.py``.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from batchlab.core.scene import SceneSpec
from batchlab.web import timing
from batchlab.web.memory import keep_freed_memory
from batchlab.web.scenes import SceneFormat, encode_scene

REQUESTS = 200
UNCACHED = 60
SPLIT_BUILDS = 60
TARGET_CACHED_VS_STATIC = 0.5
CHROMIUM = "/usr/bin/chromium"


def serve(port: int, static_dir: str) -> None:
    """Child process: the app plus a StaticFiles mount of ``static_dir`` at /bench-static."""
    import uvicorn
    from fastapi.staticfiles import StaticFiles

    from batchlab.web.app import create_app
    from batchlab.web.settings import Settings

    app = create_app(Settings(port=port, scene_cache_size=16))
    app.mount("/bench-static", StaticFiles(directory=static_dir), name="bench")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Run:
    """Sequential GETs: client latencies (s), the last body's size (bytes as sent, not
    inflated) and each response's Server-Timing durations (ms)."""

    lat: list[float] = field(default_factory=list)
    size: int = 0
    server: list[dict[str, float]] = field(default_factory=list)


def timed(client: httpx.Client, urls: Callable[[int], str], count: int,
          headers: dict[str, str] | None = None) -> Run:
    """``count`` sequential GETs of ``urls(i)``."""
    run = Run()
    for i in range(count):
        t = time.perf_counter()
        with client.stream("GET", urls(i), headers=headers) as r:
            r.raise_for_status()
            run.size = sum(len(c) for c in r.iter_raw())
        run.lat.append(time.perf_counter() - t)
        run.server.append(timing.parse(r.headers.get("server-timing", "")))
    return run


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def row(name: str, run: Run) -> float:
    rps = len(run.lat) / sum(run.lat)
    server = statistics.median(s["app"] for s in run.server)
    print(f"{name:<38}{pct(run.lat, .5) * 1e3:>8.2f}{pct(run.lat, .99) * 1e3:>8.2f}"
          f"{server:>8.2f}{rps:>8.0f}{run.size / 1024:>7.0f}")
    return rps


def server_split(run: Run) -> float:
    """Medians (ms) of the server's own Server-Timing for uncached scenes: its whole time
    to the response headers and the build's stages; the engine's share of the former."""
    med = {k: statistics.median(s[k] for s in run.server)
           for k in ("app", "engine", "serialise", "compress")}
    rest = med["app"] - med["engine"] - med["serialise"] - med["compress"]
    wire = pct(run.lat, .5) * 1e3 - med["app"]
    share = med["engine"] / med["app"]
    print(f"  server, request in → headers out {med['app']:.2f}: engine {med['engine']:.2f} "
          f"({share:.0%}), serialise {med['serialise']:.2f}, zstd + ETag "
          f"{med['compress']:.2f}, routing + validation + thread hop {rest:.2f}")
    print(f"  then the body's {run.size / 1024:.0f} KiB to the client and its reading: "
          f"{wire:.2f} (client p50 − server median)")
    return share


def split(fmt: SceneFormat) -> float:
    """Median ms per stage of an uncached default-scene build, in-process; the engine's
    share of their sum."""
    rows = []
    for seed in range(SPLIT_BUILDS):
        t = encode_scene(SceneSpec(seed=100 + seed), fmt)[1]
        rows.append((t.engine, t.serialise, t.compress))
    med = [statistics.median(c) * 1e3 for c in zip(*rows, strict=True)]
    total = sum(med)
    print(f"  {fmt + ':':<8}engine {med[0]:.2f} ({med[0] / total:.0%}), serialise "
          f"{med[1]:.2f} ({med[1] / total:.0%}), zstd + ETag {med[2]:.2f} "
          f"({med[2] / total:.0%})")
    return med[0] / total


def browser(base: str) -> None:
    """Page weight (bytes over the wire) and time to the first drawn race figure."""
    if not Path(CHROMIUM).exists():
        print("page: chromium not installed, skipped")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for label in ("cold", "warm server cache"):
            ctx = b.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            weight = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                const res = performance.getEntriesByType('resource');
                return [nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
                        nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0),
                        res.length + 1];
            }""")
            first = page.evaluate("window.batchlab.firstFigureMs")
            print(f"page ({label}, new browser cache): {weight[0] / 1024:.0f} KiB transferred, "
                  f"{weight[1] / 1024:.0f} KiB decoded, {weight[2]} requests; "
                  f"first race figure drawn {first:.0f} ms after navigation start")
            ctx.close()
        b.close()


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), sys.argv[3])
        return 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), tmp])
        try:
            with httpx.Client(headers={"Accept-Encoding": "gzip, zstd"}, timeout=60) as client:
                for _ in range(600):  # up, and done with its background warm-up
                    try:
                        if client.get(base + "/healthz").json()["warm"]:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.1)
                default = client.get(base + "/api/scene")  # warm numba, fill the cache
                Path(tmp, "scene.json").write_bytes(default.content)  # inflated JSON
                timed(client, lambda i: base + "/bench-static/scene.json", 10)
                print(f"loopback, one uvicorn worker, {REQUESTS} sequential requests each "
                      f"(uncached: {UNCACHED}); scene bodies as browsers get them (zstd), "
                      "the static file uncompressed (its fastest path)")
                print("ms; server: the server's own time to the response headers "
                      "(Server-Timing app, median)")
                print(f"{'':<38}{'p50':>8}{'p99':>8}{'server':>8}{'req/s':>8}{'KiB':>7}")
                page = timed(client, lambda i: f"{base}/api/scene?seed={1000 + i}"
                             "&format=binary", UNCACHED)
                unc = row("/api/scene uncached, page (binary)", page)
                row("/api/scene uncached, JSON", timed(
                    client, lambda i: f"{base}/api/scene?seed={2000 + i}", UNCACHED))
                cached = row("/api/scene cached (default, JSON)", timed(
                    client, lambda i: base + "/api/scene", REQUESTS))
                row("/api/scene cached (default, binary)", timed(
                    client, lambda i: base + "/api/scene?format=binary", REQUESTS))
                static = row("static file, same JSON (StaticFiles)", timed(
                    client, lambda i: base + "/bench-static/scene.json", REQUESTS,
                    {"Accept-Encoding": "identity"}))
                print(f"cached scene / static file throughput: {cached / static:.2f}× "
                      f"(target ≥ {TARGET_CACHED_VS_STATIC}×); cached / uncached: "
                      f"{cached / unc:.0f}×")
                print("the page's uncached default scene, over HTTP:")
                served = server_split(page)
            print(f"uncached default scene, split by stage (median of {SPLIT_BUILDS} builds), "
                  "with glibc's default allocator:")
            split("binary")
            print("the same with the server's allocator settings (web/memory.py: freed "
                  f"buffers kept for reuse; applied: {keep_freed_memory()}):")
            share = split("binary")
            split("json")
            print(f"engine share of the server's time on the page's uncached scene: "
                  f"{served:.0%}; of the in-process build: {share:.0%} (target: the engine "
                  "dominates, > 50%)")
            browser(base)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
