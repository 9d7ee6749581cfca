"""C5 and C11: /api/dives/batch-arrows (batch gradients at one θ and their running mean)
and /api/dives/sum-vs-mean (the same batches with the averaged and the summed loss).

Both work on a race dataset (its recommended N and data seed) from the race's mini-batch
start; the computations are ``core.unbiased`` and ``core.reduction``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.data import Dataset, load
from batchlab.core.landscape import loss_grid, minimise
from batchlab.core.models import Model, model_for
from batchlab.core.reduction import MATCH, compare_reductions
from batchlab.core.scene import RECOMMENDED, race_start
from batchlab.core.simulate import RunConfig, Trajectory
from batchlab.core.unbiased import (
    distance,
    epoch_mean,
    expected_epoch_distance,
    inclusion_counts,
    random_mean,
)
from batchlab.web.dives import JSON, Answer, LrQuery, blob
from batchlab.web.errors import FieldError
from batchlab.web.responses import Blob
from batchlab.web.schemas import Dataset as DatasetName

DRAWS = 1000  # independent random batches averaged at θ
INCLUSION_EPOCHS = 2000  # shuffled epochs counted for P(i ∈ first batch)
MAX_EPOCHS = 10  # sum-vs-mean: at most 10·N ≤ 10,000 updates per run
RESOLUTION = 60
Last = Literal["keep", "drop"]
DatasetQuery = Annotated[DatasetName, Query(description="which race dataset")]
SeedQuery = Annotated[int, Query(ge=0, le=1000, description="shuffle seed")]
BQuery = Annotated[int, Query(ge=1, le=1000, description="batch size B (at most N)")]


@lru_cache(maxsize=8)
def _setup(dataset: str) -> tuple[Dataset, Model, np.ndarray]:
    """The race's dataset, its model and the race's mini-batch start."""
    data = load(dataset, int(RECOMMENDED[dataset]["n"]), np.random.default_rng(0))
    model = model_for(data.task)
    return data, model, race_start(model, data, "mini")


def _check_b(dataset: str, b: int) -> None:
    n = int(RECOMMENDED[dataset]["n"])
    if b > n:
        raise FieldError("b", f"b must be between 1 and N = {n} for {dataset}, got {b}")


def _xy(a: np.ndarray) -> dict[str, np.ndarray]:
    return {"w": np.ascontiguousarray(a[:, 0]), "b": np.ascontiguousarray(a[:, 1])}


@lru_cache(maxsize=64)
def batch_arrows(dataset: str, b: int, seed: int) -> Blob:
    """One epoch's batch gradients at θ, their running mean, random batches' running mean,
    and the inclusion frequency of every example in the first batch of an epoch."""
    data, model, theta = _setup(dataset)
    rng = np.random.default_rng(seed)
    ep = epoch_mean(model, data, theta, b, rng)
    rnd = random_mean(model, data, theta, b, DRAWS, rng)
    inc = inclusion_counts(data.n, b, INCLUSION_EPOCHS, rng)
    sigma = rnd.trace_sigma
    freq = inc.frequency
    return blob({
        "dataset": dataset, "n": data.n, "b": b, "seed": seed, "model": model.name,
        "theta": [float(theta[0]), float(theta[1])],
        "full": [float(ep.full[0]), float(ep.full[1])],
        "trace_sigma": sigma, "batch_variance": float(rnd.expected[0] ** 2),
        "epoch": {
            "grads": _xy(ep.grads), "sizes": ep.sizes, "running": _xy(ep.running),
            "distance": distance(ep.running, ep.full),
            "expected": expected_epoch_distance(sigma, data.n, b, ep.sizes.size),
            "gap": ep.gap, "plain_gap": ep.plain_gap,
            "plain_mean": [float(v) for v in ep.grads.mean(axis=0)],
        },
        "random": {"draws": DRAWS, "running": _xy(rnd.running), "distance": rnd.distance,
                   "expected": rnd.expected, "gap": float(np.abs(rnd.running[-1] - ep.full)
                                                          .max())},
        "inclusion": {"epochs": inc.epochs, "expected": inc.expected,
                      "mean": float(freq.mean()), "min": float(freq.min()),
                      "max": float(freq.max()), "spread": inc.spread,
                      "expected_spread": inc.expected_spread, "max_z": inc.max_z},
    })


def _run(t: Trajectory) -> dict[str, Any]:
    return {**_xy(t.params), "loss": t.loss, "updates": t.updates,
            "diverged_at": t.diverged_at, "lr": float(t.config.lr),
            "reduction": t.config.reduction}


def _square(points: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square box (same span in w and b, so the page can draw both axes to one scale)
    around the given points, with a 16 % margin (room for the start and minimum markers
    inside the surface) and at least 0.5 wide."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    mid, half = (lo + hi) / 2, 0.58 * max(float((hi - lo).max()), 0.5)
    return (float(mid[0] - half), float(mid[0] + half)), (float(mid[1] - half),
                                                          float(mid[1] + half))


@lru_cache(maxsize=64)
def sum_vs_mean(dataset: str, b: int, lr: float, epochs: int, seed: int, last: str) -> Blob:
    """Averaged with η, summed with η/B and summed with η on one batch order, from the
    race's start; the gaps between the paths and the NumPy replay check."""
    data, model, start = _setup(dataset)
    cfg = RunConfig(batch_size=b, lr=lr, epochs=epochs, start=(float(start[0]),
                    float(start[1])), drop_last=last == "drop")
    c = compare_reductions(model, data, cfg, np.random.default_rng(seed))
    m = minimise(model, data)
    w_rng, b_rng = _square(np.vstack([m[None, :], c.mean.params]))
    grid = loss_grid(model, data, w_rng, b_rng, RESOLUTION)
    sizes = c.plan.ends - c.plan.starts
    split = c.first_split
    return blob({
        "dataset": dataset, "n": data.n, "b": b, "lr": lr, "epochs": epochs, "seed": seed,
        "last": last, "model": model.name, "start": [float(start[0]), float(start[1])],
        "updates_per_epoch": c.plan.updates // epochs, "short": int(sizes[-1]) if
        int(sizes[-1]) != b else 0,
        "minimum": {"w": float(m[0]), "b": float(m[1]), "loss": model.loss(m, data.x, data.y)},
        "grid": {"w": grid.w, "b": grid.b, "loss": grid.loss},
        "mean": _run(c.mean), "sum_scaled": _run(c.sum_scaled), "sum_raw": _run(c.sum_raw),
        "gaps": c.gaps, "gap": c.gap, "replay_gap": c.replay_gap, "match": MATCH,
        "first_split": split, "split_size": None if split is None else int(sizes[split - 1]),
        "raw_gap": c.raw_gap,
    })


def make_router(answer: Answer) -> APIRouter:
    """GET /api/dives/batch-arrows and /api/dives/sum-vs-mean."""
    router = APIRouter(tags=["deep dives"])

    @router.get("/batch-arrows", response_class=Response, responses=JSON)
    async def get_batch_arrows(request: Request, dataset: DatasetQuery = "synthetic",
                               b: BQuery = 50, seed: SeedQuery = 0) -> Response:
        """At the race's mini-batch start θ: ∇J(θ); the batch gradients of one shuffled
        epoch (short last batch kept), their size-weighted running mean, its distance from
        ∇J and the exact RMS distance; ``gap``: largest difference between the epoch's mean
        and ∇J; the running mean of 1000 independent batches with its exact RMS distance
        √((N−B)/(B(N−1))·tr Σ/k); and how often each example was in the first batch of 2000
        shuffled epochs, against B/N."""
        _check_b(dataset, b)
        return await answer(request, lambda: batch_arrows(dataset, b, seed))

    @router.get("/sum-vs-mean", response_class=Response, responses=JSON)
    async def get_sum_vs_mean(
        request: Request, dataset: DatasetQuery = "synthetic", b: BQuery = 25,
        lr: LrQuery = None,
        epochs: Annotated[int, Query(ge=1, le=MAX_EPOCHS, description="epochs")] = 3,
        seed: SeedQuery = 0,
        last: Annotated[Last, Query(description="keep or drop the short last batch")] = "keep",
    ) -> Response:
        """Three runs on one batch order from the race's mini-batch start: averaged loss
        with η, summed with η/B, summed with η. ``gaps``/``gap``: largest coordinate
        difference between the first two paths after each update / overall;
        ``replay_gap``: the engine's summed-with-η/B path against a NumPy loop of the
        same update;
        ``first_split``: first update where they differ by more than 1e-12 (a short last
        batch); the summed-with-η run stops where it diverges."""
        _check_b(dataset, b)
        eta = float(RECOMMENDED[dataset]["lr"]) if lr is None else float(lr)
        return await answer(request, lambda: sum_vs_mean(dataset, b, eta, epochs, seed, last))

    return router
