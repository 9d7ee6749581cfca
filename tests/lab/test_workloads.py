"""Workloads: built-ins load offline, seeds control the weights, user models and files."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from batchlab.lab.workloads import (
    BUILTINS,
    WorkloadError,
    correct,
    fresh_model,
    from_file,
    from_module,
    per_example_loss,
    resolve,
    with_dtype,
)


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_loads_and_runs(name: str) -> None:
    w = resolve(name)
    assert w.n == w.x.shape[0] == w.y.shape[0] > 500
    out = fresh_model(w, 0)(w.x[:5])
    losses = per_example_loss(w.loss, out, w.y[:5])
    assert losses.shape == (5,) and torch.isfinite(losses).all()
    assert 0 <= int(correct(w.loss, out, w.y[:5])) <= 5


def test_seed_fixes_the_initial_weights() -> None:
    w = resolve("digits-mlp")
    a, b, c = (torch.cat([p.flatten() for p in fresh_model(w, s).parameters()])
               for s in (3, 3, 4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    # the default PyTorch bound for the first layer: 1/sqrt(fan_in) (kaiming_uniform, a=√5)
    first = fresh_model(w, 3)[0].weight
    assert float(first.abs().max()) <= 1 / 64**0.5 + 1e-7


def test_user_module_keeps_its_weights_and_infers_the_loss() -> None:
    model = nn.Linear(3, 2)
    x, y = torch.randn(10, 3, generator=torch.Generator().manual_seed(0)), torch.arange(10) % 2
    w = from_module("mine", model, x, y)
    assert w.loss == "cross_entropy" and not w.reinit
    assert torch.equal(fresh_model(w, 0).weight, model.weight)
    assert from_module("reg", model, x, y.float()).loss == "mse"
    with pytest.raises(ValueError, match="workload 'bad': x and y need the same number of rows"):
        from_module("bad", model, x, y[:3])
    ignored = y.clone()
    ignored[3] = -100  # cross-entropy's ignore index is not an out-of-range class
    assert from_module("mine", model, x, ignored).loss == "cross_entropy"


def test_workload_file(tmp_path: Path) -> None:
    f = tmp_path / "mine.py"
    f.write_text("import torch\nLOSS = 'bce'\nLR = 0.5\n"
                 "def model():\n    return torch.nn.Linear(4, 1)\n"
                 "def data():\n    g = torch.Generator().manual_seed(0)\n"
                 "    x = torch.randn(20, 4, generator=g)\n    return x, (x[:, 0] > 0).float()\n")
    w = from_file(f)
    assert (w.name, w.loss, w.lr, w.n) == ("mine", "bce", 0.5, 20)
    assert resolve(str(f)).n == 20
    with pytest.raises(ValueError, match="built-in name"):
        resolve(str(tmp_path / "missing.py"))
    (tmp_path / "empty.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match=r"model\(\)"):
        from_file(tmp_path / "empty.py")


def test_with_dtype_converts_model_and_inputs() -> None:
    w = with_dtype(resolve("cancer-logreg"), torch.float64)
    assert w.x.dtype == w.y.dtype == torch.float64
    assert fresh_model(w, 0).weight.dtype == torch.float64


@pytest.mark.parametrize(("source", "message"), [
    ("raise RuntimeError('boom')\n", "failed to import: RuntimeError: boom"),
    ("def model(:\n", "failed to import: SyntaxError"),
    ("import torch\ndef model():\n    return torch.nn.Linear(3, 2)\n"
     "def data():\n    raise OSError('no data here')\n", r"data\(\) failed: OSError: no data here"),
    ("import torch\ndef model():\n    return torch.nn.Linear(3, 2)\n"
     "def data():\n    return torch.randn(10, 4), torch.arange(10) % 2\n",
     r"workload 'bad': the model failed on its data: RuntimeError: mat1 and mat2 shapes "
     r"cannot be multiplied \(4x4 and 3x2\)"),
    # the row holding the largest label is probed: class 2 of a 2-output model, at row 5 only
    ("import torch\ndef model():\n    return torch.nn.Linear(3, 2)\n"
     "def data():\n    y = torch.zeros(10, dtype=torch.long)\n    y[5] = 2\n"
     "    return torch.randn(10, 3), y\n",
     r"workload 'bad': labels must be class indices from 0 to 1 \(the model has 2 outputs; "
     r"-100 marks an example to ignore\), got labels from 0 to 2"),
    # boolean labels: one line, not a traceback from the probe's choice of rows
    ("import torch\ndef model():\n    return torch.nn.Linear(3, 2)\n"
     "def data():\n    return torch.randn(8, 3), torch.tensor([True, False] * 4)\n",
     r"workload 'bad': the model failed on its data: RuntimeError: expected target dtype"),
])
def test_user_code_errors_are_one_line(tmp_path: Path, source: str, message: str) -> None:
    import sys

    f = tmp_path / "bad.py"
    f.write_text(source)
    before = set(sys.modules)
    with pytest.raises(WorkloadError, match=message) as info:
        from_file(f)
    assert "\n" not in str(info.value)
    assert repr(str(f)) in str(info.value)  # every one names the file
    if "import" in message:  # a half-imported module is not left behind
        assert not {m for m in set(sys.modules) - before if m.startswith("batchlab_user")}


def test_workload_file_must_return_a_pair_and_a_module(tmp_path: Path) -> None:
    f = tmp_path / "odd.py"
    f.write_text("import torch\ndef model():\n    return 3\n"
                 "def data():\n    return torch.zeros(4, 2)\n")
    with pytest.raises(ValueError, match=r"data\(\) must return \(x, y\), got Tensor"):
        from_file(f)
    f.write_text("import torch\ndef model():\n    return 3\n"
                 "def data():\n    return torch.zeros(4, 2), torch.zeros(4)\n")
    with pytest.raises(ValueError, match=r"model\(\) must return a torch.nn.Module, got int"):
        from_file(f)


def test_the_probe_leaves_the_model_and_the_global_rng_alone() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))
    x, y = torch.randn(10, 3) * 5 + 3, torch.arange(10) % 2
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    w = from_module("bn", model, x, y)
    assert torch.equal(torch.rand(3), expected)
    for m in (model[1], w.template[1]):
        assert torch.equal(m.running_mean, torch.zeros(4)) and int(m.num_batches_tracked) == 0
