"""Turn the core's ValueErrors into 422 responses that name the offending field."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class FieldError(ValueError):
    """A value the core rejected, with the name of the query field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def field_error(exc: ValueError, known: set[str]) -> FieldError:
    """Attach the field the core's message starts with (``batch_size must be ...``)."""
    message = str(exc)
    head = message.split(" ", 1)[0]
    return FieldError(head if head in known else "query", message)


def detail(field: str, message: str) -> dict[str, object]:
    """One entry shaped like FastAPI's own validation errors."""
    return {"loc": ["query", field], "msg": message, "type": "value_error"}


async def field_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 with FastAPI's error shape, so the page reads both kinds the same way."""
    assert isinstance(exc, FieldError)
    return JSONResponse({"detail": [detail(exc.field, str(exc))]}, status_code=422)


_BOUNDS = {"greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "more than"),
           "less_than_equal": ("le", "at most"), "less_than": ("lt", "less than")}


def plain(error: dict[str, Any]) -> str:
    """A validation error in the project's words: '<field> must be at least 1, got 0'."""
    loc = error.get("loc", ())
    field = str(loc[1] if len(loc) > 1 else "query")  # loc: ("query", field, ...)
    got = str(error.get("input"))[:40]  # echo at most 40 characters of what was sent
    kind = str(error.get("type", ""))
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"{field} must be {words} {error.get('ctx', {}).get(key)}, got {got}"
    if kind in ("int_parsing", "int_from_float"):
        return f"{field} must be a whole number, got {got!r}"
    if kind in ("float_parsing", "finite_number"):
        return f"{field} must be a finite number, got {got!r}"
    if kind == "bool_parsing":
        return f"{field} must be true or false, got {got!r}"
    if kind == "literal_error":
        return f"{field} must be {error.get('ctx', {}).get('expected')}, got {got!r}"
    return f"{field}: {error.get('msg', 'invalid value')}"


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 for query parameters, each message rewritten by ``plain``."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ()))[:2], "type": e.get("type"), "msg": plain(e)}
              for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)
