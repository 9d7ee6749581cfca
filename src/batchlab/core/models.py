"""Two-parameter models θ = (w, b): per-example loss and gradient, vectorised.

- ``linear``: ŷ = w·x + b with squared loss ½(ŷ − y)²;
- ``logistic``: P(y = 1) = σ(w·x + b) with log loss;
- ``sharp-flat``: a surface with one sharp and one flat basin, each example shifting
  it by (x_i, y_i); the average loss keeps both basins (for implicit regularisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from batchlab.core import kernels
from batchlab.core.rows import by_rows

# q, a1, c1w, c1b, s1, a2, c2w, c2b, s2: bowl, sharp bump, flat bump
SHARP_FLAT_CONSTANTS = (0.15, 0.55, -1.1, 0.5, 0.16, 0.7, 1.0, -0.3, 0.75)


@dataclass(frozen=True)
class Model:
    """A two-parameter model: its kernel id and the constants its surface needs."""

    name: str
    kind: int
    task: str
    constants: tuple[float, ...] = field(default=(0.0,) * 9)

    @property
    def c(self) -> np.ndarray:
        return np.asarray(self.constants, dtype=np.float64)

    def losses(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """ℓ_i(θ) for every example, shape (N,)."""
        w, b = _wb(theta)
        return kernels.losses_at(self.kind, self.c, w, b, _f(x), _f(y))

    def grads(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∇ℓ_i(θ) for every example, shape (N, 2)."""
        w, b = _wb(theta)
        return kernels.grads_at(self.kind, self.c, w, b, _f(x), _f(y))

    def loss(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
        """Dataset loss J(θ) = mean of ℓ_i(θ)."""
        return float(self.losses(theta, x, y).mean())

    def loss_many(self, thetas: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """J at each row of ``thetas`` (shape (K, 2))."""
        t = np.ascontiguousarray(thetas, dtype=np.float64).reshape(-1, 2)
        xs, ys = _f(x), _f(y)
        if self.kind == kernels.LINEAR:
            return kernels.linear_loss_from_moments(t, xs, ys)
        ws, bs, c = t[:, 0].copy(), t[:, 1].copy(), self.c
        return by_rows(lambda i, j: kernels.mean_loss_many(self.kind, c, ws[i:j], bs[i:j],
                                                           xs, ys), len(t), xs.size)

    def settled_within(self, thetas: np.ndarray, x: np.ndarray, y: np.ndarray, base: float,
                       gap: float) -> int | None:
        """The first row k from which J(θ_j) − base ≤ gap for every later row j (J as
        ``loss_many`` computes it), or None if the last row is outside; it evaluates J
        from the last row back to the last one outside the gap."""
        t = np.ascontiguousarray(thetas, dtype=np.float64).reshape(-1, 2)
        if self.kind == kernels.LINEAR:  # O(1) per row already
            outside = np.flatnonzero(~(self.loss_many(t, x, y) - base <= gap))
            k = 0 if outside.size == 0 else int(outside[-1]) + 1
            return None if k == len(t) else k
        k = kernels.settled_within(self.kind, self.c, t[:, 0].copy(), t[:, 1].copy(), _f(x),
                                   _f(y), base, gap)
        return None if k < 0 else int(k)


def _wb(theta: np.ndarray) -> tuple[float, float]:
    t = np.asarray(theta, dtype=np.float64).reshape(2)
    return float(t[0]), float(t[1])


def _f(v: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(v, dtype=np.float64)


LINEAR = Model("linear", kernels.LINEAR, "regression")
LOGISTIC = Model("logistic", kernels.LOGISTIC, "classification")
SHARP_FLAT = Model("sharp-flat", kernels.SHARP_FLAT, "shifts", SHARP_FLAT_CONSTANTS)
MODELS: dict[str, Model] = {m.name: m for m in (LINEAR, LOGISTIC, SHARP_FLAT)}


def model_for(task: str) -> Model:
    """The model that fits a dataset's task."""
    for m in MODELS.values():
        if m.task == task:
            return m
    raise ValueError(f"no model for task {task!r}")
