"""Layering: the core imports no web, plotting, torch or ray; the package imports lazily."""

import subprocess
import sys

HEAVY = ("fastapi", "plotly", "torch", "ray", "uvicorn", "starlette")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return {m.split(".")[0] for m in out.split()}


def test_core_imports_no_heavy_framework():
    mods = _loaded_after("import importlib, pkgutil, batchlab.core as c; "
                         "[importlib.import_module(f'batchlab.core.{m.name}') "
                         "for m in pkgutil.iter_modules(c.__path__)]")
    assert not mods & set(HEAVY)


def test_import_batchlab_is_lazy():
    mods = _loaded_after("import batchlab")
    assert "numba" not in mods and "numpy" not in mods


def test_public_api_resolves():
    import batchlab

    for name in batchlab.__all__:
        assert getattr(batchlab, name) is not None


def test_cli_outside_the_lab_does_not_import_torch():
    mods = _loaded_after("from batchlab.cli import main; import contextlib, io; "
                         "f = io.StringIO(); "
                         "r = contextlib.redirect_stdout(f).__enter__(); "
                         "main(['epoch-plan', '--n', '5', '--batch-size', '2'])")
    assert "torch" not in mods
