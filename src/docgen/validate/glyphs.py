"""Glyph preflight: a character that no face of this machine has would print as a box in the PDF.

Every text cell of the sheets docgen reads is checked against the faces the PDF will use
(render.fonts.coverage, handed in by the pipeline), before anything is rendered. A cell
with such characters gets one warning naming them, located to the cell, so a clerk sees
it in the report, the annotated copy and the web page instead of a box in a signed document.
"""
from __future__ import annotations

import unicodedata
from typing import Container

from ..intake.reader import RawWorkbook
from ..issues import Issue
from ..messages import make_issue

SHOWN = 5  # characters named in one message
_SKIPPED_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")  # controls, format marks and spaces: never drawn as a glyph


def drawn(character: str) -> bool:
    """Whether the character is drawn with a glyph of its own (not a space, control, joiner or variation selector)."""
    point = ord(character)
    if 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF:  # variation selectors ride on the one before
        return False
    return unicodedata.category(character) not in _SKIPPED_CATEGORIES


def missing(text: str, covered: Container[int]) -> list[str]:
    """The characters of `text`, each once in the order met, that no face covers."""
    found: dict[str, None] = {}
    for character in text:
        if character not in found and ord(character) not in covered and drawn(character):
            found[character] = None
    return list(found)


def check_glyphs(raw: RawWorkbook, covered: Container[int]) -> list[Issue]:
    """A warning for every cell of the read sheets holding characters that `covered` lacks."""
    issues = []
    for sheet in raw.sheets.values():
        for row in sheet.rows:
            for field_name, cell in row.cells.items():
                if not isinstance(cell.value, str) or cell.value.isascii():
                    continue
                lacking = missing(cell.value, covered)
                if lacking:
                    shown = "".join(lacking[:SHOWN]) + ("等" if len(lacking) > SHOWN else "")
                    codes = "、".join(f"U+{ord(c):04X}" for c in lacking[:SHOWN])
                    issues.append(make_issue("glyph_missing", sheet.location(row.number, field_name),
                                             characters=shown, codes=codes))
    return issues
