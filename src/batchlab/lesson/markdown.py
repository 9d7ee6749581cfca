"""Lesson Markdown -> safe HTML: CommonMark with tables, math, glossaries, widgets, live numbers.

Raw HTML in content is never passed through (markdown-it's ``html`` option is off, so it
is shown as text). Math becomes MathML here, on the server. Every fault raises a
``ContentError`` naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from batchlab.lesson.blocks import directive, math_block
from batchlab.lesson.errors import ContentError, Problem
from batchlab.lesson.inline import live_number, math_inline
from batchlab.lesson.live import render_live
from batchlab.lesson.mathml import tex_to_mathml
from batchlab.lesson.widgets import render_widget


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "replacements", "smartquotes"])
    md.block.ruler.before("fence", "math_block", math_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.block.ruler.before("fence", "directive", directive,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.inline.ruler.after("escape", "math_inline", math_inline)
    md.inline.ruler.after("math_inline", "live_number", live_number)
    md.core.ruler.push("table_scopes", _table_scopes)
    for name in ("math_block", "math_inline", "widget", "live"):
        md.add_render_rule(name, _prerendered)
    return md


def _prerendered(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    html = str(tokens[idx].meta["html"])
    return html + "\n" if tokens[idx].block else html


def _table_scopes(state: StateCore) -> None:
    """Header cells get ``scope="col"``; the first cell of each body row becomes a row header."""
    in_body, first = False, False
    for tok in state.tokens:
        if tok.type in ("tbody_open", "tbody_close"):
            in_body = tok.type == "tbody_open"
        elif tok.type == "tr_open":
            first = True
        elif tok.type == "th_open":
            tok.attrSet("scope", "col")
        elif tok.type in ("td_open", "td_close") and in_body and first:
            tok.type, tok.tag = tok.type.replace("td", "th"), "th"
            if tok.nesting == 1:
                tok.attrSet("scope", "row")
            else:
                first = False


def render(text: str, source: str = "<text>", first_line: int = 1,
           check: Callable[[Token], str | None] | None = None) -> str:
    """Render ``text`` whose first line is line ``first_line`` of ``source``.

    ``check`` may reject a block token (e.g. a heading level) by returning a message.
    """
    def fail(line: int, message: str) -> ContentError:
        return ContentError(source, first_line + line, message)

    md = _parser()
    try:
        tokens = md.parse(text)
    except Problem as p:
        raise fail(p.line, p.message) from None
    for tok in tokens:
        line = tok.map[0] if tok.map else 0
        if tok.type == "math_block":  # point at the formula, not at a bare opening $$
            line += len(tok.content) - len(tok.content.lstrip("\n"))
        message = check(tok) if check else None
        if message:
            raise fail(line, message)
        try:
            _resolve(tok)
        except ValueError as e:
            raise fail(line, str(e)) from None
        for child in tok.children or ():
            try:
                _resolve(child)
            except ValueError as e:
                pos = child.meta.get("pos", 0) if child.meta else 0
                raise fail(line + tok.content.count("\n", 0, pos), str(e)) from None
    return str(md.renderer.render(tokens, md.options, {}))


def _resolve(tok: Token) -> None:
    """Turn a lesson token into its HTML (kept in ``meta["html"]``), or raise ValueError."""
    if tok.type == "math_block":
        # the wrapper scrolls sideways when a formula is wider than a phone's column
        tok.meta = {"html": '<div class="math-display">'
                            f'{tex_to_mathml(tok.content, display=True)}</div>'}
    elif tok.type == "math_inline":
        tok.meta["html"] = tex_to_mathml(tok.content)
    elif tok.type == "widget":
        tok.meta = {"html": render_widget(tok.content)}
    elif tok.type == "live":
        tok.meta["html"] = render_live(tok.content)
    elif tok.type == "problem":
        raise ValueError(tok.content)
