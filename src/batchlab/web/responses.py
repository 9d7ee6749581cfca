"""Responses from ready gzip bytes, decompressed only for clients that refuse gzip."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from fastapi import Request, Response


@dataclass(frozen=True)
class Blob:
    """A gzip-compressed body and its ETag, computed once."""

    gz: bytes
    etag: str

    @classmethod
    def of(cls, gz: bytes) -> Blob:
        """Wrap compressed bytes, hashing them for the ETag."""
        return cls(gz, '"' + hashlib.blake2b(gz, digest_size=12).hexdigest() + '"')


def accepts_gzip(request: Request) -> bool:
    """Whether the client sent ``Accept-Encoding: gzip``."""
    return "gzip" in request.headers.get("accept-encoding", "").lower()


def send(request: Request, blob: Blob, media_type: str, max_age: int = 0) -> Response:
    """Serve a blob as is (gzip), or inflated for clients without gzip; 304 if unchanged."""
    headers = {"ETag": blob.etag, "Vary": "Accept-Encoding",
               "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache"}
    if request.headers.get("if-none-match") == blob.etag:
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        return Response(blob.gz, media_type=media_type, headers=headers)
    return Response(gzip.decompress(blob.gz), media_type=media_type, headers=headers)
