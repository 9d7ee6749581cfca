"""How each method is drawn: colour plus a line style and marker, so colour is never the
only cue (colour-blind readers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    color: str
    dash: str
    symbol: str


LOOKS: dict[str, Look] = {
    "full": Look("#1f5fbf", "solid", "circle"),
    "mini": Look("#1a7f37", "dash", "square"),
    "stochastic": Look("#c2410c", "dot", "triangle-up"),
}
MINIMUM_COLOR = "#111827"
