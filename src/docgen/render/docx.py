"""The .docx backend: docxtpl's tag syntax, with each template prepared once per process.

docxtpl re-reads the .docx, re-runs its regex pass and recompiles the Jinja template
on every render. Here the package is read once, the XML parts that hold tags are
patched and compiled once, and each render only runs the compiled templates and
zips the parts again.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from ..errors import TemplateError
from ..linebreaks import ZERO_WIDTH_SPACE, date_lines, word_lines
from .environment import chosen, make_environment, template_dir

_TEMPLATED_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
_PARAGRAPH = re.compile(r"<w:p([ >])")
_LISTING_CHARS = ("\n", "\t", "\a", "\f")


class _PreparedDocx:
    def __init__(self, path: Path, env: jinja2.Environment) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                self.entries = [(info, archive.read(info)) for info in archive.infolist()]
        except (OSError, zipfile.BadZipFile) as exc:
            raise TemplateError(f"无法读取 Word 模板 {path.name}：{exc}") from None
        self.sources: dict[str, str] = {}
        self.templates: dict[str, jinja2.Template] = {}
        for info, data in self.entries:
            if not _TEMPLATED_PART.match(info.filename):
                continue
            xml = data.decode("utf-8")
            if "{" not in xml:
                continue
            patched = DocxTemplate.patch_xml(None, xml)  # docxtpl's tag clean-up; uses no state
            patched = _PARAGRAPH.sub(r"\n<w:p\1", patched)
            self.sources[info.filename] = patched
            try:
                self.templates[info.filename] = env.from_string(patched)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(f"Word 模板 {path.name} 中的标签有误：{exc.message}") from None

    def render(self, context: dict[str, Any], metadata: dict[str, str] | None = None) -> bytes:
        rendered: dict[str, bytes] = {}
        pictures: list[tuple[str, str]] = []  # (relationship id, image file) of the body's pictures
        for name, template in self.templates.items():
            token = _PICTURES.set(pictures if name == "word/document.xml" else None)
            try:
                rendered[name] = _finish(template.render(context)).encode("utf-8")
            finally:
                _PICTURES.reset(token)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in self.entries:
                if info.filename in rendered:
                    data = rendered[info.filename]
                elif metadata is not None and info.filename in _PROPERTIES:
                    data = _PROPERTIES[info.filename](metadata).encode("utf-8")
                elif pictures and info.filename == _BODY_RELS:
                    data = _with_pictures(data.decode("utf-8"), pictures).encode("utf-8")
                elif pictures and info.filename == "[Content_Types].xml":
                    data = _with_jpeg(data.decode("utf-8")).encode("utf-8")
                archive.writestr(info, data)
            for rid, path in pictures:  # a JPEG is already compressed
                archive.write(path, f"word/media/{rid}.jpeg", compress_type=zipfile.ZIP_STORED)
        return out.getvalue()


# --- pictures (活动照片): {{ photo.image|picture }} in a template's run ------------------------------

_PICTURES: contextvars.ContextVar[list[tuple[str, str]] | None] = contextvars.ContextVar("docx_pictures",
                                                                                        default=None)
_BODY_RELS = "word/_rels/document.xml.rels"
_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
EMU_PER_MM = 36000


def picture(path: str, width_mm: float = 72, height_mm: float = 54) -> Markup:
    """The image at `path` as an inline picture, as large as fits width_mm × height_mm: ends the run the tag
    stands in, draws the picture in a run of its own, and opens a run for what follows."""
    pictures = _PICTURES.get()
    if pictures is None:
        raise TemplateError("图片只能放在 Word 模板的正文中（不能放在页眉、页脚中）")
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
    scale = min(width_mm / width, height_mm / height)
    cx, cy = int(width * scale * EMU_PER_MM), int(height * scale * EMU_PER_MM)
    number = len(pictures) + 1
    rid = f"rIdDocgenPicture{number}"
    pictures.append((rid, path))
    return Markup(
        '</w:t></w:r><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{9000 + number}" name="照片{number}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:nvPicPr><pic:cNvPr id="{number}" name="照片{number}.jpeg"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
        '</wp:inline></w:drawing></w:r><w:r><w:t xml:space="preserve">')


def _with_pictures(rels: str, pictures: list[tuple[str, str]]) -> str:
    added = "".join(f'<Relationship Id="{rid}" Type="{_IMAGE_REL}" Target="media/{rid}.jpeg"/>' for rid, _ in pictures)
    return rels.replace("</Relationships>", added + "</Relationships>")


def _with_jpeg(types: str) -> str:
    if 'Extension="jpeg"' in types:
        return types
    return types.replace("<Default ", '<Default Extension="jpeg" ContentType="image/jpeg"/><Default ', 1)


def _core(metadata: dict[str, str]) -> str:
    """docProps/core.xml: the document's own title, author, subject and date, in Chinese."""
    stamp = f"{metadata.get('date') or dt.date.today().isoformat()}T00:00:00Z"  # the 成文日期: reproducible
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{escape(metadata.get("title", ""))}</dc:title>'
            f'<dc:subject>{escape(metadata.get("subject", ""))}</dc:subject>'
            f'<dc:creator>{escape(metadata.get("author", ""))}</dc:creator>'
            f'<cp:lastModifiedBy>{escape(metadata.get("author", ""))}</cp:lastModifiedBy>'
            '<dc:language>zh-CN</dc:language>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            '</cp:coreProperties>')


def _app(metadata: dict[str, str]) -> str:
    """docProps/app.xml: the application that wrote the file and the organisation."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            '<Application>docgen</Application><DocSecurity>0</DocSecurity>'
            f'<Company>{escape(metadata.get("author", ""))}</Company></Properties>')


_PROPERTIES = {"docProps/core.xml": _core, "docProps/app.xml": _app}


def _finish(xml: str) -> str:
    """Undo the paragraph markers, turn line breaks in values into Word breaks, and join what must not be
    parted at a line's end."""
    xml = xml.replace("\n<w:p", "<w:p")
    if any(ch in xml for ch in _LISTING_CHARS):
        xml = DocxTemplate.resolve_listing(None, xml)
    return _TEXT.sub(lambda m: m.group(1) + joined(m.group(2)) + m.group(3), xml)


# Where a line may not break in a .docx: LibreOffice breaks Chinese text between any two characters but
# those its forbidden lists (避头尾) name, which for zh-CN leave out the ASCII % and the curly quotes, so it
# sets 12|0处, 100|%, 2024年|12月, 开展“|四公开”. (Its fullwidth ，。、；：）》 rules hold already.) A word joiner (U+2060, invisible, no width; Word, WPS and
# LibreOffice all keep the characters beside it on one line) holds them together.
WORD_JOINER = "\u2060"
_TEXT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")
UNIT_CHARACTERS = "%％‰℃处个项名人次元天件户条套份批家座台基公里米吨度万亿余岁年月日时分秒号"
_JOINS = re.compile(
    rf"(?<=[0-9])(?=[0-9.,:%{UNIT_CHARACTERS}])"       # a number with its digits and its unit: 120处, 13.5%
    rf"|(?<=[0-9][.,:])(?=[0-9])"                      # 13.5, 1,200, 10:30
    rf"|(?<=[A-Za-z0-9+])(?=[A-Za-z+])|(?<=[A-Za-z+])(?=[0-9])"  # 4+N, 1+X, DJ2024
    rf"|(?<=\d年)(?=\d{{1,2}}月)|(?<=\d月)(?=\d{{1,2}}日)"  # a date: 2024年12月20日
    rf"|(?<=[“‘])(?=[^\s])|(?<=[^\s])(?=[”’])")  # a quote mark with what it quotes
_ENTITY = re.compile(r"(&[#\w]+;)")


# LibreOffice sets a quarter of a character's space between a Chinese character and a Latin letter or digit
# (至 2025, 率 33.3%) whatever w:autoSpaceDE/w:autoSpaceDN say (Word honours them; the PDF has no such space), so
# its lines hold less than the PDF's and its pages break elsewhere. A zero-width space there (U+200B: invisible,
# no width, a place a line may break, as it may there in the PDF) stops it.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACED = re.compile(rf"(?<=[{_HAN}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_HAN}])")


def joined(text: str) -> str:
    """Text with a word joiner wherever a line must not break (number|unit, inside a date, beside a quote), and a
    zero-width space between a Chinese character and a Latin letter or digit that stay apart."""
    if WORD_JOINER in text or ZERO_WIDTH_SPACE in text:
        return text
    return "".join(part if part.startswith("&") else _SPACED.sub(ZERO_WIDTH_SPACE, _JOINS.sub(WORD_JOINER, part))
                   for part in _ENTITY.split(text))


def broken_between_words(value: Any, room: float = 28) -> Any:
    """A name or a unit with a line break ("\\n", a <w:br/> in the .docx) between words wherever a line of
    `room` characters is full: Word and LibreOffice would break it inside a word (七里河|区)."""
    if not isinstance(value, str):
        return value
    return "\n".join(word_lines(value, room))


def dates_whole(value: Any, room: float) -> Any:
    """A narrow cell's text with a line break ("\\n") wherever a line of `room` characters is full, never
    inside a date or a number (12月3|1日 in Word and LibreOffice)."""
    if not isinstance(value, str):
        return value
    return "\n".join(date_lines(value, room))


FILTERS = {"picture": picture, "word_lines": broken_between_words, "date_lines": dates_whole}  # what Word templates may use beyond Jinja's own


class DocxRenderer:
    """Render .docx documents from templates/<kind>.docx, each template prepared once."""

    def __init__(self, folder: Path | None = None, own: Path | None = None) -> None:
        """`own`: the organisation's template folder, whose <kind>.docx replace the built-in ones."""
        self.folder, self.own = folder or template_dir(), own
        self.env = make_environment()
        self.sandbox = make_environment(sandboxed=True)
        for env in (self.env, self.sandbox):
            env.filters.update(FILTERS)
        self._prepared: dict[str, _PreparedDocx] = {}

    def _template(self, kind: str) -> _PreparedDocx:
        prepared = self._prepared.get(kind)
        if prepared is None:
            path = chosen(self.folder, self.own, f"{kind}.docx")
            if not path.is_file():
                raise TemplateError(f"缺少 Word 模板 {path.name}")
            prepared = self._prepared[kind] = _PreparedDocx(path, self.env if path.parent == self.folder
                                                            else self.sandbox)
        return prepared

    def render(self, kind: str, context: dict[str, Any], metadata: dict[str, str] | None = None) -> bytes:
        try:
            return self._template(kind).render(context, metadata)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"Word 模板 {kind}.docx 使用了不存在的变量：{exc.message}") from None
        except SecurityError as exc:
            raise TemplateError(f"Word 模板 {kind}.docx 中有不允许的写法（{exc}）：模板只能写出文书的内容") from None

    def variables(self, kind: str) -> set[str]:
        """Return the context variables the template uses (for checking templates against contexts)."""
        prepared = self._template(kind)
        found: set[str] = set()
        for source in prepared.sources.values():
            found |= meta.find_undeclared_variables(self.env.parse(source))
        return found
