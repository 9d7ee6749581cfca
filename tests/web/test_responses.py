"""Compressed bodies: zstd bytes, gzip made on demand, the raw bytes back, a content ETag."""

from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import zstandard

from batchlab.web.responses import Blob


def bodies(count: int) -> list[bytes]:
    """Bodies of different sizes and content (some compressible, some not)."""
    rng = np.random.default_rng(3)
    return [rng.integers(0, 4 if i % 2 else 256, 1000 + 7919 * i, dtype=np.uint8).tobytes()
            for i in range(count)]


@pytest.mark.parametrize("level", [-1, 1, 3, 19])
def test_blob_is_zstd_with_checksum_etag(level: int) -> None:
    for raw in bodies(6):
        fresh = zstandard.ZstdCompressor(level=level, write_checksum=True).compress(raw)
        blob = Blob.of(raw, level)
        assert blob.zst == fresh
        assert blob.raw() == raw
        assert gzip.decompress(blob.gz()) == raw
        assert blob.etag == f'"{fresh[-4:].hex()}-{len(raw):x}"'


def test_etag_follows_the_content() -> None:
    raws = bodies(12)
    assert len({Blob.of(r, -1).etag for r in raws}) == len(raws)
    assert Blob.of(raws[0], -1).etag == Blob.of(raws[0], 1).etag  # same bytes, any level


def test_reused_compressors_from_many_threads_at_once() -> None:
    raws = bodies(12) * 4  # every body four times: a reused context must not remember
    with ThreadPoolExecutor(8) as pool:
        blobs = list(pool.map(lambda r: Blob.of(r, -1), raws))
    assert [b.raw() for b in blobs] == raws
    fresh = [zstandard.ZstdCompressor(level=-1, write_checksum=True).compress(r) for r in raws]
    assert [b.zst for b in blobs] == fresh
