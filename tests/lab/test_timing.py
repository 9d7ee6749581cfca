"""Throughput and memory: sane timings, memory that grows with B, and CUDA when present."""

from __future__ import annotations

import pytest
import torch

from batchlab.lab.timing import measure, saved_bytes
from batchlab.lab.workloads import fresh_model, resolve


def test_measure_on_cpu() -> None:
    w = resolve("digits-mlp")
    r = measure(fresh_model(w, 0), w, 64, steps=5, repeats=3, warmup=2)
    assert len(r.seconds) == 3 and all(s > 0 for s in r.seconds)
    assert r.samples_per_s == pytest.approx(5 * 64 / sorted(r.seconds)[1])
    assert r.device == "cpu" and r.saved_bytes > 0
    assert r.peak_bytes is None or r.peak_bytes >= 0


def test_saved_bytes_count_the_activations() -> None:
    """An MLP 64-64-64-10 saves its inputs and hidden activations: grows linearly in B."""
    w = resolve("digits-mlp")
    model = fresh_model(w, 0)
    s = {b: saved_bytes(model, w, w.x[:b], w.y[:b]) for b in (100, 200, 400)}
    assert s[400] - s[200] == pytest.approx(2 * (s[200] - s[100]), rel=0.05)
    per_row = (s[400] - s[200]) / 200
    assert 4 * (64 + 64) <= per_row <= 4 * 64 * 8  # float32 input + activations, ×some


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_measure_on_cuda() -> None:
    w = resolve("digits-mlp")
    r = measure(fresh_model(w, 0), w, 256, steps=5, repeats=2, warmup=2, device="cuda")
    assert r.device.startswith("cuda") and r.peak_bytes is not None and r.peak_bytes > 0


def test_cpu_peak_covers_the_saved_activations() -> None:
    w = resolve("digits-mlp")
    small, big = (measure(fresh_model(w, 0), w, b, steps=2, repeats=1, warmup=1)
                  for b in (64, 1024))
    assert big.peak_bytes is not None and small.peak_bytes is not None
    batch_input = 1024 * 64 * 4  # saved, but allocated before the step (the epoch's gather)
    assert big.peak_bytes >= big.saved_bytes - batch_input > 0
    assert big.peak_bytes > 4 * small.peak_bytes
