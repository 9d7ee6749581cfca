"""Front matter of a content file: a ``---`` block of ``key: value`` lines, then the body.

A deliberately tiny format (no YAML): every value is one line of plain text, so an
instructor cannot break the page with indentation or quoting rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batchlab.lesson.errors import Problem

_KEY = re.compile(r"^([a-z][a-z0-9_-]*)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Document:
    """A parsed file: its fields, its body, and the 0-based line where the body starts."""

    fields: dict[str, str]
    body: str
    body_line: int

    def require(self, *names: str) -> None:
        """Fail on the first missing or empty field, pointing at the front matter."""
        for name in names:
            if not self.fields.get(name):
                raise Problem(0, f"front matter needs a non-empty '{name}:' field")


def parse(text: str) -> Document:
    """Split ``---`` front matter from the Markdown body."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise Problem(0, "a content file starts with a '---' line opening its front matter")
    fields: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return Document(fields, "\n".join(lines[i + 1:]) + "\n", i + 1)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _KEY.match(line)
        if not m:
            raise Problem(i, f"front matter lines are 'key: value', got {line.strip()!r}")
        if m.group(1) in fields:
            raise Problem(i, f"front matter field '{m.group(1)}' is given twice")
        fields[m.group(1)] = m.group(2)
    raise Problem(0, "front matter is not closed by a '---' line")
