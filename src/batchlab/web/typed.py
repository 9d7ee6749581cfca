"""Arrays in JSON as base64 typed arrays (``{"dtype", "shape", "bdata"}``, the convention
plotly.js reads): exact float64 values at a fraction of the cost of decimal text."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np

DTYPES = {"f": ("f8", "<f8"), "i": ("i4", "<i4"), "u": ("i4", "<i4"), "b": ("i4", "<i4")}


_MARK = re.compile(rb'"\\u0000(\d+)\\u0000"')  # a placeholder string, as json.dumps writes it


def _typed(a: np.ndarray) -> bytes:
    """One array as the JSON text of a typed array."""
    code, dtype = DTYPES[a.dtype.kind]
    if code == "i4" and a.size and (a.min() < -(2**31) or a.max() >= 2**31):
        raise ValueError("integer array does not fit in int32")
    data = base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes())
    shape = ",".join(str(s) for s in a.shape)
    return b'{"dtype":"%s","shape":[%s],"bdata":"%s"}' % (code.encode(), shape.encode(), data)


def _numeric(seq: list[Any] | tuple[Any, ...]) -> bool:
    """A (nested) sequence of plain numbers, judged by its first leaf."""
    head: Any = seq
    while isinstance(head, list | tuple) and head:
        head = head[0]
    return isinstance(head, int | float) and not isinstance(head, bool)


def _walk(obj: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(obj, np.ndarray):
        arrays.append(obj)
        return f"\x00{len(arrays) - 1}\x00"
    if isinstance(obj, dict):
        return {k: _walk(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        if _numeric(obj):
            return obj  # plain numbers (e.g. the landscape grid): json.dumps checks finiteness
        return [_walk(v, arrays) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None  # JSON has no NaN or Infinity
    return obj


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes with every NumPy array as a typed array; non-finite floats -> null.

    The small skeleton goes through ``json.dumps`` with a placeholder per array; the
    arrays' base64 text is spliced in as bytes, never scanned for escaping.
    """
    arrays: list[np.ndarray] = []
    skeleton = json.dumps(_walk(obj, arrays), separators=(",", ":"), allow_nan=False).encode()
    parts = _MARK.split(skeleton)
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        out += [_typed(arrays[int(parts[i])]), parts[i + 1]]
    return b"".join(out)


def loads(body: bytes) -> Any:
    """Inverse of ``dumps`` for tests and clients: typed arrays back to NumPy arrays."""
    def hook(d: dict[str, Any]) -> Any:
        if set(d) == {"dtype", "shape", "bdata"}:
            dtype = {"f8": "<f8", "f4": "<f4", "i4": "<i4"}[d["dtype"]]
            return np.frombuffer(base64.b64decode(d["bdata"]), dtype=dtype).reshape(d["shape"])
        return d
    return json.loads(body, object_hook=hook)
