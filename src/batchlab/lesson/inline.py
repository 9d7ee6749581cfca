"""markdown-it inline rules of the lesson: ``$math$`` and ``{{live number}}``.

Both only record what they found and where (``meta["pos"]``); converting and checking
happens after parsing, where the line is known and an error can name it.
"""

from __future__ import annotations

from markdown_it.rules_inline import StateInline


def _closing_dollar(src: str, start: int, stop: int) -> int:
    """Index of the ``$`` that closes math opened just before ``start``, or -1."""
    j = src.find("$", start)
    while 0 <= j < stop:
        escaped = src[j - 1] == "\\"
        after = src[j + 1] if j + 1 < stop else ""
        if not escaped and not src[j - 1].isspace() and not after.isdigit():
            return j
        j = src.find("$", j + 1)
    return -1


def math_inline(state: StateInline, silent: bool) -> bool:
    """``$x$`` (no space just inside the dollars, no digit right after the closing one)."""
    src, pos, stop = state.src, state.pos, state.posMax
    if src[pos] != "$":
        return False
    nxt = src[pos + 1] if pos + 1 < stop else ""
    if nxt == "$":
        if not silent:
            _problem(state, pos, "display math $$...$$ goes on lines of its own")
        state.pos = pos + 2
        return True
    if not nxt or nxt.isspace():
        return False  # a lone dollar sign is text
    close = _closing_dollar(src, pos + 2, stop)
    if close < 0:
        if not silent:
            _problem(state, pos, "inline math opened with $ is not closed (write \\$ for a "
                                 "dollar sign)")
        state.pos = stop
        return True
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content, token.markup, token.meta = src[pos + 1:close], "$", {"pos": pos}
    state.pos = close + 1
    return True


def live_number(state: StateInline, silent: bool) -> bool:
    """``{{name k=v ...}}``: a number computed when the lesson is loaded."""
    src, pos = state.src, state.pos
    if not src.startswith("{{", pos):
        return False
    close = src.find("}}", pos + 2, state.posMax)
    if close < 0:
        if not silent:
            _problem(state, pos, "'{{' of a live number is not closed by '}}'")
        state.pos = state.posMax
        return True
    if not silent:
        token = state.push("live", "span", 0)
        token.content, token.meta = src[pos + 2:close].strip(), {"pos": pos}
    state.pos = close + 2
    return True


def _problem(state: StateInline, pos: int, message: str) -> None:
    token = state.push("problem", "", 0)
    token.content, token.meta = message, {"pos": pos}
