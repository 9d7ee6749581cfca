"""Plotly figures of core results: pure functions from data to ``go.Figure``.

The only package that imports plotly; the same figures serve Jupyter and static export.
"""

from batchlab.figures.race import loss_figure, race_figure

__all__ = ["loss_figure", "race_figure"]
