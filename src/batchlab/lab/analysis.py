"""Summaries of finished trial records: a table per experiment, the fitted numbers, and
notes that flag what the numbers alone hide (extrapolated fits, rates at the edge of the
grid, runs that did not train, noisy timings, warm-ups longer than the run).

Torch-free (NumPy only). The critical batch size comes from two fits (McCandlish et al.,
2018) over the best learning rate per B: steps S = S_min(1 + B_crit/B) and examples
E = E_min(1 + B/B_crit), both least squares on log values (relative errors, as the log–log
figures show them) by the core's grid search over B_crit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from batchlab.core.experiments import FIT_SPAN, fit_critical_batch
from batchlab.lab.grids import EVAL_GROWTH
from batchlab.lab.store import cell

Record = dict[str, Any]
Summary = dict[str, Any]
_SHORT = {"batch_size": "B", "lr": "η", "warmup_steps": "warm-up"}  # labels in the notes
SPREAD_NOTE = 2.0  # throughput: flag rows whose slowest repeat is this many times the fastest
LOSS_RATIO_NOTE = 3.0  # sharpness: flag final losses this many times apart


def fit_examples(batch_sizes: np.ndarray, examples: np.ndarray) -> tuple[float, float]:
    """Fit E = E_min(1 + B/B_crit) by least squares on log E, the same fit as the steps fit:
    E/B = (E_min/B_crit)(1 + B_crit/B) is the steps model and log E − log B its residual, so
    ``fit_critical_batch`` on E/B (same B_crit grid, S_min = E_min/B_crit held ≥ 1 update)
    is this fit. Entries ≤ 0 (target not reached) are left out. Returns (E_min, B_crit)."""
    b = np.asarray(batch_sizes, dtype=np.float64)
    e = np.asarray(examples, dtype=np.float64)
    s_min, b_crit = fit_critical_batch(b, np.where(e > 0, e / b, -1.0))
    return s_min * b_crit, b_crit


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else float("nan")


def _median(values: Sequence[float]) -> float:
    v = [x for x in values if np.isfinite(x)]
    return float(np.median(v)) if v else float("nan")


def _groups(records: list[Record], keys: Sequence[str]) -> dict[tuple[Any, ...], list[Record]]:
    out: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for r in records:
        out[tuple(r["config"].get(k) for k in keys)].append(r)
    return dict(sorted(out.items(), key=lambda kv: tuple(_num(k) for k in kv[0])))


def best_per_batch(records: list[Record]) -> list[dict[str, Any]]:
    """For each B: the η with the fewest mean steps among those where every seed hit."""
    rows: dict[int, dict[str, Any]] = {}
    for (b, lr), rs in _groups(records, ("batch_size", "lr")).items():
        hits = [r["result"].get("hit_step") for r in rs]
        row = rows.setdefault(int(b), {"batch_size": int(b), "lr": None, "steps": None,
                                       "examples": None, "seeds": 0, "records": []})
        if any(h is None for h in hits) or any(r["result"].get("diverged") for r in rs):
            continue
        steps = float(np.mean(hits))
        if row["steps"] is None or steps < row["steps"]:
            row.update(lr=float(lr), steps=steps, seeds=len(rs), records=rs,
                       examples=float(np.mean([r["result"]["hit_examples"] for r in rs])))
    return [rows[b] for b in sorted(rows)]


def b_crit_notes(fits: dict[str, Any], sizes: np.ndarray) -> list[str]:
    """Flag a fitted B_crit outside the batch sizes in the fit [min B, max B], more strongly
    when it sits on an edge of the search grid (no interior optimum), and the two B_crit
    when they differ by more than 2×. The numbers stay; the notes say what they mean."""
    lo, hi = float(sizes.min()), float(sizes.max())
    why = {
        "low edge": f"on the lower edge of the fit's search grid (smallest B / {FIT_SPAN:g}): "
                    f"the fit found no interior optimum, as the steps to target do not fall "
                    f"as B grows (e.g. every batch size took the same number of steps); "
                    f"B_crit is not determined, only below the smallest batch size in the "
                    f"fit ({lo:g})",
        "high edge": f"on the upper edge of the fit's search grid (largest B × {FIT_SPAN:g}): "
                     f"the fit found no interior optimum, as the steps to target fall as fast "
                     f"as 1/B (perfect scaling) across the batch sizes measured; B_crit is "
                     f"not determined, only above the largest batch size in the fit ({hi:g})",
        "below": f"below the smallest batch size in the fit ({lo:g}): the fit extrapolates; "
                 f"measure smaller batch sizes",
        "above": f"above the largest batch size in the fit ({hi:g}): the fit extrapolates; "
                 f"measure larger batch sizes"}
    found: dict[str, list[str]] = defaultdict(list)
    for key in ("steps", "examples"):
        bc = float(fits[f"b_crit_{key}"])
        where = ("low edge" if bc <= lo / FIT_SPAN * (1 + 1e-9) else
                 "high edge" if bc >= hi * FIT_SPAN * (1 - 1e-9) else
                 "below" if bc < lo else "above" if bc > hi else None)
        if where:
            found[where].append(f"B_crit ({key}) = {cell(bc)}")
    notes = [f"{' and '.join(names)} {'lies' if len(names) == 1 else 'lie'} {why[where]}"
             for where, names in found.items()]
    a, b = float(fits["b_crit_steps"]), float(fits["b_crit_examples"])
    if max(a, b) > 2 * min(a, b):
        notes.append(f"B_crit from steps ({cell(a)}) and from examples ({cell(b)}) differ by "
                     f"{max(a, b) / min(a, b):.1f}×: both fits are least squares on log values "
                     f"of one model (E = B·S), so they part only where the examples are not B "
                     f"× the steps (a smaller last batch in each epoch when B does not divide "
                     f"N) or where the batch sizes measured leave B_crit poorly determined")
    return notes


def lr_edge_notes(records: list[Record], table: list[dict[str, Any]]) -> list[str]:
    """Flag the batch sizes whose best η is the smallest or largest rate tried at that B
    (when more than one was tried): the optimum may lie beyond the grid."""
    tried: dict[int, set[float]] = defaultdict(set)
    for r in records:
        tried[int(r["config"]["batch_size"])].add(float(r["config"]["lr"]))
    edges: dict[tuple[str, float], list[int]] = defaultdict(list)
    for row in table:
        rates, lr = tried[row["batch_size"]], row["lr"]
        if lr is None or len(rates) < 2:
            continue
        if lr == min(rates):
            edges[("smallest", lr)].append(row["batch_size"])
        elif lr == max(rates):
            edges[("largest", lr)].append(row["batch_size"])
    return [f"the best η for B = {', '.join(map(str, bs))} is the {side} rate tried "
            f"({cell(lr)}): the steps there may fall further with a "
            f"{'smaller' if side == 'smallest' else 'larger'} rate; extend --lrs "
            f"{'down' if side == 'smallest' else 'up'}"
            for (side, lr), bs in sorted(edges.items())]


def no_progress_notes(records: list[Record], keys: Sequence[str],
                      initial: Callable[[Record], Any]) -> list[str]:
    """One note listing the runs (grouped by ``keys``) whose final loss is not below their
    initial loss (``initial(record)``) although not flagged as diverged: they did not train,
    but the divergence rule only counts losses beyond 1000× the initial one."""
    parts = []
    for k, rs in _groups(records, keys).items():
        bad = [(_num(r["result"].get("final_loss")), _num(initial(r))) for r in rs
               if not r["result"].get("diverged")]
        bad = [(f, i) for f, i in bad if np.isfinite(f) and np.isfinite(i) and f >= i]
        if bad:
            label = ", ".join(f"{_SHORT.get(c, c)}={cell(v)}" for c, v in zip(keys, k,
                                                                                strict=True))
            parts.append(f"{label} ({len(bad)} of {len(rs)} seeds: final loss "
                         f"{cell(float(np.mean([f for f, _ in bad])))} vs initial "
                         f"{cell(float(np.mean([i for _, i in bad])))})")
    if not parts:
        return []
    return ["final loss not below the initial loss (the run did not train, though not "
            "counted as diverged, which takes 1000× the initial loss): " + "; ".join(parts)]


def _every() -> str:
    return (f"the full-data loss is evaluated every step at first, then about every "
            f"{EVAL_GROWTH:.0%} of the steps so far")


def target_note(records: list[Record]) -> list[str]:
    """What the sweep's steps count: the runs' target and the evaluation grid it is checked on."""
    def text(loss: float | None, acc: float | None) -> str:
        parts = ([f"full-data training loss ≤ {cell(loss)}"] if loss is not None else []) + \
                ([f"accuracy ≥ {cell(acc)}"] if acc is not None else [])
        return " or ".join(parts) + (", whichever comes first" if len(parts) == 2 else "")
    targets = {(r["config"].get("target_loss"), r["config"].get("target_accuracy"))
               for r in records} - {(None, None)}
    if not targets:
        return []
    return [f"target: {'; '.join(sorted(text(*t) for t in targets))}. steps is the first "
            f"evaluated step where it holds ({_every()}), so counts agree to about "
            f"{EVAL_GROWTH:.0%}"]


def summarise_sweep(records: list[Record]) -> Summary:
    best = best_per_batch(records)
    table = []
    for row in best:
        rs = row.pop("records")
        row["b_simple_start"] = _median([_num(r["result"]["noise_start"]["b_simple"])
                                         for r in rs])
        row["b_simple_target"] = _median([_num(r["result"]["noise_end"]["b_simple"])
                                          for r in rs])
        table.append(row)
    bs = np.array([r["batch_size"] for r in table], dtype=np.float64)
    steps = np.array([r["steps"] if r["steps"] is not None else -1.0 for r in table])
    examples = np.array([r["examples"] if r["examples"] is not None else -1.0 for r in table])
    fits: dict[str, Any] = {}
    notes: list[str] = []
    try:
        fits["s_min"], fits["b_crit_steps"] = fit_critical_batch(bs, steps)
        fits["e_min"], fits["b_crit_examples"] = fit_examples(bs, examples)
        notes += b_crit_notes(fits, bs[steps > 0])
    except ValueError as exc:
        notes.append(f"no fit: {exc}")
    fits["b_simple_start"] = _median([r["b_simple_start"] for r in table])
    fits["b_simple_target"] = _median([r["b_simple_target"] for r in table if r["steps"]])
    notes += target_note(records) + lr_edge_notes(records, table)
    notes += no_progress_notes(records, ("batch_size", "lr"),
                               lambda r: (r["result"].get("noise_start") or {}).get("loss"))
    return {"kind": "sweep", "table": table, "fits": fits, "notes": notes,
            "columns": ["batch_size", "lr", "steps", "examples", "seeds", "b_simple_start",
                        "b_simple_target"]}


def _mean_by(records: list[Record], keys: Sequence[str], fields: Sequence[str]
             ) -> list[dict[str, Any]]:
    """One row per distinct ``keys``: the mean (and count) of each result field."""
    table = []
    for k, rs in _groups(records, keys).items():
        row: dict[str, Any] = dict(zip(keys, k, strict=True))
        row["seeds"] = len(rs)
        row["diverged"] = sum(bool(r["result"].get("diverged")) for r in rs)
        for f in fields:
            vals = [_num(r["result"].get(f)) for r in rs]
            fin = [v for v in vals if np.isfinite(v)]
            row[f] = float(np.mean(fin)) if fin else None
        table.append(row)
    return table


def warmup_notes(records: list[Record]) -> list[str]:
    """Flag the (B, warm-up) rows whose warm-up is not shorter than the run: the rate of
    update t is η·(t+1)/warm-up, so a run of S ≤ warm-up updates peaks at η·S/warm-up."""
    parts = []
    for (b, warm), rs in _groups(records, ("batch_size", "warmup_steps")).items():
        run = max((r["result"].get("steps") or [0])[-1] for r in rs)
        lr = _num(rs[0]["result"].get("lr"))
        if warm and run and warm >= run:
            peak = ("reaches the η shown only at its last update" if warm == run else
                    f"peaks at {cell(lr * run / warm)}")
            parts.append(f"B={b}, warm-up {warm} ≥ {run} updates: the rate {peak}, "
                         f"not η = {cell(lr)} throughout")
    if not parts:
        return []
    return ["warm-up not shorter than the run, so the η shown is reached late or never: "
            + "; ".join(parts)]


def summarise_scaling(records: list[Record]) -> Summary:
    table = _mean_by(records, ("batch_size", "warmup_steps"), ("lr", "final_loss",
                                                              "hit_examples"))
    targets = {r["result"].get("target_loss") for r in records} - {None}
    reached = (f"{cell(targets.pop())} (the workload's target)" if len(targets) == 1
               else "the workload's target loss")
    notes = [f"hit_examples: examples processed when the full-data training loss first fell to "
             f"{reached}; - where it never did ({_every()})"]
    notes += warmup_notes(records) + no_progress_notes(
        records, ("batch_size", "warmup_steps"),
        lambda r: (r["result"].get("loss") or [None])[0])
    return {"kind": "scaling", "table": table, "fits": {}, "notes": notes,
            "columns": ["batch_size", "warmup_steps", "lr", "final_loss", "hit_examples",
                        "seeds", "diverged"]}


def stage_notes(table: list[dict[str, Any]]) -> list[str]:
    """Flag sharpness rows whose mean final losses differ by more than LOSS_RATIO_NOTE×: at
    equal epochs B also sets how far training got, so λ_max compares different stages."""
    rows = [r for r in table if isinstance(r.get("final_loss"), float) and r["final_loss"] > 0]
    if len(rows) < 2:
        return []
    low = min(rows, key=lambda r: r["final_loss"])
    high = max(rows, key=lambda r: r["final_loss"])
    ratio = high["final_loss"] / low["final_loss"]
    if ratio <= LOSS_RATIO_NOTE:
        return []
    return [f"final losses differ {ratio:.0f}× (from {cell(low['final_loss'])} at "
            f"B={low['batch_size']} to {cell(high['final_loss'])} at B={high['batch_size']}): "
            f"after equal epochs the runs stand at different stages of training, so the "
            f"sharpness values compare stages as well as batch sizes; compare at equal "
            f"loss for B alone"]


def summarise_sharpness(records: list[Record]) -> Summary:
    table = _mean_by(records, ("batch_size", "lr"), ("final_loss", "final_accuracy",
                                                      "lambda_max", "epsilon_sharpness"))
    notes = stage_notes(table) + no_progress_notes(records, ("batch_size", "lr"),
                                                   lambda r: r["result"].get("initial_loss"))
    return {"kind": "sharpness", "table": table, "fits": {}, "notes": notes,
            "columns": ["batch_size", "lr", "final_loss", "final_accuracy", "lambda_max",
                        "epsilon_sharpness", "seeds", "diverged"]}


def summarise_throughput(records: list[Record]) -> Summary:
    table, noisy = [], []
    for (b, dev), rs in _groups(records, ("batch_size", "device")).items():
        res = rs[0]["result"]
        peak = res.get("peak_bytes")
        secs = [_num(v) for v in res.get("seconds") or []]
        spread = max(secs) / min(secs) if len(secs) > 1 and min(secs) > 0 else None
        table.append({"batch_size": b, "device": dev,
                      "samples_per_s": _num(res.get("samples_per_s")),
                      "ms_per_step": 1e3 * b / _num(res.get("samples_per_s")),
                      "spread": spread,
                      "peak_mib": peak / 2**20 if isinstance(peak, int | float) else None,
                      "saved_mib": _num(res.get("saved_bytes")) / 2**20})
        if spread is not None and spread > SPREAD_NOTE:
            noisy.append(f"B={b} on {dev}: {spread:.1f}× "
                         f"({', '.join(f'{v:.3g}' for v in secs)} s)")
    notes = ["spread: slowest / fastest of the timed repeats (samples_per_s uses their median)"]
    if noisy:
        notes.append(f"timing noise: repeats vary more than {SPREAD_NOTE:g}× at "
                     + "; ".join(noisy) + ": the machine was busy; rerun for a steady figure")
    return {"kind": "throughput", "table": table, "fits": {}, "notes": notes,
            "columns": ["batch_size", "device", "samples_per_s", "ms_per_step", "spread",
                        "peak_mib", "saved_mib"]}


def summarise_noise(records: list[Record]) -> Summary:
    table = []
    for r in sorted(records, key=lambda r: r["config"].get("seed", 0)):
        for when in ("start", "end"):
            at = r["result"].get(when) or {}
            ex, tb = at.get("exact", {}), at.get("two_batch", {})
            fin, raw = tb.get("finite", {}), tb.get("none", {})
            table.append({"seed": r["config"].get("seed"), "at": when,
                          "g2": ex.get("g2"), "tr_sigma": ex.get("tr_sigma"),
                          "b_simple": ex.get("b_simple"),
                          "two_batch": fin.get("b_simple"), "two_batch_ci": fin.get("b_simple_ci"),
                          "two_batch_1_over_b": raw.get("b_simple"),
                          "negative_g2_draws": raw.get("negative_g2_draws")})
    notes = ["two_batch: finite-population corrected (unbiased |G|² and tr Σ; the ratio keeps "
             "its O(1/draws) bias); two_batch_1_over_b: the usual 1/B formula, whose |G|² is "
             "low by tr Σ/(N−1)"]
    runs = {(c.get("train_steps"), c.get("batch_size"), c.get("lr"), c.get("b_small"),
             c.get("b_big"), c.get("draws")) for c in (r["config"] for r in records)}
    notes += [f"start: the model as initialised by its seed; end: after {steps} steps of SGD at "
              f"B = {b}, η = {cell(lr)} (one snapshot; noise_tracking shows B_simple every "
              f"few steps); two-batch estimates from {draws} pairs of batches of {small} and "
              f"{big}" for steps, b, lr, small, big, draws in sorted(runs, key=str)
              if None not in (steps, b, lr, small, big, draws)]
    if any(not np.isfinite(_num(row[k])) for row in table
           for k in ("two_batch", "two_batch_1_over_b")):
        notes.append("- in a two-batch column: the mean |G|² estimate over the draws was not "
                     "positive (the gradient is small against the batch noise there; more "
                     "--draws or a larger --b-big help), so its B_simple is undefined")
    return {"kind": "noise", "table": table, "fits": {}, "notes": notes,
            "columns": ["seed", "at", "g2", "tr_sigma", "b_simple", "two_batch", "two_batch_ci",
                        "two_batch_1_over_b", "negative_g2_draws"]}


SUMMARISERS: dict[str, Callable[[list[Record]], Summary]] = {
    "sweep": summarise_sweep, "scaling": summarise_scaling, "sharpness": summarise_sharpness,
    "throughput": summarise_throughput, "noise": summarise_noise}


def format_table(summary: Summary) -> str:
    """The summary's table as aligned plain text, then its fits and notes."""
    cols = summary["columns"]
    cells = [[cell(row.get(c)) for c in cols] for row in summary["table"]]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    lines += [f"{k} = {cell(v)}" for k, v in summary.get("fits", {}).items()]
    lines += [f"note: {n}" for n in summary.get("notes", [])]
    return "\n".join(lines)
