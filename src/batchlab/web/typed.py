"""Arrays in JSON as base64 typed arrays (``{"dtype", "shape", "bdata"}``, the convention
plotly.js reads): exact float64 values at a fraction of the cost of decimal text."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np

NUMPY = {"f8": "<f8", "f4": "<f4", "i4": "<i4", "u2": "<u2", "u1": "u1"}
_INTS = (("u1", 0, 2**8), ("u2", 0, 2**16), ("i4", -(2**31), 2**31))  # narrowest first

_MARK = re.compile(rb'"\\u0000(\d+)\\u0000"')  # a placeholder string, as json.dumps writes it


def wire(a: np.ndarray) -> tuple[str, np.dtype[Any]]:
    """An array's wire type (code and little-endian NumPy dtype): floats as f8; integers
    and booleans as the narrowest of u1, u2, i4 that holds every value (lossless, and
    half or a quarter of the bytes to encode and compress)."""
    if a.dtype.kind == "f":
        return "f8", np.dtype("<f8")
    if a.dtype.kind not in "iub":
        raise TypeError(f"no wire type for arrays of {a.dtype}")
    lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 0)
    for code, low, high in _INTS:
        if low <= lo and hi < high:
            return code, np.dtype(NUMPY[code])
    raise ValueError("integer array does not fit in int32")


def _numeric(seq: list[Any] | tuple[Any, ...]) -> bool:
    """A (nested) sequence of plain numbers, judged by its first leaf."""
    head: Any = seq
    while isinstance(head, list | tuple) and head:
        head = head[0]
    return isinstance(head, int | float) and not isinstance(head, bool)


def skeleton(obj: Any, leaf: Callable[[np.ndarray], Any]) -> Any:
    """``obj`` with every NumPy array replaced by ``leaf(array)`` and non-finite floats by
    None (JSON has no NaN); lists of plain numbers pass through untouched."""
    if isinstance(obj, np.ndarray):
        return leaf(obj)
    if isinstance(obj, dict):
        return {k: skeleton(v, leaf) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        if _numeric(obj):
            return obj  # plain numbers (e.g. the landscape grid): json.dumps checks finiteness
        return [skeleton(v, leaf) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def compact(obj: Any) -> bytes:
    """Compact JSON bytes (no NaN or Infinity allowed)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()


def _typed(a: np.ndarray) -> bytes:
    """One array as the JSON text of a typed array."""
    code, dtype = wire(a)
    data = base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes())
    shape = ",".join(str(s) for s in a.shape)
    return b'{"dtype":"%s","shape":[%s],"bdata":"%s"}' % (code.encode(), shape.encode(), data)


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes with every NumPy array as a typed array; non-finite floats -> null.

    The small skeleton goes through ``json.dumps`` with a placeholder per array; the
    arrays' base64 text is spliced in as bytes, never scanned for escaping.
    """
    arrays: list[np.ndarray] = []

    def mark(a: np.ndarray) -> str:
        arrays.append(a)
        return f"\x00{len(arrays) - 1}\x00"

    parts = _MARK.split(compact(skeleton(obj, mark)))
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        out += [_typed(arrays[int(parts[i])]), parts[i + 1]]
    return b"".join(out)


def loads(body: bytes) -> Any:
    """Inverse of ``dumps`` for tests and clients: typed arrays back to NumPy arrays."""
    def hook(d: dict[str, Any]) -> Any:
        if set(d) == {"dtype", "shape", "bdata"}:
            raw = base64.b64decode(d["bdata"])
            return np.frombuffer(raw, dtype=NUMPY[d["dtype"]]).reshape(d["shape"])
        return d
    return json.loads(body, object_hook=hook)
