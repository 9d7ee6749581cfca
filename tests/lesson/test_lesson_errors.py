"""Broken content fails at load time with an error naming the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from batchlab.lesson import ContentError, load_lesson


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (which must occur) and return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def _fails(content: Path, file: str, line: int, message: str) -> None:
    with pytest.raises(ContentError) as err:
        load_lesson(content)
    e = err.value
    assert Path(e.source).name == file and e.line == line, str(e)
    assert message in e.message
    assert re.match(rf"^.*{re.escape(file)}:{line}: ", str(e))


def test_missing_front_matter_field(content: Path) -> None:
    _edit(content / "b3-tradeoffs.md", "eyebrow: Tradeoffs\n", "")
    _fails(content, "b3-tradeoffs.md", 1, "'eyebrow:'")


def test_no_front_matter(content: Path) -> None:
    f = content / "b1-background.md"
    f.write_text("Just text.\n", encoding="utf-8")
    _fails(content, "b1-background.md", 1, "starts with a '---' line")


def test_malformed_front_matter_line(content: Path) -> None:
    line = _edit(content / "page.md", "cta: Explore", "cta Explore")
    _fails(content, "page.md", line, "'key: value'")


def test_malformed_math_names_its_line(content: Path) -> None:
    line = _edit(content / "b2-formulas.md", r"\eta\, g_t", r"\eta\, g_t^")
    _fails(content, "b2-formulas.md", line, "cannot typeset")


def test_bad_inline_math_in_a_long_paragraph(content: Path) -> None:
    line = _edit(content / "b1-background.md", "reacts quickly", r"reacts $\frac{1}{$ quickly")
    _fails(content, "b1-background.md", line, "unbalanced braces")


def test_unknown_widget(content: Path) -> None:
    line = _edit(content / "b4-example.md", "::: widget updates-per-epoch",
                 "::: widget updates-per-epock")
    _fails(content, "b4-example.md", line, "unknown widget 'updates-per-epock'")


def test_bad_live_number(content: Path) -> None:
    line = _edit(content / "b5-mistakes.md", "{{updates n=1000 b=32}}",
                 "{{updates n=1000 b=3200}}")
    _fails(content, "b5-mistakes.md", line, "b must be between 1 and n=1000")


def test_glossary_term_without_definition(content: Path) -> None:
    line = _edit(content / "b2-formulas.md", "$t$\n: the update counter", "$t$\n$u$\n: x")
    _fails(content, "b2-formulas.md", line, "has no ': definition' line")


def test_heading_level_in_a_section(content: Path) -> None:
    line = _edit(content / "b2-formulas.md", "### The dataset loss", "## The dataset loss")
    _fails(content, "b2-formulas.md", line, "section headings start at ###")


def test_method_body_parts(content: Path) -> None:
    _edit(content / "method-mini.md", "## Formula", "## Formulas")
    with pytest.raises(ContentError, match=r"method-mini\.md:\d+: the body is '## Intuition'"):
        load_lesson(content)


def test_method_formula_holds_only_display_math(content: Path) -> None:
    line = _edit(content / "method-full.md", "$$\n\\theta_{t+1}", "Then:\n\n$$\n\\theta_{t+1}")
    _fails(content, "method-full.md", line, "only $$ display math $$")


def test_method_ids_follow_the_engine(content: Path) -> None:
    _edit(content / "method-stochastic.md", "id: stochastic", "id: sgd")
    _fails(content, "page.md", 1, "methods must have the ids full, mini, stochastic")


def test_unlisted_file(content: Path) -> None:
    (content / "b7-extra.md").write_text("---\nid: extra\n---\n", encoding="utf-8")
    _fails(content, "b7-extra.md", 1, "not listed")


def test_listed_file_missing(content: Path) -> None:
    (content / "b6-takeaway.md").unlink()
    _fails(content, "b6-takeaway.md", 1, "file is missing")


def test_duplicate_ids(content: Path) -> None:
    _edit(content / "b6-takeaway.md", "id: takeaway", "id: background")
    _fails(content, "page.md", 1, "id 'background' is used by two files")


def test_raw_html_in_content_is_shown_as_text(content: Path) -> None:
    _edit(content / "b6-takeaway.md", "- The **batch size**",
          "<script>alert('x')</script>\n\n- The **batch size**")
    html = load_lesson(content).sections[-1].html
    assert "<script>" not in html and "&lt;script&gt;" in html
