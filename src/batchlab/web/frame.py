"""The scene as one binary frame: a JSON header and the arrays' raw bytes, byte-planar.

Layout: ``b"BLF1"``, the header's length (uint32, little-endian), the header (UTF-8 JSON,
space-padded to a multiple of 8 bytes), then the data. In the header every array is
``{"dtype": "f8"|"i4", "shape": [...], "offset": k}``: its bytes start ``k`` bytes into
the data. They are stored byte-planar: byte 0 of every element, then byte 1, and so on.
Exponent and high bytes of neighbouring values repeat, so the planes compress about
1.6× better than interleaved values, and faster. Nothing is rounded: the values are the
exact little-endian float64 and int32 numbers.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from batchlab.web.typed import NUMPY, compact, skeleton, wire

MAGIC = b"BLF1"
MEDIA_TYPE = "application/vnd.batchlab.frame"
_ALIGN = 8


def _pad(k: int) -> int:
    return -k % _ALIGN


def dumps(obj: Any) -> bytearray:
    """One frame holding ``obj``: every NumPy array as byte planes, the rest as JSON.

    A bytearray, not bytes: a copy of ~2 MB of fresh memory costs more than the rest."""
    arrays: list[tuple[np.ndarray, np.dtype[Any]]] = []
    offset = 0

    def describe(a: np.ndarray) -> dict[str, Any]:
        nonlocal offset
        code, dtype = wire(a)
        arrays.append((a, dtype))
        d = {"dtype": code, "shape": list(a.shape), "offset": offset}
        offset += a.size * dtype.itemsize + _pad(a.size * dtype.itemsize)
        return d

    header = compact(skeleton(obj, describe))
    header += b" " * _pad(len(header))
    start = 8 + len(header)
    out = bytearray(start + offset)
    out[:8] = MAGIC + struct.pack("<I", len(header))
    out[8:start] = header
    at = start
    for a, dtype in arrays:
        flat = a.reshape(-1) if a.dtype == dtype else a.reshape(-1).astype(dtype)
        nbytes = flat.size * dtype.itemsize
        planes = np.frombuffer(out, np.uint8, nbytes, at).reshape(dtype.itemsize, -1)
        planes[...] = flat[:, None].view(np.uint8).T  # reads a strided column in place
        at += nbytes + _pad(nbytes)
    return out


def loads(frame: bytes | bytearray) -> Any:
    """Inverse of ``dumps`` (for tests and Python clients): arrays back as NumPy arrays."""
    if frame[:4] != MAGIC or len(frame) < 8:
        raise ValueError("not a batchlab frame (bad magic)")
    (length,) = struct.unpack_from("<I", frame, 4)
    start = 8 + length
    data = np.frombuffer(frame, np.uint8)

    def hook(d: dict[str, Any]) -> Any:
        if set(d) != {"dtype", "shape", "offset"}:
            return d
        dtype = np.dtype(NUMPY[d["dtype"]])
        count = int(np.prod(d["shape"], dtype=np.int64))
        planes = data[start + d["offset"]:start + d["offset"] + count * dtype.itemsize]
        if planes.size != count * dtype.itemsize:
            raise ValueError("frame is truncated")
        return planes.reshape(dtype.itemsize, count).T.copy().view(dtype).reshape(d["shape"])

    return json.loads(frame[8:start], object_hook=hook)
