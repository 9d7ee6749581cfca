"""Summaries of finished trial records: a table per experiment and the fitted numbers.

Torch-free (NumPy only). The critical batch size comes from two fits (McCandlish et al.,
2018): steps S = S_min(1 + B_crit/B) (the core's least-squares fit, linear in 1/B) and
examples E = E_min(1 + B/B_crit) (linear in B), each over the best learning rate per B.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from batchlab.core.experiments import fit_critical_batch
from batchlab.lab.store import cell

Record = dict[str, Any]
Summary = dict[str, Any]


def fit_examples(batch_sizes: np.ndarray, examples: np.ndarray) -> tuple[float, float]:
    """Least-squares fit of E = E_min + (E_min/B_crit)·B; returns (E_min, B_crit)."""
    ok = examples > 0
    if ok.sum() < 2:
        raise ValueError("need at least two batch sizes that reach the target")
    a = np.column_stack([np.ones(int(ok.sum())), batch_sizes[ok].astype(np.float64)])
    (e_min, slope), *_ = np.linalg.lstsq(a, examples[ok].astype(np.float64), rcond=None)
    return float(e_min), float(e_min / slope) if slope > 0 else float("inf")


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
    except ValueError as exc:
        notes.append(f"no fit: {exc}")
    fits["b_simple_start"] = _median([r["b_simple_start"] for r in table])
    fits["b_simple_target"] = _median([r["b_simple_target"] for r in table if r["steps"]])
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


def summarise_scaling(records: list[Record]) -> Summary:
    table = _mean_by(records, ("batch_size", "warmup_steps"), ("lr", "final_loss",
                                                              "hit_examples"))
    return {"kind": "scaling", "table": table, "fits": {}, "notes": [],
            "columns": ["batch_size", "warmup_steps", "lr", "final_loss", "hit_examples",
                        "seeds", "diverged"]}


def summarise_sharpness(records: list[Record]) -> Summary:
    table = _mean_by(records, ("batch_size", "lr"), ("final_loss", "final_accuracy",
                                                      "lambda_max", "epsilon_sharpness"))
    return {"kind": "sharpness", "table": table, "fits": {}, "notes": [],
            "columns": ["batch_size", "lr", "final_loss", "final_accuracy", "lambda_max",
                        "epsilon_sharpness", "seeds", "diverged"]}


def summarise_throughput(records: list[Record]) -> Summary:
    table = []
    for (b, dev), rs in _groups(records, ("batch_size", "device")).items():
        res = rs[0]["result"]
        peak = res.get("peak_bytes")
        table.append({"batch_size": b, "device": dev,
                      "samples_per_s": _num(res.get("samples_per_s")),
                      "ms_per_step": 1e3 * b / _num(res.get("samples_per_s")),
                      "peak_mib": peak / 2**20 if isinstance(peak, int | float) else None,
                      "saved_mib": _num(res.get("saved_bytes")) / 2**20})
    return {"kind": "throughput", "table": table, "fits": {}, "notes": [],
            "columns": ["batch_size", "device", "samples_per_s", "ms_per_step", "peak_mib",
                        "saved_mib"]}


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
