"""LaTeX -> MathML on the server (latex2mathml), then fixed where TeX and MathML disagree.

latex2mathml gets most of TeX right; what it gets wrong for this lesson is repaired on the
element tree: upright capital Greek, ``\\operatorname`` as a function name rather than a
spaced operator, stretchy ceiling/floor brackets. The tree is then checked against an
allowlist of MathML elements and attributes, so content can never smuggle HTML through
``\\text{...}``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert

_TAGS = frozenset((
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mfrac", "msqrt", "mroot",
    "mstyle", "mtable", "mtr", "mtd", "mpadded", "mphantom", "menclose", "mmultiscripts",
    "mprescripts", "none",
))
_ATTRS = frozenset((
    "display", "mathvariant", "stretchy", "fence", "form", "separator", "lspace", "rspace",
    "width", "height", "depth", "linebreak", "accent", "accentunder", "displaystyle",
    "scriptlevel", "columnalign", "rowspacing", "columnspacing", "columnlines", "rowlines",
    "frame", "notation", "movablelimits", "largeop", "symmetric", "minsize", "maxsize",
    "linethickness", "encoding",
))
_ROWS = frozenset(["math", "mrow", "mstyle", "mtd", "msqrt", "mpadded", "mphantom", "menclose"])
_UPPER_GREEK = frozenset(chr(c) for c in range(0x391, 0x3AA))
_OPEN_FENCES = frozenset("([{⟨|‖⌈⌊")
_FUNCTION_APPLICATION = "\u2061"
_ORDINARY = frozenset("/|‖")
_THIN = "0.1667em"
_LEFT_BRACKET = re.compile(r"(?<!\\left)(?<!\\right)\\(lceil|lfloor)(?![a-zA-Z])")
_RIGHT_BRACKET = re.compile(r"(?<!\\left)(?<!\\right)\\(rceil|rfloor)(?![a-zA-Z])")
_XMLNS = ' xmlns="http://www.w3.org/1998/Math/MathML"'


class MathError(ValueError):
    """LaTeX that does not make a formula; the message says what to fix."""


def tex_to_mathml(tex: str, display: bool = False) -> str:
    """One formula as a ``<math>`` element, with its TeX source kept as an annotation."""
    source = tex.strip()
    if not source:
        raise MathError("empty formula")
    _check_braces(source)
    try:
        raw = convert(_stretch_brackets(source), display="block" if display else "inline")
    except Exception as e:  # latex2mathml raises many unrelated exception types
        name = type(e).__name__.removesuffix("Error")
        raise MathError(f"cannot typeset ${source}$: {name} {e}".rstrip()) from None
    try:
        root = ET.fromstring(raw.replace(_XMLNS, ""))
    except ET.ParseError:
        raise MathError(f"cannot typeset ${source}$: markup characters (<, >, &) "
                        "inside \\text{...}") from None
    _check(root, source)
    _fix(root)
    return _wrap(root, source, display)


def _check_braces(source: str) -> None:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", source):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            raise MathError(f"unbalanced braces in ${source}$: a '}}' closes nothing")
    if depth:
        raise MathError(f"unbalanced braces in ${source}$: {depth} '{{' left open")


def _stretch_brackets(source: str) -> str:
    """``\\lceil x \\rceil`` -> ``\\left\\lceil x \\right\\rceil``: fenced, stretchy brackets."""
    return _RIGHT_BRACKET.sub(r"\\right\\\1", _LEFT_BRACKET.sub(r"\\left\\\1", source))


def _check(root: ET.Element, source: str) -> None:
    for el in root.iter():
        if el.tag not in _TAGS:
            raise MathError(f"<{el.tag}> is not allowed in ${source}$ (no HTML inside math)")
        bad = set(el.attrib) - _ATTRS
        if bad:
            raise MathError(f"attribute {sorted(bad)[0]!r} is not allowed in ${source}$")
        text = (el.text or "").strip()
        if text.startswith("\\") and el.tag in ("mi", "mo"):
            raise MathError(f"unknown LaTeX command {text} in ${source}$")


def _fix(root: ET.Element) -> None:
    for el in list(root.iter()):
        text = el.text or ""
        if el.tag == "mi" and text in _UPPER_GREEK and "mathvariant" not in el.attrib:
            el.set("mathvariant", "normal")  # TeX sets capital Greek upright: Σ, not 𝛴
        if el.tag == "mo" and (text in _ORDINARY or el.get("fence") == "true"):
            el.set("lspace", "0")  # ordinary in TeX (N/B, |G|) and fences: no operator gaps
            el.set("rspace", "0")
        if el.tag == "mo" and text in ("∇", "∂"):
            el.tag = "mi"  # ordinary symbols in TeX: no operator spacing around them
            el.set("mathvariant", "normal")
    for parent in list(root.iter()):
        _function_names(parent)


def _function_names(parent: ET.Element) -> None:
    """``<mo>Var</mo>`` -> ``<mi>Var</mi><mo>&#x2061;</mo>`` (+ a thin space before an argument)."""
    children = list(parent)
    for i, el in enumerate(children):
        if not (el.tag == "mo" and len(el.text or "") > 1 and (el.text or "").isalpha()):
            continue
        el.tag = "mi"  # several letters in an <mi> are upright, like \operatorname
        if parent.tag not in _ROWS:
            continue  # the base of a script: no room for siblings
        apply = ET.Element("mo")
        apply.text = _FUNCTION_APPLICATION
        nxt = children[i + 1] if i + 1 < len(children) else None
        if nxt is not None and not (nxt.tag == "mo" and (nxt.text or "") in _OPEN_FENCES):
            apply.set("rspace", _THIN)
        parent.insert(list(parent).index(el) + 1, apply)


def _wrap(root: ET.Element, source: str, display: bool) -> str:
    math = ET.Element("math", {"display": "block" if display else "inline"})
    sem = ET.SubElement(math, "semantics")
    body = list(root)
    if len(body) == 1 and body[0].tag == "mrow":
        sem.append(body[0])
    else:
        row = ET.SubElement(sem, "mrow")
        row.extend(body)
    note = ET.SubElement(sem, "annotation", {"encoding": "application/x-tex"})
    note.text = source
    return ET.tostring(math, encoding="unicode", short_empty_elements=True)
