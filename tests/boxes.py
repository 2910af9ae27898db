"""The lines WeasyPrint sets in each table cell of a document, from its layout boxes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Cell:
    tag: str  # "th" or "td"
    lines: list[str]  # the text of each line box
    overflow: float  # how far (pt) the widest line reaches past the cell's content box; 0 when it fits


def _text(box) -> str:
    if getattr(box, "text", None):
        return box.text
    return "".join(_text(child) for child in getattr(box, "children", None) or [])


def _lines(box, found: list):
    name = type(box).__name__
    if name == "LineBox":
        found.append(box)
        return
    for child in getattr(box, "children", None) or []:
        _lines(child, found)


def _cells(box, found: list[Cell]):
    if type(box).__name__ == "TableCellBox":
        lines: list = []
        _lines(box, lines)
        right = box.content_box_x() + box.width
        overflow = max((line.position_x + line.width - right for line in lines), default=0)
        found.append(Cell(box.element_tag, [_text(line) for line in lines], max(0.0, overflow * 0.75)))
        return
    for child in getattr(box, "children", None) or []:
        _cells(child, found)


def table_cells(pdf_renderer, kind: str, context: dict) -> list[Cell]:
    """Every table cell of the document as laid out, in order, with its lines."""
    import weasyprint

    html = weasyprint.HTML(string=pdf_renderer.html(kind, context), base_url=str(pdf_renderer.folder))
    document = html.render(stylesheets=pdf_renderer.stylesheets(), font_config=pdf_renderer.fonts)
    found: list[Cell] = []
    for page in document.pages:
        _cells(page._page_box, found)
    return found
