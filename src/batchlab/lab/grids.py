"""Learning-rate grids, torch-free, so the command line parses ``--lrs`` without loading
PyTorch (a Ctrl-C during that load would otherwise print a traceback)."""

from __future__ import annotations

import numpy as np


def log_grid(low: float, high: float, count: int) -> list[float]:
    """``count`` values from ``low`` to ``high`` evenly spaced in log (rounded to 6 digits)."""
    if not 0 < low <= high or count < 1:
        raise ValueError(f"need 0 < low <= high and count >= 1, got {low}, {high}, {count}")
    if count == 1:
        return [float(low)]
    return [float(f"{v:.6g}") for v in np.geomspace(low, high, count)]
