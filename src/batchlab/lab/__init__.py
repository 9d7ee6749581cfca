"""The lab: batch-size effects measured on real PyTorch models (noise scale, throughput
and memory, critical batch size, linear scaling with warm-up, sharpness).

Exports resolve lazily, so ``batchlab.lab.store`` (used by the web app) imports no torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Workload": "batchlab.lab.workloads",
    "from_module": "batchlab.lab.workloads",
    "from_file": "batchlab.lab.workloads",
    "resolve": "batchlab.lab.workloads",
    "BUILTINS": "batchlab.lab.workloads",
    "WorkloadError": "batchlab.lab.workloads",
    "epoch_batches": "batchlab.lab.batches",
    "per_example": "batchlab.lab.pergrad",
    "NoiseScale": "batchlab.lab.noise",
    "exact_noise": "batchlab.lab.noise",
    "two_batch_estimate": "batchlab.lab.noise",
    "TrainConfig": "batchlab.lab.train",
    "train": "batchlab.lab.train",
    "top_eigenvalue": "batchlab.lab.curvature",
    "epsilon_sharpness": "batchlab.lab.curvature",
    "Executor": "batchlab.lab.executors",
    "Experiment": "batchlab.lab.api",
    "noise_scale": "batchlab.lab.api",
    "throughput": "batchlab.lab.api",
    "sweep": "batchlab.lab.api",
    "scaling": "batchlab.lab.api",
    "sharpness": "batchlab.lab.api",
    "ResultsExist": "batchlab.lab.api",
    "Interrupted": "batchlab.lab.api",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'batchlab.lab' has no attribute {name!r}")
    return getattr(import_module(module), name)
