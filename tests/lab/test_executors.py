"""The same trials under the serial, process-pool and Ray executors give identical records."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from batchlab.lab.executors import Executor, check_ray_address, run_trials
from batchlab.lab.trials import SweepTrial, sweep_trial
from batchlab.lab.workloads import WorkloadError

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


ODD = """import torch
class Odd(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 2)
    def forward(self, x):
        if x.shape[0] == 3:
            raise RuntimeError("no batches of three")
        return self.lin(x)
def model():
    return Odd()
def data():
    x = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    return x, (x[:, 0] > 0).long()
"""
FAILED = (r"the sweep trial at batch size 3 \(lr=0.1, seed=0\) failed on workload 'odd': "
          r"RuntimeError: no batches of three$")


def _odd(tmp_path: Path) -> str:
    (tmp_path / "odd.py").write_text(ODD)
    return str(tmp_path / "odd.py")


def test_a_failing_trial_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(WorkloadError, match=FAILED) as info:
        run_trials(sweep_trial, _odd(tmp_path), [SweepTrial(batch_size=3, max_steps=5)],
                   Executor("serial"), lambda *a: None)
    assert isinstance(info.value.__cause__, RuntimeError)  # the traceback, for the API


def test_a_failing_trial_stops_the_pool_at_once(tmp_path: Path) -> None:
    endless = SweepTrial(batch_size=1, lr=1e-6, max_steps=10**7, target_loss=1e-9)
    t0 = time.perf_counter()
    with pytest.raises(WorkloadError, match=FAILED):
        run_trials(sweep_trial, _odd(tmp_path), [SweepTrial(batch_size=3, max_steps=5), endless],
                   Executor("local", workers=2), lambda *a: None)
    assert time.perf_counter() - t0 < 60  # the endless trial was ended, not awaited
    gone = time.perf_counter() + 5  # ended workers are reaped within moments, not orphaned
    while mp.active_children() and time.perf_counter() < gone:
        time.sleep(0.05)
    assert not mp.active_children()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ray_address_nobody_listens_fails_at_once() -> None:
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"^address: no Ray cluster answers at '127\.0\.0\.1:"
                                         r"\d+' \(ConnectionRefusedError"):
        check_ray_address(f"127.0.0.1:{_free_port()}")
    assert time.perf_counter() - t0 < 2


def _listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    return server


def test_ray_address_that_stays_silent_fails_within_the_timeout() -> None:
    with _listening() as server:  # the kernel accepts the connection; nobody answers
        t0 = time.perf_counter()
        with pytest.raises(ValueError, match=r"\(no answer in 0\.3 s\)"):
            check_ray_address(f"127.0.0.1:{server.getsockname()[1]}", timeout=0.3)
        assert time.perf_counter() - t0 < 2


def test_ray_address_that_is_not_grpc_fails() -> None:
    with _listening() as server:
        def reply() -> None:
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=reply, daemon=True).start()
        with pytest.raises(ValueError, match="answers, but not as a Ray cluster"):
            check_ray_address(f"ray://127.0.0.1:{server.getsockname()[1]}", timeout=5)


@pytest.mark.parametrize("address", ["nonsense", "host:", ":6379", "host:99999", "h:p"])
def test_ray_address_must_be_host_port(address: str) -> None:
    with pytest.raises(ValueError, match="address must be HOST:PORT"):
        check_ray_address(address)
