"""The .docx package of a Word template: cleanup of python-docx's output, the font table, the
Gantt grid as Jinja, and writing a template only when one of its parts changed.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx.shared import Mm

from .common import FANGSONG, HEITI, KAITI, LATIN, SONG, XIAOBIAOSONG

# Every face the templates name, with the name a stock Chinese Windows/WPS has for it
# (written to word/fontTable.xml, where Word and WPS look for a substitute).
FONT_TABLE = (
    (FANGSONG, "仿宋", "02010609030101010101", "modern", "fixed"),
    (KAITI, "楷体", "02010609030101010101", "modern", "fixed"),
    (HEITI, "SimHei", "02010609060101010101", "modern", "fixed"),
    (XIAOBIAOSONG, "宋体", "02000000000000000000", "script", "variable"),
    (SONG, "SimSun", "02010600030101010101", "auto", "variable"),
)

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
LANG = '<w:lang w:val="zh-CN" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
# Placeholders: docgen writes each document's own title, organisation and time when it renders.
CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title></dc:title><dc:creator></dc:creator>'
        '<dc:language>zh-CN</dc:language></cp:coreProperties>')
APP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
       '<Application>docgen</Application><DocSecurity>0</DocSecurity><Company></Company></Properties>')
# Every member gets the same time stamp, so building twice gives the same bytes (python-docx
# stamps each member with the time of saving).
STAMP = (1980, 1, 1, 0, 0, 0)

GANTT_NUM, GANTT_TASK, GANTT_MONTH = 9, 51, 8  # mm, as .gantt in the stylesheet
GANTT_MARK = 0.1  # mm: the width that marks the two {%tc %} cells in the grid


def font_table() -> str:
    fonts = [f'<w:font w:name="{LATIN}"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
             '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>']
    for name, alt, panose, family, pitch in FONT_TABLE:
        fonts.append(f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
                     f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>')
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {W_NS}>{"".join(fonts)}</w:fonts>'


def gantt_grid(xml: bytes) -> bytes:
    """The Gantt table's grid and width as Jinja: one 8 mm column per month of the block."""
    mark, month = int(Mm(GANTT_MARK).twips), int(Mm(GANTT_MONTH).twips)
    fixed = int(Mm(GANTT_NUM).twips) + int(Mm(GANTT_TASK).twips)
    grid = f'<w:gridCol w:w="{mark}"/><w:gridCol w:w="{month}"/><w:gridCol w:w="{mark}"/>'.encode()
    if grid not in xml:
        return xml
    xml = xml.replace(grid, f'{{% for m in block.months %}}<w:gridCol w:w="{month}"/>{{% endfor %}}'.encode())
    width = f'<w:tblW w:w="{fixed + 2 * mark + month}" w:type="dxa"/>'.encode()
    return xml.replace(width, f'<w:tblW w:w="{{{{ {fixed} + {month} * block.months|length }}}}" w:type="dxa"/>'
                       .encode())


def clean_part(name: str, data: bytes) -> bytes | None:
    """One member of python-docx's package as the template has it (None: left out)."""
    if name == "docProps/thumbnail.jpeg":
        return None
    if name == "docProps/core.xml":
        return CORE.encode()
    if name == "docProps/app.xml":
        return APP.encode()
    if name == "word/fontTable.xml":
        return font_table().encode()
    if name in ("word/styles.xml", "word/stylesWithEffects.xml"):
        data = re.sub(rb"<w:lang [^>]*/>", LANG.encode(), data)
        # No extra space between Chinese and digits or Latin for any paragraph (see Normal).
        return data.replace(b"<w:pPrDefault><w:pPr>", b'<w:pPrDefault><w:pPr><w:autoSpaceDE w:val="0"/>'
                            b'<w:autoSpaceDN w:val="0"/>')
    if name == "word/document.xml":
        return gantt_grid(data)
    if name == "word/settings.xml":
        return re.sub(rb"<w:themeFontLang [^>]*/>", b'<w:themeFontLang w:val="zh-CN" w:eastAsia="zh-CN"/>', data)
    if name == "_rels/.rels":
        return re.sub(rb'<Relationship [^>]*metadata/thumbnail"[^>]*/>', b"", data)
    if name == "[Content_Types].xml":
        return data.replace(b'<Default Extension="jpeg" ContentType="image/jpeg"/>', b"")
    return data


def clean_package(data: bytes) -> bytes:
    """Chinese language tags, the fonts actually named, no leftovers of python-docx's default template."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(info.filename, clean_part(info.filename, archive.read(info))) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts:
            if part is None:
                continue
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o600 << 16
            archive.writestr(info, part)
    return out.getvalue()


def package(doc) -> bytes:
    """The template's .docx bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    return clean_package(raw.getvalue())


def parts(data: bytes) -> list[tuple[str, bytes]]:
    """A package's members in order, with their contents."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def changed_parts(new: bytes, old: bytes) -> list[str]:
    """The members that differ between two packages (added, removed, reordered or other bytes)."""
    a, b = dict(parts(new)), dict(parts(old))
    changed = [name for name in a if a[name] != b.get(name)] + [name for name in b if name not in a]
    if not changed and list(a) != list(b):
        return ["（成员顺序）"]
    return changed


def save(doc, path: Path, *, write: bool = True) -> tuple[str, list[str]]:
    """Write doc's template to path unless its parts are those of the file there already.

    Returns ("new" | "updated" | "unchanged", the parts that differ). With write=False nothing is
    written (a check).
    """
    data = package(doc)
    if not path.exists():
        status, changed = "new", [name for name, _ in parts(data)]
    else:
        changed = changed_parts(data, path.read_bytes())
        status = "updated" if changed else "unchanged"
    if write and status != "unchanged":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return status, changed
