"""The compiled SGD inner loop: walk an epoch plan and apply one update per batch."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from batchlab.core.kernels import example_grad


@njit(cache=True)
def sgd_path(kind: int, c: np.ndarray, x: np.ndarray, y: np.ndarray, order: np.ndarray,
             starts: np.ndarray, ends: np.ndarray, lrs: np.ndarray, mean: bool,
             w: float, b: float, max_abs: float, out: np.ndarray) -> tuple[int, float, float]:
    """Run every update of a plan from (w, b); return (updates done, final w, final b).

    Update t uses examples ``order[starts[t]:ends[t]]`` and step ``lrs[t]``; ``mean``
    divides the summed gradient by the batch length. When ``out`` has a row per
    update plus one, the path is recorded there (row 0 = start). The run stops before
    recording the first non-finite or runaway (|θ| > max_abs) point, so the count
    is then smaller than the number of planned updates.
    """
    record = out.shape[0] > 1
    if record:
        out[0, 0] = w
        out[0, 1] = b
    for t in range(starts.shape[0]):
        gw = 0.0
        gb = 0.0
        for k in range(starts[t], ends[t]):
            i = order[k]
            dw, db = example_grad(kind, c, w, b, x[i], y[i])
            gw += dw
            gb += db
        step = lrs[t] / (ends[t] - starts[t]) if mean else lrs[t]
        nw = w - step * gw
        nb = b - step * gb
        if not (math.isfinite(nw) and math.isfinite(nb)) or abs(nw) > max_abs or abs(nb) > max_abs:
            return t, w, b
        w = nw
        b = nb
        if record:
            out[t + 1, 0] = w
            out[t + 1, 1] = b
    return starts.shape[0], w, b


@njit(cache=True)
def sgd_finals(kind: int, c: np.ndarray, x: np.ndarray, y: np.ndarray, orders: np.ndarray,
               starts: np.ndarray, ends: np.ndarray, lrs: np.ndarray, mean: bool,
               theta0: np.ndarray, max_abs: float) -> tuple[np.ndarray, np.ndarray]:
    """Many independent runs (one order row and one start row each): final θ and updates done."""
    runs = orders.shape[0]
    finals = np.empty((runs, 2))
    done = np.empty(runs, dtype=np.int64)
    dummy = np.empty((1, 2))
    for r in range(runs):
        n_done, w, b = sgd_path(kind, c, x, y, orders[r], starts, ends, lrs, mean,
                                theta0[r, 0], theta0[r, 1], max_abs, dummy)
        finals[r, 0] = w
        finals[r, 1] = b
        done[r] = n_done
    return finals, done
