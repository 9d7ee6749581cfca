"""C1 and C10: /api/dives/cost (the batch-size dial) and /api/dives/regimes (the table).

The dial's times are measured on this machine once per process and per dataset (a lock
keeps two timings from running at once and slowing each other); the table reuses them.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from functools import lru_cache
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.batching import iterations_per_epoch
from batchlab.core.cost import (
    REGIME_SIZES,
    CostCurve,
    dial_sizes,
    fit_time,
    measure_costs,
    paired_ratio,
    regimes,
)
from batchlab.core.data import Dataset, load
from batchlab.core.models import Model, model_for
from batchlab.core.scene import RECOMMENDED, race_start
from batchlab.web.dives import JSON, Answer, blob
from batchlab.web.responses import Blob
from batchlab.web.schemas import Dataset as DatasetName

DRAWS = 4000
PRESETS = (32, 64, 128)
_TIMING = threading.Lock()

DatasetQ = Annotated[DatasetName, Query(description="the race's dataset to measure on")]


@lru_cache(maxsize=8)
def _setup(dataset: str) -> tuple[Dataset, Model, np.ndarray, float]:
    """The race's data (its N), model, full-batch start point and learning rate."""
    data = load(dataset, int(RECOMMENDED[dataset]["n"]), np.random.default_rng(0))
    model = model_for(data.task)
    return data, model, race_start(model, data, "full"), float(RECOMMENDED[dataset]["lr"])


@lru_cache(maxsize=8)
def _timed(dataset: str) -> CostCurve:
    data, model, theta, lr = _setup(dataset)
    return measure_costs(model, data, dial_sizes(data.n), lr, theta, np.random.default_rng(0))


def curve(dataset: str) -> CostCurve:
    """The measured costs of every dial size, timed once per process (one timing at a time)."""
    with _TIMING:
        return _timed(dataset)


@lru_cache(maxsize=8)
def dial(dataset: str) -> Blob:
    """Counts and measured times per B with their ratios to B = 1 (per update) and B = N
    (per epoch) and the noise in them, the large-B line fit, the closed-form checks."""
    data, _, theta, lr = _setup(dataset)
    c = curve(dataset)
    closed = np.array([iterations_per_epoch(data.n, int(b)) for b in c.batch_sizes])
    return blob({
        "dataset": dataset, "n": data.n, "lr": lr, "theta": theta, "presets": list(PRESETS),
        "batch_sizes": c.batch_sizes, "updates_per_epoch": c.updates_per_epoch,
        "examples_per_epoch": c.examples_per_epoch, "last_batch": c.last_batch,
        "seconds_per_update": c.seconds_per_update, "seconds_per_epoch": c.seconds_per_epoch,
        "spread": c.spread, "epochs": c.epochs, "repeats": c.repeats,
        "update_ratio": paired_ratio(c.update_runs, 0),
        "epoch_ratio": paired_ratio(c.epoch_runs, len(c.batch_sizes) - 1),
        "fit": asdict(fit_time(c.batch_sizes, c.seconds_per_update)),
        "counts_match": bool(np.array_equal(closed, c.updates_per_epoch)
                             and np.all(c.examples_per_epoch == data.n)),
    })


@lru_cache(maxsize=32)
def regimes_table(dataset: str, seed: int) -> Blob:
    """The rows for B = 1, 32, 64, 128, N: cost, updates, exact and sampled noise, time."""
    data, model, theta, _ = _setup(dataset)
    r = regimes(model, data, theta, np.random.default_rng(seed), DRAWS, REGIME_SIZES)
    c = curve(dataset)
    at = np.searchsorted(c.batch_sizes, r.batch_sizes)
    return blob({
        "dataset": dataset, "n": data.n, "theta": theta, "seed": seed, "draws": r.draws,
        "trace_sigma": r.trace_sigma, "batch_sizes": r.batch_sizes,
        "examples_per_update": r.examples_per_update, "updates_per_epoch": r.updates_per_epoch,
        "last_batch": r.last_batch, "factor": r.factor, "exact": r.exact,
        "sampled": r.sampled, "sampled_se": r.sampled_se,
        "seconds_per_update": c.seconds_per_update[at],
    })


def make_router(answer: Answer) -> APIRouter:
    """GET /api/dives/cost and GET /api/dives/regimes."""
    router = APIRouter(tags=["deep dives"])

    @router.get("/cost", response_class=Response, responses=JSON)
    async def get_cost(request: Request, dataset: DatasetQ = "synthetic") -> Response:
        """For every B on the dial (1 … N in log steps): updates and examples per epoch
        counted in the engine's plans, and the compiled SGD loop's measured seconds per
        update (drop-last runs: exactly B examples each) and per epoch (keep-last runs),
        medians over repeats, timed once per server process; where B divides N one set of
        runs gives both (at B = N they are equal). ``update_ratio`` / ``epoch_ratio``: the
        time per update over B = 1's / per epoch over B = N's, repeat by repeat, as its
        quartiles and median [q25, median, q75] (a range that holds 1: the same within
        the timing noise).
        ``fit``: seconds per update ≈ intercept + slope·B over B ≥ ``from_b``, with the
        log–log slope. Timings differ from run to run and machine to machine."""
        return await answer(request, lambda: dial(dataset))

    @router.get("/regimes", response_class=Response, responses=JSON)
    async def get_regimes(
        request: Request, dataset: DatasetQ = "synthetic",
        seed: Annotated[int, Query(ge=0, le=1000, description="seed of the sampled batches")]
        = 0,
    ) -> Response:
        """B = 1, 32, 64, 128 and N at the race's full-batch start: examples per update,
        updates per epoch, the exact tr Cov(g_B) = (N−B)/(B(N−1))·tr Σ, the same trace
        estimated from ``draws`` random batches (with its standard error), and the
        measured seconds per update from /api/dives/cost."""
        return await answer(request, lambda: regimes_table(dataset, seed))

    return router
