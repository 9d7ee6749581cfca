"""Lab benchmark, measured in one run: the in-memory data path against the default
DataLoader at B = 32, the exact tr Σ (one-pass per-example norms) against one full-batch
forward+backward and against a per-example backward loop, torch threads per workload,
and training throughput / peak memory per batch size on the CPU (and CUDA if present).

Run: ``make bench`` or ``.venv/bin/python bench/lab.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("SCIKIT_LEARN_DATA", str(ROOT / ".cache" / "scikit_learn_data"))
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".cache" / "numba"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from batchlab.lab.batches import epoch_batches  # noqa: E402
from batchlab.lab.noise import exact_noise  # noqa: E402
from batchlab.lab.pergrad import loop_gradients, per_example  # noqa: E402
from batchlab.lab.timing import measure  # noqa: E402
from batchlab.lab.workloads import BUILTINS, fresh_model, per_example_loss, resolve  # noqa: E402
from benchtime import median_time  # noqa: E402  (bench/benchtime.py)

TARGET_DATA, TARGET_COST, TARGET_LOOP = 5.0, 3.0, 100.0


def data_path() -> None:
    w = resolve("digits-mlp")
    rng = np.random.default_rng(0)

    def ours() -> int:
        return sum(int(xb.shape[0]) for xb, _ in epoch_batches(w.x, w.y, 32, rng))

    loader = DataLoader(TensorDataset(w.x, w.y), batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))

    def theirs() -> int:
        return sum(int(xb.shape[0]) for xb, _ in loader)

    t_ours, t_dl = median_time(ours, 20), median_time(theirs, 5)
    print(f"data path, one epoch of digits (N={w.n}) at B=32: ours {t_ours * 1e3:.2f} ms, "
          f"DataLoader(TensorDataset, shuffle=True) {t_dl * 1e3:.2f} ms -> "
          f"{t_dl / t_ours:.1f}x (target >= {TARGET_DATA:g}x)")


def noise_cost() -> None:
    w = resolve("digits-mlp")
    model = fresh_model(w, 0)
    params = [p for p in model.parameters() if p.requires_grad]

    def full_batch() -> None:
        loss = per_example_loss(w.loss, model(w.x), w.y).mean()
        torch.autograd.grad(loss, params)

    t_fb = median_time(full_batch, 30)
    t_hooks = median_time(lambda: exact_noise(model, w.loss, w.x, w.y, method="hooks"), 30)
    t_vmap = median_time(lambda: exact_noise(model, w.loss, w.x, w.y, method="vmap"), 3)
    t_loop = median_time(lambda: loop_gradients(model, w.loss, w.x, w.y), 2)
    ref = loop_gradients(model.double(), w.loss, w.x.double(), w.y)
    mean = ref.mean(0)
    tr_ref = float(((ref - mean) ** 2).sum(1).mean())
    tr = float(exact_noise(model, w.loss, w.x.double(), w.y).tr_sigma)
    ns = exact_noise(model.float(), w.loss, w.x, w.y)
    pe = per_example(model, w.loss, w.x, w.y)
    print(f"exact tr Σ, digits MLP (N={w.n}, method={pe.method}): {t_hooks * 1e3:.2f} ms; "
          f"one full-batch forward+backward {t_fb * 1e3:.2f} ms -> "
          f"{t_hooks / t_fb:.2f}x its cost (target <= {TARGET_COST:g}x)")
    print(f"  vs per-example backward loop {t_loop * 1e3:.0f} ms -> {t_loop / t_hooks:.0f}x "
          f"faster (target >= {TARGET_LOOP:g}x); torch.func vmap path {t_vmap * 1e3:.1f} ms")
    print(f"  float64 agreement with the loop: relative error {abs(tr - tr_ref) / tr_ref:.1e}; "
          f"float32: tr Σ = {ns.tr_sigma:.6g}, |G|² = {ns.g2:.6g}, B_simple = {ns.b_simple:.4g}")


def threads() -> None:
    print("torch CPU threads per workload (training steps/s at B = 32 and 256):")
    for name in BUILTINS:
        w = resolve(name)
        row = []
        for n_threads in (1, 2):
            torch.set_num_threads(n_threads)
            for b in (32, 256):
                r = measure(fresh_model(w, 0), w, b, steps=10, repeats=3, warmup=3)
                row.append(f"{n_threads} thr B={b}: {r.samples_per_s / b:8.0f}")
        print(f"  {name:<14} " + " | ".join(row) + f"  (default: {w.threads})")
    torch.set_num_threads(1)


def table(device: str) -> None:
    print(f"throughput and memory vs B, digits MLP and CNN, device {device}:")
    print(f"  {'workload':<12}{'B':>6}{'samples/s':>12}{'ms/step':>9}{'peak MiB':>10}"
          f"{'saved MiB':>10}")
    for name in ("digits-mlp", "digits-cnn"):
        w = resolve(name)
        torch.set_num_threads(w.threads)
        for b in (1, 8, 32, 128, 512, w.n):
            r = measure(fresh_model(w, 0), w, b, steps=10, repeats=3, warmup=3, device=device)
            peak = "-" if r.peak_bytes is None else f"{r.peak_bytes / 2**20:.2f}"
            print(f"  {name:<12}{b:>6}{r.samples_per_s:>12.0f}{1e3 * b / r.samples_per_s:>9.3f}"
                  f"{peak:>10}{r.saved_bytes / 2**20:>10.3f}")


def main() -> None:
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, "
          f"CUDA: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}")
    data_path()
    noise_cost()
    threads()
    table("cpu")
    if torch.cuda.is_available():
        table("cuda")


if __name__ == "__main__":
    main()
