"""Where trials run: in this process (``serial``), a local process pool (``local``, the
default) or Ray (``ray``: a cluster at ``address``, or a local one started here).

The same top-level trial function runs under all three; each trial seeds itself from its
own configuration, so the records do not depend on the executor or on the order in which
trials finish. Pool workers are started with 'spawn' (torch and fork do not mix).

A trial that raises ends the run with a one-line ``WorkloadError`` naming the trial; so
does Ctrl-C, as a plain ``KeyboardInterrupt``: either way the unfinished trials are
stopped at once (the finished ones were already handed to ``on_done``). A Ray ``address``
is checked with a bounded handshake before ``ray.init``, which would otherwise retry for
minutes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing as mp
import os
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from batchlab.lab.workloads import Workload, WorkloadError, describe_error, resolve

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
        if self.address is not None and self.kind != "ray":
            raise ValueError(f"address is only used with executor 'ray', got executor "
                             f"{self.kind!r}")
        if self.kind == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError("executor: ray is not installed (pip install 'batchlab[ray]'); "
                             "allowed here: serial, local")


def call(fn: TrialFn, workload: Workload | str, trial: Any) -> tuple[dict[str, Any], float]:
    """Run one trial (resolving a workload given by name or path) and time it."""
    w = resolve(workload) if isinstance(workload, str) else workload
    t0 = time.perf_counter()
    try:
        result = fn(w, trial)
    except Exception as exc:  # shipped back to the parent: one picklable line
        raise WorkloadError(f"{describe_trial(trial)} failed on workload {w.name!r}: "
                            f"{describe_error(exc)}") from exc
    return result, time.perf_counter() - t0


def describe_trial(trial: Any) -> str:
    """``the sweep trial at batch size 32 (lr=0.1, seed=0)``: which trial, for messages."""
    kind = getattr(trial, "kind", "")
    b = getattr(trial, "batch_size", None)
    extra = ", ".join(f"{k}={getattr(trial, k)}" for k in ("lr", "seed") if hasattr(trial, k))
    return (f"the {kind} trial" if kind else "a trial") + (f" at batch size {b}" if b else "") \
        + (f" ({extra})" if extra else "")


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


def _ignore_sigint() -> None:
    """Pool initializer: Ctrl-C is the parent's to handle (it stops the workers); an idle
    worker would otherwise print its own KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the trials not started and end the running ones now, rather than wait for
    them after a failure or Ctrl-C (``shutdown`` alone waits for running work)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        p.terminate()
    for p in workers:
        p.join(5)
    manager = getattr(pool, "_executor_manager_thread", None)  # it reaps what is left
    if manager is not None:
        manager.join(5)


def _run_pool(fn: TrialFn, workload: Workload | str, trials: Sequence[Any],
              executor: Executor, on_done: OnDone) -> None:
    ctx = mp.get_context("spawn")
    pool = ProcessPoolExecutor(min(executor.workers, len(trials)), mp_context=ctx,
                               initializer=_ignore_sigint)
    try:
        futures: dict[Future[tuple[dict[str, Any], float]], Any] = {
            pool.submit(call, fn, workload, t): t for t in trials}
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for f in done:
                t = futures.pop(f)
                on_done(t, *f.result())
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def ray_temp_dir() -> str:
    """A short folder for Ray's sockets: the project's .cache/ray, else the system tmp."""
    local = Path(".cache", "ray").resolve()
    return str(local) if len(str(local)) < 60 else str(Path(tempfile.gettempdir(), "bl-ray"))


def check_ray_address(address: str, timeout: float = 10.0) -> None:
    """Fail in at most about 2 × ``timeout`` seconds unless a gRPC server (a Ray head's GCS,
    or its Ray Client server for ``ray://``) answers at ``address`` (HOST:PORT).

    ``ray.init`` retries a dead or wrong address for minutes, and with shortened retry
    settings Ray ends the whole process from C++; so connect with a plain socket, send
    HTTP/2's client preface and expect the server's SETTINGS frame. ``auto``/``local`` and
    TLS clusters (``RAY_USE_TLS``) are left to Ray.
    """
    if address in ("auto", "local") or os.environ.get("RAY_USE_TLS", "0") not in ("", "0"):
        return
    allowed = ("allowed: HOST:PORT of a running Ray head (`ray start --head` prints it), "
               "or none, to start a local Ray")
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit() or not host or not 0 < int(port) < 65536:
        raise ValueError(f"address must be HOST:PORT, got {address!r}; {allowed}")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as s:
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
            head = s.recv(9)
    except OSError as exc:
        reason = f"no answer in {timeout:g} s" if isinstance(exc, TimeoutError) \
            else describe_error(exc)
        raise ValueError(f"address: no Ray cluster answers at {address!r} ({reason}); "
                         f"{allowed}") from None
    if len(head) < 4 or head[3] != 4:  # frame type 4: SETTINGS
        raise ValueError(f"address: {address!r} answers, but not as a Ray cluster (not "
                         f"gRPC); {allowed}")


def _run_ray(fn: TrialFn, workload: Workload | str, trials: Sequence[Any],
             executor: Executor, on_done: OnDone) -> None:
    import ray

    started = not ray.is_initialized()
    if started:
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        if executor.address:
            check_ray_address(executor.address)
            ray.init(address=executor.address, log_to_driver=False)
        else:
            temp = executor.temp_dir or ray_temp_dir()
            Path(temp).mkdir(parents=True, exist_ok=True)
            ray.init(num_cpus=executor.workers, _temp_dir=temp, include_dashboard=False,
                     log_to_driver=False)
    refs: dict[Any, Any] = {}
    try:
        remote = ray.remote(num_cpus=1)(call)
        wref = ray.put(workload)
        refs = {remote.remote(fn, wref, t): t for t in trials}
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=1)
            for r in ready:
                t = refs.pop(r)
                try:
                    result = ray.get(r)
                except ray.exceptions.RayTaskError as exc:  # its str is a whole traceback
                    if isinstance(exc.cause, WorkloadError):
                        raise WorkloadError(str(exc.cause)) from None
                    raise
                on_done(t, *result)
    except BaseException:
        with contextlib.suppress(Exception):  # a cluster outlives this driver: stop its trials
            for r in refs:
                ray.cancel(r, force=True)
        raise
    finally:
        if started:
            ray.shutdown()
