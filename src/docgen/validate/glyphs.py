"""Glyph preflight: a character that no face of this machine has would print as a box in the PDF.

Every text cell of the sheets docgen reads is checked against the faces the PDF will use
(render.fonts.coverage, handed in by the pipeline), before anything is rendered. A cell
with such characters gets one warning naming them, located to the cell, so a clerk sees
it in the report, the annotated copy and the web page instead of a box in a signed document.

A character the face of its style lacks but another face has is drawn, but in another style: 堃 in
仿宋 body text comes out in 宋. With the faces of this machine handed in (render.fonts.faces), such a
cell gets a warning too, for the styles the cell's text is printed in (PRINTED_IN).
"""
from __future__ import annotations

import unicodedata
from typing import Container, Protocol, Sequence

from ..intake.reader import RawWorkbook
from ..issues import Issue
from ..messages import make_issue

SHOWN = 5  # characters named in one message
BODY = ("fang",)
# The typographic roles (render.fonts.ROLES) a cell's text is printed in, beyond the body's 仿宋: a
# certificate sets its recipient, reason and issuer in 楷, and names the project in its reason.
PRINTED_IN = {
    ("awards", "recipient"): ("fang", "kai"),
    ("awards", "reason"): ("kai",),
    ("awards", "issuer"): ("kai",),
    ("projects", "name"): ("fang", "kai"),
}


class StyleChangeLike(Protocol):
    character: str
    own_face: str
    face: str
    style: str

    @property
    def role(self): ...


class FacesLike(Protocol):
    def style_changes(self, text: str, keys: tuple[str, ...] | None = None) -> Sequence[StyleChangeLike]: ...
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


def check_glyphs(raw: RawWorkbook, covered: Container[int], faces: FacesLike | None = None) -> list[Issue]:
    """A warning for every cell of the read sheets holding characters that `covered` lacks, and (with
    `faces`) for every cell holding characters that will be drawn in another style than their text's."""
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
                if faces is not None:
                    keys = PRINTED_IN.get((sheet.spec.attr, field_name), BODY)
                    issues.extend(_style_issues(faces.style_changes(cell.value, keys),
                                                sheet.location(row.number, field_name)))
    return issues


def _style_issues(changes: Sequence[StyleChangeLike], location) -> list[Issue]:
    """One warning per style the cell's characters leave, naming them, the face that lacks them and the one used."""
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for change in changes:
        grouped.setdefault((change.role.label, change.own_face, change.style, change.face), []).append(change.character)
    issues = []
    for (role, own_face, style, face), characters in grouped.items():
        shown = "".join(characters[:SHOWN]) + ("等" if len(characters) > SHOWN else "")
        issues.append(make_issue("glyph_style", location, characters=shown, role=role, own_face=own_face,
                                 fallback=f"{style}（{face}）" if face else "本机其他字体"))
    return issues
