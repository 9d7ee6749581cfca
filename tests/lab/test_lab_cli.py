"""The lab's command line: real runs, one-line errors with exit code 2, the main CLI hook."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from batchlab.lab import store
from batchlab.lab.cli import add_arguments, build_parser, lr_grid, main, run_cli


def test_sweep_command_writes_results(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--workload", "cancer-logreg", "--batch-sizes", "16,128", "--lrs", "0.5",
            "--max-steps", "100", "--target-loss", "0.15", "--executor", "serial",
            "--no-progress", "--no-png"]
    assert run_cli(argv) == 0
    out = capsys.readouterr().out
    assert "sweep on cancer-logreg: 2 trials" in out and "b_crit_steps" in out
    folder = in_tmp / "results" / "sweep-cancer-logreg"
    assert len(store.load_records(folder)) == 2
    assert run_cli(argv) == 2  # exists: needs --resume
    assert "--resume" in capsys.readouterr().err
    assert run_cli([*argv, "--resume"]) == 0
    meta = json.loads((folder / store.META).read_text())
    assert meta["kind"] == "sweep" and meta["args"]["batch_sizes"] == [16, 128]


@pytest.mark.parametrize(("argv", "flag"), [
    (["sweep", "--batch-sizes", "0,4"], "--batch-sizes"),
    (["sweep", "--lrs", "1:0.1:3"], "--lrs"),
    (["sweep", "--batch-sizes", "5000"], "--batch-sizes"),
    (["noise-scale", "--b-small", "300", "--b-big", "200"], "--b-small"),
    (["throughput", "--device", "tpu"], "--device"),
    (["sharpness", "--epsilon", "2"], "--epsilon"),
    (["scaling", "--workload", "nope.py"], "--workload"),
])
def test_bad_arguments_exit_2_with_one_line(argv: list[str], flag: str, in_tmp: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = run_cli(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err.strip()
    assert code == 2 and flag in err and "\n" not in err


def test_ray_without_the_package_is_one_line_and_writes_nothing(
        in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ray" else real(name, *a))
    assert run_cli(["sharpness", "--workload", "cancer-logreg", "--executor", "ray"]) == 2
    err = capsys.readouterr().err.strip()
    assert "argument --executor: ray is not installed" in err and "\n" not in err
    assert not (in_tmp / "results").exists()


def test_cuda_is_refused_cleanly_without_a_gpu(in_tmp: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert run_cli(["throughput", "--device", "cuda"]) == 2
    assert "argument --device: cuda is not available" in capsys.readouterr().err


def test_lr_grid() -> None:
    assert lr_grid("0.01:1:3") == [0.01, 0.1, 1.0]
    assert lr_grid("0.3,0.1") == [0.1, 0.3]
    with pytest.raises(argparse.ArgumentTypeError):
        lr_grid("0:1:3")


def test_plugs_into_a_parent_parser(in_tmp: Path) -> None:
    parent = argparse.ArgumentParser(prog="batchlab")
    sub = parent.add_subparsers(dest="command")
    add_arguments(sub.add_parser("lab"))
    args = parent.parse_args(["lab", "throughput", "--workload", "cancer-logreg",
                              "--batch-sizes", "8,32", "--steps", "2", "--repeats", "1",
                              "--warmup", "0", "--no-png", "--no-progress"])
    assert main(args) == 0
    assert (in_tmp / "results" / "throughput-cancer-logreg" / store.SUMMARY).is_file()
    assert build_parser().parse_args(["noise-scale"]).b_big == 256


def test_module_entry_point(in_tmp: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "batchlab.lab.cli", "sweep", "--seeds", "0"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--seeds" in r.stderr and r.stderr.count("\n") == 1
