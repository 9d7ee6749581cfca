"""The Python API: records written per trial, resume without redoing, outputs on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from torch import nn

from batchlab import lab
from batchlab.lab import api, store
from batchlab.lab.api import Interrupted, ResultsExist
from batchlab.lab.workloads import WorkloadError, from_module

SWEEP = {"batch_sizes": [16, 128], "lrs": [0.5], "seeds": [0], "max_steps": 100,
         "target_loss": 0.15}


def test_sweep_writes_everything_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = lab.sweep("cancer-logreg", out=out, **SWEEP)
    assert len(first.records) == 2 and (out / store.SUMMARY).is_file()
    assert (out / store.TABLE).read_text().startswith("batch_size")
    for name in ("steps_vs_batch", "examples_vs_batch"):
        assert (out / "figures" / f"{name}.html").is_file()
        assert (out / "figures" / f"{name}.json").is_file()
        assert (out / "figures" / f"{name}.png").is_file() or first.warnings
    files = sorted((out / store.TRIALS).iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in files}
    files[0].unlink()  # as if the run had been killed before this trial finished
    with pytest.raises(ResultsExist, match=r"already holds results: pass resume=True to "
                                           r"continue it") as info:
        lab.sweep("cancer-logreg", out=out, **SWEEP)
    assert "--resume" not in str(info.value)
    again = lab.sweep("cancer-logreg", out=out, resume=True, png=False, **SWEEP)
    assert [r["result"] for r in again.records] == [r["result"] for r in first.records]
    assert (out / store.TRIALS / files[1].name).stat().st_mtime_ns == stamps[files[1].name]
    with pytest.raises(ValueError, match="another experiment"):
        lab.sharpness("cancer-logreg", [16], out=out, resume=True)


def test_user_module_through_the_api() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 5, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
    w = from_module("mine", model, x, y, lr=0.5)
    exp = lab.noise_scale(w, b_small=8, b_big=64, draws=8, train_steps=20, noise_every=10)
    assert exp.workload == "mine" and exp.out is None
    row = exp.summary["table"][0]
    assert row["at"] == "start" and row["b_simple"] > 0
    assert set(exp.figures) == {"noise_tracking", "noise_estimates"}


def test_scaling_and_sharpness_and_throughput_tables() -> None:
    sc = lab.scaling("cancer-logreg", [16, 64], base_batch=16, base_lr=0.2,
                     warmup_steps=[0, 5], epochs=1)
    lrs = {(r["batch_size"], r["warmup_steps"]): r["lr"] for r in sc.summary["table"]}
    assert lrs == {(16, 0): 0.2, (16, 5): 0.2, (64, 0): 0.8, (64, 5): 0.8}
    sh = lab.sharpness("cancer-logreg", [16, 128], lr=0.5, epochs=2, power_iters=20)
    assert all(r["lambda_max"] > 0 and r["epsilon_sharpness"] >= 0 for r in sh.summary["table"])
    tp = lab.throughput("digits-mlp", [8, 64], steps=3, repeats=2, warmup=1)
    assert [r["batch_size"] for r in tp.summary["table"]] == [8, 64]


def test_arguments_name_the_limit() -> None:
    with pytest.raises(ValueError, match=r"batch_sizes must be between 1 and N=569"):
        lab.sweep("cancer-logreg", [1000], [0.1])
    with pytest.raises(ValueError, match="b_small must be between 1 and b_big - 1 = 63"):
        lab.noise_scale("cancer-logreg", b_small=64, b_big=64)
    with pytest.raises(ValueError, match="b_big must be between 2 and N=569, got 100000"):
        lab.noise_scale("cancer-logreg", b_big=100_000)
    with pytest.raises(ValueError, match=r"^base_batch must be between 1 and N=569, got 600$"):
        lab.scaling("cancer-logreg", [16, 64], base_batch=600)
    with pytest.raises(ValueError, match=r"^batch_sizes must be between 1 and N=569, got \[0, 8\]"):
        lab.scaling("cancer-logreg", (0, 8))


def test_a_run_that_fails_before_its_first_record_leaves_no_meta(tmp_path: Path) -> None:
    x = torch.randn(40, 4, generator=torch.Generator().manual_seed(0))
    model = nn.Sequential(nn.Linear(4, 2), nn.BatchNorm1d(2))  # fails on batches of one
    w = from_module("bn", model, x, (x[:, 0] > 0).long())
    out = tmp_path / "run"
    with pytest.raises(WorkloadError, match="batch size 1"):
        lab.sweep(w, [1], [0.1], max_steps=5, out=out)
    assert not (out / store.META).exists()
    store.write_json(out / store.META, {"kind": "sharpness"})  # as a run killed early leaves it
    exp = lab.sweep(w, [8], [0.1], max_steps=5, out=out, png=False)  # no resume needed
    assert len(exp.records) == 1 and store.read_json(out / store.META)["kind"] == "sweep"


def test_ctrl_c_says_how_much_is_recorded(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = api.run_trials

    def one_then_ctrl_c(fn, workload, trials, executor, on_done):  # type: ignore[no-untyped-def]
        real(fn, workload, trials[:1], executor, on_done)
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "run_trials", one_then_ctrl_c)
    out = tmp_path / "run"
    with pytest.raises(Interrupted) as info:
        lab.sweep("cancer-logreg", out=out, **SWEEP)
    assert (info.value.done, info.value.total, info.value.out) == (1, 2, out)
    assert str(info.value) == (f"interrupted: 1 of 2 trials recorded in {out}; rerun with "
                               "resume=True to finish")
    assert isinstance(info.value, KeyboardInterrupt)


def test_ctrl_c_while_writing_figures_says_every_trial_is_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def ctrl_c(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "write_figures", ctrl_c)
    out = tmp_path / "run"
    with pytest.raises(Interrupted) as info:
        lab.sweep("cancer-logreg", out=out, **SWEEP)
    assert (info.value.done, info.value.total) == (2, 2)
    monkeypatch.undo()
    exp = lab.sweep("cancer-logreg", out=out, resume=True, png=False, **SWEEP)
    assert len(exp.records) == 2 and (out / "summary.json").exists()


def test_lab_package_is_lazy() -> None:
    import subprocess
    import sys

    code = "import sys, batchlab.lab.store; print('torch' in sys.modules)"
    env = {**os.environ}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout.strip()
    assert out == "False"
