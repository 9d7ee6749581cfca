"""Plain-data views of core results (for JSON in the CLI and the HTTP API)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from batchlab.core.batching import EpochPlan, iterations_per_epoch
from batchlab.core.scene import Scene, span


def _arr(a: np.ndarray, digits: int | None) -> Any:
    """A list (rounded to ``digits`` places if given), or the array itself for digits < 0."""
    v = np.asarray(a)
    if digits is not None and digits < 0:
        return v
    if digits is not None and v.dtype.kind == "f":
        v = np.round(v, digits)
    return v.tolist()


def plan_to_dict(plan: EpochPlan, drop_last: bool) -> dict[str, Any]:
    """The batches of an epoch plan as lists of example indices."""
    return {
        "n": plan.n,
        "batch_size": plan.batch_size,
        "drop_last": drop_last,
        "iterations_per_epoch": iterations_per_epoch(plan.n, plan.batch_size, drop_last),
        "batches": [b.tolist() for b in plan.batches()],
        "epoch": plan.epoch.tolist(),
    }


def scene_to_dict(scene: Scene, digits: int | None = None,
                  expand_batches: bool = False) -> dict[str, Any]:
    """Everything the lesson draws, as JSON-ready data.

    Per method: the run's settings, the parameters after every update (row 0: start),
    the dataset loss there, examples processed, epoch, learning rate, and the batches
    (``order`` with per-update ``batch_start``/``batch_end`` slices, or, with
    ``expand_batches``, one list of indices per update). ``digits`` rounds floats;
    ``digits=-1`` keeps every array as a NumPy array (for a binary encoder).
    """
    g = scene.grid
    methods = []
    for m in scene.methods:
        t = m.trajectory
        p = t.plan
        used = t.updates
        rec: dict[str, Any] = {
            "key": m.key, "label": m.label, "batch_size": m.batch_size,
            "lr": t.config.lr, "start": list(t.config.start),
            "updates_per_epoch": iterations_per_epoch(scene.dataset.n, m.batch_size,
                                                      t.config.drop_last),
            "updates": used, "diverged": t.diverged, "diverged_at": t.diverged_at,
            "roughness": m.roughness,
            "w": _arr(t.params[:, 0], digits), "b": _arr(t.params[:, 1], digits),
            "loss": _arr(t.loss, digits), "examples": _arr(t.examples, digits),
            "epoch": _arr(t.epoch, digits), "step_lr": _arr(t.lr, digits),
        }
        if expand_batches:
            rec["batches"] = [t.batch(k).tolist() for k in range(1, used + 1)]
        else:
            rec["order"] = _arr(p.order, digits)
            rec["batch_start"] = _arr(p.starts[:used], digits)
            rec["batch_end"] = _arr(p.ends[:used], digits)
        methods.append(rec)
    return {
        "spec": asdict(scene.spec),
        "dataset": {"name": scene.dataset.name, "n": scene.dataset.n, "task": scene.dataset.task,
                    "description": scene.dataset.description, "x_label": scene.dataset.x_label,
                    "y_label": scene.dataset.y_label, "x": _arr(scene.dataset.x, digits),
                    "y": _arr(scene.dataset.y, digits)},
        "model": scene.model.name,
        "minimum": {"w": float(scene.minimum[0]), "b": float(scene.minimum[1]),
                    "loss": scene.min_loss},
        "landscape": {"w": _arr(g.w, digits), "b": _arr(g.b, digits),
                      "loss": _arr(g.loss, digits),
                      "span": span(scene)},
        "methods": methods,
    }
