"""Summaries: the best rate per B and the critical-batch fits on known curves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from batchlab.lab.analysis import fit_examples, format_table, summarise_sweep, summarise_throughput


def _sweep_record(b: int, lr: float, seed: int, hit: int | None) -> dict[str, Any]:
    noise = {"b_simple": 50.0}
    return {"key": f"{b}-{lr}-{seed}", "config": {"batch_size": b, "lr": lr, "seed": seed},
            "result": {"hit_step": hit, "hit_examples": None if hit is None else hit * b,
                       "diverged": False, "noise_start": noise, "noise_end": noise}}


def test_fits_recover_a_known_critical_batch() -> None:
    s_min, b_crit = 100.0, 40.0
    sizes = [4, 16, 64, 256, 1024]
    records = []
    for b in sizes:
        steps = s_min * (1 + b_crit / b)
        records += [_sweep_record(b, 0.1, s, round(steps * 3)) for s in (0, 1)]  # too slow
        records += [_sweep_record(b, 0.3, 0, round(steps)), _sweep_record(b, 0.3, 1, None)]
        records += [_sweep_record(b, 0.2, s, round(steps)) for s in (0, 1)]  # best
    s = summarise_sweep(records)
    assert [r["lr"] for r in s["table"]] == [0.2] * 5  # 0.3 misses one seed: not counted
    assert s["fits"]["b_crit_steps"] == pytest.approx(b_crit, rel=0.02)
    assert s["fits"]["s_min"] == pytest.approx(s_min, rel=0.02)
    assert s["fits"]["b_simple_target"] == 50.0
    assert "b_crit_steps" in format_table(s)


def test_examples_fit_is_exact_on_its_model() -> None:
    b = np.array([8.0, 32, 128, 512])
    e = 1000 * (1 + b / 64)
    assert fit_examples(b, e) == pytest.approx((1000.0, 64.0))
    with pytest.raises(ValueError):
        fit_examples(b, -np.ones(4))


def test_sweep_without_hits_reports_no_fit() -> None:
    s = summarise_sweep([_sweep_record(8, 0.1, 0, None), _sweep_record(16, 0.1, 0, None)])
    assert s["notes"] and "b_crit_steps" not in s["fits"]


def test_throughput_table() -> None:
    rec = {"config": {"batch_size": 32, "device": "cpu"},
           "result": {"samples_per_s": 3200.0, "peak_bytes": 2**20, "saved_bytes": 2**21}}
    row = summarise_throughput([rec])["table"][0]
    assert row["ms_per_step"] == pytest.approx(10.0) and row["peak_mib"] == 1.0
    assert row["saved_mib"] == 2.0
