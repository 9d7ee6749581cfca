"""Responses from bytes compressed once: zstd for browsers that take it (all current
ones), gzip made on first need for the others, plain bytes for clients that refuse both."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import zstandard
from fastapi import Request, Response

_POOLED_LEVELS = range(-7, 4)  # fast levels: a context is small and setting it up costs
_idle: dict[int, list[zstandard.ZstdCompressor]] = {}
_idle_lock = threading.Lock()


@contextmanager
def _compressor(level: int) -> Iterator[zstandard.ZstdCompressor]:
    """A zstd compressor for this thread's exclusive use; fast levels reuse idle ones
    (a fresh context for a 1.4 MB scene costs ~0.5 ms of allocation and zeroing)."""
    with _idle_lock:
        idle = _idle.setdefault(level, [])
        comp = idle.pop() if idle else None
    if comp is None:
        comp = zstandard.ZstdCompressor(level=level, write_checksum=True)
    try:
        yield comp
    finally:
        if level in _POOLED_LEVELS:
            with _idle_lock:
                idle.append(comp)


@dataclass
class Blob:
    """A body compressed with zstd, its ETag, and its gzip form once someone asks for it."""

    zst: bytes
    etag: str
    _gz: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(cls, raw: bytes | bytearray, level: int = 3) -> Blob:
        """Compress ``raw`` (zstd ``level``). The ETag is the frame's content checksum
        (XXH64, computed by zstd as it goes, ~free; a separate hash of 2 MB cost ~2 ms)
        plus the length."""
        with _compressor(level) as comp:
            zst = comp.compress(raw)  # compress() starts a new frame: no state carries over
        return cls(zst, f'"{zst[-4:].hex()}-{len(raw):x}"')

    def raw(self) -> bytes:
        """The uncompressed body."""
        return zstandard.ZstdDecompressor().decompress(self.zst)

    def gz(self) -> bytes:
        """The gzip body, made on first use (a race only compresses twice, harmlessly)."""
        if self._gz is None:
            self._gz = gzip.compress(self.raw(), compresslevel=6, mtime=0)
        return self._gz

    @property
    def size(self) -> int:
        return len(self.zst)


def _accepts(request: Request, coding: str) -> bool:
    """Whether Accept-Encoding lists ``coding`` with a weight above 0 (``zstd;q=0`` refuses)."""
    for item in request.headers.get("accept-encoding", "").lower().split(","):
        name, *params = (p.strip() for p in item.split(";"))
        if name == coding:
            q = [p[2:] for p in params if p.startswith("q=")]
            try:
                return not q or float(q[0]) > 0
            except ValueError:
                return False
    return False


def _matches(request: Request, etag: str) -> bool:
    """If-None-Match names ``etag`` (in a list, weakly, or as ``*``): RFC 9110's weak match."""
    given = request.headers.get("if-none-match", "")
    tags = [t.strip().removeprefix("W/") for t in given.split(",")]
    return "*" in tags or etag in tags


def send(request: Request, blob: Blob, media_type: str, max_age: int = 0,
         timing: str | None = None) -> Response:
    """Serve a blob in the best encoding the client accepts; 304 if it has it already.
    Each encoding has its own ETag (they are different bytes). ``timing``: Server-Timing
    metrics to send with it."""
    coding = "zstd" if _accepts(request, "zstd") else "gzip" if _accepts(request, "gzip") else ""
    etag = blob.etag if coding == "zstd" else f'{blob.etag[:-1]}-{coding or "identity"}"'
    headers = {"ETag": etag, "Vary": "Accept-Encoding",
               "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache"}
    if timing:
        headers["Server-Timing"] = timing
    if _matches(request, etag):
        return Response(status_code=304, headers=headers)
    if coding:
        headers["Content-Encoding"] = coding
    body = blob.zst if coding == "zstd" else blob.gz() if coding == "gzip" else blob.raw()
    return Response(body, media_type=media_type, headers=headers)
