"""Text as docgen writes it into any file: legal in XML, and never live in a spreadsheet.

Every string that reaches a .docx, .xlsx or PDF comes from a submission or from
docgen.toml, and either may carry what a file must not: control characters (a
.docx with one is a file Word refuses to open) or, in a spreadsheet cell, text that
starts like a formula (=HYPERLINK(…) typed into a header becomes a live link in the
copy docgen sends back). This module is the one place that makes such text safe:
the renderers pass every context through clean_tree, and every cell docgen writes
goes through put.
"""
from __future__ import annotations

import re
from typing import Any

# Characters XML 1.0 forbids (C0 controls but tab, line feed and carriage return; lone
# surrogates; U+FFFE/U+FFFF), and the C1 controls, which no document means to print.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What makes a spreadsheet treat typed text as a formula, full-width ＝ included (WPS
# and Excel take it for = when the cell is edited).
FORMULA_START = ("=", "＝", "+", "-", "@")
PAPER_A4 = "9"  # the SpreadsheetML paper size code of A4


def xml_text(text: str) -> str:
    """The text without the characters no XML file may hold."""
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def has_illegal(text: str) -> bool:
    return _ILLEGAL.search(text) is not None


def clean_tree(value: Any) -> Any:
    """Every string in nested dicts, lists and tuples made XML-legal (other values as they are)."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {key: clean_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_tree(item) for item in value)
    return value


def put(cell: Any, value: Any) -> Any:
    """Set an openpyxl cell (normal or write-only) to `value`; text is always stored as text."""
    if isinstance(value, str):
        value = xml_text(value)
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    else:
        cell.value = value
    return cell


def print_setup(ws: Any, orientation: str) -> None:
    """A4 in the given orientation, every column on one page's width, as many pages down as needed."""
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
