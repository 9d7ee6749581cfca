"""Server settings: one frozen object passed to ``create_app``, no import-time globals."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_results_dir() -> Path:
    return Path(os.environ.get("BATCHLAB_RESULTS", "results")).resolve()


@dataclass(frozen=True)
class Settings:
    """What the web app needs to know about its environment."""

    host: str = "127.0.0.1"
    port: int = 8000
    results_dir: Path = field(default_factory=_default_results_dir)
    scene_cache_size: int = 256
    max_concurrent_builds: int = 4
    scene_cache_bytes: int = 96 * 2**20
    static_max_age: int = 3600
