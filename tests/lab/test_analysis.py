"""Summaries: the best rate per B, the critical-batch fits on known curves, and the notes
that flag what the numbers alone hide."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.optimize import least_squares

from batchlab.core.experiments import fit_critical_batch
from batchlab.core.optim import Schedule, learning_rates
from batchlab.lab.analysis import (
    fit_examples,
    format_table,
    summarise_noise,
    summarise_scaling,
    summarise_sharpness,
    summarise_sweep,
    summarise_throughput,
)
from batchlab.lab.grids import EVAL_GROWTH


def _sweep_record(b: int, lr: float, seed: int, hit: int | None, *, final: float = 0.1,
                  initial: float = 2.3, diverged: bool = False) -> dict[str, Any]:
    start = {"b_simple": 50.0, "loss": initial}
    return {"key": f"{b}-{lr}-{seed}", "config": {"batch_size": b, "lr": lr, "seed": seed},
            "result": {"hit_step": hit, "hit_examples": None if hit is None else hit * b,
                       "diverged": diverged, "final_loss": final, "noise_start": start,
                       "noise_end": {"b_simple": 50.0}}}


def _sweep(steps: dict[int, float], lr: float = 0.2) -> dict[str, Any]:
    """The sweep summary of one seed per B that hits the target after ``steps[B]`` steps."""
    return summarise_sweep([_sweep_record(b, lr, 0, round(s)) for b, s in steps.items()])


def _grid_step(b: np.ndarray) -> float:
    """The relative spacing of fit_critical_batch's B_crit grid over these batch sizes."""
    return float((b.max() * 1e4 / b.min()) ** (1 / 4000) - 1)


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
    assert s["notes"] == []  # B_crit inside the range, rates inside the grid, every run trained


def test_examples_fit_recovers_its_model_to_the_grid_step() -> None:
    b = np.array([8.0, 32, 128, 512])
    e_min, b_crit = fit_examples(b, 1000 * (1 + b / 64))
    assert b_crit == pytest.approx(64.0, rel=_grid_step(b))
    assert e_min == pytest.approx(1000.0, rel=_grid_step(b))
    with pytest.raises(ValueError):
        fit_examples(b, -np.ones(4))


def test_examples_fit_is_least_squares_on_log_examples() -> None:
    """On noisy data the fit matches an independent optimiser of the same objective (sum of
    squared log residuals), not the linear-space fit it replaced."""
    b = np.array([2.0, 8, 32, 128, 512])
    e = 1000 * (1 + b / 40) * np.array([1.3, 0.8, 1.2, 0.85, 1.1])  # ±30 % scatter

    def resid(p: np.ndarray) -> np.ndarray:
        return np.log(e) - p[0] - np.log1p(b / np.exp(p[1]))

    ref = least_squares(resid, x0=[np.log(1000), np.log(40)]).x
    e_min, b_crit = fit_examples(b, e)
    assert b_crit == pytest.approx(np.exp(ref[1]), rel=2 * _grid_step(b))
    assert e_min == pytest.approx(np.exp(ref[0]), rel=2 * _grid_step(b))
    linear = np.linalg.lstsq(np.column_stack([np.ones(b.size), b]), e, rcond=None)[0]
    assert abs(b_crit - linear[0] / linear[1]) > 0.2 * b_crit  # the old fit: 32, not 44


def test_both_fits_agree_when_examples_are_b_times_steps() -> None:
    b = np.array([4.0, 16, 64, 256])
    steps = np.array([900.0, 310, 160, 95])  # not on the model: the fits still coincide
    s_min, bc_steps = fit_critical_batch(b, steps)
    e_min, bc_examples = fit_examples(b, steps * b)
    assert bc_examples == bc_steps and e_min == pytest.approx(s_min * bc_steps)


def test_b_crit_on_the_lower_grid_edge_is_flagged() -> None:
    s = _sweep({32: 246, 128: 246})  # the same steps at both B: no interior optimum
    assert s["fits"]["b_crit_steps"] == pytest.approx(32 / 100)  # kept, not hidden
    note = next(n for n in s["notes"] if n.startswith("B_crit (steps) = 0.32 and B_crit "
                                                      "(examples) = 0.32 lie on the lower edge"))
    assert "no interior optimum" in note and "only below the smallest batch size in the fit " \
        "(32)" in note
    assert "note: B_crit (steps) = 0.32" in format_table(s)


def test_b_crit_on_the_upper_grid_edge_is_flagged() -> None:
    s = _sweep({b: 1e6 / b for b in (8, 32, 128)})  # steps ∝ 1/B: perfect scaling throughout
    assert s["fits"]["b_crit_steps"] == pytest.approx(128 * 100)
    assert any("lie on the upper edge" in n and "only above the largest batch size in the "
               "fit (128)" in n for n in s["notes"])


@pytest.mark.parametrize(("b_crit", "sizes", "where"), [
    (5.0, (32, 128, 512), "below the smallest batch size in the fit (32): the fit "
                          "extrapolates; measure smaller batch sizes"),
    (3000.0, (4, 16, 64), "above the largest batch size in the fit (64): the fit "
                          "extrapolates; measure larger batch sizes")])
def test_b_crit_outside_the_measured_range_is_flagged(b_crit: float, sizes: tuple[int, ...],
                                                      where: str) -> None:
    s = _sweep({b: 1000 * (1 + b_crit / b) for b in sizes})
    assert s["fits"]["b_crit_steps"] == pytest.approx(b_crit, rel=0.02)
    assert [n for n in s["notes"] if "extrapolates" in n] == [
        f"B_crit (steps) = {s['fits']['b_crit_steps']:.4g} and B_crit (examples) = "
        f"{s['fits']['b_crit_examples']:.4g} lie {where}"]


def test_b_crit_fits_that_disagree_are_flagged() -> None:
    records = [_sweep_record(b, 0.2, 0, round(1000 * (1 + 40 / b))) for b in (8, 32, 128)]
    for r in records:  # examples ∝ B, not B × steps (as if most batches were partial)
        r["result"]["hit_examples"] = 2000 * r["config"]["batch_size"]
    s = summarise_sweep(records)
    a, b = s["fits"]["b_crit_steps"], s["fits"]["b_crit_examples"]
    assert max(a, b) / min(a, b) > 2
    assert any(n.startswith(f"B_crit from steps ({a:.4g}) and from examples ({b:.4g}) differ "
                            f"by {max(a, b) / min(a, b):.1f}×") for n in s["notes"])


def test_best_rate_at_the_edge_of_the_grid_is_flagged() -> None:
    best = {8: 0.1, 32: 0.3, 128: 1.0, 512: 1.0}
    records = [_sweep_record(b, lr, 0, 100 if lr == best[b] else 200)
               for b in best for lr in (0.1, 0.3, 1.0)]
    records.append(_sweep_record(2, 0.1, 0, 400))  # one rate only at B = 2: no note
    notes = summarise_sweep(records)["notes"]
    assert [n for n in notes if n.startswith("the best η")] == [
        "the best η for B = 128, 512 is the largest rate tried (1): the steps there may "
        "fall further with a larger rate; extend --lrs up",
        "the best η for B = 8 is the smallest rate tried (0.1): the steps there may fall "
        "further with a smaller rate; extend --lrs down"]


def test_sweep_runs_that_did_not_train_are_listed() -> None:
    records = [_sweep_record(32, 0.3, s, 100) for s in (0, 1)]
    records += [_sweep_record(32, 3.0, 0, None, final=2.35, initial=2.30),
                _sweep_record(32, 3.0, 1, None, final=2.58, initial=2.30),
                _sweep_record(32, 3.0, 2, None, final=1.9, initial=2.30),  # trained a little
                _sweep_record(32, 10.0, 0, None, final=5e4, initial=2.3, diverged=True)]
    notes = summarise_sweep(records)["notes"]
    assert [n for n in notes if n.startswith("final loss not below")] == [
        "final loss not below the initial loss (the run did not train, though not counted as "
        f"diverged, which takes 1000× the initial loss): B=32, η=3 (2 of 3 seeds: final loss "
        f"{(2.35 + 2.58) / 2:.4g} vs initial 2.3)"]


def test_sweep_without_hits_reports_no_fit() -> None:
    s = summarise_sweep([_sweep_record(8, 0.1, 0, None), _sweep_record(16, 0.1, 0, None)])
    assert s["notes"] and "b_crit_steps" not in s["fits"]


def test_throughput_table() -> None:
    rec = {"config": {"batch_size": 32, "device": "cpu"},
           "result": {"samples_per_s": 3200.0, "peak_bytes": 2**20, "saved_bytes": 2**21}}
    s = summarise_throughput([rec])
    row = s["table"][0]
    assert row["ms_per_step"] == pytest.approx(10.0) and row["peak_mib"] == 1.0
    assert row["saved_mib"] == 2.0
    assert row["spread"] is None and not any("timing noise" in n for n in s["notes"])


def test_throughput_spread_of_repeats_and_its_note() -> None:
    noisy = [5.276, 7.475, 4.979, 3.002, 0.362]
    steady = [1.00, 1.05, 0.98, 1.02, 1.01]
    recs = [{"config": {"batch_size": b, "device": "cpu"},
             "result": {"samples_per_s": 100.0, "seconds": secs, "saved_bytes": 0}}
            for b, secs in ((64, noisy), (256, steady))]
    s = summarise_throughput(recs)
    assert [r["spread"] for r in s["table"]] == pytest.approx([7.475 / 0.362, 1.05 / 0.98])
    assert "spread" in s["columns"] and "spread" in format_table(s).splitlines()[0]
    timing = [n for n in s["notes"] if n.startswith("timing noise")]
    assert timing == [f"timing noise: repeats vary more than 2× at B=64 on cpu: "
                      f"{7.475 / 0.362:.1f}× (5.28, 7.47, 4.98, 3, 0.362 s): the machine was "
                      f"busy; rerun for a steady figure"]


def _scaling_record(b: int, warm: int, run: int, seed: int = 0, *, lr: float = 0.1,
                    losses: tuple[float, float] = (2.3, 0.2)) -> dict[str, Any]:
    steps = list(range(run + 1))
    return {"config": {"batch_size": b, "warmup_steps": warm, "seed": seed},
            "result": {"lr": lr, "steps": steps, "examples": [t * b for t in steps],
                       "loss": list(np.linspace(*losses, run + 1)), "final_loss": losses[1],
                       "diverged": False, "hit_examples": None}}


def test_scaling_flags_warmups_not_shorter_than_the_run() -> None:
    records = [_scaling_record(128, 30, 70, lr=0.4), _scaling_record(512, 0, 20, lr=1.6),
               _scaling_record(512, 30, 20, lr=1.6), _scaling_record(256, 35, 35, lr=0.8)]
    notes = summarise_scaling(records)["notes"][1:]  # after the hit_examples note
    peak = learning_rates(Schedule("constant", 30), 1.6, 20).max()  # the schedule trained
    assert peak == pytest.approx(1.6 * 20 / 30)
    assert notes == ["warm-up not shorter than the run, so the η shown is reached late or never: "
                     "B=256, warm-up 35 ≥ 35 updates: the rate reaches the η shown only at "
                     "its last update, not η = 0.8 throughout; B=512, warm-up 30 ≥ 20 "
                     f"updates: the rate peaks at {peak:.4g}, not η = 1.6 throughout"]


def test_scaling_runs_that_did_not_train_are_listed() -> None:
    records = [_scaling_record(32, 0, 50, s, losses=(2.3, f)) for s, f in enumerate((0.1,
                                                                                     2.5))]
    s = summarise_scaling(records)
    assert s["table"][0]["diverged"] == 0  # the rule is unchanged; the note says the rest
    assert s["notes"][1:] == ["final loss not below the initial loss (the run did not train, "
                          "though not counted as diverged, which takes 1000× the initial "
                          "loss): B=32, warm-up=0 (1 of 2 seeds: final loss 2.5 vs initial "
                          "2.3)"]


def _sharpness_record(b: int, final: float) -> dict[str, Any]:
    return {"config": {"batch_size": b, "lr": 0.3, "seed": 0},
            "result": {"final_loss": final, "final_accuracy": 0.9, "diverged": False,
                       "lambda_max": 1.0, "epsilon_sharpness": 0.1}}


def test_sharpness_at_different_stages_of_training_is_flagged() -> None:
    s = summarise_sharpness([_sharpness_record(b, f) for b, f in ((8, 0.023), (64, 0.3),
                                                                  (512, 1.206))])
    assert s["notes"] == [f"final losses differ {1.206 / 0.023:.0f}× (from 0.023 at B=8 to "
                          "1.206 at B=512): after equal epochs the runs stand at different "
                          "stages of training, so the sharpness values compare stages as well "
                          "as batch sizes; compare at equal loss for B alone"]
    close = summarise_sharpness([_sharpness_record(8, 0.1), _sharpness_record(64, 0.29)])
    assert close["notes"] == []


def test_sweep_says_its_target_and_how_finely_steps_are_counted() -> None:
    records = [{**r, "config": {**r["config"], "target_loss": 0.1, "target_accuracy": 0.9}}
               for r in (_sweep_record(8, 0.1, 0, 400), _sweep_record(32, 0.1, 0, 120))]
    [note] = [n for n in summarise_sweep(records)["notes"] if n.startswith("target")]
    assert note.startswith("target: full-data training loss ≤ 0.1 or accuracy ≥ 0.9, "
                           "whichever comes first. steps is the first evaluated step")
    assert f"about every {EVAL_GROWTH:.0%} of the steps so far" in note


def test_scaling_names_the_target_its_hit_examples_count_to() -> None:
    records = [{**r, "result": {**r["result"], "target_loss": 0.25}}
               for r in (_scaling_record(32, 0, 50), _scaling_record(128, 0, 20))]
    assert summarise_scaling(records)["notes"][0].startswith(
        "hit_examples: examples processed when the full-data training loss first fell to "
        "0.25 (the workload's target); - where it never did")


def test_noise_says_why_a_two_batch_estimate_is_missing() -> None:
    def record(g2_positive: bool) -> dict[str, Any]:
        est = {"b_simple": 120.0 if g2_positive else float("nan"), "b_simple_ci": [90.0, 150.0]}
        at = {"exact": {"g2": 0.02, "tr_sigma": 2.6, "b_simple": 130.0},
              "two_batch": {"finite": est, "none": {"b_simple": 125.0, "negative_g2_draws": 9}}}
        return {"config": {"seed": 0}, "result": {"start": at, "end": at}}
    assert len(summarise_noise([record(True)])["notes"]) == 1  # only the columns' meaning
    notes = summarise_noise([record(False)])["notes"]
    assert notes[1].startswith("- in a two-batch column: the mean |G|² estimate over the "
                               "draws was not positive")


def test_noise_says_where_start_and_end_were_measured() -> None:
    at = {"exact": {"g2": 0.02, "tr_sigma": 2.6, "b_simple": 130.0},
          "two_batch": {"finite": {"b_simple": 120.0}, "none": {"b_simple": 125.0}}}
    config = {"seed": 0, "train_steps": 200, "batch_size": 32, "lr": 0.1, "b_small": 16,
              "b_big": 256, "draws": 64}
    notes = summarise_noise([{"config": config, "result": {"start": at, "end": at}}])["notes"]
    assert notes[1] == ("start: the model as initialised by its seed; end: after 200 steps of "
                        "SGD at B = 32, η = 0.1 (one snapshot; noise_tracking shows B_simple "
                        "every few steps); two-batch estimates from 64 pairs of batches of 16 "
                        "and 256")


def test_sharpness_runs_that_did_not_train_are_listed() -> None:
    records = [{**r, "result": {**r["result"], "initial_loss": 2.3}}
               for r in (_sharpness_record(8, 0.5), _sharpness_record(512, 2.4))]
    [note] = [n for n in summarise_sharpness(records)["notes"] if n.startswith("final loss not")]
    assert note.endswith("B=512, η=0.3 (1 of 1 seeds: final loss 2.4 vs initial 2.3)")
