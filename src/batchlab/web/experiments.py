"""The lesson's live measurements: each a pure function of a few validated values, run
by the core's experiment functions and cached as ready bytes (the inputs are few)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from batchlab.core.data import Dataset, load, sharp_flat_shifts
from batchlab.core.experiments import basin_fractions, noise_curve, steps_to_target
from batchlab.core.landscape import minimise
from batchlab.core.models import SHARP_FLAT, Model, model_for
from batchlab.core.optim import Schedule
from batchlab.core.scene import METHODS, REACH, RECOMMENDED
from batchlab.web import typed
from batchlab.web.responses import Blob

NOISE_DRAWS = 2000


@dataclass(frozen=True)
class FlatBasinSetup:
    """The fixed sharp/flat experiment: rate, epochs, runs per B, the batch sizes."""

    lr: float = 0.15
    epochs: int = 5
    runs: int = 200
    batch_sizes: tuple[int, ...] = (1, 4, 16, 64, 256, 1000)


FLAT_BASIN = FlatBasinSetup()


def _far_start(dataset: str) -> tuple[Dataset, Model, np.ndarray]:
    """The dataset, its model and the full-batch start of its race (far from the minimum)."""
    data = load(dataset, int(RECOMMENDED[dataset]["n"]), np.random.default_rng(0))
    model = model_for(data.task)
    return data, model, minimise(model, data) + REACH * np.asarray(METHODS[0].offset)


def _sizes(n: int) -> np.ndarray:
    """1, 2, 4, … up to N, and N itself."""
    return np.unique(np.append(2 ** np.arange(int(np.log2(n)) + 1), n))


@lru_cache(maxsize=32)
def noise(dataset: str, seed: int) -> Blob:
    """Measured tr Cov(g_B) at the race's far start, against the exact law and tr Σ/B."""
    data, model, theta = _far_start(dataset)
    c = noise_curve(model, data, theta, _sizes(data.n), NOISE_DRAWS, np.random.default_rng(seed))
    return Blob.of(typed.dumps({
        "dataset": dataset, "n": data.n, "theta": theta, "draws": NOISE_DRAWS,
        "batch_sizes": c.batch_sizes, "measured": c.measured, "exact": c.exact,
        "one_over_b": c.one_over_b}))


@lru_cache(maxsize=32)
def flat_basin(seed: int) -> Blob:
    """Share of runs that end in the flat basin, per B, with a constant and a cosine rate."""
    s = FLAT_BASIN
    data = sharp_flat_shifts(np.random.default_rng(0), 1000)
    out: dict[str, object] = asdict(s)
    for kind in ("constant", "cosine"):
        r = basin_fractions(SHARP_FLAT, data, np.array(s.batch_sizes), s.lr, s.epochs, s.runs,
                            np.random.default_rng(seed), np.array([-1.1, 0.5]),
                            np.array([1.0, -0.3]), ((-2.5, 2.5), (-1.5, 1.5)), Schedule(kind))
        out[kind], out["sharp"], out["flat"] = r.flat_fraction, r.sharp, r.flat
    return Blob.of(typed.dumps(out))


@lru_cache(maxsize=32)
def critical(dataset: str, seed: int) -> Blob:
    """Updates until the loss gap falls to 1/1000 of its start, per B (rate tuned on a grid)."""
    data, model, theta = _far_start(dataset)
    gap = 1e-3 * (model.loss(theta, data.x, data.y)
                  - model.loss(minimise(model, data), data.x, data.y))
    top = 2.0 * RECOMMENDED[dataset]["lr"] * (5.0 if model.task == "classification" else 1.0)
    lrs = np.geomspace(top / 100, top, 9)
    r = steps_to_target(model, data, _sizes(data.n), lrs, (float(theta[0]), float(theta[1])),
                        gap, 10, np.random.default_rng(seed), seeds=3)
    return Blob.of(typed.dumps({
        "dataset": dataset, "n": data.n, "target_gap": gap, "batch_sizes": r.batch_sizes,
        "steps": r.steps, "best_lr": r.best_lr, "lrs": lrs, "s_min": r.s_min,
        "b_crit": r.b_crit, "b_simple": r.b_simple}))
