"""markdown-it block rules of the lesson: ``$$ display math $$`` and ``::: directives``.

Directives: ``::: widget NAME k=v`` (one line) and a ``::: glossary`` ... ``:::`` block of
terms, each followed by a ``: definition`` line, rendered as a ``<dl class="glossary">``.
"""

from __future__ import annotations

from markdown_it.rules_block import StateBlock

from batchlab.lesson.errors import Problem


def _line(state: StateBlock, i: int) -> str:
    return state.src[state.bMarks[i] + state.tShift[i]:state.eMarks[i]]


def _indented_code(state: StateBlock, line: int) -> bool:
    return state.sCount[line] - state.blkIndent >= 4


def math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``$$`` opens a display formula, closed by a line ending in ``$$``."""
    first = _line(state, start)
    if _indented_code(state, start) or not first.startswith("$$"):
        return False
    if silent:
        return True
    body, i = first[2:], start
    while not (body.rstrip().endswith("$$") and (i > start or len(first.rstrip()) > 3)):
        i += 1
        if i >= end or not _line(state, i).strip():
            raise Problem(start, "display math opened with $$ is not closed by $$")
        body += "\n" + _line(state, i)
    tex = body.rstrip()[:-2]
    token = state.push("math_block", "math", 0)
    token.content, token.map, token.markup = tex, [start, i + 1], "$$"
    state.line = i + 1
    return True


def directive(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``::: widget ...`` and ``::: glossary`` blocks; any other ``:::`` line is an error."""
    first = _line(state, start)
    if _indented_code(state, start) or not first.startswith(":::"):
        return False
    if silent:
        return True
    words = first[3:].split(maxsplit=1)
    kind = words[0] if words else ""
    if kind == "widget":
        token = state.push("widget", "div", 0)
        token.content, token.map = words[1] if len(words) > 1 else "", [start, start + 1]
        state.line = start + 1
        return True
    if kind == "glossary" and len(words) == 1:
        state.line = _glossary(state, start, end)
        return True
    raise Problem(start, f"unknown directive {first!r}; use '::: widget NAME' or '::: glossary'")


def _glossary(state: StateBlock, start: int, end: int) -> int:
    entries: list[tuple[int, str, int, str]] = []  # term line, term, definition line, text
    term: tuple[int, str] | None = None
    i = start + 1
    while True:
        if i >= end:
            raise Problem(start, "'::: glossary' is not closed by a ':::' line")
        text = _line(state, i)
        if text.strip() == ":::":
            break
        if text.startswith(":"):
            if term is None:
                raise Problem(i, "a ': definition' line needs a term on the line above it")
            entries.append((term[0], term[1], i, text[1:].strip()))
            term = None
        elif text.strip() and state.sCount[i] - state.blkIndent >= 2 and entries and term is None:
            t_line, t, d_line, d = entries[-1]
            entries[-1] = (t_line, t, d_line, d + "\n" + text.strip())  # continued definition
        elif text.strip():
            if term is not None:
                raise Problem(term[0], f"glossary term {term[1]!r} has no ': definition' line")
            term = (i, text.strip())
        i += 1
    if term is not None:
        raise Problem(term[0], f"glossary term {term[1]!r} has no ': definition' line")
    if not entries:
        raise Problem(start, "empty glossary")
    dl = state.push("dl_open", "dl", 1)
    dl.attrSet("class", "glossary")
    dl.map = [start, i + 1]
    for t_line, t, d_line, d in entries:
        _inline_element(state, "dt", t, t_line)
        _inline_element(state, "dd", d, d_line)
    state.push("dl_close", "dl", -1)
    return i + 1


def _inline_element(state: StateBlock, tag: str, content: str, line: int) -> None:
    state.push(f"{tag}_open", tag, 1)
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = content, [line, line + 1], []
    state.push(f"{tag}_close", tag, -1)
