"""Workloads: a torch model, its data as in-memory tensors, and its per-example loss.

Built-ins work offline (scikit-learn's bundled digits and breast-cancer files); a user
brings any ``nn.Module`` with tensors (``from_module``) or a Python file exposing
``model()`` and ``data()`` (``from_file``). A workload is picklable, so trials can ship
it to other processes; by name (``resolve``) is cheaper still.
"""

from __future__ import annotations

import copy
import importlib.util
import math
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LossKind = Literal["cross_entropy", "bce", "mse"]
LOSSES: tuple[LossKind, ...] = ("cross_entropy", "bce", "mse")


class WorkloadError(RuntimeError):
    """The user's workload code failed: its file, ``model()``, ``data()``, or the model on
    its data. Not a bad argument, so the CLI prints the one-line message and exits 1."""


def describe_error(exc: BaseException) -> str:
    """``RuntimeError: first line of the message``: an exception in one line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@dataclass(frozen=True, eq=False)
class Workload:
    """A model template, its training tensors and loss, and measured-good defaults.

    ``reinit``: each seed re-draws the weights of Linear/Conv layers (PyTorch's default
    distribution, from an explicit generator); otherwise every trial starts from the
    template's own weights. ``threads``: torch CPU threads that ran fastest here.
    """

    name: str
    template: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    loss: LossKind
    reinit: bool = True
    threads: int = 1
    target_loss: float = 0.1
    lr: float = 0.1

    @property
    def n(self) -> int:
        return int(self.x.shape[0])

    @property
    def classification(self) -> bool:
        return self.loss != "mse"


def per_example_loss(kind: LossKind, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Loss of each example (shape (N,)); the batch loss is its mean."""
    if kind == "cross_entropy":
        return F.cross_entropy(out, y, reduction="none")
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(out.reshape(y.shape), y, reduction="none")
    if kind == "mse":
        return ((out.reshape(y.shape[0], -1) - y.reshape(y.shape[0], -1)) ** 2).sum(dim=1)
    raise ValueError(f"loss must be one of {LOSSES}, got {kind!r}")


def correct(kind: LossKind, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Number of correctly classified examples (0 for regression)."""
    if kind == "cross_entropy":
        return (out.argmax(dim=1) == y).sum()
    if kind == "bce":
        return ((out.reshape(y.shape) > 0) == (y > 0.5)).sum()
    return torch.zeros((), dtype=torch.int64)


def reinitialise(model: nn.Module, gen: torch.Generator) -> None:
    """Redraw Linear/Conv weights as PyTorch's ``reset_parameters`` does, from ``gen``."""
    for m in model.modules():
        if isinstance(m, nn.Linear | nn.Conv1d | nn.Conv2d | nn.Conv3d):
            nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=gen)
            if m.bias is not None:
                fan_in = m.weight[0].numel()
                bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                nn.init.uniform_(m.bias, -bound, bound, generator=gen)


def fresh_model(w: Workload, seed: int, device: str | torch.device = "cpu") -> nn.Module:
    """A copy of the template for one trial: weights redrawn from ``seed`` if ``reinit``."""
    model = copy.deepcopy(w.template)
    if w.reinit:
        with torch.no_grad():
            reinitialise(model, torch.Generator().manual_seed(int(seed)))
    return model.to(device)


IGNORED = -100  # cross-entropy's ignore_index: a label that marks an example to skip


def _probe_rows(y: torch.Tensor) -> torch.Tensor:
    """Rows 0 and 1, and for integer labels the rows holding the smallest and largest label
    (an out-of-range class is then caught here, not in a trial)."""
    rows = [0, 1]
    if not torch.is_floating_point(y) and y.numel():
        flat = y.reshape(y.shape[0], -1).to(torch.int64)  # bool labels too
        rows += [int(flat.min(dim=1).values.argmin()), int(flat.max(dim=1).values.argmax())]
    return torch.tensor(rows)


def probe(name: str, model: nn.Module, x: torch.Tensor, y: torch.Tensor,
          kind: LossKind) -> None:
    """Run a copy of ``model`` on a few rows and take the loss, so a model that does not fit
    its data fails here, once and in one line, not inside every trial in another process.
    A copy, under a forked RNG: batch-norm statistics and the global seed stay untouched."""
    try:
        rows = _probe_rows(y)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            out = copy.deepcopy(model)(x[rows])
            used = y[y != IGNORED] if not torch.is_floating_point(y) else y
            if kind == "cross_entropy" and out.ndim == 2 and used.numel() \
                    and not torch.is_floating_point(y):
                lo, hi, classes = int(used.min()), int(used.max()), out.shape[1]
                if lo < 0 or hi >= classes:
                    raise WorkloadError(
                        f"workload {name!r}: labels must be class indices from 0 to "
                        f"{classes - 1} (the model has {classes} outputs; {IGNORED} marks an "
                        f"example to ignore), got labels from {lo} to {hi}")
            per_example_loss(kind, out, y[rows])
    except WorkloadError:
        raise
    except Exception as exc:
        raise WorkloadError(f"workload {name!r}: the model failed on its data: "
                            f"{describe_error(exc)}") from exc


def from_module(name: str, model: nn.Module, x: torch.Tensor, y: torch.Tensor, *,
                loss: LossKind | None = None, reinit: bool = False, threads: int = 1,
                target_loss: float = 0.1, lr: float = 0.1) -> Workload:
    """The user's model and data; ``loss`` defaults to cross-entropy for integer labels.
    Raises ``WorkloadError`` if the model fails on the data (see ``probe``)."""
    if x.shape[0] != y.shape[0] or x.shape[0] < 2:
        raise ValueError(f"workload {name!r}: x and y need the same number of rows (>= 2), got "
                         f"{tuple(x.shape)} and {tuple(y.shape)}")
    kind: LossKind = loss or ("cross_entropy" if not torch.is_floating_point(y) else "mse")
    if kind not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {kind!r}")
    template, x, y = copy.deepcopy(model).cpu(), x.detach().cpu(), y.detach().cpu()
    probe(name, template, x, y, kind)
    return Workload(name, template, x, y, kind, reinit, threads, target_loss, lr)


def _user_call(path: str, module: object, attr: str) -> object:
    """``module.attr()``; any exception it raises becomes a one-line ``WorkloadError``."""
    try:
        return getattr(module, attr)()
    except Exception as exc:
        raise WorkloadError(f"workload file {path!r}: {attr}() failed: "
                            f"{describe_error(exc)}") from exc


def from_file(path: str | Path) -> Workload:
    """Load a Python file exposing ``model()`` and ``data()`` (and optionally ``LOSS``,
    ``TARGET_LOSS``, ``LR``, ``THREADS``, ``REINIT``). A file that fails to import, or whose
    functions raise, gives a one-line ``WorkloadError`` naming the file."""
    p = Path(path).resolve()
    if not p.is_file() or p.suffix != ".py":
        raise ValueError(f"workload must be a built-in name ({', '.join(BUILTINS)}) "
                         f"or an existing .py file, got {str(path)!r}")
    mod_name = f"batchlab_user_workload_{abs(hash(str(p)))}"
    spec = importlib.util.spec_from_file_location(mod_name, p)
    if spec is None or spec.loader is None:
        raise ValueError(f"workload: cannot import {str(p)!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[mod_name]
        raise WorkloadError(f"workload file {str(path)!r} failed to import: "
                            f"{describe_error(exc)}") from exc
    for attr in ("model", "data"):
        if not callable(getattr(module, attr, None)):
            raise ValueError(f"workload: {p.name} must define a function {attr}()")
    data = _user_call(str(path), module, "data")
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise ValueError(f"workload: {p.name}'s data() must return (x, y), got "
                         f"{type(data).__name__}")
    model = _user_call(str(path), module, "model")
    if not isinstance(model, nn.Module):
        raise ValueError(f"workload: {p.name}'s model() must return a torch.nn.Module, got "
                         f"{type(model).__name__}")
    try:
        return from_module(p.stem, model, torch.as_tensor(data[0]), torch.as_tensor(data[1]),
                           loss=getattr(module, "LOSS", None),
                           reinit=bool(getattr(module, "REINIT", False)),
                           threads=int(getattr(module, "THREADS", 1)),
                           target_loss=float(getattr(module, "TARGET_LOSS", 0.1)),
                           lr=float(getattr(module, "LR", 0.1)))
    except WorkloadError as exc:  # the same error, naming the file too
        raise WorkloadError(f"workload file {str(path)!r}: {exc}") from exc
    except ValueError as exc:
        raise ValueError(f"workload file {str(path)!r}: {exc}") from exc


def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return torch.tensor(d.data / 16.0, dtype=torch.float32), torch.tensor(d.target)


def digits_mlp(hidden: int = 64) -> Workload:
    """An MLP (64-h-h-10, ReLU) on the 1797 8×8 digits."""
    x, y = _digits()
    model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                          nn.ReLU(), nn.Linear(hidden, 10))
    return Workload("digits-mlp", model, x, y, "cross_entropy", target_loss=0.1, lr=0.3)


def digits_cnn() -> Workload:
    """A small CNN (two 3×3 convolutions, 8 and 16 channels) on the 8×8 digits."""
    x, y = _digits()
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16 * 2 * 2, 10))
    return Workload("digits-cnn", model, x.reshape(-1, 1, 8, 8), y, "cross_entropy",
                    threads=2, target_loss=0.15, lr=0.3)


def cancer_logreg() -> Workload:
    """Logistic regression on the 569 standardised breast-cancer examples (30 features)."""
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer()
    x = (d.data - d.data.mean(axis=0)) / d.data.std(axis=0)
    return Workload("cancer-logreg", nn.Linear(30, 1), torch.tensor(x, dtype=torch.float32),
                    torch.tensor(d.target.astype(np.float32)), "bce", target_loss=0.1, lr=1.0)


BUILTINS = {"digits-mlp": digits_mlp, "digits-cnn": digits_cnn, "cancer-logreg": cancer_logreg}


@lru_cache(maxsize=8)
def resolve(ref: str) -> Workload:
    """A built-in workload by name, or a user's workload file by path (cached per process)."""
    make = BUILTINS.get(ref)
    return make() if make is not None else from_file(ref)


def with_dtype(w: Workload, dtype: torch.dtype) -> Workload:
    """The same workload in another floating dtype (float64 for reference checks)."""
    y = w.y.to(dtype) if torch.is_floating_point(w.y) else w.y
    return replace(w, template=copy.deepcopy(w.template).to(dtype), x=w.x.to(dtype), y=y)
