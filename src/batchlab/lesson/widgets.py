"""Widget markers: ``::: widget NAME k=v`` in content -> a placeholder the page's JS mounts.

Every name must be listed here (and in content/README.md) with its label and the
arguments it takes, so a typo in content fails at load time instead of leaving a hole.
The label is the placeholder's ``aria-label`` and the title the mounted widget shows, so
no lead-in sentence is left dangling when a page cannot mount a widget.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from batchlab.lesson.params import parse_params, sizes


@dataclass(frozen=True)
class Widget:
    """A mountable widget: its accessible label and its allowed arguments."""

    label: str
    params: dict[str, str]


WIDGETS: dict[str, Widget] = {
    "updates-per-epoch": Widget("Updates per epoch for a dataset size and batch size you choose",
                                {"n": "int", "b": "int"}),
    "noise-vs-batch": Widget("Measured: gradient noise against batch size, next to the "
                             "exact formula", {"dataset": "word"}),
    "loss-curves": Widget("Measured: the loss of the three runs in the race, epoch by epoch",
                          {}),
    "flat-basin": Widget("Measured over many seeds: the share of runs that end in the flat "
                         "basin, per batch size", {}),
    "steps-to-target": Widget("Measured: updates needed to reach a target loss, per batch "
                              "size, with the learning rate tuned for each", {"dataset": "word"}),
    # Part C (deep dives): the JS of each lives in static/js/dives/NAME.js, its API in
    # web/dives/ (see content/README.md).
    "cost-dial": Widget("The batch-size dial: work per update, updates per epoch and "
                        "measured time per update", {"dataset": "word"}),
    "regimes-table": Widget("Three regimes side by side, computed for the race's dataset",
                            {"dataset": "word"}),
    "batch-rows": Widget("Pick the rows of a batch: the stacked matrices, one forward pass "
                         "and the batch gradient", {"dataset": "word"}),
    "coordinate-step": Widget("One update written out for w and b, with the numbers of a "
                              "real batch", {"dataset": "word"}),
    "epoch-builder": Widget("Building an epoch: shuffle, cut into batches, reshuffle",
                            {"n": "int", "b": "int"}),
    "sorted-data": Widget("Measured: the same run on class-sorted data, with and without "
                          "shuffling", {}),
    "batch-arrows": Widget("Measured: the batch gradients of one epoch at one point, and "
                           "their running mean", {"dataset": "word"}),
    "sum-vs-mean": Widget("Measured: summing per-example gradients instead of averaging "
                          "them", {"dataset": "word"}),
    "lr-scaling": Widget("Measured: loss against examples seen for larger batches, with "
                         "and without the linear scaling rule", {"dataset": "word"}),
}


def render_widget(spec: str) -> str:
    """``updates-per-epoch n=1000 b=32`` -> ``<div class="widget" data-widget=...>``."""
    words = spec.split()
    if not words:
        raise ValueError("a widget marker needs a name: '::: widget NAME'")
    name, args = words[0], words[1:]
    if name not in WIDGETS:
        raise ValueError(f"unknown widget {name!r} (known: {', '.join(WIDGETS)})")
    params = parse_params(args, WIDGETS[name].params)
    if {"n", "b"} <= set(WIDGETS[name].params) and params:
        sizes(params)
    data = "".join(f' data-{k}="{html.escape(v)}"' for k, v in params.items())
    label = html.escape(WIDGETS[name].label)
    return (f'<div class="widget" data-widget="{name}"{data} role="group" '
            f'aria-label="{label}"></div>\n')
