"""batchlab: mini-batch training computed for real — an interactive lesson and a lab.

The public API is imported lazily so that ``import batchlab`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Dataset": "batchlab.core.data",
    "load_dataset": ("batchlab.core.data", "load"),
    "load_table": "batchlab.core.data",
    "Model": "batchlab.core.models",
    "MODELS": "batchlab.core.models",
    "make_plan": "batchlab.core.batching",
    "iterations_per_epoch": "batchlab.core.batching",
    "Schedule": "batchlab.core.optim",
    "RunConfig": "batchlab.core.simulate",
    "Trajectory": "batchlab.core.simulate",
    "run": "batchlab.core.simulate",
    "run_many": "batchlab.core.simulate",
    "full_gradient": "batchlab.core.gradstats",
    "per_example_covariance": "batchlab.core.gradstats",
    "batch_covariance": "batchlab.core.gradstats",
    "noise_scale": "batchlab.core.gradstats",
    "SceneSpec": "batchlab.core.scene",
    "Scene": "batchlab.core.scene",
    "build_scene": ("batchlab.core.scene", "build"),
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'batchlab' has no attribute {name!r}")
    module, attr = (target, name) if isinstance(target, str) else target
    return getattr(import_module(module), attr)
