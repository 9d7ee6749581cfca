"""/api/experiments/*: the live measurements behind the lesson's trade-off claims."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Query, Request, Response

from batchlab.web import experiments
from batchlab.web.responses import Blob, send
from batchlab.web.schemas import Dataset

Seed = Annotated[int, Query(ge=0, le=1000, description="shuffle seed of the measurement")]
DatasetQ = Annotated[Dataset, Query(description="which race dataset to measure")]
# one Literal (nested Literals flatten), so a bad value gets one error listing every choice
CriticalQ = Annotated[Literal[Dataset, "synthetic-offset"], Query(  # CRITICAL_DATASET
    description="which dataset to measure: a race dataset, or synthetic-offset (the synthetic "
                "set with its feature shifted to mean 1, a tilted bowl; the lesson's default)")]
JSON: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}}}}


def make_router(max_builds: int) -> APIRouter:
    """Routes that run at most ``max_builds`` measurements at once (each is cached)."""
    router = APIRouter(prefix="/api/experiments", tags=["experiments"])
    limiter = CapacityLimiter(max_builds)

    async def run(request: Request, fn: Callable[[], Blob]) -> Response:
        return send(request, await to_thread.run_sync(fn, limiter=limiter), "application/json")

    @router.get("/noise-vs-batch", response_class=Response, responses=JSON)
    async def noise_vs_batch(request: Request, dataset: DatasetQ = "synthetic",
                             seed: Seed = 0) -> Response:
        """C6: tr Cov(g_B) measured by sampling batches without and with replacement (with
        standard errors), the exact (N−B)/(B(N−1))·tr Σ, tr Σ/B, and the largest deviations
        (relative and in standard errors) as the stated check."""
        return await run(request, lambda: experiments.noise(dataset, seed))

    @router.get("/flat-basin", response_class=Response, responses=JSON)
    async def flat_basin(request: Request, seed: Seed = 0) -> Response:
        """C7: runs from the same random starts on the sharp/flat surface, the same number
        of updates for every B, constant and cosine rate: counts ending flat, 95 % Wilson
        intervals, which start ended where, how tightly the ends settled, the surface."""
        return await run(request, lambda: experiments.flat_basin(seed))

    @router.get("/steps-to-target", response_class=Response, responses=JSON)
    async def steps_to_target(request: Request, dataset: CriticalQ = experiments.CRITICAL_DATASET,
                              seed: Seed = 0) -> Response:
        """C9: updates to reach the target per B with a rate tuned up to 2/λ_max; the B_crit
        fit, its largest relative deviation (``fit_error``) and where (``fit_worst_b``),
        that size measured again without its short last batch (``worst_drop_last``: steps
        and rate; null when B divides N, ``worst_last_batch`` says how many examples it held);
        B_simple at the start and at the target; the full-batch count recomputed by a
        separate gradient-descent loop (``gd_steps``). ``steps`` is -1 and ``best_lr`` NaN
        for a B that no rate on the grid brought to the target within 10 epochs (the fit
        leaves those out)."""
        return await run(request, lambda: experiments.critical(dataset, seed))

    return router
