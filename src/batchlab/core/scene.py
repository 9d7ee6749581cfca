"""The lesson's centrepiece as one pure function: ``build(SceneSpec) -> Scene``.

Three methods race on one dataset's loss landscape: full batch (B = N, starts upper
left), mini-batch (B = spec.batch_size, starts below) and stochastic (B = 1, starts
right), all with the same learning rate, schedule and number of epochs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
from numba import njit

from batchlab.core.batching import SAMPLINGS, Sampling
from batchlab.core.data import FIXED_SIZES, Dataset, load
from batchlab.core.landscape import Grid, loss_grid, minimise
from batchlab.core.models import Model, model_for
from batchlab.core.optim import Schedule
from batchlab.core.simulate import RunConfig, Trajectory, run

MAX_EXAMPLES_PROCESSED = 50_000  # epochs × N: bounds the stochastic path's length
RaceSchedule = Literal["cosine", "constant"]
RACE_SCHEDULES: tuple[RaceSchedule, ...] = ("cosine", "constant")
"""The race's step-size schedules. Each method's schedule runs over its own updates, which
suits these two; a step or warm-up schedule counted in updates would treat full batch (30
updates) and stochastic (30,000) absurdly differently."""


@dataclass(frozen=True)
class Limit:
    """Allowed closed range of a numeric field."""

    low: float
    high: float


LIMITS: dict[str, Limit] = {
    "n": Limit(10, 5000),
    "batch_size": Limit(1, 5000),
    "lr": Limit(1e-4, 10.0),
    "epochs": Limit(1, 200),
    "seed": Limit(0, 2**32 - 1),
    "data_seed": Limit(0, 2**32 - 1),
    "resolution": Limit(11, 201),
}


@dataclass(frozen=True)
class SceneSpec:
    """Everything that determines the race; the same spec always gives the same scene."""

    dataset: str = "synthetic"
    n: int = 1000
    batch_size: int = 32
    lr: float = 0.2
    epochs: int = 30
    seed: int = 0
    data_seed: int = 0
    schedule: RaceSchedule = "cosine"
    sampling: Sampling = "shuffle"
    drop_last: bool = False
    resolution: int = 61

    def __post_init__(self) -> None:
        for name, lim in LIMITS.items():
            v = getattr(self, name)
            high, why = lim.high, ""
            if name == "epochs" and MAX_EXAMPLES_PROCESSED // self.n < high:  # n checked above
                high = MAX_EXAMPLES_PROCESSED // self.n
                why = f" for n={self.n} (epochs × n ≤ {MAX_EXAMPLES_PROCESSED})"
            if not (isinstance(v, int | float) and np.isfinite(v) and lim.low <= v <= high):
                raise ValueError(f"{name} must be between {lim.low:g} and {high:g}{why}, got {v}")
        if self.dataset not in RECOMMENDED:
            raise ValueError(f"dataset must be one of {', '.join(RECOMMENDED)}, "
                             f"got {self.dataset!r}")
        if self.n > FIXED_SIZES.get(self.dataset, self.n):
            raise ValueError(f"n must be between {LIMITS['n'].low:g} and "
                             f"{FIXED_SIZES[self.dataset]} for {self.dataset}, got {self.n}")
        if self.schedule not in RACE_SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(RACE_SCHEDULES)}, "
                             f"got {self.schedule!r}")
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {', '.join(SAMPLINGS)}, "
                             f"got {self.sampling!r}")
        if self.batch_size > self.n:
            raise ValueError(f"batch_size must be between 1 and n={self.n}, got {self.batch_size}")

    @classmethod
    def for_dataset(cls, dataset: str = "synthetic", **values: Any) -> SceneSpec:
        """A spec whose n, lr and epochs default to the dataset's recommended ones;
        values given as None also fall back to them."""
        base: dict[str, Any] = dict(RECOMMENDED.get(dataset, {}))
        base.update({k: v for k, v in values.items() if v is not None})
        if "n" in base:
            base["n"] = int(base["n"])
        if "epochs" in base:
            base["epochs"] = int(base["epochs"])
        return cls(dataset=dataset, **base)

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> SceneSpec:
        """Build from loosely typed values (query strings, CLI), naming any unknown field."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for k, v in values.items():
            if k not in known:
                raise ValueError(f"unknown field {k!r}; fields are {', '.join(known)}")
            kwargs[k] = _coerce(k, v, getattr(cls(), k))
        return cls(**kwargs)


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        s = str(value).lower()
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be true or false, got {value!r}")
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a {type(default).__name__}, got {value!r}") from None


RECOMMENDED: dict[str, dict[str, float]] = {
    "synthetic": {"n": 1000, "lr": 0.2, "epochs": 30},
    "synthetic-classification": {"n": 1000, "lr": 1.0, "epochs": 50},
    "diabetes": {"n": 442, "lr": 0.2, "epochs": 30},
    "breast-cancer": {"n": 569, "lr": 2.0, "epochs": 80},
}
"""Datasets the race offers, with a learning rate and epochs that keep the stochastic path
readable. Breast cancer's landscape is a long, flat valley: there full batch is still
on its way after 80 updates (a rate large enough to finish throws B = 1 all over)."""


@dataclass(frozen=True)
class MethodStyle:
    """How the lesson names a method and where it starts (in units of the scene's reach)."""

    key: str
    label: str
    offset: tuple[float, float]


METHODS: tuple[MethodStyle, ...] = (
    MethodStyle("full", "Full batch", (-0.9, 0.75)),
    MethodStyle("mini", "Mini-batch", (0.1, -1.0)),
    MethodStyle("stochastic", "Stochastic", (1.0, 0.2)),
)
REACH = 2.5
WIDE = 1.3  # the landscape box is at least this many times wider (in w) than tall (in b):
# drawn at equal scale, it then fills the page's landscape-shaped figure
RUNAWAY = 1e4  # |w| or |b| beyond this counts as diverged (the landscape spans ~10)


@dataclass(frozen=True, eq=False)
class MethodRun:
    key: str
    label: str
    batch_size: int
    trajectory: Trajectory
    roughness: float | None  # None when the run diverged


@dataclass(frozen=True, eq=False)
class Scene:
    spec: SceneSpec
    dataset: Dataset
    model: Model
    minimum: np.ndarray
    min_loss: float
    grid: Grid
    methods: tuple[MethodRun, ...]

    def method(self, key: str) -> MethodRun:
        for m in self.methods:
            if m.key == key:
                return m
        raise KeyError(key)


def start_of(key: str, minimum: np.ndarray) -> np.ndarray:
    """Where method ``key`` starts: REACH along its offset from the minimum."""
    styles = {m.key: m for m in METHODS}
    if key not in styles:
        raise ValueError(f"method must be one of {', '.join(styles)}, got {key!r}")
    return np.asarray(minimum) + REACH * np.asarray(styles[key].offset)


def race_start(model: Model, data: Dataset, key: str) -> np.ndarray:
    """Where the race's method ``key`` starts on ``data`` (the deep dives measure there)."""
    return start_of(key, minimise(model, data))


def batch_size_of(key: str, spec: SceneSpec, n: int) -> int:
    return {"full": n, "mini": min(spec.batch_size, n), "stochastic": 1}[key]


def build(spec: SceneSpec) -> Scene:
    """Compute the dataset, landscape, exact minimum and the three real trajectories."""
    data = load(spec.dataset, spec.n, np.random.default_rng(spec.data_seed))
    model = model_for(data.task)
    minimum = minimise(model, data)
    schedule = Schedule(kind=spec.schedule)
    runs = []
    for i, style in enumerate(METHODS):
        start = start_of(style.key, minimum)
        cfg = RunConfig(batch_size=batch_size_of(style.key, spec, data.n), lr=spec.lr,
                        epochs=spec.epochs, start=(float(start[0]), float(start[1])),
                        sampling=spec.sampling, drop_last=spec.drop_last, schedule=schedule,
                        max_abs=RUNAWAY)
        traj = run(model, data, cfg, np.random.default_rng([spec.seed, i]))
        runs.append(MethodRun(style.key, style.label, cfg.batch_size, traj,
                              None if traj.diverged else roughness(traj)))
    w_rng, b_rng = _bounds(minimum, runs)
    grid = loss_grid(model, data, w_rng, b_rng, spec.resolution)
    return Scene(spec, data, model, minimum, model.loss(minimum, data.x, data.y), grid,
                 tuple(runs))


def _bounds(minimum: np.ndarray, runs: list[MethodRun]) -> tuple[tuple[float, float], ...]:
    """A box around the starts and the minimum, grown to hold the paths (up to 1.5×), then
    widened in w to at least ``WIDE`` times its height."""
    pts = np.vstack([minimum] + [r.trajectory.params[0] for r in runs])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    # column by column: a reduction along axis 0 of an (N, 2) array is ~30× slower
    p_lo = np.array([min(r.trajectory.params[:, j].min() for r in runs) for j in (0, 1)])
    p_hi = np.array([max(r.trajectory.params[:, j].max() for r in runs) for j in (0, 1)])
    width = hi - lo
    lo = np.maximum(np.minimum(lo, p_lo - 0.05 * width), lo - 0.25 * width)
    hi = np.minimum(np.maximum(hi, p_hi + 0.05 * width), hi + 0.25 * width)
    grow = max(0.0, WIDE * (hi[1] - lo[1]) - (hi[0] - lo[0])) / 2  # widen w about its middle
    return (float(lo[0] - grow), float(hi[0] + grow)), (float(lo[1]), float(hi[1]))


def roughness(traj: Trajectory) -> float:
    """Path length divided by the straight start-to-end distance (1 = a straight path)."""
    p = traj.params
    chord = float(np.linalg.norm(p[-1] - p[0]))
    return float("inf") if chord == 0.0 else _path_length(p) / chord


@njit(cache=True)
def _path_length(p: np.ndarray) -> float:
    """Sum of the Euclidean lengths of the steps between consecutive rows."""
    total = 0.0
    for k in range(1, p.shape[0]):
        total += np.hypot(p[k, 0] - p[k - 1, 0], p[k, 1] - p[k - 1, 1])
    return total


def span(scene: Scene) -> float:
    """Diagonal of the landscape box: the yardstick for 'ends near the minimum'."""
    g = scene.grid
    return float(np.hypot(g.w[-1] - g.w[0], g.b[-1] - g.b[0]))
