"""Where trials run: in this process (``serial``), a local process pool (``local``, the
default) or Ray (``ray``: a cluster at ``address``, or a local one started here).

The same top-level trial function runs under all three; each trial seeds itself from its
own configuration, so the records do not depend on the executor or on the order in which
trials finish. Pool workers are started with 'spawn' (torch and fork do not mix).
"""

from __future__ import annotations

import importlib.util
import multiprocessing as mp
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from batchlab.lab.workloads import Workload, resolve

ExecutorKind = Literal["serial", "local", "ray"]
EXECUTORS: tuple[ExecutorKind, ...] = ("serial", "local", "ray")
T = TypeVar("T")
TrialFn = Callable[[Workload, Any], dict[str, Any]]
OnDone = Callable[[Any, dict[str, Any], float], None]


@dataclass(frozen=True)
class Executor:
    """How to run trials: kind, worker count, and Ray's address / temp dir if any."""

    kind: ExecutorKind = "local"
    workers: int = max(1, os.cpu_count() or 1)
    address: str | None = None
    temp_dir: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise ValueError(f"executor must be one of {EXECUTORS}, got {self.kind!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.kind == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError("executor: ray is not installed (pip install 'batchlab[ray]'); "
                             "allowed here: serial, local")


def call(fn: TrialFn, workload: Workload | str, trial: Any) -> tuple[dict[str, Any], float]:
    """Run one trial (resolving a workload given by name or path) and time it."""
    w = resolve(workload) if isinstance(workload, str) else workload
    t0 = time.perf_counter()
    result = fn(w, trial)
    return result, time.perf_counter() - t0


def run_trials(fn: TrialFn, workload: Workload | str, trials: Sequence[Any],
               executor: Executor, on_done: OnDone) -> None:
    """Run every trial; ``on_done(trial, result, seconds)`` is called here as each ends."""
    if not trials:
        return
    if executor.kind == "serial":
        for t in trials:
            on_done(t, *call(fn, workload, t))
    elif executor.kind == "local":
        _run_pool(fn, workload, trials, executor, on_done)
    else:
        _run_ray(fn, workload, trials, executor, on_done)


def _run_pool(fn: TrialFn, workload: Workload | str, trials: Sequence[Any],
              executor: Executor, on_done: OnDone) -> None:
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(min(executor.workers, len(trials)), mp_context=ctx) as pool:
        futures: dict[Future[tuple[dict[str, Any], float]], Any] = {
            pool.submit(call, fn, workload, t): t for t in trials}
        try:
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for f in done:
                    t = futures.pop(f)
                    on_done(t, *f.result())
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def ray_temp_dir() -> str:
    """A short folder for Ray's sockets: the project's .cache/ray, else the system tmp."""
    local = Path(".cache", "ray").resolve()
    return str(local) if len(str(local)) < 60 else str(Path(tempfile.gettempdir(), "bl-ray"))


def _run_ray(fn: TrialFn, workload: Workload | str, trials: Sequence[Any],
             executor: Executor, on_done: OnDone) -> None:
    import ray

    started = not ray.is_initialized()
    if started:
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        if executor.address:
            ray.init(address=executor.address, log_to_driver=False)
        else:
            temp = executor.temp_dir or ray_temp_dir()
            Path(temp).mkdir(parents=True, exist_ok=True)
            ray.init(num_cpus=executor.workers, _temp_dir=temp, include_dashboard=False,
                     log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(call)
        wref = ray.put(workload)
        refs = {remote.remote(fn, wref, t): t for t in trials}
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=1)
            for r in ready:
                t = refs.pop(r)
                on_done(t, *ray.get(r))
    finally:
        if started:
            ray.shutdown()
