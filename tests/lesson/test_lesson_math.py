"""Server-side MathML: the B2 formulas' structure and the fixes over latex2mathml."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from batchlab.lesson import Lesson, render_markdown
from batchlab.lesson.mathml import MathError, tex_to_mathml

B2 = {  # the formulas the spec lists, as written in b2-formulas.md: name -> TeX
    "dataset loss": r"J(\theta) = \frac{1}{N}\sum_{i=1}^{N} \ell_i(\theta)",
    "update": r"\theta_{t+1} = \theta_t - \eta\, g_t",
    "full gradient": r"g_{\text{full}} = \nabla_\theta J(\theta) = "
                     r"\frac{1}{N}\sum_{i=1}^{N}\nabla_\theta \ell_i(\theta)",
    "mini-batch loss": r"J_{\mathcal{B}}(\theta) = \frac{1}{B}\sum_{i\in\mathcal{B}} "
                       r"\ell_i(\theta)",
    "mini-batch gradient": r"g_{\mathcal{B}} = \frac{1}{B}\sum_{i\in\mathcal{B}}\nabla_\theta "
                           r"\ell_i(\theta)",
    "stochastic gradient": r"g_i = \nabla_\theta \ell_i(\theta)",
    "updates per epoch": r"\text{updates per epoch} = \left\lceil \frac{N}{B} \right\rceil",
    "gradient noise": r"\operatorname{Var}(g_{\mathcal{B}}) \approx \frac{\sigma^2}{B}",
}
STRUCTURE = {  # what each must contain once typeset
    "dataset loss": ["munderover", "mfrac"],
    "update": ["<msub><mi>θ</mi><mrow><mi>t</mi><mo>+</mo><mn>1</mn></mrow></msub>"],
    "full gradient": ["munderover", "mfrac", "<mtext>full</mtext>",
                      '<mi mathvariant="normal">∇</mi>'],
    "mini-batch loss": ["<munder><mo>∑</mo>", "<mi>ℬ</mi>", "mfrac"],
    "mini-batch gradient": ["<munder><mo>∑</mo>", "<mi>ℬ</mi>", "mfrac"],
    "stochastic gradient": ['<mi mathvariant="normal">∇</mi>'],
    "updates per epoch": ['stretchy="true" fence="true" form="prefix" lspace="0" rspace="0">⌈',
                          "⌉</mo>", "mfrac"],
    "gradient noise": ["<mi>Var</mi><mo>\u2061</mo>", "<mi>ℬ</mi>", "mfrac"],
}


def _display_formulas(html: str) -> dict[str, str]:
    """TeX source -> MathML of every display formula in some HTML."""
    blocks = re.findall(r'<math display="block">.*?</math>', html, re.S)
    return {re.search(r'x-tex">(.*?)</annotation>', b, re.S).group(1): b  # type: ignore[union-attr]
            for b in blocks}


@pytest.fixture(scope="module")
def b2(lesson: Lesson) -> str:
    return next(s.html for s in lesson.sections if s.id == "formulas")


@pytest.mark.parametrize("name", B2)
def test_b2_formula_present_and_typeset(b2: str, name: str) -> None:
    formulas = _display_formulas(b2)
    assert B2[name] in formulas, f"{name} missing from B2"
    mathml = formulas[B2[name]]
    ET.fromstring(mathml)  # well-formed
    for piece in STRUCTURE[name]:
        assert piece in mathml, f"{name}: no {piece!r}"


def test_every_b2_formula_has_a_glossary(b2: str) -> None:
    after = re.findall(r'</math></div>\n(<[a-z]+[^>]*>)', b2)
    blocks = b2.count('<math display="block">')
    assert blocks == len(B2) and after.count('<dl class="glossary">') == blocks
    assert b2.count("<dt>") >= 2 * blocks


def test_inline_sums_keep_limits_at_the_side() -> None:
    assert "<msubsup><mo>∑</mo>" in tex_to_mathml(r"\sum_{i=1}^{N} x_i")
    assert "<munderover><mo>∑</mo>" in tex_to_mathml(r"\sum_{i=1}^{N} x_i", display=True)


def test_capital_greek_is_upright_and_lowercase_is_not() -> None:
    m = tex_to_mathml(r"\Sigma + \sigma + \Delta")
    assert '<mi mathvariant="normal">Σ</mi>' in m and '<mi mathvariant="normal">Δ</mi>' in m
    assert "<mi>σ</mi>" in m


@pytest.mark.parametrize(("tex", "after"), [
    (r"\operatorname{Var}(g)", '<mo>\u2061</mo><mo stretchy="false">('),
    (r"\operatorname{Cov}(g)", '<mo>\u2061</mo><mo stretchy="false">('),
    (r"\operatorname{tr}\Sigma", '<mo rspace="0.1667em">\u2061</mo><mi mathvariant="normal">Σ'),
])
def test_operator_names_are_upright_functions(tex: str, after: str) -> None:
    m = tex_to_mathml(tex)
    assert re.search(r"<mi>(Var|Cov|tr)</mi>", m) and after in m
    assert not re.search(r"<mo>(Var|Cov|tr)</mo>", m)


def test_ceiling_and_floor_stretch_as_fences() -> None:
    m = tex_to_mathml(r"\lceil N/B \rceil + \lfloor N/B \rfloor")
    for ch in "⌈⌉⌊⌋":
        assert re.search(rf'<mo stretchy="true" fence="true"[^>]*>{ch}</mo>', m)
    assert '<mo lspace="0" rspace="0">/</mo>' in m  # N/B, not N / B


def test_calligraphic_and_text() -> None:
    assert "<mi>ℬ</mi>" in tex_to_mathml(r"\mathcal{B}_t")
    assert "<mtext>simple</mtext>" in tex_to_mathml(r"B_{\text{simple}}")


def test_source_is_kept_escaped() -> None:
    m = tex_to_mathml(r"a < b")
    assert '<annotation encoding="application/x-tex">a &lt; b</annotation>' in m
    ET.fromstring(m)


@pytest.mark.parametrize(("tex", "message"), [
    (r"\text{<b>x</b>}", "not allowed"),
    (r"\text{<script>alert(1)</script>}", "<script> is not allowed"),
    (r"\text{a < b}", "markup characters"),
    (r"\foo{x}", r"unknown LaTeX command \foo"),
    (r"\frac{1}{", "unbalanced braces"),
    (r"x}", "unbalanced braces"),
    (r"x^", "cannot typeset"),
    (r"\left( x", "cannot typeset"),
    ("  ", "empty formula"),
])
def test_malformed_math_is_an_error(tex: str, message: str) -> None:
    with pytest.raises(MathError, match=re.escape(message)):
        tex_to_mathml(tex)


def test_render_markdown_outputs_mathml() -> None:
    html = render_markdown("Loss $J$:\n\n$$\n\\frac{1}{N}\n$$\n")
    assert '<math display="inline">' in html and '<math display="block">' in html
    assert "$" not in html.replace("application/x-tex", "")
