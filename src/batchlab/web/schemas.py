"""Request schemas: query parameters with their allowed ranges, so a 422 names the field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from batchlab.core.batching import Sampling
from batchlab.core.scene import LIMITS, MAX_EXAMPLES_PROCESSED, RaceSchedule

Dataset = Literal["synthetic", "synthetic-classification", "diabetes", "breast-cancer"]
"""The keys of ``core.scene.RECOMMENDED`` (a test keeps the two equal)."""


def _lo(name: str) -> float:
    return LIMITS[name].low


def _hi(name: str) -> float:
    return LIMITS[name].high


class SceneQuery(BaseModel):
    """The fields of ``SceneSpec`` as query parameters (same defaults, same ranges)."""

    model_config = ConfigDict(extra="forbid")

    dataset: Dataset = "synthetic"
    n: int | None = Field(None, ge=_lo("n"), le=_hi("n"),
                          description="examples N (default: the dataset's recommended)")
    batch_size: int = Field(32, ge=_lo("batch_size"), le=_hi("batch_size"))
    lr: float | None = Field(None, ge=_lo("lr"), le=_hi("lr"), allow_inf_nan=False,
                             description="learning rate (default: the dataset's recommended)")
    # the maximum is documented, not checked here: the core's check names the limit for this n
    epochs: int | None = Field(None, ge=_lo("epochs"), json_schema_extra={"maximum": _hi("epochs")},
                               description="epochs (default: the dataset's recommended; at "
                               f"most {_hi('epochs')} and at most {MAX_EXAMPLES_PROCESSED} / n)")
    seed: int = Field(0, ge=_lo("seed"), le=_hi("seed"))
    data_seed: int = Field(0, ge=_lo("data_seed"), le=_hi("data_seed"))
    schedule: RaceSchedule = Field("cosine", description="step-size schedule: cosine "
                                   "decay to ~0 over each method's updates, or constant")
    sampling: Sampling = "shuffle"
    drop_last: bool = False
    resolution: int = Field(61, ge=_lo("resolution"), le=_hi("resolution"))
    format: Literal["json", "binary"] = Field(
        "json", description="json: JSON with base64 typed arrays; binary: the same values "
                            "as one binary frame of raw aligned arrays (what the page "
                            "reads; see web/frame.py)")


class PlanQuery(BaseModel):
    """An epoch plan request: N examples cut into batches of B."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(ge=1, le=100_000)
    batch_size: int = Field(ge=1, le=100_000)
    epochs: int = Field(1, ge=1, le=10)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    sampling: Sampling = "shuffle"
    drop_last: bool = False
