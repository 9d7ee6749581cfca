"""The shipped lesson: every file loads, the page order and labels, the facts of B1-B6."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from batchlab.core.batching import iterations_per_epoch
from batchlab.lesson import Lesson, load_lesson
from batchlab.lesson.live import LIVE
from batchlab.lesson.render import CONTENT_DIR
from batchlab.lesson.widgets import WIDGETS

LIVE_SPAN = re.compile(r'<span class="live" data-live="updates" data-n="(\d+)" data-b="(\d+)"'
                       r'(?: data-last="(\w+)")?[^>]*>(\d+)</span>')


def _text(html: str) -> str:
    """Visible words of some HTML: tags and math annotations dropped."""
    html = re.sub(r"<annotation.*?</annotation>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_page_texts(lesson: Lesson) -> None:
    p = lesson.page
    assert (p.eyebrow, p.title, p.cta) == ("Module 02 / Optimization", "Mini-Batch Training",
                                          "Explore")
    assert p.subtitle and "\n" not in p.subtitle
    caption = _text(p.caption_html).lower()
    for words in ("full batch", "blue", "upper left", "smooth", "mini-batch", "green", "below",
                  "orange", "right", "minimum"):
        assert words in caption


def test_sections_in_page_order(lesson: Lesson) -> None:
    assert [(s.eyebrow, s.title) for s in lesson.sections] == [
        ("Context", "Background"), ("Notation", "Important formulas"),
        ("Tradeoffs", "Pros and cons"), ("Practice", "Quick example"),
        ("Watch out", "Common mistakes"), ("Summary", "Takeaway")]
    assert len({s.id for s in lesson.sections}) == 6


def test_methods(lesson: Lesson) -> None:
    assert [(m.id, m.label) for m in lesson.methods] == [
        ("full", "FULL BATCH"), ("mini", "MINI-BATCH"), ("stochastic", "STOCHASTIC")]
    for m in lesson.methods:
        assert m.lane and "\n" not in m.lane
        assert m.intuition_html.startswith("<p>")
        assert m.formula_html.count('<math display="block">') == 2
        assert r"\theta_{t+1} = \theta_t - \eta_t\, g_t" in m.formula_html
        assert "<dl" in m.formula_html and "schedule" in m.formula_html  # η_t explained
    formulas = {m.id: m.formula_html for m in lesson.methods}
    assert "munderover" in formulas["full"] and "<mi>ℬ</mi>" in formulas["mini"]


@pytest.mark.parametrize(("section", "facts"), [
    ("background", ["batch size", "full batch", "one update per epoch", "stochastic",
                    "mini-batch", "memory", "gpu", "gradient estimate", "update path",
                    "training behaviour"]),
    ("tradeoffs", ["many updates per epoch", "little memory", "sharp", "noisy directions",
                   "jumpy loss", "parallel hardware", "smoother gradients", "more memory",
                   "fewer updates per epoch", "generalise worse", "learning rate",
                   "practical balance", "architecture", "standard workflow", "tuning",
                   "32, 64 or 128"]),
    ("example", ["updates in one epoch", "steadier", "not the largest batch", "balance"]),
    ("mistakes", ["epoch", "dataset size", "always better", "learning rate",
                  "less noisy"]),
    ("takeaway", ["examples behind each parameter update", "noisy", "smooth",
                  "practical middle"]),
])
def test_sections_cover_the_spec(lesson: Lesson, section: str, facts: list[str]) -> None:
    html = next(s.html for s in lesson.sections if s.id == section)
    text = _text(html).lower().replace("−", "-")
    missing = [f for f in facts if f not in text]
    assert not missing, f"{section} lost: {missing}"


def test_every_live_number_is_the_engines(lesson: Lesson) -> None:
    html = "".join(s.html for s in lesson.sections)
    found = LIVE_SPAN.findall(html)
    assert len(found) >= 10
    for n, b, last, shown in found:
        assert int(shown) == iterations_per_epoch(int(n), int(b), last == "drop")


def test_worked_example_counts(lesson: Lesson) -> None:
    example = next(s.html for s in lesson.sections if s.id == "example")
    counts = {(int(b), last or "keep"): int(v)
              for n, b, last, v in LIVE_SPAN.findall(example) if n == "1000"}
    assert counts[(1, "keep")] == 1000
    assert counts[(32, "keep")] == 32 and counts[(32, "drop")] == 31
    assert counts[(100, "keep")] == 10
    assert counts[(1000, "keep")] == 1
    assert re.search(r'data-live="last-batch" data-n="1000" data-b="32"[^>]*>8<', example)
    typed = re.findall(r"\b(\d+) (?:updates|steps)\b", _text(re.sub(LIVE_SPAN, "", example)))
    assert not typed, f"counts typed by hand instead of {{{{updates ...}}}}: {typed}"


def test_widgets_are_placed_and_labelled(lesson: Lesson) -> None:
    html = "".join(s.html for s in lesson.sections + lesson.deep_dives)
    names = re.findall(r'<div class="widget" data-widget="([a-z-]+)"[^>]*role="group" '
                       r'aria-label="[^"]+"></div>', html)
    assert set(names) == set(WIDGETS) and len(names) == len(set(names))  # each once
    example = next(s.html for s in lesson.sections if s.id == "example")
    assert ('data-widget="updates-per-epoch" data-n="1000" data-b="32"' in example)


def test_readme_documents_every_marker() -> None:
    readme = (CONTENT_DIR / "README.md").read_text(encoding="utf-8")
    for name in [*WIDGETS, *LIVE]:
        assert f"`{name}`" in readme


def test_cached_until_a_file_changes(content: Path) -> None:
    first = load_lesson(content)
    assert load_lesson(content) is first
    f = content / "b6-takeaway.md"
    f.write_text(f.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    again = load_lesson(content)
    assert again is not first and "One more line." in again.sections[-1].html
    assert load_lesson() is load_lesson(CONTENT_DIR)


def test_lesson_imports_no_web_or_plotting() -> None:
    code = ("import sys, batchlab.lesson; batchlab.lesson.load_lesson(); "
            "print(' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert not {m.split(".")[0] for m in out.split()} & {"fastapi", "plotly", "torch", "ray"}
