"""Where things land on a printed page, measured on the page drawn by PDFium (millimetres from the top left)."""
from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4  # points per millimetre
TEXT_BLOCK_BOTTOM = 297 - 35  # GB/T 9704: 37 mm top margin + 225 mm text block


@dataclass
class Ink:
    rows: list[int]  # dark pixels per row
    columns: list[int]
    dpi: int

    def mm(self, pixel: int) -> float:
        return pixel / self.dpi * 25.4


def page_ink(pdf: bytes, page: int, dpi: int = 200, box: tuple[float, float, float, float] | None = None) -> Ink:
    """Dark pixels per row and column of one page (0-based), within box = (left, top, right, bottom) in mm."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    width, height = image.size
    left, top, right, bottom = box or (0, 0, width / dpi * 25.4, height / dpi * 25.4)
    to_px = lambda mm: int(round(mm / 25.4 * dpi))  # noqa: E731
    pixels = image.load()
    x0, y0, x1, y1 = to_px(left), to_px(top), min(to_px(right), width), min(to_px(bottom), height)
    rows = [0] * height
    columns = [0] * width
    for y in range(y0, y1):
        for x in range(x0, x1):
            if pixels[x, y] < 128:
                rows[y] += 1
                columns[x] += 1
    return Ink(rows, columns, dpi)


def dash_line_below_text_block(pdf: bytes, page: int = 0) -> float:
    """How far (mm) the page number's dash stroke lies below the text block: the row in the footer with most ink."""
    ink = page_ink(pdf, page, box=(0, TEXT_BLOCK_BOTTOM + 0.5, 210, 297))
    darkest = max(range(len(ink.rows)), key=ink.rows.__getitem__)
    assert ink.rows[darkest] > 0, "no page number found below the text block"
    return ink.mm(darkest) - TEXT_BLOCK_BOTTOM
