"""Vendored assets served from other packages' files as ready compressed bytes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from batchlab.web.responses import Blob


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the plotly wheel."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def lazy_blob(path: Callable[[], Path]) -> Callable[[], Blob]:
    """Read and compress a file on first use, once (thread-safe)."""
    lock = threading.Lock()
    held: list[Blob] = []

    def get() -> Blob:
        with lock:
            if not held:
                held.append(Blob.of(path().read_bytes(), level=19))
            return held[0]
    return get
