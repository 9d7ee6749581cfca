"""Numbers the lesson states that are facts of the algorithm, computed rather than typed.

Content writes ``{{updates n=1000 b=32}}``; the page shows 32 and, on hover, where the
number comes from. Each value calls the same function the engine uses.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from batchlab.core.batching import iterations_per_epoch
from batchlab.lesson.params import parse_params, sizes


@dataclass(frozen=True)
class LiveNumber:
    """One computable value: its arguments, what it means, and how to compute it."""

    params: dict[str, str]
    doc: str
    compute: Callable[[dict[str, str]], tuple[int, str]]


def _updates(p: dict[str, str]) -> tuple[int, str]:
    n, b = sizes(p)
    last = p.get("last", "keep")
    if last not in ("keep", "drop"):
        raise ValueError(f"last must be keep or drop, got {last!r}")
    drop = last == "drop"
    bracket = "⌊{}/{}⌋" if drop else "⌈{}/{}⌉"
    return (iterations_per_epoch(n, b, drop),
            bracket.format(n, b) + ", computed by batchlab.core.batching.iterations_per_epoch")


def _last_batch(p: dict[str, str]) -> tuple[int, str]:
    n, b = sizes(p)
    k = iterations_per_epoch(n, b)
    return n - (k - 1) * b, f"{n} − ({k} − 1)·{b}: the examples left for the last batch"


LIVE: dict[str, LiveNumber] = {
    "updates": LiveNumber({"n": "int", "b": "int", "last": "word"},
                          "updates in one epoch of N examples in batches of B "
                          "(last=keep: ⌈N/B⌉, the default; last=drop: ⌊N/B⌋)", _updates),
    "last-batch": LiveNumber({"n": "int", "b": "int"},
                             "examples in the last, possibly short, batch of an epoch",
                             _last_batch),
}


def render_live(spec: str) -> str:
    """``updates n=1000 b=32`` -> a ``<span class="live">`` holding the computed number."""
    words = spec.split()
    if not words:
        raise ValueError("empty live number {{ }}")
    name, args = words[0], words[1:]
    if name not in LIVE:
        raise ValueError(f"unknown live number {name!r} (known: {', '.join(LIVE)})")
    params = parse_params(args, LIVE[name].params)
    value, origin = LIVE[name].compute(params)
    data = "".join(f' data-{k}="{html.escape(v)}"' for k, v in params.items())
    return (f'<span class="live" data-live="{name}"{data} title="{html.escape(origin)}">'
            f"{value}</span>")
