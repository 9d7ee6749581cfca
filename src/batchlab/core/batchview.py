"""One batch seen as matrices, and the SGD step it gives, written out coordinate by coordinate.

For the linear and the logistic model the gradient of example i is the residual times
the example's row of the design matrix: ∇ℓ_i = (ŷ_i − y_i)·(x_i, 1). So a whole batch
needs one matrix product forward, z = X_B θ, and one back, g_B = X_Bᵀ r / B. This module
computes that matrix path in plain NumPy and sets it beside the engine's own batch
gradient and the engine's own update on the same rows: two independent computation paths
that must agree to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from batchlab.core.batching import EpochPlan, make_plan
from batchlab.core.data import Dataset
from batchlab.core.gradstats import epoch_batch_gradients, full_gradient
from batchlab.core.models import Model
from batchlab.core.simulate import RunConfig, run_plan


def check_rows(rows: Sequence[int] | np.ndarray, n: int, limit: int | None = None
               ) -> np.ndarray:
    """The batch's indices as int64: 1 to ``limit`` (default N) distinct indices in [0, N)."""
    idx = np.asarray(rows, dtype=np.int64).reshape(-1)
    top = n if limit is None else min(limit, n)
    if not 1 <= idx.size <= top:
        raise ValueError(f"rows must hold between 1 and {top} indices, got {idx.size}")
    bad = idx[(idx < 0) | (idx >= n)]
    if bad.size:
        raise ValueError(f"rows must be indices between 0 and {n - 1} (N = {n}), "
                         f"got {int(bad[0])}")
    if np.unique(idx).size != idx.size:
        raise ValueError("rows must not repeat an index: a batch is a set of examples")
    return idx


def random_rows(n: int, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    """A random batch as the engine cuts one: the first block of a freshly shuffled epoch."""
    return make_plan(n, batch_size, 1, rng).batch(0).copy()


def one_batch_plan(n: int, rows: np.ndarray) -> EpochPlan:
    """A plan of a single update that uses exactly ``rows``."""
    b = int(rows.size)
    one = np.zeros(1, dtype=np.int64)
    return EpochPlan(n, b, np.ascontiguousarray(rows, dtype=np.int64), one, one + b, one)


def design_matrix(x: np.ndarray) -> np.ndarray:
    """X = [x | 1]: the feature and a column of ones, so θ = (w, b) acts as X θ = w·x + b."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.column_stack([x, np.ones_like(x)])


def predict(model: Model, z: np.ndarray) -> np.ndarray:
    """The model's output from the scores z = X θ: z itself (linear) or σ(z) (logistic)."""
    if model.name == "linear":
        return z
    if model.name == "logistic":
        e = np.exp(-np.abs(z))  # σ(z) without overflow for large |z|
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    raise ValueError(f"a batch view needs the linear or logistic model, got {model.name!r}")


@dataclass(frozen=True, eq=False)
class BatchView:
    """A batch at one θ: stacked rows, forward pass, residuals, per-example gradients."""

    rows: np.ndarray  # (B,) indices into the dataset, in batch order
    design: np.ndarray  # X_B, (B, 2): x_i and 1
    target: np.ndarray  # y_B, (B,)
    theta: np.ndarray  # (2,) = (w, b)
    scores: np.ndarray  # z = X_B θ, (B,)
    prediction: np.ndarray  # ŷ = z (linear) or σ(z) (logistic)
    residual: np.ndarray  # r = ŷ − y_B
    losses: np.ndarray  # ℓ_i(θ) from the engine, (B,)
    per_example: np.ndarray  # ∇ℓ_i = r_i·(x_i, 1), (B, 2)
    grad: np.ndarray  # g_B = X_Bᵀ r / B, (2,)
    engine_grad: np.ndarray  # the engine's batch gradient on the same rows, (2,)

    @property
    def size(self) -> int:
        return int(self.rows.size)

    @property
    def batch_loss(self) -> float:
        """J_B(θ) = mean of ℓ_i over the batch."""
        return float(self.losses.mean())

    @property
    def grad_gap(self) -> float:
        """Largest difference between the matrix path's g_B and the engine's."""
        return float(np.abs(self.grad - self.engine_grad).max())


def batch_view(model: Model, data: Dataset, rows: Sequence[int] | np.ndarray,
               theta: np.ndarray) -> BatchView:
    """Stack the rows, run one forward pass and one backward pass as matrix products."""
    idx = check_rows(rows, data.n)
    t = np.asarray(theta, dtype=np.float64).reshape(2)
    xb, yb = design_matrix(data.x[idx]), data.y[idx].astype(np.float64)
    z = xb @ t
    r = predict(model, z) - yb
    one = one_batch_plan(data.n, idx)
    engine = epoch_batch_gradients(model, data, t, one.order, one.starts, one.ends)[0]
    return BatchView(idx, xb, yb, t, z, r + yb, r, model.losses(t, data.x[idx], data.y[idx]),
                     r[:, None] * xb, xb.T @ r / idx.size, engine)


@dataclass(frozen=True, eq=False)
class StepView:
    """One SGD update from θ on a batch, per coordinate, beside the engine's own update."""

    view: BatchView
    lr: float
    next_theta: np.ndarray  # (w − η·∂w, b − η·∂b), computed one coordinate at a time
    engine_next: np.ndarray  # point after one update of the engine's SGD loop on the rows
    full_grad: np.ndarray  # ∇J(θ) over all N examples, for comparison
    full_next: np.ndarray  # θ − η·∇J(θ): where full batch would step
    loss_before: float  # J(θ)
    loss_after: float  # J at next_theta
    full_loss_after: float  # J at full_next
    batch_loss_after: float  # J_B at next_theta (same rows)

    @property
    def step_gap(self) -> float:
        """Largest difference between the written-out step and the engine's."""
        return float(np.abs(self.next_theta - self.engine_next).max())


def coordinate_step(model: Model, data: Dataset, rows: Sequence[int] | np.ndarray,
                    theta: np.ndarray, lr: float) -> StepView:
    """w ← w − η·∂J_B/∂w and b ← b − η·∂J_B/∂b, checked against a one-update engine run."""
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr}")
    view = batch_view(model, data, rows, theta)
    (w, b), (dw, db) = view.theta, view.grad
    nxt = np.array([w - lr * dw, b - lr * db])
    cfg = RunConfig(batch_size=view.size, lr=lr, start=(float(w), float(b)),
                    max_abs=float("inf"))
    traj = run_plan(model, data, cfg, one_batch_plan(data.n, view.rows))
    if traj.diverged:
        raise ValueError(f"lr {lr} makes the step leave finite numbers; choose a smaller lr")
    g = full_gradient(model, data, view.theta)
    full = view.theta - lr * g
    j = model.loss_many(np.vstack([view.theta, nxt, full]), data.x, data.y)
    jb = model.loss(nxt, data.x[view.rows], data.y[view.rows])
    return StepView(view, float(lr), nxt, traj.params[1].copy(), g, full, float(j[0]),
                    float(j[1]), float(j[2]), jb)


def model_curve(model: Model, theta: np.ndarray, x_range: tuple[float, float],
                points: int = 61) -> tuple[np.ndarray, np.ndarray]:
    """The model's output ŷ(x) at θ on a grid of x values (for drawing the fitted line)."""
    xs = np.linspace(*x_range, points)
    return xs, predict(model, design_matrix(xs) @ np.asarray(theta, dtype=np.float64))
