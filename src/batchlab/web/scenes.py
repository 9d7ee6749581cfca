"""Scene responses as ready compressed bytes: a bounded LRU keyed by spec and format,
bounded builds. Two formats carry the same values: JSON with base64 typed arrays (for any
client) and the binary frame the page reads (smaller, and about 4× cheaper to encode)."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from anyio import to_thread

from batchlab.core.export import scene_to_dict
from batchlab.core.scene import SceneSpec, build
from batchlab.web import frame, typed
from batchlab.web.responses import Blob
from batchlab.web.timing import metrics

SceneFormat = Literal["json", "binary"]


@dataclass(frozen=True)
class Encoding:
    """How one format is written: serialiser, media type and zstd level."""

    dumps: Callable[[Any], bytes | bytearray]
    media_type: str
    level: int


ENCODINGS: dict[str, Encoding] = {
    # base64 text needs level 1 to shrink; raw float64 bytes hardly shrink at any level,
    # so -1 only takes what is cheap to take (the small integers)
    "json": Encoding(typed.dumps, "application/json", 1),
    "binary": Encoding(frame.dumps, frame.MEDIA_TYPE, -1),
}


@dataclass(frozen=True)
class Timings:
    """Seconds one build spent per stage."""

    engine: float
    serialise: float
    compress: float

    def header(self) -> str:
        """The stages as a Server-Timing value."""
        return metrics([("engine", self.engine), ("serialise", self.serialise),
                        ("compress", self.compress)])


HIT = 'cache;desc="hit"'  # Server-Timing of a body that was already built


def encode_scene(spec: SceneSpec, fmt: SceneFormat) -> tuple[Blob, Timings]:
    """Build the scene and return it in format ``fmt``, zstd-compressed, with the time
    each stage took."""
    enc = ENCODINGS[fmt]
    t0 = time.perf_counter()
    scene = build(spec)
    t1 = time.perf_counter()
    raw = enc.dumps(scene_to_dict(scene, digits=-1))
    t2 = time.perf_counter()
    body = Blob.of(raw, enc.level)
    t3 = time.perf_counter()
    return body, Timings(t1 - t0, t2 - t1, t3 - t2)


Key = tuple[SceneSpec, SceneFormat]


@dataclass
class SceneCache:
    """LRU of compressed scene bodies, bounded by count and bytes; at most N builds at once."""

    max_items: int
    max_bytes: int
    max_builds: int
    _items: OrderedDict[Key, Blob] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _gate: asyncio.Semaphore | None = None
    _pending: dict[Key, asyncio.Future[Blob]] = field(default_factory=dict)

    def get(self, key: Key) -> Blob | None:
        """The cached body for ``key`` (marked as recently used), or None."""
        body = self._items.get(key)
        if body is not None:
            self._items.move_to_end(key)
        return body

    def put(self, key: Key, body: Blob) -> None:
        """Store ``body``, evicting the least recently used entries beyond the bounds."""
        if key in self._items:
            self._bytes -= self._items.pop(key).size
        self._items[key] = body
        self._bytes += body.size
        while self._items and (len(self._items) > self.max_items or self._bytes > self.max_bytes):
            _, old = self._items.popitem(last=False)
            self._bytes -= old.size

    async def body(self, spec: SceneSpec, fmt: SceneFormat = "json"
                   ) -> tuple[Blob, Timings | None]:
        """Cached bytes, or build once (identical concurrent requests share one build);
        the build's timings when this call built it, None otherwise."""
        key = (spec, fmt)
        hit = self.get(key)
        if hit is not None:
            return hit, None
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending), None
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.max_builds)
        fut: asyncio.Future[Blob] = asyncio.get_running_loop().create_future()
        self._pending[key] = fut
        try:
            async with self._gate:
                body, timings = await to_thread.run_sync(encode_scene, spec, fmt)
            self.put(key, body)
            fut.set_result(body)
            return body, timings
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved: waiters re-raise it, nobody logs it twice
            raise
        finally:
            del self._pending[key]

    def stats(self) -> dict[str, int]:
        """Entries and bytes held."""
        return {"items": len(self._items), "bytes": self._bytes}
