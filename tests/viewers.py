"""Draw a PDF with the three engines a clerk's PC may use, and read its text with each.

poppler (Okular, Evince, many print paths), MuPDF (SumatraPDF; it follows the PDF
specification strictly) and PDFium (Chrome, Edge, WPS's viewer). Each returns, per
page, the share of dark pixels at a low resolution, the text it extracts, and any
warning it printed about a glyph it could not draw.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

RESOLUTION = 72  # dpi: enough to see whether text was drawn, fine enough that hairlines weigh little
# Lines MuPDF prints for reasons unrelated to the document (its Debian build has no colour management).
_BENIGN = re.compile(r"^warning: ICC support is not available$")


@dataclass
class Drawing:
    engine: str
    ink: list[float]  # mean darkness, per page
    text: list[str]  # per page
    warnings: list[str]


def _ink(image: Image.Image) -> float:
    """The page's mean darkness, 0 (white) to 1 (black)."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum((255 - level) * count for level, count in enumerate(histogram)) / (255 * grey.width * grey.height)


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=True)


def poppler(path: Path, pages: int) -> Drawing:
    with tempfile.TemporaryDirectory() as folder:
        done = _run(["pdftoppm", "-r", str(RESOLUTION), "-gray", str(path), f"{folder}/p"])
        images = sorted(Path(folder).glob("p-*.pgm"))
        ink = [_ink(Image.open(p)) for p in images]
    text = [_run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"]).stdout for n in range(1, pages + 1)]
    return Drawing("poppler", ink, text, [line for line in done.stderr.splitlines() if line.strip()])


def mupdf(path: Path, pages: int) -> Drawing:
    with tempfile.TemporaryDirectory() as folder:
        done = _run(["mutool", "draw", "-q", "-r", str(RESOLUTION), "-c", "gray", "-o", f"{folder}/p%04d.pgm", str(path)])
        ink = [_ink(Image.open(p)) for p in sorted(Path(folder).glob("p*.pgm"))]
        warnings = [line for line in done.stderr.splitlines() if line.strip() and not _BENIGN.match(line)]
        text = []
        for n in range(1, pages + 1):
            out = Path(folder) / f"t{n}.txt"
            _run(["mutool", "draw", "-q", "-F", "txt", "-o", str(out), str(path), str(n)])
            text.append(out.read_text(encoding="utf-8"))
    return Drawing("mupdf", ink, text, warnings)


def pdfium(path: Path, pages: int) -> Drawing:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    ink, text = [], []
    try:
        for page in document:
            ink.append(_ink(page.render(scale=RESOLUTION / 72, grayscale=True).to_pil()))
            textpage = page.get_textpage()
            text.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return Drawing("pdfium", ink, text, [])


ENGINES = (poppler, mupdf, pdfium)


def draw_all(data: bytes) -> list[Drawing]:
    """The PDF drawn and read by every engine."""
    from pypdf import PdfReader
    import io

    pages = len(PdfReader(io.BytesIO(data)).pages)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        return [engine(path, pages) for engine in ENGINES]


def characters(text: str) -> str:
    """The printed characters of a page's text, in a fixed order (engines order table cells differently)."""
    return "".join(sorted(ch for ch in text if not ch.isspace()))
