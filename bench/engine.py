"""Engine benchmark: the default scene's runs against a textbook PyTorch loop and a NumPy
per-batch loop, on the same data and batch order, in one run. Prints ratios and ns/update.

Run: ``make bench`` or ``.venv/bin/python bench/engine.py``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from unittest.mock import patch

import numpy as np
from numba import njit

from batchlab.core import rows
from batchlab.core.batching import EpochPlan
from batchlab.core.data import Dataset
from batchlab.core.models import LINEAR
from batchlab.core.optim import Schedule, learning_rates
from batchlab.core.scene import SceneSpec, build
from batchlab.core.shuffle import permutations
from batchlab.core.simulate import RunConfig, run, run_plan
from benchtime import median_time

TARGET_TORCH, TARGET_NUMPY = 1000.0, 30.0


def numpy_loop(data: Dataset, plan: EpochPlan, lrs: np.ndarray, start: tuple[float, float]
               ) -> np.ndarray:
    """Peer (b): one vectorised NumPy gradient per batch, driven by a Python loop."""
    w, b = start
    path = np.empty((plan.updates + 1, 2))
    path[0] = start
    for t in range(plan.updates):
        idx = plan.order[plan.starts[t]:plan.ends[t]]
        xb, yb = data.x[idx], data.y[idx]
        r = w * xb + b - yb
        gw, gb = float((r * xb).mean()), float(r.mean())
        w, b = w - lrs[t] * gw, b - lrs[t] * gb
        path[t + 1] = (w, b)
    return path


def torch_loop(data: Dataset, plan: EpochPlan, lrs: np.ndarray, start: tuple[float, float]
               ) -> np.ndarray:
    """Peer (a): the textbook chapter's loop: autograd on each batch, torch.optim.SGD step."""
    import torch

    x = torch.tensor(data.x)
    y = torch.tensor(data.y)
    w = torch.tensor(start[0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(start[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=float(lrs[0]))
    path = np.empty((plan.updates + 1, 2))
    path[0] = start
    for t in range(plan.updates):
        idx = torch.from_numpy(plan.order[plan.starts[t]:plan.ends[t]])
        opt.param_groups[0]["lr"] = float(lrs[t])
        opt.zero_grad()
        loss = 0.5 * ((w * x[idx] + b - y[idx]) ** 2).mean()
        loss.backward()
        opt.step()
        path[t + 1] = (w.item(), b.item())
    return path


def numpy_log_loss(params: np.ndarray, data: Dataset) -> np.ndarray:
    """Peer for J at many points: NumPy's logaddexp, vectorised over examples and over
    blocks of 256 points."""
    out = np.empty(len(params))
    for i in range(0, len(params), 256):
        z = params[i:i + 256, :1] * data.x + params[i:i + 256, 1:]
        out[i:i + 256] = (np.logaddexp(0.0, z) - data.y * z).mean(axis=1)
    return out


def log_loss_rows() -> None:
    """J along the logistic race's stochastic path: every core, one core, NumPy."""
    scene = build(SceneSpec.for_dataset("synthetic-classification"))
    data, params = scene.dataset, scene.method("stochastic").trajectory.params
    model = scene.model
    ours = median_time(lambda: model.loss_many(params, data.x, data.y), 5)
    with patch.object(rows, "cores", lambda: 1):
        one = median_time(lambda: model.loss_many(params, data.x, data.y), 5)
    peer = median_time(lambda: numpy_log_loss(params, data), 3)
    err = np.abs(numpy_log_loss(params, data) / model.loss_many(params, data.x, data.y) - 1).max()
    print(f"log loss J at the {len(params)} points of the logistic race's B = 1 path "
          f"(N = {data.n}): {ours * 1e3:.0f} ms on {rows.cores()} cores, {one * 1e3:.0f} ms on "
          f"one, NumPy {peer * 1e3:.0f} ms ({peer / ours:.1f}× ours; largest relative "
          f"difference {err:.0e})")
    t_scene = median_time(lambda: build(SceneSpec.for_dataset("synthetic-classification",
                                                              seed=1)), 3)
    print(f"whole logistic race scene: {t_scene * 1e3:.0f} ms")


@njit(cache=True)
def _dependent_fmas(k: int, a: float, c: float) -> float:
    v = 0.5
    for _ in range(k):
        v = v * a + c
    return v


def fma_ns() -> float:
    """Measured cost of one dependent multiply-add (the update's critical path)."""
    k = 20_000_000
    _dependent_fmas(10, 0.999, 1e-3)
    t = time.perf_counter()
    _dependent_fmas(k, 0.999, 1e-3)
    return (time.perf_counter() - t) / k * 1e9


def permutation_ns_per_element(n: int) -> float:
    rng = np.random.default_rng(0)
    return median_time(lambda: rng.permutation(n), 200) / n * 1e9


def shuffle_ns_per_element(n: int) -> float:
    rng = np.random.default_rng(0)
    return median_time(lambda: permutations(n, 20, rng), 200) / (20 * n) * 1e9


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> int:
    spec = SceneSpec()
    scene = build(spec)  # also warms the compiled loop
    data = scene.dataset
    import torch

    perm_ns, shuffle_ns, fma = permutation_ns_per_element(data.n), shuffle_ns_per_element(
        data.n), fma_ns()
    print(f"default scene: {data.description}")
    print(f"floor parts: batchlab's shuffle {shuffle_ns:.1f} ns/example (NumPy's "
          f"rng.permutation: {perm_ns:.1f}), dependent multiply-add {fma:.2f} ns")
    print("ns per update. ours: batchlab run() including its shuffle; given: the same batch "
          "order handed in; floor: shuffle + 2 dependent multiply-adds;")
    print(f"torch: textbook loop with torch's default {torch.get_num_threads()} threads; "
          "torch1: the same loop with torch.set_num_threads(1)")
    print(f"{'B':>5}{'updates':>8}{'ours':>9}{'given':>8}{'floor':>8}{'numpy':>9}{'torch':>9}"
          f"{'torch1':>9}{'÷numpy':>9}{'÷torch':>9}{'÷torch1':>9}")
    ok = True
    for key in ("stochastic", "mini", "full"):
        m = scene.method(key)
        cfg: RunConfig = m.trajectory.config
        seed = [spec.seed, ("full", "mini", "stochastic").index(key)]
        traj = run(LINEAR, data, cfg, np.random.default_rng(seed))
        plan, lrs = traj.plan, learning_rates(Schedule(spec.schedule), cfg.lr, traj.updates)
        ref_np = numpy_loop(data, plan, lrs, cfg.start)
        ref_t = torch_loop(data, plan, lrs, cfg.start)
        np.testing.assert_allclose(traj.params, ref_np, rtol=0, atol=1e-12)
        np.testing.assert_allclose(traj.params, ref_t, rtol=0, atol=1e-12)
        u = traj.updates
        rng = np.random.default_rng(seed)  # a live stream: each call shuffles anew
        ours = median_time(lambda cfg=cfg, rng=rng: run(LINEAR, data, cfg, rng), 50) / u * 1e9
        given = median_time(lambda cfg=cfg, plan=plan: run_plan(LINEAR, data, cfg, plan), 50)
        given = given / u * 1e9
        t_np = median_time(lambda plan=plan, lrs=lrs, cfg=cfg: numpy_loop(data, plan, lrs,
                                                                      cfg.start), 3) / u * 1e9
        t_torch = median_time(lambda plan=plan, lrs=lrs, cfg=cfg: torch_loop(data, plan, lrs,
                                                                         cfg.start), 1) / u * 1e9
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        t_torch1 = median_time(lambda plan=plan, lrs=lrs, cfg=cfg: torch_loop(data, plan, lrs,
                                                                          cfg.start), 1) / u * 1e9
        torch.set_num_threads(threads)
        floor = shuffle_ns * m.batch_size + 2 * fma
        r_np, r_t = t_np / ours, t_torch / ours
        print(f"{m.batch_size:>5}{u:>8}{ours:>9.1f}{given:>8.1f}{floor:>8.1f}{t_np:>9.0f}"
              f"{t_torch:>9.0f}{t_torch1:>9.0f}{r_np:>8.0f}×{r_t:>8.0f}×{t_torch1 / ours:>8.0f}×")
        if m.batch_size in (1, 32):
            ok &= r_np >= TARGET_NUMPY and r_t >= TARGET_TORCH
    print("identical results: batchlab == NumPy loop == torch.optim.SGD loop (atol 1e-12)")
    print(f"targets at B = 1 and 32: ≥ {TARGET_TORCH:.0f}× torch, ≥ {TARGET_NUMPY:.0f}× numpy: "
          f"{'met' if ok else 'NOT met'}")
    t_scene = median_time(lambda: build(spec), 10)
    print(f"whole default scene (3 runs + exact minimum + 61×61 landscape): {t_scene * 1e3:.2f} ms")
    log_loss_rows()
    for mod in ("batchlab", "batchlab.core", "batchlab.core.scene"):
        print(f"import {mod}: {import_seconds(mod) * 1e3:.0f} ms (fresh interpreter)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
