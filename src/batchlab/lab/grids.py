"""The lab's grids, torch-free: learning rates (so the command line parses ``--lrs`` without
loading PyTorch) and the evaluation steps' spacing (which summaries state)."""

from __future__ import annotations

import numpy as np

EVAL_GROWTH = 0.01  # training evaluates the full-data loss every step, then ~every 1 %


def log_grid(low: float, high: float, count: int) -> list[float]:
    """``count`` values from ``low`` to ``high`` evenly spaced in log (rounded to 6 digits)."""
    if not 0 < low <= high or count < 1:
        raise ValueError(f"need 0 < low <= high and count >= 1, got {low}, {high}, {count}")
    if count == 1:
        return [float(low)]
    return [float(f"{v:.6g}") for v in np.geomspace(low, high, count)]
