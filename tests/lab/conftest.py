"""Lab tests: offline data in a project-local folder, one torch thread, skip without torch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("SCIKIT_LEARN_DATA", str(ROOT / ".cache" / "scikit_learn_data"))
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".cache" / "numba"))

try:
    import torch
except ImportError:  # the lab extra is not installed: its tests cannot run
    collect_ignore_glob = ["test_*.py"]
else:
    torch.set_num_threads(1)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh temporary directory (the CLI writes results/ under the cwd)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
