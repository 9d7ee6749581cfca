"""C4 "why shuffle": /api/dives/sorted-data, one run on class-sorted data, in order vs shuffled."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from batchlab.core.data import FIXED_SIZES, load
from batchlab.core.landscape import loss_grid
from batchlab.core.models import model_for
from batchlab.core.ordering import OrderedRun, OrderingComparison, compare_orderings
from batchlab.core.scene import RECOMMENDED
from batchlab.core.simulate import RunConfig
from batchlab.web.dives import JSON, Answer, blob
from batchlab.web.errors import FieldError
from batchlab.web.responses import Blob

ClassData = Literal["synthetic-classification", "breast-cancer"]
START = (0.0, 0.0)  # σ(0) = ½ for every example: no class favoured at the start
RESOLUTION = 60
MAX_B = 1000


def _size(dataset: str) -> int:
    return FIXED_SIZES.get(dataset, int(RECOMMENDED[dataset]["n"]))


def _run_dict(r: OrderedRun) -> dict[str, Any]:
    t = r.trajectory
    return {"sampling": r.sampling, "w": t.params[:, 0], "b": t.params[:, 1], "loss": t.loss,
            "epoch": t.epoch, "share": r.share, "cosine": r.cosines,
            "mean_cosine": r.mean_cosine, "epoch_loss": r.epoch_loss,
            "replay_gap": r.replay_gap, "updates": t.updates}


def _box(c: OrderingComparison) -> tuple[tuple[float, float], tuple[float, float]]:
    """A box holding the minimum and both paths, with a margin."""
    pts = np.vstack([c.minimum[None, :]] + [r.trajectory.params for r in c.runs])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 0.5)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]),
                                                          float(hi[1] + pad[1]))


@lru_cache(maxsize=64)
def sorted_data(dataset: str, b: int, lr: float, epochs: int, seed: int) -> Blob:
    """Both runs, their statistics, the loss surface around them and the replay check."""
    n = _size(dataset)
    data = load(dataset, n, np.random.default_rng(0))
    model = model_for(data.task)
    c = compare_orderings(model, data, RunConfig(batch_size=b, lr=lr, epochs=epochs,
                                                 start=START), np.random.default_rng(seed))
    w_rng, b_rng = _box(c)
    grid = loss_grid(model, c.data, w_rng, b_rng, RESOLUTION)
    zeros = int((c.data.y == 0).sum())
    return blob({
        "dataset": dataset, "n": n, "b": b, "lr": lr, "epochs": epochs, "seed": seed,
        "start": list(START), "class0": zeros, "class1": n - zeros,
        "updates_per_epoch": c.runs[0].trajectory.plan.updates // epochs,
        "minimum": {"w": float(c.minimum[0]), "b": float(c.minimum[1]), "loss": c.min_loss},
        "grid": {"w": grid.w, "b": grid.b, "loss": grid.loss},
        "sorted": _run_dict(c.run("sequential")), "shuffled": _run_dict(c.run("shuffle")),
        "replay_gap": c.replay_gap,
    })


def make_router(answer: Answer) -> APIRouter:
    """GET /api/dives/sorted-data."""
    router = APIRouter(tags=["deep dives"])

    @router.get("/sorted-data", response_class=Response, responses=JSON)
    async def get_sorted_data(
        request: Request,
        dataset: Annotated[ClassData, Query(description="classification set to sort")]
        = "synthetic-classification",
        b: Annotated[int, Query(ge=1, le=MAX_B, description="batch size B (at most N)")] = 25,
        lr: Annotated[float, Query(ge=0.01, le=10.0, allow_inf_nan=False,
                                   description="learning rate η")] = 1.0,
        epochs: Annotated[int, Query(ge=1, le=10, description="epochs of both runs")] = 5,
        seed: Annotated[int, Query(ge=0, le=1000, description="shuffle seed")] = 0,
    ) -> Response:
        """Class-sorted data read in stored order vs reshuffled every epoch: the loss and
        path of each run, the share of class 1 per batch, cosines between consecutive
        batch gradients, the loss after each epoch, and ``replay_gap``: the largest
        difference between the engine's paths and a plain NumPy replay of the same batches."""
        n = _size(dataset)
        if b > n:
            raise FieldError("b", f"b must be between 1 and N = {n} for {dataset}, got {b}")
        return await answer(request, lambda: sorted_data(dataset, b, lr, epochs, seed))

    return router
