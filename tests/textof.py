"""Text of rendered documents, normalised for golden comparisons."""
from __future__ import annotations

import io
import re

from docx import Document
from pypdf import PdfReader

_PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")
# The .docx's word joiners (U+2060) only keep a number with its unit on a line, its zero-width spaces (U+200B)
# only keep LibreOffice from spacing 至2025: not text a reader sees.
_BREAK_MARKS = dict.fromkeys(map(ord, "\u2060\u200b"))


def docx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph of the body in document order, table cells included."""
    doc = Document(io.BytesIO(data))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    out = []
    for p in doc.element.body.iter(f"{ns}p"):
        text = "".join(t.text or "" for t in p.iter(f"{ns}t")).translate(_BREAK_MARKS)
        if text.strip():
            out.append(text.strip())
    return out


def pdf_pages(data: bytes) -> list[list[str]]:
    """The lines of each page, page numbers removed."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = [line.strip() for line in page.extract_text().splitlines()]
        pages.append([line for line in lines if line and not _PAGE_NUMBER.match(line)])
    return pages


def golden_text(docx: bytes, pdf: bytes) -> str:
    parts = ["=== docx ==="] + docx_paragraphs(docx)
    for number, lines in enumerate(pdf_pages(pdf), start=1):
        parts.append(f"=== pdf page {number} ===")
        parts.extend(lines)
    return "\n".join(parts) + "\n"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
