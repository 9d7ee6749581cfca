"""The lesson's text, loaded from content/*.md and rendered to HTML for the page.

``page.md`` holds the header texts, the figure caption and the order of the other files;
each section and each method has a file of its own. Everything is checked when loaded,
so a content mistake is an error naming the file and line, never a broken page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it.token import Token

from batchlab.core.scene import METHODS
from batchlab.lesson.errors import ContentError, Problem
from batchlab.lesson.frontmatter import Document, parse
from batchlab.lesson.markdown import render

CONTENT_DIR = Path(__file__).parent / "content"
METHOD_IDS = tuple(m.key for m in METHODS)
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_PART = re.compile(r"^##[ \t]+(Intuition|Formula)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Section:
    """A part-B section or a part-C deep dive: eyebrow label, heading and body HTML
    (headings from h3 down)."""

    id: str
    eyebrow: str
    title: str
    html: str


@dataclass(frozen=True)
class MethodText:
    """One method of the race: label, rhythm-lane line, intuition and formula HTML."""

    id: str
    label: str
    lane: str
    intuition_html: str
    formula_html: str


@dataclass(frozen=True)
class PageText:
    """The header texts and the caption of the landscape figure."""

    eyebrow: str
    title: str
    subtitle: str
    cta: str
    caption_html: str


@dataclass(frozen=True)
class Lesson:
    """Everything the page says, in page order."""

    page: PageText
    sections: tuple[Section, ...]
    methods: tuple[MethodText, ...]
    deep_dives: tuple[Section, ...] = ()


def render_markdown(text: str) -> str:
    """Markdown with $math$ -> safe HTML with MathML; raises ContentError on bad content."""
    return render(text)


def load_lesson(content_dir: Path | None = None) -> Lesson:
    """Load and render the lesson; cached until a content file changes."""
    folder = Path(content_dir or CONTENT_DIR).resolve()
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(folder.glob("*.md")))
    return _load(folder, stamp)


@lru_cache(maxsize=8)
def _load(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> Lesson:
    """Read every file of ``folder``; ``stamp`` (names, mtimes, sizes) is only the cache key."""
    page_doc = _read(folder / "page.md", "eyebrow", "title", "subtitle", "cta", "sections",
                     "methods", "deep_dives")
    names = {k: _names(page_doc, k) for k in ("sections", "methods", "deep_dives")}
    listed = {"page", "README", *names["sections"], *names["methods"], *names["deep_dives"]}
    for path in sorted(folder.glob("*.md")):
        if path.stem not in listed:
            raise ContentError(path, 1, "not listed under 'sections:', 'methods:' or "
                                        "'deep_dives:' in page.md")
    f = page_doc.fields
    page = PageText(f["eyebrow"], f["title"], f["subtitle"], f["cta"],
                    _body(page_doc, folder / "page.md", _no_headings))
    sections = tuple(_section(folder / f"{n}.md") for n in names["sections"])
    methods = tuple(_method(folder / f"{n}.md") for n in names["methods"])
    dives = tuple(_section(folder / f"{n}.md") for n in names["deep_dives"])
    _unique(folder / "page.md",
            [s.id for s in sections] + [m.id for m in methods] + [d.id for d in dives])
    if tuple(m.id for m in methods) != METHOD_IDS:
        raise ContentError(folder / "page.md", 1, f"methods must have the ids "
                           f"{', '.join(METHOD_IDS)} in that order (the engine's methods), "
                           f"got {', '.join(m.id for m in methods)}")
    return Lesson(page, sections, methods, dives)


def _read(path: Path, *required: str) -> Document:
    try:
        doc = parse(path.read_text(encoding="utf-8"))
        doc.require(*required)
    except FileNotFoundError:
        raise ContentError(path, 1, "file is missing") from None
    except Problem as p:
        raise ContentError(path, p.line + 1, p.message) from None
    if "id" in required and not _ID.match(doc.fields["id"]):
        raise ContentError(path, 1, f"id must be lowercase letters, digits and '-', "
                           f"got {doc.fields['id']!r}")
    return doc


def _names(doc: Document, field: str) -> list[str]:
    return [n.strip() for n in doc.fields[field].split(",") if n.strip()]


def _body(doc: Document, path: Path, check: Callable[[Token], str | None],
          text: str | None = None, offset: int = 0) -> str:
    return render(doc.body if text is None else text, str(path),
                  doc.body_line + offset + 1, check)


def _section(path: Path) -> Section:
    doc = _read(path, "id", "eyebrow", "title")
    f = doc.fields
    return Section(f["id"], f["eyebrow"], f["title"], _body(doc, path, _h3_and_below))


def _method(path: Path) -> MethodText:
    doc = _read(path, "id", "label", "lane")
    heads = list(_PART.finditer(doc.body))
    if [h.group(1) for h in heads] != ["Intuition", "Formula"] or \
            doc.body[:heads[0].start()].strip():
        raise ContentError(path, doc.body_line + 1,
                           "the body is '## Intuition' (a paragraph) then '## Formula' "
                           "(display math: gradient estimate and update rule; then, "
                           "optionally, a glossary)")
    (intuition, formula) = (
        _body(doc, path, check, doc.body[h.end():end], doc.body.count("\n", 0, h.end()))
        for h, end, check in ((heads[0], heads[1].start(), _no_headings),
                              (heads[1], len(doc.body), _display_math_only)))
    for head, html, needs in ((heads[0], intuition, "<p>"), (heads[1], formula, "<math")):
        if needs not in html:
            line = doc.body_line + doc.body.count("\n", 0, head.start()) + 1
            raise ContentError(path, line, f"'## {head.group(1)}' is empty")
    f = doc.fields
    return MethodText(f["id"], f["label"], f["lane"], intuition, formula)


def _unique(path: Path, ids: list[str]) -> None:
    seen = [i for n, i in enumerate(ids) if i in ids[:n]]
    if seen:
        raise ContentError(path, 1, f"id {seen[0]!r} is used by two files")


def _h3_and_below(tok: Token) -> str | None:
    if tok.type == "heading_open" and tok.tag in ("h1", "h2"):
        return (f"section headings start at ### ({tok.markup} would compete with the "
                "section's own h2 title)")
    return None


def _no_headings(tok: Token) -> str | None:
    return "no headings here" if tok.type == "heading_open" else None


def _display_math_only(tok: Token) -> str | None:
    if tok.level == 0 and tok.type not in ("math_block", "dl_open", "dl_close"):
        return "the formula part holds only $$ display math $$ blocks and a ::: glossary"
    return None
