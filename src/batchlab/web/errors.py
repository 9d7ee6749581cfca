"""Turn the core's ValueErrors into 422 responses that name the offending field."""

from __future__ import annotations

from fastapi import Request
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
