"""Table and cell helpers of the Word templates: widths, borders, margins, rows and loop tables."""
from __future__ import annotations

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .common import add_run, insert, par_prop, prop

CELL_PAD_MM = 0.35  # 1 pt above and below the text of a report's table cell, as the stylesheet's padding
# python-docx has no classes for the sides of w:tblBorders / w:tcBorders / w:pgBorders or of
# w:tblCellMar / w:tcMar, so they are written here, freshly or in place, in this schema order.
BORDER_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")
MARGIN_SIDES = ("top", "left", "bottom", "right")


def side(parent, name: str, **attrs):
    """parent's <w:name> side (appended when missing: callers go through the sides in order)."""
    el = parent.find(qn(f"w:{name}"))
    if el is None:
        el = OxmlElement(f"w:{name}")
        parent.append(el)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def cell_text(cell, text, style="表格文字", align=None):
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles[style] if hasattr(cell.part, "document") else style
    if text:
        p.add_run(text)
    if align is not None:
        p.alignment = align
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return p


def cell_loop(cell, items: str, style="表格段落"):
    """A paragraph per item of a list inside one table cell."""
    first = cell.paragraphs[0]
    first.style = style
    first.add_run(f"{{%p for line in {items} %}}")
    cell.add_paragraph(style=style).add_run("{{ line }}")
    cell.add_paragraph(style=style).add_run("{%p endfor %}")
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def cell_shaded_text(cell, text: str, fill_expr: str, style="小表格文字", align=None, **run):
    """Cell text under a shading chosen at render time (`{% cellbg expr %}`)."""
    p = cell_text(cell, "", style, align)
    p.add_run(f"{{% cellbg {fill_expr} %}}")
    if text:
        add_run(p, text, **run)
    return p


def widths(table, mm: list[float]) -> None:
    """Fix the table's grid, total width and every cell's width (merged cells span their columns)."""
    twips = [int(Mm(w).twips) for w in mm]
    tbl = table._tbl
    for col, w in zip(tbl.tblGrid.iterchildren(qn("w:gridCol")), twips):
        col.set(qn("w:w"), str(w))
    tblpr = tbl.tblPr
    tblpr.remove_all("w:tblW")  # python-docx's auto width, replaced by a fixed one
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    insert(tblpr, width, ("w:jc",))
    table.autofit = False  # python-docx's w:tblLayout w:type="fixed"
    for tr in tbl.iterchildren(qn("w:tr")):
        column = 0
        for tc in tr.iterchildren(qn("w:tc")):
            span = tc.grid_span
            tc.width = Mm(sum(mm[column:column + span]))
            column += span


def repeat_header(row) -> None:
    # w:trPr's children form a choice in the schema (any order), so appending is right
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def no_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def exact_height(row, pt: float) -> None:
    row.height = Pt(pt)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY


def keep_last_row_with_next(row) -> None:
    """In a `{%tr for %}` row: the last row of the loop stays on the page of what follows."""
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            par_prop(paragraph, "w:keepNext", val="{{ 1 if loop.last else 0 }}")


def borders(parent, tag: str, **sides) -> None:
    """Write <tag> (w:tblBorders, w:tcBorders, w:pgBorders) with the given sides.

    A side is (val, size in eighths of a point, colour[, space in points]) or None for no line.
    """
    parent.remove_all(tag)
    box = prop(parent, tag)
    for name in BORDER_SIDES:
        if name not in sides:
            continue
        val, size, colour, *space = sides[name] or ("nil", 0, "auto")
        side(box, name, val=val, sz=size, space=space[0] if space else 0, color=colour)


def table_borders(table, **sides) -> None:
    borders(table._tbl.tblPr, "w:tblBorders", **sides)


def cell_borders(cell, **sides) -> None:
    borders(cell._tc.get_or_add_tcPr(), "w:tcBorders", **sides)


def cell_margins(table, left_mm: float, right_mm: float | None = None, top_mm: float = 0, bottom_mm: float = 0):
    """Cell padding of the whole table (Word's default is 1.9 mm left and right)."""
    right_mm = left_mm if right_mm is None else right_mm
    mar = prop(table._tbl.tblPr, "w:tblCellMar")
    for name, mm in zip(MARGIN_SIDES, (top_mm, left_mm, bottom_mm, right_mm)):
        side(mar, name, w=int(Mm(mm).twips), type="dxa")


def cell_margin(cell, left_mm: float, right_mm: float | None = None) -> None:
    """Left and right padding of one cell (a narrow 序号 column)."""
    right_mm = left_mm if right_mm is None else right_mm
    mar = prop(cell._tc.get_or_add_tcPr(), "w:tcMar")
    for name, mm in (("left", left_mm), ("right", right_mm)):
        side(mar, name, w=int(Mm(mm).twips), type="dxa")


def header_row(table, labels, style="小表格标签") -> None:
    """Column labels; a newline in a label is a line break (计划\n进度), as in the HTML."""
    for cell, label in zip(table.rows[0].cells, labels):
        p = cell_text(cell, "", style, WD_ALIGN_PARAGRAPH.CENTER)
        for i, part in enumerate(label.split("\n")):
            run = p.add_run(part)
            if i < label.count("\n"):
                run.add_break()
    repeat_header(table.rows[0])
    no_split(table.rows[0])


def loop_table(doc, labels, loop: str, cells, mm, style="小表格文字", split=False):
    """A bordered table: a header row, then one row per item of `loop`.

    cells: for each column, (text, align) or a callable(cell) that fills the cell.
    """
    table = doc.add_table(rows=4, cols=len(labels))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_row(table, labels)
    cell_text(table.rows[1].cells[0], f"{{%tr for {loop} %}}", style)
    for cell, spec in zip(table.rows[2].cells, cells):
        if callable(spec):
            spec(cell)
        else:
            text, align = spec
            cell_text(cell, text, style, align)
    if not split:
        no_split(table.rows[2])
    cell_text(table.rows[3].cells[0], "{%tr endfor %}", style)
    widths(table, mm)
    cell_margins(table, 1.2, top_mm=CELL_PAD_MM, bottom_mm=CELL_PAD_MM)
    return table
