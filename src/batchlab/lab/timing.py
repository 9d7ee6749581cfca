"""Training throughput (samples/s) and peak memory per batch size, on CPU or CUDA.

A step is what training does: slice the batch from the in-memory data, forward,
backward, SGD update. Each batch size gets warm-up steps (allocator, caches, kernels),
then ``repeats`` timed runs of ``steps`` steps; the median is reported. Peak memory is
``torch.cuda.max_memory_allocated`` above the level before the first step on CUDA; on the
CPU, the peak of torch's allocations during one extra (profiled, untimed) step above the
level at its start, from the profiler's memory events; if those are unavailable, the
process's peak resident set above its level before the first step (Linux, reset through
/proc/self/clear_refs). The bytes autograd saves for backward are counted on any device.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from batchlab.lab.batches import batch_stream
from batchlab.lab.workloads import Workload, per_example_loss


@dataclass(frozen=True)
class Throughput:
    """Median samples/s over the timed runs, all run times, and memory figures (bytes)."""

    batch_size: int
    samples_per_s: float
    seconds: list[float]
    peak_bytes: int | None
    saved_bytes: int
    device: str


def saved_bytes(model: nn.Module, w: Workload, x: torch.Tensor, y: torch.Tensor) -> int:
    """Bytes of the distinct tensors autograd saves for the backward pass of one batch
    (parameters excluded; a view counts its own elements, not its whole storage)."""
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    seen: dict[tuple[int, int], int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        if t.untyped_storage().data_ptr() not in params:
            nbytes = t.numel() * t.element_size()
            seen[(t.data_ptr(), nbytes)] = nbytes
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        per_example_loss(w.loss, model(x), y).mean()
    return sum(seen.values())


def _rss_peak() -> int | None:
    """Peak resident set (bytes) of this process since the last reset, Linux only."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _reset_rss_peak() -> int | None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _rss_peak()


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (the profiler's C++ start/stop lines) for a moment."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def profiled_peak(step: Callable[[], None]) -> int | None:
    """Peak bytes torch allocates on the CPU during one call of ``step``, above the level
    at its start, from the profiler's allocation events (None if they are unavailable)."""
    try:
        from torch._C._profiler import _EventType
        from torch.profiler import ProfilerActivity, profile

        with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU],
                                      profile_memory=True) as prof:
            step()
        sizes: list[tuple[int, int]] = []
        todo = list(prof.profiler.kineto_results.experimental_event_tree())
        while todo:
            node = todo.pop()
            if node.tag == _EventType.Allocation:
                sizes.append((node.start_time_ns, int(node.extra_fields.alloc_size)))
            todo.extend(node.children)
    except Exception:  # a private profiler API: fall back to the resident-set figure
        return None
    level = peak = 0
    for _, size in sorted(sizes):
        level += size
        peak = max(peak, level)
    return peak


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(model: nn.Module, w: Workload, batch_size: int, *, steps: int = 20,
            repeats: int = 5, warmup: int = 5, device: str = "cpu", seed: int = 0,
            lr: float = 1e-3) -> Throughput:
    """Time training steps at batch size B; ``model`` is trained in place (a scratch copy)."""
    dev = torch.device(device)
    x, y = w.x.to(dev), w.y.to(dev)
    model = model.to(dev).train()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    stream = batch_stream(x, y, batch_size, np.random.default_rng(seed))

    def step() -> None:
        xb, yb = next(stream)
        opt.zero_grad(set_to_none=True)
        per_example_loss(w.loss, model(xb), yb).mean().backward()
        opt.step()

    _sync(dev)
    if dev.type == "cuda":
        base = torch.cuda.memory_allocated(dev)
        torch.cuda.reset_peak_memory_stats(dev)
    else:  # from before the warm-up, so this B's first allocations count
        base = _reset_rss_peak() or 0
    for _ in range(warmup):
        step()
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        _sync(dev)
        seconds.append(time.perf_counter() - t0)
    if dev.type == "cuda":
        peak: int | None = torch.cuda.max_memory_allocated(dev) - base
    else:
        top = _rss_peak()
        peak = profiled_peak(step)
        if peak is None and top is not None and base:
            peak = max(top - base, 0)
    xb, yb = next(stream)
    saved = saved_bytes(model, w, xb, yb)
    median = float(np.median(seconds))
    return Throughput(batch_size, steps * batch_size / median, seconds, peak, saved,
                      str(dev))
