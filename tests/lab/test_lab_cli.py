"""The lab's command line: real runs, one-line errors with exit code 2, the main CLI hook."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr (stripped) of one run, whether it returns or exits."""
    try:
        code = run_cli(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err.strip()


FAST = ["--lrs", "0.5", "--max-steps", "20", "--executor", "serial", "--no-progress",
        "--no-png"]
SHAPES = "import torch\ndef model():\n    return torch.nn.Linear(3, 2)\n" \
         "def data():\n    return torch.randn(10, 4), torch.arange(10) % 2\n"


@pytest.mark.parametrize(("source", "line"), [
    ("raise RuntimeError('boom')\n",
     "batchlab lab sweep: error: workload file 'mine.py' failed to import: RuntimeError: boom"),
    (SHAPES, "batchlab lab sweep: error: workload file 'mine.py': workload 'mine': the model "
             "failed on its data: RuntimeError: mat1 and mat2 shapes cannot be multiplied "
             "(4x4 and 3x2)"),
    (SHAPES.replace("torch.randn(10, 4)", "torch.randn(10, 3)").replace("% 2", "% 3"),
     "batchlab lab sweep: error: workload file 'mine.py': workload 'mine': labels must be "
     "class indices from 0 to 1 (the model has 2 outputs; -100 marks an example to ignore), "
     "got labels from 0 to 2"),
])
def test_user_code_errors_exit_1_with_one_line(source: str, line: str, in_tmp: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "mine.py").write_text(source)
    assert _cli(["sweep", "--workload", "mine.py", "--batch-sizes", "4", *FAST], capsys) == (
        1, line)
    assert store.list_results(in_tmp / "results") == []


BATCH_NORM = "import torch\ndef model():\n" \
             "    return torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.BatchNorm1d(2))\n" \
             "def data():\n    x = torch.randn(20, 4)\n    return x, (x[:, 0] > 0).long()\n"


def test_a_failed_run_leaves_its_out_folder_reusable(in_tmp: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "bn.py").write_text(BATCH_NORM)  # batch norm fails on batches of one, in training
    base = ["sweep", "--workload", "bn.py", "--out", "run", *FAST]
    code, err = _cli([*base, "--batch-sizes", "1"], capsys)
    assert code == 1 and "\n" not in err
    assert err.startswith("batchlab lab sweep: error: the sweep trial at batch size 1 (lr=0.5, "
                          "seed=0) failed on workload 'bn': ValueError: Expected more than 1 "
                          "value per channel")
    assert store.list_results(in_tmp) == []  # no meta.json: the /lab page does not list it
    assert _cli([*base, "--batch-sizes", "8"], capsys)[0] == 0  # no --resume needed
    # a meta.json without records (a run killed before its first trial) is reused too
    store.write_json(in_tmp / "killed" / store.META, {"kind": "scaling", "workload": "x"})
    assert _cli(["sweep", "--workload", "cancer-logreg", "--batch-sizes", "64", "--out",
                 "killed", *FAST], capsys)[0] == 0
    assert json.loads((in_tmp / "killed" / store.META).read_text())["kind"] == "sweep"


def test_an_existing_run_names_the_flag_not_the_python_argument(
        in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--workload", "cancer-logreg", "--batch-sizes", "64", "--out", "r", *FAST]
    assert _cli(argv, capsys)[0] == 0
    assert _cli(argv, capsys) == (2, "batchlab lab sweep: error: argument --out: 'r' already "
                                     "holds results: pass --resume to continue it, or choose "
                                     "another directory")


def _interrupt_after(records: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the API's run_trials record ``records`` trials, then raise KeyboardInterrupt."""
    from batchlab.lab import api

    real = api.run_trials

    def run(fn: Any, workload: Any, trials: Any, executor: Any, on_done: Any) -> None:
        real(fn, workload, trials[:records], executor, on_done)
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "run_trials", run)


@pytest.mark.parametrize("records", [0, 1])
def test_ctrl_c_is_one_line_exit_130_and_resumable(
        records: int, in_tmp: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["sweep", "--workload", "cancer-logreg", "--batch-sizes", "16,64", "--out", "r",
            *FAST]
    with monkeypatch.context() as m:
        _interrupt_after(records, m)
        assert _cli(argv, capsys) == (
            130, f"batchlab lab sweep: interrupted: {records} of 2 trials recorded in r; "
                 "rerun with --resume to finish")
    assert (in_tmp / "r" / store.META).is_file() == bool(records)
    assert _cli([*argv, "--resume"], capsys)[0] == 0
    assert len(store.load_records(in_tmp / "r")) == 2


@pytest.mark.slow
def test_a_real_ctrl_c_stops_the_pool_without_tracebacks(in_tmp: Path) -> None:
    import os
    import signal
    import time

    proc = subprocess.Popen(  # its own process group, as a terminal's Ctrl-C reaches
        [sys.executable, "-m", "batchlab.lab.cli", "sweep", "--workload", "cancer-logreg",
         "--batch-sizes", "1,2", "--lrs", "1e-6", "--max-steps", "10000000", "--workers", "2",
         "--threads", "1", "--out", "r", "--no-progress"],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while not (in_tmp / "r" / store.META).is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # the workers are in their trials
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert err.strip() == ("batchlab lab sweep: interrupted: 0 of 2 trials recorded in r; "
                           "rerun with --resume to finish")


def test_a_dead_ray_address_fails_at_once_naming_the_flag(
        in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket
    import time

    pytest.importorskip("ray")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    code, err = _cli(["sweep", "--workload", "cancer-logreg", "--executor", "ray",
                      "--address", f"127.0.0.1:{port}", "--no-progress"], capsys)
    assert time.perf_counter() - t0 < 15
    assert code == 2 and "\n" not in err
    assert err.startswith(f"batchlab lab sweep: error: argument --address: no Ray cluster "
                          f"answers at '127.0.0.1:{port}' (ConnectionRefusedError")


@pytest.mark.parametrize(("argv", "line"), [
    (["scaling", "--base-batch", "5000"],
     "argument --base-batch: must be between 1 and N=1797, got 5000"),
    (["sweep", "--batch-sizes", "0,8"],
     "argument --batch-sizes: must be between 1 and N=1797, got [0, 8]"),
    (["noise-scale", "--batch-size", "0"],
     "argument --batch-size: must be between 1 and N=1797, got 0"),
    (["noise-scale", "--workload", "cancer-logreg", "--b-big", "600"],
     "argument --b-big: must be between 2 and N=569, got 600"),
    (["throughput", "--batch-sizes", "8,5000"],
     "argument --batch-sizes: must be between 1 and N=1797, got [8, 5000]"),
    (["sweep", "--batch-sizes", "8,x"],
     "argument --batch-sizes: must be comma-separated integers, got '8,x'"),
    (["sweep", "--executor", "local", "--address", "10.0.0.1:6379"],
     "argument --address: is only used with executor 'ray', got executor 'local'"),
    (["sweep", "--out", "a-file"],
     "argument --out: cannot write results to 'a-file' (it is a file); allowed: a folder you "
     "can write to, new or from an earlier run"),
    (["sweep", "--out", "/dev/null/x"],
     "argument --out: cannot write results to '/dev/null/x' (Not a directory); allowed: a "
     "folder you can write to, new or from an earlier run"),
])
def test_errors_name_the_flag_and_the_workloads_n(argv: list[str], line: str, in_tmp: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "a-file").write_text("")
    assert _cli(argv, capsys) == (2, f"batchlab lab {argv[0]}: error: {line}")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_option_has_help_and_shows_its_default() -> None:
    for name, p in _commands().items():
        text = p.format_help()
        for action in p._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, (name, action.dest)
                if action.default is not None and action.default is not False:
                    assert f"(default: {action.default})" in " ".join(text.split()), (
                        name, action.dest)
    assert "(default: 0.03:3:5)" in _commands()["sweep"].format_help()


def test_defaults_are_the_python_apis() -> None:
    import inspect

    from batchlab.lab import api

    functions = {"noise-scale": api.noise_scale, "throughput": api.throughput,
                 "sweep": api.sweep, "scaling": api.scaling, "sharpness": api.sharpness}
    for name, fn in functions.items():
        args = build_parser().parse_args([name])
        checked = 0
        for param in inspect.signature(fn).parameters.values():
            if param.default is inspect.Parameter.empty or param.kind is param.VAR_KEYWORD:
                continue
            cli = [args.seed + i for i in range(args.seeds)] if param.name == "seeds" \
                else getattr(args, param.name)
            default = list(param.default) if isinstance(param.default, tuple) \
                else param.default
            assert cli == default, (name, param.name)
            checked += 1
        assert checked >= 3, name
