"""Deep dives C2, C3, C4 and C11 in a real Chromium: the words under each widget follow its
numbers, the written-out arithmetic adds up, and η is checked the same way in C3 and C11."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from typing import Any

import pytest

pytestmark = pytest.mark.browser
MINUS = "\u2212"


def _redrawn(page: Any, name: str) -> None:
    """Mark the widget as not drawn; the next draw sets the mark again."""
    page.evaluate(f"document.querySelector(\".widget[data-widget='{name}']\").dataset.drawn = ''")


def _wait_drawn(page: Any, name: str) -> None:
    """Wait for the widget's latest request to be drawn: its JS sets "0" when a request starts
    and "1" only for the newest one, so an older answer cannot end the wait."""
    page.wait_for_selector(f".widget[data-widget='{name}'][data-drawn='1']", timeout=30_000)


def _number(text: str) -> float:
    return float(text.strip().replace(MINUS, "-").replace(",", ""))


# --- C4 sorted data: the caption says what the numbers show -------------------------------

def _sorted_with(page: Any, w: Any, dataset: str | None, b: str) -> str:
    _redrawn(page, "sorted-data")
    if dataset:
        w.locator("select").first.select_option(dataset)
    w.get_by_label("Batch size B").fill(b)
    _wait_drawn(page, "sorted-data")
    return str(w.locator(".widget-note").inner_text())


def test_sorted_data_caption_follows_its_numbers(page: Any, widget: Any,
                                                 console: list[str]) -> None:
    w = widget("sorted-data", "epoch")
    note = w.locator(".widget-note").inner_text()
    assert "Consecutive pushes repeat more when sorted" in note          # default: B = 25
    cos = [_number(w.locator(f"[data-out=cos-{k}]").inner_text()) for k in ("sorted", "shuffled")]
    assert cos[0] > cos[1]
    # breast cancer, B = 100: the sorted cosine is the lower one; the caption must say so
    note = _sorted_with(page, w, "breast-cancer", "100")
    so, sh = (w.locator(f"[data-out=cos-{k}]").inner_text() for k in ("sorted", "shuffled"))
    assert _number(so) < _number(sh)
    assert "do not repeat more" in note and "repeat more when sorted" not in note
    assert f"mean cosine {so}" in note and f"against {sh} when shuffled" in note
    # B = 1: every batch is one example, hence one class, in both runs
    note = _sorted_with(page, w, None, "1")
    assert "says nothing here" in note and "single class (shuffled" not in note
    # one single-class batch out of two: singular verb
    note = _sorted_with(page, w, "synthetic-classification", "500")
    assert "1 of the 2 batches of every epoch holds a single class" in note
    assert console == []


# --- C4 epoch builder: counts with their nouns in the right number --------------------------

def test_epoch_builder_speaks_of_one_example_in_the_singular(page: Any, widget: Any) -> None:
    w = widget("epoch-builder", "epoch")
    w.locator("input[value=drop]").check()
    note = w.locator(".widget-note").inner_text()                    # N = 10, B = 3: one left
    assert "only 1 example;" in note and "skips that example" in note and "them" not in note
    n, b = w.locator("input[type=number]").nth(0), w.locator("input[type=number]").nth(1)
    b.fill("1")
    n.fill("1")
    page.wait_for_function("(el) => el.textContent.includes('hold 1 batch (keep last)')",
                           arg=w.locator(".widget-note").element_handle())
    n.fill("5")
    b.fill("2")
    page.wait_for_function("(el) => el.textContent.includes('hold 3 batches (keep last)')",
                           arg=w.locator(".widget-note").element_handle())
    b.fill("7")  # B > N: the error, and nothing of the last plan beside it
    page.wait_for_function("(el) => el.textContent.includes('B must be a whole number')",
                           arg=w.locator(".field-error").element_handle())
    assert w.locator(".widget-note").inner_text() == ""


# --- C11 sum vs mean: the star on top, a gap of 0 said in words, plurals, η -----------------

def test_sum_vs_mean_star_on_top_and_zero_gap_in_words(page: Any, widget: Any,
                                                       console: list[str]) -> None:
    w = widget("sum-vs-mean", "sum-vs-mean")
    chart = w.locator(".sm-chart").first
    last = chart.evaluate("""(c) => { const t = c._fullData.at(-1), f = c._fullLayout;
        const inside = (v, r) => (v - r[0]) / (r[1] - r[0]);
        return {name: t.name, symbol: t.marker.symbol,
                fx: inside(t.x[0], f.xaxis.range), fy: inside(t.y[0], f.yaxis.range)}; }""")
    assert last["name"] == "minimum of J" and last["symbol"] == "star"
    assert 0.04 < last["fx"] < 0.96 and 0.04 < last["fy"] < 0.96    # not on the edge
    # B = 25 divides N = 1000: no gap anywhere, said in a sentence instead of an empty chart
    assert w.locator(".sm-gap").is_hidden()
    gap_note = w.locator("[data-out=gap-note]")
    assert gap_note.is_visible() and "agree exactly after every one of the 120 updates" in \
        gap_note.inner_text() and "gap 0" in gap_note.inner_text()
    # a short last batch: the gap chart is back and the sentence goes
    _redrawn(page, "sum-vs-mean")
    w.get_by_label("Batch size B").fill("32")
    _wait_drawn(page, "sum-vs-mean")
    assert w.locator(".sm-gap").is_visible() and gap_note.is_hidden()
    assert "the last holds 8 examples" in w.locator(".widget-note").last.inner_text()
    # B = N: one update per epoch, in the singular
    _redrawn(page, "sum-vs-mean")
    w.get_by_label("Batch size B").fill("1000")
    _wait_drawn(page, "sum-vs-mean")
    assert "3 epochs of 1 update," in w.locator(".widget-note").last.inner_text()
    assert console == []


@pytest.mark.parametrize(("name", "anchor"), [("sum-vs-mean", "sum-vs-mean"),
                                              ("coordinate-step", "")])
def test_learning_rate_is_checked_alike_in_c3_and_c11(page: Any, widget: Any, name: str,
                                                      anchor: str) -> None:
    w = widget(name, anchor)
    lr = w.get_by_label("Learning rate η")
    for bad in ("", "0.00005", "11"):
        lr.fill(bad)
        lr.dispatch_event("change")
        err = w.locator(".field-error").filter(has_text="η")
        page.wait_for_timeout(400)   # no signal for "nothing refetched": past C11's delay
        assert err.inner_text() == "η must be a number from 0.0001 to 10."
        assert lr.get_attribute("aria-invalid") == "true"
        assert lr.input_value() == bad                      # never silently put back
    _redrawn(page, name)
    lr.fill("0.0001")
    lr.dispatch_event("change")
    _wait_drawn(page, name)                                 # measured at η = 0.0001
    assert lr.get_attribute("aria-invalid") == "false"
    assert w.locator(".field-error").filter(has_text="η").count() == 0


# --- C3 coordinate step: every written-out line adds up on a calculator ---------------------

_READ = """(w) => [...w.querySelectorAll('.cs-coord')].map((sec) => {
    const lines = [...sec.querySelectorAll('.cs-line')];
    const inside = (ln) => { const t = [...ln.children].map((c) => c.textContent.trim());
        return t.slice(t.indexOf('(') + 1, t.lastIndexOf(')')); };
    const nums = (ln) => [...ln.querySelectorAll('.cs-num, strong')].map((e) => e.textContent);
    const w = sec.getAttribute('aria-label').endsWith('w');
    return {w, decimals: sec.dataset.decimals.split(' ').map(Number),
            first: inside(lines[1]), terms: w ? inside(lines[2]) : inside(lines[1]),
            result: nums(lines[w ? 3 : 2]), step: nums(lines[lines.length - 1])};
})"""


def _dec(text: str) -> Decimal:
    return Decimal(text.strip().strip("()").replace(MINUS, "-"))


def _signed_sum(tokens: list[str]) -> Decimal:
    """'−0.1209', '−', '0.2294', '+', '(−0.5)' ... -> their sum."""
    total, sign = Decimal(0), 1
    for t in tokens:
        if t in ("+", MINUS):
            sign = 1 if t == "+" else -1
        else:
            total += sign * _dec(t)
            sign = 1
    return total


def _rounds_to(calc: Decimal, shown: str, decimals: int) -> bool:
    """``calc`` rounds to ``shown`` at ``decimals`` places (either way on an exact tie)."""
    half = Decimal(5) / Decimal(10) ** (decimals + 1)
    return abs(calc - _dec(shown)) <= half * Decimal("1.000001")


def _check_write_out(page: Any, w: Any, batch_size: int) -> None:
    lr = Decimal(w.get_by_label("Learning rate η").input_value())
    for sec in w.evaluate(_READ):
        k, kt, kf, ku, _, _ = sec["decimals"]
        terms = sec["terms"]
        if sec["w"]:   # products of the shown factors round to the shown terms
            products = [t for t in sec["first"] if t != "+"]
            assert len(products) == batch_size
            for p, t in zip(products, _terms(terms), strict=True):
                a, b = p.split("·")
                assert _rounds_to(_dec(a) * _dec(b), t, kt), (p, t, kf)
        total, g = sec["result"][0], sec["result"][1]
        assert _rounds_to(_signed_sum(terms), total, k)              # the sum of the terms
        assert _rounds_to(_dec(total) / batch_size, g, k)          # 1/B × the sum
        theta, g2, nxt = sec["step"][0], sec["step"][2], sec["step"][3]
        assert _dec(sec["step"][1]) == lr and _rounds_to(_dec(g2), g, k)
        assert _rounds_to(_dec(theta) - lr * _dec(g2), nxt, ku)     # θ − η × ∂
        assert _dec(nxt) != _dec(theta)                              # the step shows
        if _dec(total) < 0:
            assert total.startswith("(")                             # 1/B × (−8.399)


def _terms(tokens: list[str]) -> list[str]:
    """The signed terms as text: ['−0.1209', '−', '0.2294'] -> ['−0.1209', '−0.2294']."""
    out, sign = [], ""
    for t in tokens:
        if t in ("+", MINUS):
            sign = MINUS if t == MINUS else ""
        else:
            out.append(sign + t.strip("()") if sign else t.strip("()"))
            sign = ""
    return out


@pytest.mark.parametrize(("dataset", "rows", "lr"), [
    ("breast-cancer", "278, 413, 317", ""),      # the learner's case: 0.121 − 0.229 + 0.004
    ("synthetic", "684, 413, 799", ""),
    ("synthetic", "684, 413, 799", "10"),        # η scales ∂J's rounding: the update needs more
    ("synthetic", "684, 413, 799", "0.0001"),    # a tiny step still shows θ_next ≠ θ
    ("diabetes", "5, 60, 7, 300, 2, 11, 99, 120, 200, 250, 301, 333, 350, 400, 420, 441", ""),
    ("synthetic-classification", "9, 8, 7, 6", ""),
])
def test_coordinate_step_lines_add_up_on_a_calculator(page: Any, widget: Any, dataset: str,
                                                      rows: str, lr: str,
                                                      console: list[str]) -> None:
    w = widget("coordinate-step")
    where = w.locator(".cs-where")
    if dataset != "synthetic":
        _redrawn(page, "coordinate-step")
        w.get_by_label("Dataset").select_option(dataset)
        _wait_drawn(page, "coordinate-step")     # the new dataset's first batch is shown
    box = w.locator("input.br-rows-input")
    assert f"0 to {_last_row(dataset)}" in str(box.get_attribute("placeholder"))
    if lr:
        rate = w.get_by_label("Learning rate η")
        rate.fill(lr)
        rate.dispatch_event("change")
    box.fill(rows)
    # Enter marks the widget not drawn until this step is: the rows' text cannot tell (the
    # dataset's first batch may be these very rows), and the cards and note come after the chart
    box.press("Enter")
    _wait_drawn(page, "coordinate-step")
    assert f"{{{rows}}}" in str(where.text_content())
    if lr:
        assert f"{lr} ×" in str(w.text_content())
    assert "terms rounded" not in w.inner_text()                     # no fallback needed
    cards = [_number(v) for v in w.locator(".widget-out dd").all_inner_texts()[:3]]
    note = w.locator(".widget-note").last.inner_text()  # cards: now, batch step, full step
    assert ("it overshoots the valley and raises the loss" in note) == (cards[2] > cards[0])
    assert ("lowers it too" in note) == (cards[2] < cards[0])
    _check_write_out(page, w, len(rows.split(",")))
    assert "Check passed" in w.locator(".br-check").inner_text()
    assert console == []


def test_a_batch_arriving_while_typing_keeps_the_typed_rows(page: Any, widget: Any,
                                                            console: list[str]) -> None:
    """The new dataset's first batch answers after the learner began typing rows: their text
    stays in the field, and Enter shows exactly those rows."""
    w = widget("coordinate-step")
    held: list[Any] = []
    page.route(re.compile(r"/api/dives/batch\?"), lambda route: held.append(route))
    _redrawn(page, "coordinate-step")
    w.get_by_label("Dataset").select_option("synthetic-classification")
    deadline = time.monotonic() + 30
    while not held and time.monotonic() < deadline:   # waiting lets the route handler run
        page.wait_for_timeout(50)
    assert len(held) == 1
    box = w.locator("input.br-rows-input")
    box.fill("")
    box.press_sequentially("1, 2")
    held[0].continue_()
    page.unroute(re.compile(r"/api/dives/batch\?"))
    _wait_drawn(page, "coordinate-step")
    assert box.input_value() == "1, 2"
    box.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('{1, 2}')",
                           arg=w.locator(".cs-where").element_handle())
    assert console == []


def _last_row(dataset: str) -> int:
    return {"diabetes": 441, "breast-cancer": 568}.get(dataset, 999)


# --- C2 batch rows: opens on the batch of the prose ------------------------------------------

def test_batch_rows_opens_on_the_prose_batch(page: Any, widget: Any) -> None:
    w = widget("batch-rows")
    box = w.locator("input.br-rows-input")
    assert box.input_value() == "3, 17, 42"
    heads = w.locator(".br-eq").first.locator(".br-rh").all_inner_texts()
    assert [h for h in heads if h] == ["i = 3", "i = 17", "i = 42"]
    w.get_by_role("button", name="Draw").click()             # a random batch is still there
    page.wait_for_function("(el) => el.value !== '3, 17, 42'", arg=box.element_handle())
    assert len(box.input_value().split(",")) == 3


def test_batch_rows_speaks_of_one_row_and_asks_for_one_when_empty(page: Any,
                                                                   widget: Any) -> None:
    w = widget("batch-rows")
    box = w.locator("input.br-rows-input")
    box.fill("5")
    box.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('handles the single row')",
                           arg=w.element_handle())
    box.fill("")
    box.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('Type at least one row number, "
                           "from 0 to 999.')", arg=w.element_handle())
