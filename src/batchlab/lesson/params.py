"""``key=value`` arguments of widget and live-number markers, checked against a schema."""

from __future__ import annotations

import re

_PAIR = re.compile(r"^([a-z][a-z0-9-]*)=([A-Za-z0-9_.-]+)$")


def parse_params(words: list[str], allowed: dict[str, str]) -> dict[str, str]:
    """Split ``k=v`` words; ``allowed`` maps each known key to its kind ('int' or 'word')."""
    out: dict[str, str] = {}
    for word in words:
        m = _PAIR.match(word)
        if not m:
            raise ValueError(f"arguments are key=value with a plain value, got {word!r}")
        key, value = m.groups()
        if key not in allowed:
            known = ", ".join(allowed) or "none"
            raise ValueError(f"unknown argument {key!r} (known: {known})")
        if allowed[key] == "int" and not value.isdigit():
            raise ValueError(f"{key} must be a whole number, got {value!r}")
        out[key] = value
    return out


def sizes(params: dict[str, str]) -> tuple[int, int]:
    """N and B of a marker, both required, with 1 <= B <= N."""
    if "n" not in params or "b" not in params:
        raise ValueError("needs both n=... and b=...")
    n, b = int(params["n"]), int(params["b"])
    if not 1 <= b <= n:
        raise ValueError(f"b must be between 1 and n={n}, got {b}")
    return n, b
