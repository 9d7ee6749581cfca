"""The one error bad lesson content raises: it names the file and the line to fix."""

from __future__ import annotations

from pathlib import Path


class ContentError(ValueError):
    """A content file that cannot become a page: ``file:line: what is wrong``."""

    def __init__(self, source: str | Path, line: int, message: str) -> None:
        self.source = str(source)
        self.line = line
        self.message = message
        super().__init__(f"{self.source}:{line}: {message}")


class Problem(ValueError):
    """A fault at a 0-based line of some text; the caller adds the file name."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line + 1}: {message}")
