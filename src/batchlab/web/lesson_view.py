"""The lesson text for the page: the lesson package's content, or placeholders without it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("batchlab.web")


@dataclass(frozen=True)
class _Page:
    eyebrow: str
    title: str
    subtitle: str
    cta: str
    caption_html: str


@dataclass(frozen=True)
class _Section:
    id: str
    eyebrow: str
    title: str
    html: str


@dataclass(frozen=True)
class _Method:
    id: str
    label: str
    lane: str
    intuition_html: str
    formula_html: str


@dataclass(frozen=True)
class _Lesson:
    page: _Page
    sections: tuple[_Section, ...]
    methods: tuple[_Method, ...]


_SECTIONS = (("background", "Context", "Background"),
             ("formulas", "Notation", "Important formulas"),
             ("tradeoffs", "Tradeoffs", "Pros and cons"),
             ("example", "Practice", "Quick example"),
             ("mistakes", "Watch out", "Common mistakes"),
             ("takeaway", "Summary", "Takeaway"))


def _math(inner: str) -> str:
    return f'<math display="block"><mrow>{inner}</mrow></math>'


def placeholder() -> _Lesson:
    """Stand-in text used until the lesson package is installed."""
    page = _Page("Module 02 / Optimization", "Mini-Batch Training",
                 "Compare full-batch, mini-batch and stochastic gradient descent: the batch "
                 "size shapes the path, how often the parameters move, and how noisy each "
                 "step is.", "Explore",
                 "<p>Three real runs on the same loss landscape. Watch how often each one "
                 "moves and how straight its path is.</p>")
    sections = tuple(_Section(i, e, t, "<p>(lesson text pending)</p>" + (
        '<div class="widget" data-widget="updates-per-epoch" data-n="1000" data-b="32">'
        "</div>" if i == "example" else "")) for i, e, t in _SECTIONS)
    methods = (
        _Method("full", "Full batch", "Whole dataset, one update per epoch.",
                "<p>Averages the gradient over every example before each step.</p>",
                _math("<mi>θ</mi><mo>←</mo><mi>θ</mi><mo>−</mo><mi>η</mi><mfrac><mn>1</mn>"
                      "<mi>N</mi></mfrac><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo>"
                      "<mn>1</mn></mrow><mi>N</mi></munderover><mo>∇</mo><msub><mi>ℓ</mi>"
                      "<mi>i</mi></msub>")),
        _Method("mini", "Mini-batch", "A chunk of B examples per update.",
                "<p>Averages the gradient over a small random batch.</p>",
                _math("<mi>θ</mi><mo>←</mo><mi>θ</mi><mo>−</mo><mi>η</mi><mfrac><mn>1</mn>"
                      "<mi>B</mi></mfrac><munder><mo>∑</mo><mrow><mi>i</mi><mo>∈</mo>"
                      "<mi>𝓑</mi></mrow></munder><mo>∇</mo><msub><mi>ℓ</mi><mi>i</mi></msub>")),
        _Method("stochastic", "Stochastic", "One example per update.",
                "<p>Steps after every single example.</p>",
                _math("<mi>θ</mi><mo>←</mo><mi>θ</mi><mo>−</mo><mi>η</mi><mo>∇</mo>"
                      "<msub><mi>ℓ</mi><mi>i</mi></msub>")))
    return _Lesson(page, sections, methods)


def load() -> Any:
    """``batchlab.lesson.render.load_lesson()`` (cached by the lesson until its files change);
    placeholders if the lesson package is absent or its content cannot be rendered (logged)."""
    try:
        from batchlab.lesson.render import load_lesson
    except ImportError:
        return placeholder()
    try:
        return load_lesson()
    except (ValueError, OSError) as exc:  # ContentError is a ValueError: file:line: message
        log.warning("lesson content not rendered, showing placeholders: %s", exc)
        return placeholder()
