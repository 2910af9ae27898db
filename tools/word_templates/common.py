"""Shared page set-up, fonts, paragraph styles and paragraph/run helpers of the Word templates.

Also where property elements go in schema order: python-docx's own ordering (its oxml classes'
get_or_add_<name>() and _insert_<name>()) wherever it declares the element, and a short table of
successors only for the few elements python-docx has no property for.
"""
from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONG = "宋体"
LATIN = "Times New Roman"
LINE = Pt(28.95)
# 28 characters a line (GB/T 9704): 3号 text condensed by 0.25 pt is a 15.75 pt pitch, and
# 28 × 15.75 pt fits the 442.2 pt text block in Word, WPS and LibreOffice alike. (Word's
# character grid would do it too, but LibreOffice spreads CJK text across that grid.)
BODY_CONDENSED = -5  # twentieths of a point
BODY_INDENT = Pt(31.5)  # two characters of that pitch

RED = "C00000"

# ---------------------------------------------------------------------------------------------
# Schema order of property elements (Word rejects out-of-order children)
# ---------------------------------------------------------------------------------------------

# python-docx declares most of the elements written here (w:keepNext, w:pageBreakBefore, w:color,
# w:sz, w:rFonts, w:tblLayout, w:vAlign …) on its CT_PPr, CT_RPr, CT_TblPr, CT_TcPr and CT_SectPr
# classes, and their get_or_add_<name>() inserts them in schema order. These few it has no
# property for: each goes before the first of the siblings named that is present. The last
# sibling named is one python-docx declares (w:sz, w:highlight, w:vertAlign, w:spacing, w:jc,
# w:tblLayout, w:vAlign, w:titlePg), so when none is present the element goes where python-docx
# would put that one (its _insert_<name>() knows the rest of the order). Only w:tblCellMar and
# w:docGrid, which no declared element follows, list the whole rest of their parent's sequence.
_SUCCESSORS = {
    "w:rPr": {
        "w:spacing": ("w:w", "w:kern", "w:position", "w:sz"),
        "w:szCs": ("w:highlight",),
        "w:bdr": ("w:shd", "w:fitText", "w:vertAlign"),
        "w:shd": ("w:fitText", "w:vertAlign"),
    },
    "w:pPr": {
        "w:overflowPunct": ("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                            "w:snapToGrid", "w:spacing"),
        "w:autoSpaceDE": ("w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing"),
        "w:autoSpaceDN": ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing"),
        "w:snapToGrid": ("w:spacing",),
        "w:shd": ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                  "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing"),
    },
    "w:tblPr": {
        "w:tblW": ("w:jc",),
        "w:tblBorders": ("w:shd", "w:tblLayout"),
        "w:tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
    },
    "w:tcPr": {
        "w:tcBorders": ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign"),
        "w:tcMar": ("w:textDirection", "w:tcFitText", "w:vAlign"),
    },
    "w:sectPr": {
        "w:pgBorders": ("w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                        "w:titlePg"),
        "w:docGrid": ("w:printerSettings", "w:sectPrChange"),
    },
}
SUCCESSORS = {qn(parent): {qn(tag): tags for tag, tags in children.items()}
              for parent, children in _SUCCESSORS.items()}


def insert(parent, element, successors: tuple[str, ...]):
    """Insert element before the first of `successors` present, else where python-docx puts the last."""
    if parent.first_child_found_in(*successors) is not None:
        return parent.insert_element_before(element, *successors)
    declared = getattr(parent, f"_insert_{successors[-1].partition(':')[2]}", None)
    if declared is None:
        parent.append(element)
        return element
    return declared(element)


def prop(parent, tag: str, **attrs):
    """Return parent's <tag> child (added in schema order when missing) with the w: attributes set.

    Values are written as given, so a value may be a Jinja expression docxtpl renders later.
    """
    successors = SUCCESSORS.get(parent.tag, {}).get(qn(tag))
    if successors is None:
        el = getattr(parent, f"get_or_add_{tag.partition(':')[2]}")()  # python-docx's own ordering
    else:
        el = parent.find(qn(tag))
        if el is None:
            el = insert(parent, OxmlElement(tag), successors)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), str(value))
    return el


def run_prop(run, tag: str, **attrs):
    return prop(run._r.get_or_add_rPr(), tag, **attrs)


def par_prop(paragraph, tag: str, **attrs):
    return prop(paragraph._p.get_or_add_pPr(), tag, **attrs)


# ---------------------------------------------------------------------------------------------
# Fonts, styles and the page
# ---------------------------------------------------------------------------------------------

def set_fonts(target, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's fonts, writing w:eastAsia (python-docx's font.name does not)."""
    font = target.font
    font.name = LATIN
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def paragraph_style(doc, name, east_asia, size, *, align=None, indent=True, line=LINE, bold=False,
                    space_before=0, space_after=0, snap=False, keep=False, grid=False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    set_fonts(style, east_asia, size, bold)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.first_line_indent = (BODY_INDENT if grid else Pt(size * 2)) if indent else Pt(0)
    # Only the 3号 body text is condensed to the 28-character line; tables, notes and titles are not
    # (the stylesheet sets letter-spacing: 0 for them), so they do not inherit Normal's condensing.
    prop(style.element.get_or_add_rPr(), "w:spacing", val=str(BODY_CONDENSED if grid else 0))
    if isinstance(line, float):
        # A factor as CSS writes it (line-height: 1.5), set as an exact height: Word's "multiple" would
        # scale the font's own line height, which differs from face to face and from the PDF.
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(round(size * line, 2))
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    # No widow control: a paragraph's first or last line may stand alone at a page's foot or head, as in the
    # PDF (p { widows: 1; orphans: 1 }), so that every page holds its 22 lines and the pages break alike.
    fmt.widow_control = False
    fmt.keep_with_next = keep
    if not snap:
        prop(style.element.get_or_add_pPr(), "w:snapToGrid", val="0")
    return style


def remove_paragraphs(doc) -> None:
    """python-docx starts with one empty paragraph; the templates add their own."""
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)


def mirror_margins(doc) -> None:
    """Inside and outside margins (w:mirrorMargins): the left and right margins of even pages swap, as the
    PDF's @page :left does, so the 订口 (28 mm) is always at the binding."""
    settings = doc.settings.element
    if settings.find(qn("w:mirrorMargins")) is not None:
        return
    before = {qn(f"w:{name}") for name in (  # what CT_Settings puts ahead of it (Word keeps the schema's order)
        "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
        "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
        "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
        "saveSubsetFonts", "saveFormsData")}
    at = max((i + 1 for i, child in enumerate(settings) if child.tag in before), default=0)
    settings.insert(at, OxmlElement("w:mirrorMargins"))


def base_document():
    """A4 portrait on the GB/T 9704 text block, its named styles and page numbers, an empty body."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)  # inside (odd pages' left), outside
    mirror_margins(doc)
    section.footer_distance = Mm(25.7)  # the dash stroke of — 1 — lies 7 mm below the text block
    # 22 lines a page through the line grid. A character grid (linesAndChars, charSpace -848)
    # would give 28 characters a line in Word, but LibreOffice and WPS spread CJK text
    # across it, so only lines are fixed.
    prop(section._sectPr, "w:docGrid", type="lines", linePitch="579")

    paragraph_style(doc, "Normal", FANGSONG, 16, snap=True, grid=True)
    # No extra space between Chinese and digits or Latin (Word and LibreOffice add it by default; the
    # PDF has none): dates such as 2024年3月19日 keep their width and the 28-character line holds.
    normal = doc.styles["Normal"].element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        prop(normal, tag, val="0")
    # No punctuation hanging past the right edge (Word's and LibreOffice's default): a closing mark that does not
    # fit takes the character before it to the next line, as in the PDF, so the lines hold the same text.
    prop(normal, "w:overflowPunct", val="0")
    paragraph_style(doc, "文书标题", XIAOBIAOSONG, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                    line=Pt(36), space_after=28.95)
    paragraph_style(doc, "副标题", KAITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=14)
    paragraph_style(doc, "一级标题", HEITI, 16, snap=True, keep=True, grid=True)
    paragraph_style(doc, "二级标题", KAITI, 16, snap=True, keep=True, grid=True)
    paragraph_style(doc, "正文", FANGSONG, 16, snap=True, grid=True)
    paragraph_style(doc, "表格文字", FANGSONG, 12, indent=False, line=1.5)
    paragraph_style(doc, "表格段落", FANGSONG, 12, indent=True, line=1.5)
    paragraph_style(doc, "表格标签", HEITI, 12, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "小表格文字", FANGSONG, 10.5, indent=False, line=1.5)
    paragraph_style(doc, "小表格标签", HEITI, 10.5, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "图表文字", FANGSONG, 9, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "图表标签", HEITI, 9, indent=False, line=1.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(doc, "题注", FANGSONG, 12, indent=False, line=1.8, align=WD_ALIGN_PARAGRAPH.CENTER,
                    space_before=8, keep=True)
    paragraph_style(doc, "落款", FANGSONG, 16, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, space_before=28.95)
    paragraph_style(doc, "主送", FANGSONG, 16, indent=False, space_before=14.95, grid=True)
    paragraph_style(doc, "页码", SONG, 14, indent=False, line=1.0)
    page_numbers(doc)
    remove_paragraphs(doc)
    return doc


def _page_field(paragraph) -> None:
    def run(text=None, fld=None, instr=None):
        r = paragraph.add_run(text)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)
        return r

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def page_numbers(doc) -> None:
    """— 1 — in 4号宋体: odd pages right, even pages left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        p = footer.paragraphs[0]
        p.style = doc.styles["页码"]
        p.alignment = align
        if side == "right":
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        _page_field(p)


# ---------------------------------------------------------------------------------------------
# Paragraphs and runs
# ---------------------------------------------------------------------------------------------

def para(container, text="", style="正文", align=None):
    p = container.add_paragraph(style=style)
    if text:
        p.add_run(text)
    if align is not None:
        p.alignment = align
    return p


def body_loop(doc, items: str, style="正文", keep_last: bool = False):
    """One paragraph per item; with keep_last, the last two stay on the page of what follows (the 落款
    takes at least two lines of body text with it, GB/T 9704 7.3.5)."""
    para(doc, f"{{%p for line in {items} %}}", style)
    line = para(doc, "{{ line }}", style)
    if keep_last:
        keep_last_two(line)
    para(doc, "{%p endfor %}", style)


def keep_last_two(paragraph) -> None:
    """A loop's paragraph kept with the next when it is one of the loop's last two."""
    par_prop(paragraph, "w:keepNext", val="{{ 1 if loop.revindex <= 2 else 0 }}")


def keep_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def add_run(paragraph, text: str, font: str | None = None, colour: str | None = None, bold: bool | None = None,
            size: float | None = None):
    """A run with its own east-Asian font, colour (hex or a Jinja expression), bold or size."""
    run = paragraph.add_run(text)
    if font:
        set_fonts(run, font)
    if bold is not None:
        run.bold = bold
    if colour:
        run_prop(run, "w:color", val=colour)
    if size:
        run.font.size = Pt(size)
    return run


def para_runs(container, parts, style="正文", align=None):
    """A paragraph of several runs: each part is text or (text, font[, colour])."""
    p = para(container, "", style, align)
    for part in parts:
        if isinstance(part, str):
            p.add_run(part)
        else:
            add_run(p, *part)
    return p
