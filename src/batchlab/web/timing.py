"""Server-Timing (W3C): every response says how long the server worked on it before its
headers left (``app``), and a scene says how that split into engine, serialise and
compress. Browsers show it in their network panel; ``bench/web.py`` reads it."""

from __future__ import annotations

import time
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"server-timing"


def metrics(items: Iterable[tuple[str, float]]) -> str:
    """A Server-Timing value from (name, seconds) pairs, durations in milliseconds."""
    return ", ".join(f"{name};dur={sec * 1e3:.3f}" for name, sec in items)


def parse(value: str) -> dict[str, float]:
    """Durations (ms) by metric name from a Server-Timing value (metrics without one: 0)."""
    out: dict[str, float] = {}
    for metric in filter(None, (m.strip() for m in value.split(","))):
        name, *params = (p.strip() for p in metric.split(";"))
        dur = [float(p[4:]) for p in params if p.startswith("dur=")]
        out[name] = dur[0] if dur else 0.0
    return out


class ServerTiming:
    """ASGI middleware: adds ``app;dur=`` (request received → response headers) to every
    HTTP response, after any metrics the route set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                app = metrics([("app", time.perf_counter() - start)]).encode()
                headers = [(k, v) for k, v in message.get("headers", []) if k != HEADER]
                given = [v for k, v in message.get("headers", []) if k == HEADER]
                headers.append((HEADER, b", ".join([*given, app])))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)
