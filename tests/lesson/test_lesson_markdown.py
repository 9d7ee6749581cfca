"""Markdown -> HTML: no raw HTML gets through, and the lesson's own syntax renders or fails."""

from __future__ import annotations

import pytest

from batchlab.lesson import ContentError, render_markdown


@pytest.mark.parametrize("evil", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<div onclick="x()">hi</div>',
    "<iframe src=//evil></iframe>",
])
def test_raw_html_is_escaped(evil: str) -> None:
    for text in (evil, f"para {evil} text", f"- {evil}"):
        html = render_markdown(text)
        assert "<script" not in html and "<img" not in html and "<iframe" not in html
        assert "<div onclick" not in html and "&lt;" in html


def test_dangerous_links_are_not_links() -> None:
    html = render_markdown("[x](javascript:alert(1)) [y](https://example.org)")
    assert "javascript:" not in html.split("<a ")[0] or 'href="javascript' not in html
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html


def test_widget_marker() -> None:
    html = render_markdown("Try it:\n\n::: widget updates-per-epoch n=1000 b=32\n\nAfter.")
    assert ('<div class="widget" data-widget="updates-per-epoch" data-n="1000" data-b="32" '
            'role="group" aria-label="') in html
    assert html.index("Try it") < html.index("widget") < html.index("After")


@pytest.mark.parametrize(("text", "message"), [
    ("::: widget no-such-widget", "unknown widget 'no-such-widget'"),
    ("::: widget updates-per-epoch n=10 b=30", "b must be between 1 and n=10"),
    ("::: widget updates-per-epoch colour=red", "unknown argument 'colour'"),
    ("::: widget updates-per-epoch n=<x>", "key=value with a plain value"),
    ("::: widget", "needs a name"),
    ("::: sidebar", "unknown directive"),
    ("{{updates n=1000}}", "needs both n=... and b=..."),
    ("{{updates n=10 b=3 last=maybe}}", "last must be keep or drop"),
    ("{{nothing}}", "unknown live number 'nothing'"),
    ("{{updates n=10 b=3", "not closed by '}}'"),
    ("cost $x", "not closed"),
    ("inline $$x$$ here", "lines of its own"),
    ("$$\nx\n\nmore", "not closed by $$"),
    ("::: glossary\n$x$\n: a thing\n", "not closed by a ':::' line"),
    ("::: glossary\n$x$\n$y$\n: a thing\n:::", "'$x$' has no ': definition'"),
    ("::: glossary\n: orphan\n:::", "needs a term"),
    ("::: glossary\n:::", "empty glossary"),
])
def test_bad_markup_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ContentError) as err:
        render_markdown(text)
    assert message in str(err.value)


def test_error_names_the_line() -> None:
    with pytest.raises(ContentError, match=r"^<text>:4: unknown LaTeX command \\nope"):
        render_markdown("Intro.\n\nA paragraph that\nspans $\\nope$ lines.\n")


def test_live_numbers_are_computed() -> None:
    html = render_markdown("{{updates n=10 b=3}} or {{updates n=10 b=3 last=drop}}, "
                           "last {{last-batch n=10 b=3}}")
    assert '<span class="live" data-live="updates" data-n="10" data-b="3" title="⌈10/3⌉' in html
    assert ">4</span> or " in html and ">3</span>, last " in html and ">1</span>" in html


def test_glossary_is_a_definition_list() -> None:
    html = render_markdown("::: glossary\n$\\eta$\n: the step size,\n  continued\n"
                           "$B$\n: batch\n:::")
    assert html.startswith('<dl class="glossary">\n<dt><math')
    assert html.count("<dt>") == 2 and html.count("<dd>") == 2
    assert "the step size,\ncontinued</dd>" in html


def test_tables_have_header_scopes() -> None:
    html = render_markdown("| Method | B |\n|---|--:|\n| full | 1000 |\n| mini | 32 |")
    assert '<th scope="col">Method</th>' in html
    assert '<th scope="row">full</th>' in html and "<td style" in html


def test_dollar_signs_as_text() -> None:
    assert "costs $ 5" in render_markdown("costs $ 5")
    assert "<math" not in render_markdown(r"a \$5 fee")
    assert "<math" not in render_markdown("`$x$` in code")
