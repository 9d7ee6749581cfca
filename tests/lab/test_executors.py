"""The same trials under the serial, process-pool and Ray executors give identical records."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from batchlab.lab.executors import Executor, run_trials
from batchlab.lab.trials import SweepTrial, sweep_trial

TRIALS = [SweepTrial(batch_size=b, lr=lr, seed=s, max_steps=150, target_loss=0.12)
          for b in (16, 128) for lr in (0.3, 1.0) for s in (0, 1)]


def _run(executor: Executor) -> dict[SweepTrial, dict[str, Any]]:
    out: dict[SweepTrial, dict[str, Any]] = {}

    def done(t: SweepTrial, result: dict[str, Any], seconds: float) -> None:
        assert seconds > 0
        out[t] = result

    run_trials(sweep_trial, "cancer-logreg", TRIALS, executor, done)
    assert set(out) == set(TRIALS)
    return out


@pytest.fixture(scope="module")
def serial() -> dict[SweepTrial, dict[str, Any]]:
    return _run(Executor("serial"))


def test_process_pool_matches_serial(serial: dict[SweepTrial, dict[str, Any]]) -> None:
    assert _run(Executor("local", workers=2)) == serial
    assert any(r["hit_step"] for r in serial.values())


@pytest.mark.slow
def test_ray_matches_serial(serial: dict[SweepTrial, dict[str, Any]]) -> None:
    pytest.importorskip("ray")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    temp = Path("/tmp") / f"bl-ray-test-{os.getpid()}"  # short: Ray's socket paths are limited
    try:
        assert _run(Executor("ray", workers=2, temp_dir=str(temp))) == serial
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def test_executor_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="executor"):
        Executor("threads")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="workers"):
        Executor("local", workers=0)
