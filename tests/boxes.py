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


# --- every line of a document, where it stands ------------------------------------------------------

PT = 0.75  # CSS px → pt


@dataclass
class Line:
    page: int  # 0-based
    text: str
    left: float  # pt from the page's left edge
    right: float  # where the line's last glyph ends
    limit: float  # the right edge of the content box that holds the line
    top: float
    height: float
    block: int  # identifies the block (paragraph, cell) the line belongs to
    path: tuple[str, ...]  # the ancestors, outermost first, as "tag.class1.class2"


def _name(box) -> str:
    element = getattr(box, "element", None)
    classes = element.get("class", "").split() if element is not None else []
    return ".".join([box.element_tag or "", *classes])


def _inline_right(box) -> float:
    """Where the box's last visible text ends (trailing spaces aside)."""
    right = box.position_x
    if getattr(box, "text", None) is not None and box.text.strip():
        return box.position_x + box.width
    for child in getattr(box, "children", None) or []:
        right = max(right, _inline_right(child))
    return right


def _walk_lines(box, page: int, path: tuple, limit: float, found: list[Line]):
    name = type(box).__name__
    if name == "MarginBox":  # the page number is not the page's text
        return
    if name == "LineBox" and any(type(c).__name__ == "InlineBlockBox" for c in box.children):
        for child in box.children:  # an inline block (the 落款's) sets lines of its own
            if type(child).__name__ == "InlineBlockBox":
                _walk_lines(child, page, path + (_name(child),), limit, found)
        return
    if name == "LineBox":
        text = _text(box)
        if text.strip():
            found.append(Line(page, text.replace("\u200b", "").strip(), box.position_x * PT, _inline_right(box) * PT, limit * PT,
                              box.position_y * PT, box.height * PT, id(box.element) if box.element is not None
                              else id(box), path))
        return
    if hasattr(box, "content_box_x") and name not in ("InlineBox", "TextBox") and getattr(box, "width", None) is not None \
            and not name.startswith("Inline"):
        limit = box.content_box_x() + box.width
    step = path + (_name(box),) if getattr(box, "element_tag", None) and name not in ("TextBox",) else path
    for child in getattr(box, "children", None) or []:
        _walk_lines(child, page, step, limit, found)


def layout(pdf_renderer, kind: str, context: dict):
    """The document as WeasyPrint lays it out (its pages' box trees)."""
    import weasyprint

    html = weasyprint.HTML(string=pdf_renderer.html(kind, context), base_url=str(pdf_renderer.folder))
    return html.render(stylesheets=pdf_renderer.stylesheets(), font_config=pdf_renderer.fonts)


def lines_of(document) -> list[Line]:
    """Every line box of a laid-out document that holds text, page by page, top to bottom."""
    found: list[Line] = []
    for number, page in enumerate(document.pages):
        _walk_lines(page._page_box, number, (), page._page_box.width, found)
    return found


def boxes_of(document, selector: str) -> list[tuple[int, object]]:
    """(page, box) of every box whose element has the class `selector` (".chart") or tag ("table")."""
    found: list[tuple[int, object]] = []

    def walk(box, page):
        if getattr(box, "element_tag", None) and (_name(box).split(".")[0] == selector
                                                  or "." + selector.lstrip(".") in "." + ".".join(_name(box).split(".")[1:])
                                                  and selector.startswith(".")):
            found.append((page, box))
        for child in getattr(box, "children", None) or []:
            walk(child, page)

    for number, page in enumerate(document.pages):
        walk(page._page_box, number)
    return found
