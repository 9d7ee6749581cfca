"""The lesson's live measurements: each a pure function of a few validated values, run
by the core's experiment functions and cached as ready bytes (the inputs are few)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Final

import numpy as np

from batchlab.core.data import Dataset, load, sharp_flat_shifts
from batchlab.core.experiments import (
    basin_fractions,
    best_steps,
    descent_to_target,
    noise_curve,
    point_at_gap,
    steps_to_target,
    wilson,
)
from batchlab.core.gradstats import noise_scale
from batchlab.core.landscape import loss_grid, minimise
from batchlab.core.models import SHARP_FLAT, Model, model_for
from batchlab.core.optim import Schedule
from batchlab.core.scaling import stability_limit
from batchlab.core.scene import RECOMMENDED, race_start
from batchlab.web import typed
from batchlab.web.responses import Blob

NOISE_DRAWS = 2000


@dataclass(frozen=True)
class FlatBasinSetup:
    """The fixed sharp/flat experiment. Every B makes the same number of updates from the
    same starts, so only the gradient noise differs; the shifts' spread (0.2) and the rate
    put the change from "escapes" to "stays" inside the range of B (rate below 2/λ of
    the sharp basin, so gradient descent alone could stay there)."""

    lr: float = 0.4
    updates: int = 512
    runs: int = 200
    n: int = 128
    spread: float = 0.2
    batch_sizes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128)
    box: tuple[tuple[float, float], tuple[float, float]] = ((-2.5, 2.5), (-1.5, 1.5))


FLAT_BASIN = FlatBasinSetup()


@dataclass(frozen=True)
class CriticalSetup:
    """Per task: the target (fraction of the start's gap), the rates tried (a log grid over
    3.5 decades up to just below 2/λ_max, plus 1/λ_max itself) and the seeds. The best
    rate per B is a minimum over noisy means, so few seeds or a coarse grid make the curve
    jagged; the linear runs are cheap, so they get a fine grid and many seeds."""

    target: float
    rates: int
    seeds: int


CRITICAL = {"regression": CriticalSetup(1e-2, 51, 32),
            "classification": CriticalSetup(1e-2, 11, 3)}  # logistic runs cost more
CRITICAL_EPOCHS = 10


CRITICAL_DATASET: Final = "synthetic-offset"
"""C9's default data: the synthetic set with an off-centre feature. On the standardised
sets the bowl is round (Hessian = identity), so one exact step of η = 1 lands on the
minimum and the curve's floor is a single update; tilted, the floor is several."""


def far_start(dataset: str) -> tuple[Dataset, Model, np.ndarray]:
    """The dataset, its model and the full-batch start of its race (far from the minimum)."""
    n = int(RECOMMENDED.get(dataset, RECOMMENDED["synthetic"])["n"])
    data = load(dataset, n, np.random.default_rng(0))
    model = model_for(data.task)
    return data, model, race_start(model, data, "full")


def _sizes(n: int) -> np.ndarray:
    """1, 2, 4, … up to N, and N itself."""
    return np.unique(np.append(2 ** np.arange(int(np.log2(n)) + 1), n))


@lru_cache(maxsize=32)
def noise(dataset: str, seed: int) -> Blob:
    """Measured tr Cov(g_B) at the race's far start, against the exact law and tr Σ/B."""
    data, model, theta = far_start(dataset)
    c = noise_curve(model, data, theta, _sizes(data.n), NOISE_DRAWS, np.random.default_rng(seed))
    rel = c.relative_error()
    return Blob.of(typed.dumps({
        "dataset": dataset, "n": data.n, "theta": theta, "draws": NOISE_DRAWS,
        "trace_sigma": c.trace_sigma, "batch_sizes": c.batch_sizes, "measured": c.measured,
        "measured_se": c.measured_se, "replacement": c.replacement,
        "replacement_se": c.replacement_se, "exact": c.exact, "one_over_b": c.one_over_b,
        "max_rel_error": float(rel.max()), "median_rel_error": float(np.median(rel)),
        "max_z": float(c.z_scores().max()),
        "max_replacement_error": float(c.replacement_error().max()),
        "max_replacement_z": float(c.replacement_z().max()),
        "full_batch_measured": float(c.measured[-1])}))


@lru_cache(maxsize=32)
def flat_basin(seed: int) -> Blob:
    """Where runs end on the sharp/flat surface, per B, with a constant and a cosine rate:
    counts, 95 % intervals, which start ended where, and how tightly the ends settled."""
    s = FLAT_BASIN
    data = sharp_flat_shifts(np.random.default_rng(0), s.n, s.spread)
    grid = loss_grid(SHARP_FLAT, data, s.box[0], s.box[1], 61)
    out: dict[str, object] = asdict(s)
    out.update(grid_w=grid.w, grid_b=grid.b, grid_loss=grid.loss)
    for kind in ("constant", "cosine"):
        r = basin_fractions(SHARP_FLAT, data, np.array(s.batch_sizes), s.lr, s.updates, s.runs,
                            np.random.default_rng(seed), np.array([-1.1, 0.5]),
                            np.array([1.0, -0.3]), s.box, Schedule(kind))
        lo, hi = wilson(r.flat_count, s.runs)
        out[kind] = {"count": r.flat_count, "fraction": r.flat_fraction, "low": lo, "high": hi,
                     "ended_flat": r.ended_flat, "settle": r.settle, "updates": r.updates}
        out.update(starts=r.starts, sharp=r.sharp, flat=r.flat)
    for name in ("sharp", "flat"):
        out[f"{name}_curvature"], _ = stability_limit(SHARP_FLAT, data, np.asarray(out[name]))
    return Blob.of(typed.dumps(out))


@lru_cache(maxsize=32)
def critical(dataset: str, seed: int) -> Blob:
    """Updates until the loss gap falls to a small fraction of its start, per B, with the
    rate tuned per B on a grid up to the stability limit 2/λ_max; the B_crit fit, the
    noise scale at the start and at the target loss (on the line from θ* to the start), and
    plain gradient descent as a check of the full-batch count. Where the batch size the fit
    misses most leaves a short last batch per epoch, that size measured again without it."""
    data, model, theta = far_start(dataset)
    setup = CRITICAL["classification" if model.task == "classification" else "regression"]
    theta_star = minimise(model, data)
    gap = setup.target * (model.loss(theta, data.x, data.y)
                          - model.loss(theta_star, data.x, data.y))
    _, limit = stability_limit(model, data, theta_star)
    lrs = np.unique(np.append(np.geomspace(0.95 * limit / 3000, 0.95 * limit, setup.rates),
                              limit / 2))  # 1/λ_max: the full-batch step that fits the bowl
    start = (float(theta[0]), float(theta[1]))
    rng = np.random.default_rng(seed)
    r = steps_to_target(model, data, _sizes(data.n), lrs, start, gap, CRITICAL_EPOCHS, rng,
                        seeds=setup.seeds)
    worst = r.fit_worst()
    last = data.n - (-(-data.n // worst) - 1) * worst  # the epoch's last batch at that B
    dropped = None
    if last < worst:  # the same search without that short batch (drop_last)
        j_star = model.loss(theta_star, data.x, data.y)
        steps, lr = best_steps(model, data, worst, lrs, start, j_star, gap, CRITICAL_EPOCHS,
                               rng, setup.seeds, drop_last=True)
        dropped = {"steps": steps, "lr": lr}
    full_lr = float(r.best_lr[-1]) if r.steps[-1] > 0 else float(lrs[-1])
    gd_steps, _ = descent_to_target(model, data, theta, full_lr, gap, CRITICAL_EPOCHS)
    at_target = point_at_gap(model, data, theta, theta_star, gap)
    return Blob.of(typed.dumps({
        "dataset": dataset, "n": data.n, "target": setup.target, "target_gap": gap,
        "seeds": setup.seeds, "max_epochs": CRITICAL_EPOCHS, "lr_limit": limit,
        "batch_sizes": r.batch_sizes, "steps": r.steps, "best_lr": r.best_lr, "lrs": lrs,
        "s_min": r.s_min, "b_crit": r.b_crit, "fit_error": r.fit_error(),
        "fit_worst_b": worst, "worst_last_batch": last, "worst_drop_last": dropped,
        "b_simple": r.b_simple, "b_simple_target": noise_scale(model, data, at_target),
        "full_lr": full_lr, "gd_steps": gd_steps}))
