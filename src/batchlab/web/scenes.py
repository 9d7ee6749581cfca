"""Scene responses as ready compressed bytes: a bounded LRU keyed by the spec, bounded
builds. Arrays travel as base64 typed arrays (exact float64), compressed with zstd."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from anyio import to_thread

from batchlab.core.export import scene_to_dict
from batchlab.core.scene import SceneSpec, build
from batchlab.web import typed
from batchlab.web.responses import Blob


@dataclass
class Timings:
    """Seconds spent on the last uncached build, split by stage (the bench reads it)."""

    engine: float = 0.0
    serialise: float = 0.0
    compress: float = 0.0


def encode_scene(spec: SceneSpec, level: int, timings: Timings) -> Blob:
    """Build the scene and return its JSON (typed arrays), zstd-compressed."""
    t0 = time.perf_counter()
    scene = build(spec)
    t1 = time.perf_counter()
    raw = typed.dumps(scene_to_dict(scene, digits=-1))
    t2 = time.perf_counter()
    body = Blob.of(raw, level)
    t3 = time.perf_counter()
    timings.engine, timings.serialise, timings.compress = t1 - t0, t2 - t1, t3 - t2
    return body


@dataclass
class SceneCache:
    """LRU of compressed scene bodies, bounded by count and bytes; at most N builds at once."""

    max_items: int
    max_bytes: int
    max_builds: int
    level: int = 1
    timings: Timings = field(default_factory=Timings)
    _items: OrderedDict[SceneSpec, Blob] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _gate: asyncio.Semaphore | None = None
    _pending: dict[SceneSpec, asyncio.Future[Blob]] = field(default_factory=dict)

    def get(self, spec: SceneSpec) -> Blob | None:
        """The cached body for ``spec`` (marked as recently used), or None."""
        body = self._items.get(spec)
        if body is not None:
            self._items.move_to_end(spec)
        return body

    def put(self, spec: SceneSpec, body: Blob) -> None:
        """Store ``body``, evicting the least recently used entries beyond the bounds."""
        if spec in self._items:
            self._bytes -= self._items.pop(spec).size
        self._items[spec] = body
        self._bytes += body.size
        while self._items and (len(self._items) > self.max_items or self._bytes > self.max_bytes):
            _, old = self._items.popitem(last=False)
            self._bytes -= old.size

    async def body(self, spec: SceneSpec) -> Blob:
        """Cached bytes, or build once (identical concurrent requests share one build)."""
        hit = self.get(spec)
        if hit is not None:
            return hit
        pending = self._pending.get(spec)
        if pending is not None:
            return await asyncio.shield(pending)
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.max_builds)
        fut: asyncio.Future[Blob] = asyncio.get_running_loop().create_future()
        self._pending[spec] = fut
        try:
            async with self._gate:
                body = await to_thread.run_sync(encode_scene, spec, self.level, self.timings)
            self.put(spec, body)
            fut.set_result(body)
            return body
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved: waiters re-raise it, nobody logs it twice
            raise
        finally:
            del self._pending[spec]

    def stats(self) -> dict[str, int]:
        """Entries and bytes held."""
        return {"items": len(self._items), "bytes": self._bytes}
