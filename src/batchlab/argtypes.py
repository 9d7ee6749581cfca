"""Argument types for the command lines: a value outside its range fails with a message
that names the allowed range (argparse prefixes the argument's name)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

USAGE_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as a single line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def int_in(low: int, high: int) -> Callable[[str], int]:
    """An integer in [low, high]."""
    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer between {low} and {high}, "
                                             f"got {s!r}") from None
        if not low <= v <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {v}")
        return v
    return parse


def float_in(low: float, high: float) -> Callable[[str], float]:
    """A finite number in [low, high]."""
    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            v = float("nan")
        if not low <= v <= high:
            raise argparse.ArgumentTypeError(f"must be a number between {low:g} and {high:g}, "
                                             f"got {s!r}")
        return v
    return parse
