"""The PDF backend: Jinja HTML + CSS → WeasyPrint, with fonts and stylesheets loaded once."""
from __future__ import annotations

import logging
import shutil
import weakref
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.exceptions import SecurityError

from ..errors import TemplateError
from .cff import identity_font
from .environment import chosen, html_environment, template_dir
from .fonts import font_face_css, stacks_css


# Archive systems take PDF/A: PDF/A-2b (ISO 19005-2, level B) allows the transparency of the
# coloured table rows and needs every font embedded, an sRGB output intent and XMP metadata.
PDF_VARIANT = "pdf/a-2b"

# WeasyPrint's HTML user-agent stylesheet, cut down to the elements the templates use. Every
# document's every element is matched against the user-agent rules, and the full sheet's
# universal pseudo-element rules (::marker, ::footnote-call, ::note-call …) gave each element six
# more computed styles: about half the cascade. These rules are the full sheet's rules for html,
# head, title, meta, body, div, section, p, span, br, h1–h3, ul, li and the table elements, with
# ::marker kept to li, the only list items; the sample documents are drawn byte for byte as before.
USER_AGENT_CSS = """\
[hidden], head, link, meta, script, style, template, title { display: none }
body, div, h1, h2, h3, html, p, section, ul { display: block }
li { display: list-item }
table { display: table }
caption { display: table-caption }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tfoot { display: table-footer-group }
tr { display: table-row }
td, th { display: table-cell }
p, ul { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
h1 { margin-top: .67em; margin-bottom: .67em }
h2 { margin-top: .83em; margin-bottom: .83em }
h3 { margin-top: 1em; margin-bottom: 1em }
ul { padding-left: 40px }
table { border-spacing: 2px; border-collapse: separate }
td, th { padding: 1px }
thead, tbody, tfoot, table > tr { vertical-align: middle }
tr, td, th { vertical-align: inherit }
html { color-scheme: light }
th { font-weight: bold }
h1 { font-size: 2em; font-weight: bold }
h2 { font-size: 1.5em; font-weight: bold }
h3 { font-size: 1.17em; font-weight: bold }
table, td, th { border-color: gray }
thead, tbody, tfoot, tr { border-color: inherit }
br::before { content: "\\A"; white-space: pre-line }
ul { list-style-type: disc }
li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
table { text-indent: initial }
svg { overflow: hidden }
table { box-sizing: border-box }
ul { counter-reset: list-item }
h1 { bookmark-level: 1 }
h2 { bookmark-level: 2 }
h3 { bookmark-level: 3 }
h1, h2, h3 { bookmark-label: content(text) }
h1, h2, h3 { hyphens: manual; break-after: avoid; break-inside: avoid }
ul { break-before: avoid }
@page {
  margin: 75px;
  @footnote            { margin-top: 1em }
  @note-area           { content: element(note, all-once) }
  @top-left-corner     { text-align: right;  vertical-align: middle }
  @top-left            { text-align: left;   vertical-align: middle }
  @top-center          { text-align: center; vertical-align: middle }
  @top-right           { text-align: right;  vertical-align: middle }
  @top-right-corner    { text-align: left;   vertical-align: middle }
  @left-top            { text-align: center; vertical-align: top    }
  @left-middle         { text-align: center; vertical-align: middle }
  @left-bottom         { text-align: center; vertical-align: bottom }
  @right-top           { text-align: center; vertical-align: top    }
  @right-middle        { text-align: center; vertical-align: middle }
  @right-bottom        { text-align: center; vertical-align: bottom }
  @bottom-left-corner  { text-align: right;  vertical-align: middle }
  @bottom-left         { text-align: left;   vertical-align: middle }
  @bottom-center       { text-align: center; vertical-align: middle }
  @bottom-right        { text-align: right;  vertical-align: middle }
  @bottom-right-corner { text-align: left;   vertical-align: middle }
}
"""


def subsetter_missing() -> bool:
    """True when WeasyPrint cannot use HarfBuzz's subsetter (PDF output is then many times slower)."""
    try:
        from weasyprint.text import ffi
    except Exception:  # pragma: no cover - weasyprint itself is broken
        return True
    return getattr(ffi, "harfbuzz_subset", None) is None


class PdfRenderer:
    """Render PDFs from templates/<kind>.html and the shared stylesheet."""

    def __init__(self, folder: Path | None = None, cut_down_fonts: bool = True, own: Path | None = None) -> None:
        """cut_down_fonts=False leaves out the GB 2312 cut-down faces (fonts.py): whole system faces only.
        `own`: the organisation's template folder, whose <kind>.html and .css replace the built-in ones."""
        # Importing WeasyPrint loads Pango and fontconfig: only when PDF is asked for.
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from . import subset

        subset.install()
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        self._weasyprint = weasyprint
        self.folder, self.own = folder or template_dir(), own
        self.env = html_environment(self.folder, own)
        self.fonts = FontConfiguration()
        self._css: dict[str, Any] = {}
        faces = font_face_css() if cut_down_fonts else stacks_css()
        self._faces = [weasyprint.CSS(string=faces, font_config=self.fonts)]
        # WeasyPrint copies the faces into a temporary folder that it removes only when its font
        # configuration is collected, which a process's end does not promise: removed at exit here.
        folder = getattr(self.fonts, "_folder", None)
        if folder is not None:
            weakref.finalize(self, shutil.rmtree, str(folder), True)
        self._html = _html_class(weasyprint, weasyprint.CSS(string=USER_AGENT_CSS))
        self._images: dict[str, Any] = {}  # WeasyPrint's image cache, kept from one document to the next

    def _stylesheet(self, name: str) -> Any:
        sheet = self._css.get(name)
        if sheet is None:
            path = chosen(self.folder, self.own, name)
            if not path.is_file():
                raise TemplateError(f"缺少样式表 {name}")
            sheet = self._css[name] = self._weasyprint.CSS(filename=str(path), font_config=self.fonts)
        return sheet

    def html(self, kind: str, context: dict[str, Any]) -> str:
        try:
            template = self.env.get_template(f"{kind}.html")
        except jinja2.TemplateNotFound:
            raise TemplateError(f"缺少 PDF 模板 {kind}.html") from None
        try:
            return template.render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"PDF 模板 {kind}.html 引用的模板 {exc.name} 不存在") from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"PDF 模板 {kind}.html 使用了不存在的变量：{exc.message}") from None
        except SecurityError as exc:
            raise TemplateError(f"PDF 模板 {kind}.html 中有不允许的写法（{exc}）：模板只能写出文书的内容") from None

    def render(self, kind: str, context: dict[str, Any], metadata: dict[str, str] | None = None) -> bytes:
        base = chosen(self.folder, self.own, f"{kind}.html").parent  # its pictures lie beside it
        html = self._html(string=self.html(kind, context), base_url=str(base))
        document = html.render(stylesheets=self.stylesheets(), font_config=self.fonts, cache=self._images)
        if metadata is not None:
            document.metadata.title = metadata.get("title") or document.metadata.title
            document.metadata.authors = [metadata["author"]] if metadata.get("author") else []
            document.metadata.description = metadata.get("subject") or None
            if metadata.get("date"):
                document.metadata.created = document.metadata.modified = f"{metadata['date']}T00:00:00Z"
        document.metadata.lang = "zh-CN"
        document.metadata.generator = "docgen"
        return document.write_pdf(finisher=_finish, pdf_variant=PDF_VARIANT)

    def stylesheets(self) -> list[Any]:
        """The pre-subset font faces, then the shared stylesheet."""
        return [*self._faces, self._stylesheet("document.css")]

    def variables(self, kind: str) -> set[str]:
        source = self.env.loader.get_source(self.env, f"{kind}.html")[0]
        return meta.find_undeclared_variables(self.env.parse(source))


def _html_class(weasyprint: Any, user_agent: Any) -> type:
    """weasyprint.HTML with docgen's cut-down user-agent stylesheet (the same one when WeasyPrint changes)."""
    if not callable(getattr(weasyprint.HTML, "_ua_stylesheets", None)):  # pragma: no cover - a newer WeasyPrint
        return weasyprint.HTML

    class HTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [user_agent] if not forms else super()._ua_stylesheets(forms)

    return HTML


def _finish(_document: Any, pdf: Any) -> None:
    """Make every embedded CFF font's CIDs its glyph numbers, the codes WeasyPrint writes (see cff.py);
    then have every stream compressed once, at zlib's default level.

    pydyf compresses a stream each time its bytes are asked for, at level 9, and a PDF/A file's
    identifier (an MD5 of every object) asks for them a second time: the fonts were deflated twice
    at the slowest level, about a third of writing a PDF. Level 6 makes files 0.4 % larger.
    """
    import pydyf

    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream):
            continue
        if obj.extra.get("Subtype") == "/OpenType":
            data = b"".join(part if isinstance(part, bytes) else part.encode() for part in obj.stream)
            fixed = identity_font(data)
            if fixed is not data:
                obj.stream = [fixed]
        if type(obj) is pydyf.Stream and obj.compress:
            obj.__class__ = _written_stream_class()


_WRITTEN: list[type] = []


def _written_stream_class() -> type:
    """A pydyf.Stream whose bytes are made (and deflated) once; its content must not change any more."""
    if not _WRITTEN:
        import zlib

        import pydyf

        class WrittenStream(pydyf.Stream):
            _bytes: bytes | None = None

            @property
            def data(self) -> bytes:
                if self._bytes is None:
                    body = zlib.compress(b"\n".join(_as_bytes(item) for item in self.stream), 6)
                    extra = pydyf.Dictionary({**self.extra, "Filter": "/FlateDecode", "Length": len(body)})
                    self._bytes = b"\n".join((extra.data, b"stream", body, b"endstream"))
                return self._bytes

        _WRITTEN.append(WrittenStream)
    return _WRITTEN[0]


def _as_bytes(item: Any) -> bytes:
    """A stream item as pydyf writes it (pydyf's own _to_bytes)."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, float):
        return (str(int(item)) if item.is_integer() else f"{item:f}".rstrip("0")).encode("ascii")
    data = getattr(item, "data", None)
    if isinstance(data, bytes):
        return data
    return str(item).encode("ascii")


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of the given PDFs' pages in order, with the first part's properties and PDF/A identity."""
    if len(parts) == 1:
        return parts[0]
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    for number, part in enumerate(parts):
        reader = PdfReader(io.BytesIO(part))
        if number == 0:
            if reader.metadata:
                writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
            root = reader.trailer["/Root"]
            for key in ("/Metadata", "/OutputIntents", "/Lang", "/MarkInfo"):  # what makes it PDF/A
                if key in root:
                    writer.root_object[NameObject(key)] = root.raw_get(key).clone(writer)
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
