"""The command line, run as a user runs it: output, JSON shape and one-line errors."""

import json
import subprocess
import sys

import pytest

from batchlab.cli import main


def test_scene_json_has_every_per_update_record(capsys):
    assert main(["scene", "--json", "--n", "50", "--epochs", "2", "--batch-size", "8"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert len(d["dataset"]["x"]) == 50
    keys = [m["key"] for m in d["methods"]]
    assert keys == ["full", "mini", "stochastic"]
    mini = d["methods"][1]
    assert mini["batch_size"] == 8 and mini["updates"] == 2 * 7
    assert len(mini["w"]) == len(mini["loss"]) == len(mini["examples"]) == 15
    assert [len(b) for b in mini["batches"][:7]] == [8] * 6 + [2]


def test_real_dataset_uses_its_recommended_settings(capsys):
    assert main(["scene", "--dataset", "diabetes", "--json"]) == 0
    spec = json.loads(capsys.readouterr().out)["spec"]
    assert (spec["n"], spec["lr"], spec["epochs"]) == (442, 0.2, 30)


def test_scene_summary(capsys):
    assert main(["scene", "--n", "100", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "Full batch" in out and "Stochastic" in out and "roughness" in out


def test_epoch_plan_worked_case(capsys):
    assert main(["epoch-plan", "--n", "10", "--batch-size", "3", "--seed", "0", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["iterations_per_epoch"] == 4 and [len(b) for b in d["batches"]] == [3, 3, 3, 1]
    assert main(["epoch-plan", "--n", "10", "--batch-size", "3", "--drop-last", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["iterations_per_epoch"] == 3


@pytest.mark.parametrize(("argv", "fragment"), [
    (["scene", "--batch-size", "0"], "argument --batch-size: must be between 1 and 5000"),
    (["scene", "--n", "100", "--batch-size", "200"], "--batch-size: must be between 1 and n=100"),
    (["scene", "--lr", "abc"], "argument --lr: must be a number between 0.0001 and 10"),
    (["scene", "--dataset", "mnist"], "argument --dataset: invalid choice"),
    (["epoch-plan", "--n", "10", "--batch-size", "11"], "--batch-size: must be between 1 and n=10"),
    (["epoch-plan", "--n", "100000", "--batch-size", "1", "--epochs", "1000"],
     "argument --epochs: must be at most 10 for n=100000 (epochs × n ≤ 1,000,000), got 1000"),
    (["scene", "--epochs", "100"], "argument --epochs: must be between 1 and 50 for n=1000"),
    (["figure", "race", "--out", "r.png", "--json"],
     "batchlab figure: error: unrecognized arguments: --json"),
    (["lab", "throughput", "--seeds", "2"],
     "batchlab lab throughput: error: unrecognized arguments: --seeds 2"),
    (["--foo", "epoch-plan", "--n", "10", "--batch-size", "3"],
     "batchlab: error: unrecognized arguments: --foo"),
])
def test_bad_arguments_give_one_line_and_exit_2(argv, fragment):
    proc = subprocess.run([sys.executable, "-m", "batchlab.cli", *argv], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
