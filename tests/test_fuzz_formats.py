"""The reader on numbers under random formats and typed as text: a value is read as the clerk sees it, or an
issue stands at its cell. What the cell shows is known here by construction of the format, not by asking the
code under test."""
from __future__ import annotations

import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder import full_book, result_row
from conftest import CONFIG
from docgen import api


def half_up(value: float, places: int) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


STORED = st.one_of(
    st.integers(0, 120),
    st.decimals(0, "1.2", places=4).map(float),
    st.decimals(0, 100, places=2).map(float),
)


@st.composite
def cells(draw):
    """A stored value, how it is stored (number or text) and formatted, and what the cell shows: the number and
    whether a "%" follows it."""
    stored = draw(STORED)
    places = draw(st.integers(0, 3))
    digits = "0" + ("." + "0" * places if places else "")
    style = draw(st.sampled_from(["general", "plain", "grouped", "percent", "quoted", "escaped", "unit",
                                  "text", "text_percent", "text_fullwidth"]))
    if style == "general":
        return stored, "General", stored, False
    if style == "plain":
        return stored, digits, half_up(stored, places), False
    if style == "grouped":
        return stored, "#,##" + digits, half_up(stored, places), False
    if style == "percent":
        return stored, digits + "%", half_up(stored * 100, places), True
    if style == "quoted":
        return stored, digits + '"%"', half_up(stored, places), True
    if style == "escaped":
        return stored, digits + "\\%", half_up(stored, places), True
    if style == "unit":
        return stored, digits + '" 分"', half_up(stored, places), False
    text = f"{stored:g}"
    cell_format = draw(st.sampled_from(["General", "@", "0%", "0.00"]))  # a text cell shows its text whatever the format
    if style == "text":
        return text, cell_format, float(text), False
    if style == "text_percent":
        return text + draw(st.sampled_from(["%", "％", " %"])), cell_format, float(text), True
    wide = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})
    return wide, cell_format, float(text), False


def read_back(column: str, value, number_format: str):
    book = full_book(results=[result_row(**{column: value})])
    cell = {"群众满意率": "实施效果!C2", "评价得分": "实施效果!D2"}[column]
    with tempfile.TemporaryDirectory() as folder:
        path = book.save(Path(folder) / "a.xlsx", formats={cell: number_format})
        intake, report = api.load(path, CONFIG)
    here = [i for i in report.issues if f"{i.location.sheet}!{i.location.cell}" == cell]
    return intake.results[0] if intake.results else None, here


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells())
@example((0.96, "General", 0.96, False))
@example(("0.96", "0%", 0.96, False))
@example((80, '0"%"', 80, True))
@example((0.955, "0%", 96, True))
def test_a_percentage_is_read_as_shown_or_said_at_its_cell(cell):
    value, number_format, shown, sign = cell
    result, here = read_back("群众满意率", value, number_format)
    if here:
        return  # said at the cell (ambiguous, rounded, out of range …)
    assert result is not None and result.satisfaction == shown, (value, number_format, shown)
    assert sign or not 0 < shown <= 1, "a fraction with no % sign may mean a percentage: it must be said"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells())
@example((0.9, "0%", 90, True))
def test_a_score_is_read_as_shown_or_said_at_its_cell(cell):
    value, number_format, shown, sign = cell
    result, here = read_back("评价得分", value, number_format)
    if here:
        return
    assert result is not None and result.score == shown, (value, number_format, shown)
    assert not (sign and "%" in number_format and "\"" not in number_format and "\\" not in number_format
                and not isinstance(value, str)), "a percent format on a score must be said"
