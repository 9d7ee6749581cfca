"""The scene as one binary frame: a JSON header and the arrays' raw bytes, 8-byte aligned.

Layout: ``b"BLF2"``, the header's length (uint32, little-endian), the header (UTF-8 JSON,
space-padded to a multiple of 8 bytes), then the data. In the header every array is
``{"dtype": "f8"|"i4"|"u2"|"u1", "shape": [...], "offset": k}``: its little-endian
values start ``k`` bytes into the data, and every ``k`` is a multiple of 8, so a browser
reads each array as a typed-array view of the response, without a copy. Nothing is
rounded: the values are the exact float64 numbers.

Why not byte planes (byte 0 of every value, then byte 1, ...)? They compress 25 % better,
but on the default scene transposing and compressing them took 1.9 ms of server time
against 0.7 ms for raw values (the engine's own run takes about 2.6 ms), and the browser
had to undo them byte by byte; on the loopback connection the lesson is served on, the
300 KB they save cost far less than that.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from batchlab.web.typed import NUMPY, compact, skeleton, wire

MAGIC = b"BLF2"
MEDIA_TYPE = "application/vnd.batchlab.frame"
_ALIGN = 8


def _pad(k: int) -> int:
    return -k % _ALIGN


def dumps(obj: Any) -> bytearray:
    """One frame holding ``obj``: every NumPy array as raw aligned values, the rest as JSON.

    A bytearray, not bytes: a copy of ~1.4 MB of fresh memory costs more than the rest."""
    arrays: list[tuple[np.ndarray, np.dtype[Any], int]] = []
    offset = 0

    def describe(a: np.ndarray) -> dict[str, Any]:
        nonlocal offset
        code, dtype = wire(a)
        arrays.append((a, dtype, offset))
        d = {"dtype": code, "shape": list(a.shape), "offset": offset}
        offset += a.size * dtype.itemsize + _pad(a.size * dtype.itemsize)
        return d

    header = compact(skeleton(obj, describe))
    header += b" " * _pad(len(header))
    start = 8 + len(header)
    out = bytearray(start + offset)
    out[:8] = MAGIC + struct.pack("<I", len(header))
    out[8:start] = header
    for a, dtype, at in arrays:  # one pass per array: copy and narrow to the wire type
        np.frombuffer(out, dtype, a.size, start + at).reshape(a.shape)[...] = a
    return out


def loads(frame: bytes | bytearray) -> Any:
    """Inverse of ``dumps`` (for tests and Python clients): arrays back as NumPy arrays."""
    if frame[:4] != MAGIC or len(frame) < 8:
        raise ValueError("not a batchlab frame (bad magic)")
    (length,) = struct.unpack_from("<I", frame, 4)
    start = 8 + length

    def hook(d: dict[str, Any]) -> Any:
        if set(d) != {"dtype", "shape", "offset"}:
            return d
        dtype = np.dtype(NUMPY[d["dtype"]])
        count = int(np.prod(d["shape"], dtype=np.int64))
        at = start + d["offset"]
        if at + count * dtype.itemsize > len(frame):
            raise ValueError("frame is truncated")
        return np.frombuffer(frame, dtype, count, at).reshape(d["shape"]).copy()

    return json.loads(frame[8:start], object_hook=hook)
