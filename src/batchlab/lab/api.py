"""The lab's Python API: build a grid of trials, run them on an executor, record each as
it finishes (resumable), then summarise and draw. One function per experiment."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from batchlab.figures.lab import FIGURES
from batchlab.lab import store
from batchlab.lab.analysis import SUMMARISERS, format_table
from batchlab.lab.executors import Executor, run_trials
from batchlab.lab.report import write_figures, write_summary
from batchlab.lab.trials import (
    TRIAL_FUNCTIONS,
    NoiseTrial,
    ScalingTrial,
    SharpnessTrial,
    SweepTrial,
    ThroughputTrial,
)
from batchlab.lab.workloads import Workload, describe_error, resolve


@dataclass(frozen=True, eq=False)
class Experiment:
    """A finished experiment: its records, summary, text table, figures and warnings."""

    kind: str
    workload: str
    records: list[dict[str, Any]]
    summary: dict[str, Any]
    table: str
    figures: dict[str, go.Figure] = field(repr=False)
    warnings: list[str]
    out: Path | None


class ResultsExist(ValueError):
    """``out`` already holds trial records and ``resume`` was not set. ``resume`` is how the
    caller spells the switch (``resume=True`` here, ``--resume`` on the command line)."""

    def __init__(self, out: Path, resume: str = "resume=True") -> None:
        self.out = out
        super().__init__(f"out {str(out)!r} already holds results: pass {resume} to continue "
                         "it, or choose another directory")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: ``done`` of ``total`` trials are recorded in ``out``."""

    def __init__(self, done: int, total: int, out: Path | None,
                 resume: str = "resume=True") -> None:
        self.done, self.total, self.out = done, total, out
        where = f" in {out}; rerun with {resume} to finish" if out is not None else ""
        super().__init__(f"interrupted: {done} of {total} trials recorded{where}")


def _workload(workload: Workload | str) -> Workload:
    return resolve(workload) if isinstance(workload, str) else workload


def _check_batches(name: str, sizes: int | Sequence[int], n: int) -> None:
    """Each size in [1, N]: the bound is the workload's N, which only the API knows."""
    values = [sizes] if isinstance(sizes, int) else list(sizes)
    if not values or not all(1 <= b <= n for b in values):
        raise ValueError(f"{name} must be between 1 and N={n}, got "
                         f"{sizes if isinstance(sizes, int) else values}")


def _prepare(out: Path, kind: str, workload: str, resume: bool, args: dict[str, Any]) -> None:
    """Claim ``out`` for this run: write ``meta.json``, after checking what it holds.

    A folder counts as holding results only if it has a trial record. One with just a
    ``meta.json`` (a run that failed, was killed, or was stopped before its first trial
    finished) is reused without ``resume``, its meta overwritten: this also covers a run
    killed with SIGKILL or a power cut, which no clean-up on failure can (``run_experiment``
    still removes the meta of a failed empty run, so the /lab page does not list it).
    """
    meta = store.read_json(out / store.META)
    if store.load_records(out):
        if not resume:
            raise ResultsExist(out)
        if not isinstance(meta, dict) or (meta.get("kind"), meta.get("workload")) != (
                kind, workload):
            raise ValueError(f"out {str(out)!r} holds another experiment "
                             f"({meta.get('kind') if isinstance(meta, dict) else '?'}); "
                             "cannot resume it as this one")
    try:
        store.write_json(out / store.META, {"kind": kind, "workload": workload, "args": args,
                                            "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    except OSError as exc:
        reason = "it is a file" if out.is_file() else exc.strerror or describe_error(exc)
        raise ValueError(f"out: cannot write results to {str(out)!r} ({reason}); allowed: a "
                         "folder you can write to, new or from an earlier run") from None


def run_experiment(kind: str, workload: Workload | str, trials: Sequence[Any], *,
                   out: str | Path | None = None, executor: Executor | None = None,
                   resume: bool = False, progress: bool = False, png: bool = True,
                   args: dict[str, Any] | None = None) -> Experiment:
    """Run the trials not yet recorded in ``out``, then summarise all of them.

    Ctrl-C raises ``Interrupted`` (a ``KeyboardInterrupt``) saying how many trials are
    recorded; a run stopped before its first record leaves no ``meta.json`` behind."""
    from tqdm import tqdm

    executor = executor or Executor("serial")
    name = workload if isinstance(workload, str) else workload.name
    configs = [asdict(t) for t in trials]
    keys = {store.trial_key(c) for c in configs}
    folder = Path(out) if out is not None else None
    records: dict[str, dict[str, Any]] = {}
    todo = list(trials)
    if folder is not None:
        _prepare(folder, kind, name, resume, args or {})
        records = {r["key"]: r for r in store.load_records(folder) if r["key"] in keys}
        todo = [t for t, c in zip(trials, configs, strict=True)
                if store.trial_key(c) not in records]
    bar = tqdm(total=len(trials), initial=len(trials) - len(todo), desc=kind, unit="trial",
               disable=not progress, dynamic_ncols=True)

    def on_done(trial: Any, result: dict[str, Any], seconds: float) -> None:
        config = asdict(trial)
        key = store.trial_key(config)
        records[key] = store.clean({"key": key, "config": config, "result": result,
                                    "seconds": seconds})
        if folder is not None:
            store.save_record(folder, config, result, seconds)
        bar.update(1)

    try:
        run_trials(TRIAL_FUNCTIONS[kind], workload, todo, executor, on_done)
    except BaseException as exc:
        bar.close()
        if folder is not None:
            store.discard_if_empty(folder)
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
            raise Interrupted(len(records), len(trials), folder) from None
        raise
    bar.close()
    recs = [records[k] for k in sorted(records)]
    try:  # Ctrl-C while summarising: every trial is recorded, a resume writes the rest
        summary = SUMMARISERS[kind](recs)
        summary["workload"] = name
        table = format_table(summary)
        figures = FIGURES[kind](summary, recs)
        warnings: list[str] = []
        if folder is not None:
            warnings = write_figures(folder, figures, png=png)
            summary["warnings"] = warnings
            write_summary(folder, summary, table)
    except KeyboardInterrupt:
        raise Interrupted(len(records), len(trials), folder) from None
    return Experiment(kind, name, recs, summary, table, figures, warnings, folder)


def noise_scale(workload: Workload | str, *, seeds: Sequence[int] = (0,), b_small: int = 16,
                b_big: int = 256, draws: int = 64, batch_size: int = 32,
                lr: float | None = None, train_steps: int = 200, noise_every: int = 20,
                method: str = "auto", device: str = "cpu", threads: int | None = None,
                **run: Any) -> Experiment:
    """Exact B_simple (per-example norms), two-batch estimates with intervals, tracking."""
    w = _workload(workload)
    _check_batches("batch_size", batch_size, w.n)
    if not 2 <= b_big <= w.n:
        raise ValueError(f"b_big must be between 2 and N={w.n}, got {b_big}")
    if not 1 <= b_small < b_big:
        raise ValueError(f"b_small must be between 1 and b_big - 1 = {b_big - 1}, got {b_small}")
    trials = [NoiseTrial(device, threads or w.threads, s, method, b_small, b_big,  # type: ignore[arg-type]
                         draws, batch_size, lr or w.lr, train_steps, noise_every)
              for s in seeds]
    return run_experiment("noise", workload, trials, **run)


def throughput(workload: Workload | str, batch_sizes: Sequence[int], *, steps: int = 20,
               repeats: int = 5, warmup: int = 5, device: str = "cpu",
               threads: int | None = None, **run: Any) -> Experiment:
    """Samples/s and peak memory per batch size."""
    w = _workload(workload)
    _check_batches("batch_sizes", batch_sizes, w.n)
    trials = [ThroughputTrial(device, threads or w.threads, b, steps, repeats, warmup)
              for b in batch_sizes]
    return run_experiment("throughput", workload, trials, **run)


def sweep(workload: Workload | str, batch_sizes: Sequence[int], lrs: Sequence[float], *,
          seeds: Sequence[int] = (0,), max_steps: int = 2000, target_loss: float | None = None,
          target_accuracy: float | None = None, momentum: float = 0.0, device: str = "cpu",
          threads: int | None = None, **run: Any) -> Experiment:
    """Steps and examples to a target per (B, η, seed); fits B_crit and compares B_simple."""
    w = _workload(workload)
    _check_batches("batch_sizes", batch_sizes, w.n)
    if target_loss is None and target_accuracy is None:
        target_loss = w.target_loss
    trials = [SweepTrial(device, threads or w.threads, b, lr, s, max_steps, target_loss,
                         target_accuracy, momentum)
              for b in batch_sizes for lr in lrs for s in seeds]
    return run_experiment("sweep", workload, trials, **run)


def scaling(workload: Workload | str, batch_sizes: Sequence[int], *, base_batch: int = 32,
            base_lr: float | None = None, warmup_steps: Sequence[int] = (0, 50),
            epochs: float = 5.0, seeds: Sequence[int] = (0,), device: str = "cpu",
            threads: int | None = None, **run: Any) -> Experiment:
    """The linear scaling rule η = η₀·B/B₀, with and without linear warm-up."""
    w = _workload(workload)
    _check_batches("batch_sizes", batch_sizes, w.n)
    _check_batches("base_batch", base_batch, w.n)
    trials = [ScalingTrial(device, threads or w.threads, b, base_batch, base_lr or w.lr, ws,
                           epochs, s)
              for b in batch_sizes for ws in warmup_steps for s in seeds]
    return run_experiment("scaling", workload, trials, **run)


def sharpness(workload: Workload | str, batch_sizes: Sequence[int], *,
              lr: float | None = None, epochs: float = 20.0, seeds: Sequence[int] = (0,),
              epsilon: float = 1e-3, power_iters: int = 50, ascent_steps: int = 20,
              device: str = "cpu", threads: int | None = None, **run: Any) -> Experiment:
    """λ_max and ε-sharpness of the solution reached at each batch size (same η, epochs)."""
    w = _workload(workload)
    _check_batches("batch_sizes", batch_sizes, w.n)
    trials = [SharpnessTrial(device, threads or w.threads, b, lr or w.lr, epochs, s, epsilon,
                             power_iters, ascent_steps)
              for b in batch_sizes for s in seeds]
    return run_experiment("sharpness", workload, trials, **run)
