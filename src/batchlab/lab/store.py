"""A result directory: ``meta.json`` (what ran), ``trials/<key>.json`` (one record per
finished trial, each written atomically), then ``summary.json``, ``summary.txt`` and
``figures/``. Torch-free, so the web app can read results without the lab extra.

A killed run leaves only complete records behind (write to a temporary file, fsync,
rename), so ``--resume`` re-runs exactly the trials without a record. Files get the
process's usual mode (0666 less the umask, 0644 typically), so a server running as another
user can read them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
META, SUMMARY, TABLE, TRIALS, FIGURES = ("meta.json", "summary.json", "summary.txt", "trials",
                                         "figures")


def clean(obj: Any) -> Any:
    """JSON-safe copy: dataclasses to dicts, tuples to lists, non-finite floats to None."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return clean(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item") and callable(obj.item):  # NumPy / torch scalars
        return clean(obj.item())
    return obj


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically: a temporary file in the same folder, fsync, then rename.

    The temporary file is opened with ``O_EXCL`` and mode 0o666, which the kernel narrows
    by the umask as for any new file; ``tempfile.mkstemp`` would make every result 0600,
    unreadable to a web server running as another user.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(clean(obj), f, allow_nan=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any | None:
    """The parsed file, or None if it is missing or malformed."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def trial_key(config: Any) -> str:
    """A stable 16-hex-digit key for a trial configuration (a dataclass or a dict)."""
    text = json.dumps(clean(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record_path(out: Path, key: str) -> Path:
    return out / TRIALS / f"{key}.json"


def save_record(out: Path, config: Any, result: dict[str, Any], seconds: float) -> None:
    """Store one finished trial."""
    key = trial_key(config)
    write_json(record_path(out, key), {"key": key, "config": config, "result": result,
                                       "seconds": seconds})


def load_records(out: Path) -> list[dict[str, Any]]:
    """Every well-formed trial record (sorted by key; malformed files are skipped)."""
    folder = out / TRIALS
    if not folder.is_dir():
        return []
    records = []
    for p in sorted(folder.glob("*.json")):
        r = read_json(p)
        if isinstance(r, dict) and isinstance(r.get("config"), dict) \
                and isinstance(r.get("result"), dict):
            records.append(r)
    return records


def done_keys(out: Path) -> set[str]:
    return {str(r.get("key")) for r in load_records(out)}


def discard_if_empty(out: Path) -> bool:
    """Remove ``meta.json`` if ``out`` holds no trial record (a run that failed or was
    stopped before its first trial finished), so the folder is no longer listed as a run;
    True if it did."""
    if load_records(out):
        return False
    (out / META).unlink(missing_ok=True)
    return True


def pending(out: Path, configs: Iterable[Any]) -> list[Any]:
    """The configurations that have no record yet."""
    done = done_keys(out)
    return [c for c in configs if trial_key(c) not in done]


def cell(v: Any) -> str:
    """A table cell as text: 4 significant digits, '-' for missing, lists bracketed."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.4g}" if math.isfinite(v) else "nan"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(cell(x) for x in v) + "]"
    return str(v)


def list_results(root: Path) -> list[str]:
    """Names of the result directories directly under ``root`` (valid names only)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and NAME.match(p.name) and (p / META).is_file())


def safe_child(root: Path, name: str) -> Path | None:
    """``root/name`` if ``name`` is a plain valid name and stays inside ``root``."""
    if not NAME.match(name):
        return None
    base = root.resolve()
    p = (base / name).resolve()
    return p if p.parent == base else None
