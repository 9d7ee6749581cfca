"""The dataset loss J(w, b) on a grid, and its exact minimiser."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from batchlab.core.data import Dataset
from batchlab.core.gradstats import full_gradient
from batchlab.core.models import Model

MAX_RESOLUTION = 400
MAX_PARAM = 100.0


@dataclass(frozen=True, eq=False)
class Grid:
    """J evaluated at every (w[j], b[i]): ``loss[i, j]``."""

    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray


def loss_grid(model: Model, data: Dataset, w_range: tuple[float, float],
              b_range: tuple[float, float], resolution: int = 60) -> Grid:
    """J on a resolution × resolution grid over the given ranges."""
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution must be between 2 and {MAX_RESOLUTION}, got {resolution}")
    w = np.linspace(*w_range, resolution)
    b = np.linspace(*b_range, resolution)
    ww, bb = np.meshgrid(w, b)
    thetas = np.column_stack([ww.ravel(), bb.ravel()])
    return Grid(w, b, model.loss_many(thetas, data.x, data.y).reshape(resolution, resolution))


def hessian(model: Model, data: Dataset, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∇²J(θ) by central differences of the exact gradient (symmetrised)."""
    t = np.asarray(theta, dtype=np.float64)
    cols = []
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        diff = full_gradient(model, data, t + e) - full_gradient(model, data, t - e)
        cols.append(diff / (2 * h))
    hm = np.column_stack(cols)
    return 0.5 * (hm + hm.T)


def minimise(model: Model, data: Dataset, start: np.ndarray | None = None,
             tol: float = 1e-12, max_iter: int = 200) -> np.ndarray:
    """A stationary point of J: least squares in closed form, Newton's method otherwise.

    Newton steps are damped by backtracking so J never increases; raises ValueError when
    no minimiser with |w|, |b| ≤ 100 exists (e.g. separable labels for logistic regression:
    J then keeps falling as |w| grows, and on standardised data such a point is no answer).
    """
    if model.name == "linear":
        a = np.column_stack([data.x, np.ones(data.n)])
        sol, *_ = np.linalg.lstsq(a, data.y, rcond=None)
        return np.asarray(sol, dtype=np.float64)
    t = np.zeros(2) if start is None else np.asarray(start, dtype=np.float64).copy()
    for _ in range(max_iter):
        g = full_gradient(model, data, t)
        if float(np.abs(g).max()) < tol:
            return t
        h = hessian(model, data, t)
        try:
            step = np.linalg.solve(h, g) if np.all(np.linalg.eigvalsh(h) > 0) else g
        except np.linalg.LinAlgError:
            step = g
        j0, s = model.loss(t, data.x, data.y), 1.0
        while s > 1e-12 and model.loss(t - s * step, data.x, data.y) > j0:
            s *= 0.5
        t = t - s * step
        if float(np.abs(t).max()) > MAX_PARAM:
            break
    converged = float(np.abs(full_gradient(model, data, t)).max()) < 1e-8
    if converged and float(np.abs(t).max()) <= MAX_PARAM:
        return t
    raise ValueError("the loss has no finite minimiser on this data (are the classes separable?)")
