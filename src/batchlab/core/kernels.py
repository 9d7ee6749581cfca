"""Compiled per-example loss and gradient of every two-parameter model.

One scalar kernel per idea, compiled by Numba; the vectorised NumPy-facing
functions in ``models`` and the SGD loop in ``sgdloop`` both call these, so there
is exactly one definition of each loss and gradient.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LINEAR = 0
LOGISTIC = 1
SHARP_FLAT = 2


@njit(cache=True, inline="always")
def _softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@njit(cache=True, inline="always")
def _sigmoid(z: float) -> float:
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, inline="always")
def _bump(dw: float, db: float, s: float) -> float:
    return math.exp(-(dw * dw + db * db) / (2.0 * s * s))


@njit(cache=True)
def example_loss(kind: int, c: np.ndarray, w: float, b: float, x: float, y: float) -> float:
    """Loss of one example at (w, b)."""
    if kind == LINEAR:
        r = w * x + b - y
        return 0.5 * r * r
    if kind == LOGISTIC:
        z = w * x + b
        return _softplus(z) - y * z
    # sharp/flat surface shifted by the example: L((w, b) - (x, y))
    pw, pb = w - x, b - y
    q, a1, c1w, c1b, s1, a2, c2w, c2b, s2 = c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]
    return (0.5 * q * (pw * pw + pb * pb) - a1 * _bump(pw - c1w, pb - c1b, s1)
            - a2 * _bump(pw - c2w, pb - c2b, s2))


@njit(cache=True, inline="always")
def example_grad(
    kind: int, c: np.ndarray, w: float, b: float, x: float, y: float
) -> tuple[float, float]:
    """Gradient of one example's loss with respect to (w, b)."""
    if kind == LINEAR:
        r = w * x + b - y
        return r * x, r
    if kind == LOGISTIC:
        r = _sigmoid(w * x + b) - y
        return r * x, r
    pw, pb = w - x, b - y
    q, a1, c1w, c1b, s1, a2, c2w, c2b, s2 = c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]
    k1 = a1 * _bump(pw - c1w, pb - c1b, s1) / (s1 * s1)
    k2 = a2 * _bump(pw - c2w, pb - c2b, s2) / (s2 * s2)
    gw = q * pw + k1 * (pw - c1w) + k2 * (pw - c2w)
    gb = q * pb + k1 * (pb - c1b) + k2 * (pb - c2b)
    return gw, gb


@njit(cache=True)
def losses_at(kind: int, c: np.ndarray, w: float, b: float, x: np.ndarray,
              y: np.ndarray) -> np.ndarray:
    """Per-example losses at one parameter point."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = example_loss(kind, c, w, b, x[i], y[i])
    return out


@njit(cache=True)
def grads_at(kind: int, c: np.ndarray, w: float, b: float, x: np.ndarray,
             y: np.ndarray) -> np.ndarray:
    """Per-example gradients (N, 2) at one parameter point."""
    out = np.empty((x.shape[0], 2))
    for i in range(x.shape[0]):
        gw, gb = example_grad(kind, c, w, b, x[i], y[i])
        out[i, 0] = gw
        out[i, 1] = gb
    return out


@njit(cache=True, inline="always")
def _mean_loss(kind: int, c: np.ndarray, w: float, b: float, x: np.ndarray,
               y: np.ndarray) -> float:
    """J(w, b): the per-example losses summed in order, divided by N."""
    s = 0.0
    for i in range(x.shape[0]):
        s += example_loss(kind, c, w, b, x[i], y[i])
    return s / x.shape[0]


@njit(cache=True, nogil=True)
def mean_loss_many(kind: int, c: np.ndarray, ws: np.ndarray, bs: np.ndarray, x: np.ndarray,
                   y: np.ndarray) -> np.ndarray:
    """Dataset loss J at many parameter points (flat arrays ws, bs of equal length).
    Releases the GIL, so threads can share the points."""
    out = np.empty(ws.shape[0])
    for k in range(ws.shape[0]):
        out[k] = _mean_loss(kind, c, ws[k], bs[k], x, y)
    return out


@njit(cache=True)
def settled_within(kind: int, c: np.ndarray, ws: np.ndarray, bs: np.ndarray, x: np.ndarray,
                   y: np.ndarray, base: float, gap: float) -> int:
    """The first k from which J(ws[j], bs[j]) − base ≤ gap for every j ≥ k (J as
    ``mean_loss_many`` computes it, bit for bit), or -1 if the last point is outside.
    It scans from the end and stops at the last point outside the gap."""
    for k in range(ws.shape[0] - 1, -1, -1):
        if not _mean_loss(kind, c, ws[k], bs[k], x, y) - base <= gap:
            return k + 1 if k + 1 < ws.shape[0] else -1
    return 0


@njit(cache=True)
def linear_loss_from_moments(t: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """½·mean((w·x + b − y)²) expanded in the data's moments: O(1) per point, not O(N)."""
    n = x.shape[0]
    mx = my = mxx = mxy = myy = 0.0
    for i in range(n):
        mx += x[i]
        my += y[i]
        mxx += x[i] * x[i]
        mxy += x[i] * y[i]
        myy += y[i] * y[i]
    mx, my, mxx, mxy, myy = mx / n, my / n, mxx / n, mxy / n, myy / n
    out = np.empty(t.shape[0])
    for k in range(t.shape[0]):
        w, b = t[k, 0], t[k, 1]
        out[k] = 0.5 * (w * w * mxx + b * b + myy + 2 * w * b * mx - 2 * w * mxy - 2 * b * my)
    return out
