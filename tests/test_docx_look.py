"""The .docx as LibreOffice draws it looks like the PDF: a chart's bar is one solid block, and a certificate has the
PDF's gold corner ornaments on every page, the 合订本's too.

Pages are rasterised with pdftoppm (poppler) and compared pixel by pixel; LibreOffice stands in for Word and WPS.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from PIL import Image, ImageChops, ImageFilter
from pypdf import PdfReader

from conftest import CONFIG, OPTIONS
from docgen import api
from docgen.documents import KINDS, annual_report, combined_certificates, documents
from libreoffice import available, to_pdf

pytestmark = pytest.mark.skipif(not available() or shutil.which("pdftoppm") is None,
                                reason="LibreOffice (soffice) or poppler (pdftoppm) is not installed: make test-deps")

MM = 25.4
GOLD = (0xC9, 0xA2, 0x27)  # the certificate's frame and corner ornaments (certificate.docx, document.css)


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def raster(pdf: bytes, dpi: int, pages: list[int] | None = None) -> list[Image.Image]:
    """The PDF's pages (1-based numbers; all when None) as RGB images at `dpi`, drawn by poppler."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        wanted = pages or list(range(1, _pages(pdf) + 1))
        images = []
        for number in wanted:
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(number), "-l", str(number), "-singlefile",
                            str(source), str(Path(folder) / f"p{number}")], check=True, capture_output=True)
            with Image.open(Path(folder) / f"p{number}.png") as image:
                images.append(image.convert("RGB"))
        return images


def colour_mask(image: Image.Image, colour: tuple[int, int, int], tolerance: int) -> Image.Image:
    """An L image: 255 where every channel is within `tolerance` of `colour`, 0 elsewhere."""
    channels = [band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
                for band, c in zip(image.split(), colour)]
    return ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2])


def count(mask: Image.Image) -> int:
    return mask.histogram()[255]


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


# ---------------------------------------------------------------------------------------------------------------
# Documents: the samples' and the long-data workbook's, each .docx laid out by LibreOffice in one run
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def looked_at(tmp_path_factory, sample_documents, rendered):
    """name → (document, PDF from WeasyPrint, the .docx as LibreOffice prints it, the .docx bytes): the certificates,
    the 合订本, the 年度汇总报告 and the 进度报告 of the samples and of the long-data workbook."""
    from longdata import long_workbook

    long_intake, report = api.load(long_workbook(tmp_path_factory.mktemp("long")), CONFIG)
    assert long_intake is not None
    long_docs = list(documents(long_intake, ["certificate", "progress"], CONFIG, OPTIONS))
    year = annual_report.year_end([long_intake], CONFIG, OPTIONS)
    long_year = KINDS[annual_report.KIND].document(year, CONFIG, OPTIONS)
    chosen = {}
    for source, docs in (("sample", [*sample_documents["certificate"], *sample_documents["progress"],
                                     *sample_documents[annual_report.KIND]]),
                         ("long", [*long_docs, long_year])):
        for number, document in enumerate(docs):
            chosen[f"{source}-{document.kind}-{number}"] = document
    certificates = [d for d in chosen.values() if d.kind == "certificate"]
    assert len(certificates) >= 4
    chosen["combined"] = combined_certificates([d.context for d in certificates], CONFIG, OPTIONS)
    words = {name: rendered(d, "docx") for name, d in chosen.items()}
    office = to_pdf(words)
    return {name: (d, rendered(d, "pdf"), office[name], words[name]) for name, d in chosen.items()}


def _of_kind(looked_at, kind: str):
    return [(name, *found) for name, found in looked_at.items() if found[0].kind == kind and name != "combined"]


# ---------------------------------------------------------------------------------------------------------------
# Chart bars: one solid block each
# ---------------------------------------------------------------------------------------------------------------

def _charts(context: dict) -> list[dict]:
    return [value for key, value in context.items() if (key == "chart" or key.endswith("_chart")) and value
            and isinstance(value, dict) and value.get("bars")]


def _runs(row: list[int]) -> list[tuple[int, int]]:
    """(first, last) of each run of set pixels in a row."""
    runs, start = [], None
    for x, value in enumerate(row + [0]):
        if value and start is None:
            start = x
        elif not value and start is not None:
            runs.append((start, x - 1))
            start = None
    return runs


def _with_long_runs(mask: Image.Image, length: int) -> Image.Image:
    """The mask's pixels that end a run of at least `length` set pixels in their row."""
    covered, step = 1, 1
    while covered < length:
        shift = min(step, length - covered)
        mask = ImageChops.multiply(mask, ImageChops.offset(mask, shift, 0))
        covered, step = covered + shift, step * 2
    return mask


PIECE_MM = 3.0  # a run of a bar's colour this long is part of a bar (antialiased text makes shorter ones)


def bar_rows(page: Image.Image, colour: tuple[int, int, int], dpi: int) -> list[tuple[int, list[tuple[int, int]]]]:
    """(row, pieces) of each pixel row that holds a bar of `colour`: the runs of that colour at least PIECE_MM long,
    left to right. A solid bar is one piece a row; a seam splits it in two."""
    mask = colour_mask(page, colour, 14)
    long = _with_long_runs(mask, round(PIECE_MM / MM * dpi))
    box = long.getbbox()
    if box is None:
        return []
    found = []
    for y in range(box[1], box[3]):
        if long.crop((0, y, page.width, y + 1)).getbbox() is None:
            continue
        row = list(mask.crop((0, y, page.width, y + 1)).tobytes())
        pieces = [(a, b) for a, b in _runs(row) if b - a + 1 >= PIECE_MM / MM * dpi]
        found.append((y, pieces))
    return found


def _bars(rows: list[tuple[int, list[tuple[int, int]]]], dpi: int) -> list[list[tuple[int, list[tuple[int, int]]]]]:
    """The pixel rows grouped into bars: runs of consecutive rows at least 2 mm tall (a bar is 9 pt)."""
    groups: list[list[tuple[int, list[tuple[int, int]]]]] = []
    for row in rows:
        if groups and row[0] == groups[-1][-1][0] + 1:
            groups[-1].append(row)
        else:
            groups.append([row])
    return [g for g in groups if len(g) >= 2 / MM * dpi]


SEAM_MM = 2.0  # two pieces of a bar's colour closer than this on one row are one bar with a seam between them


@pytest.mark.parametrize("dpi", [96, 200], ids=["at-100-per-cent", "zoomed"])
def test_every_chart_bar_is_one_solid_block_in_the_docx(looked_at, dpi):
    """In the .docx as LibreOffice prints it, every pixel between the first and the last of a bar's colour on a row of
    the bar has that colour: no white seam inside a bar, at screen size and zoomed in."""
    checked = 0
    for kind in ("progress", annual_report.KIND):
        for name, document, _, office, _ in _of_kind(looked_at, kind):
            charts = _charts(document.context.model_dump())
            colours = {bar["colour"] for chart in charts for bar in chart["bars"] if bar["width"] > 0}
            drawn = {colour: 0 for colour in colours}
            for page in raster(office, dpi):
                for colour in colours:
                    for bar in _bars(bar_rows(page, _hex(colour), dpi), dpi):
                        drawn[colour] += 1
                        seams = [f"row {y}: {b[0] - a[1] - 1} pixels at x {a[1] + 1}" for y, pieces in bar
                                 for a, b in zip(pieces, pieces[1:]) if b[0] - a[1] - 1 < SEAM_MM / MM * dpi]
                        assert not seams, f"{name}: a bar of #{colour} has a seam ({dpi} dpi): {seams[:3]}"
            for colour in colours:
                bars = sum(1 for chart in charts for bar in chart["bars"]
                           if bar["colour"] == colour and bar["width"] > 0)
                assert drawn[colour] >= bars, f"{name}: {bars} bars of #{colour} in the chart, {drawn[colour]} drawn"
                checked += drawn[colour]
    assert checked >= 10


def test_a_bar_is_as_long_as_its_share_and_an_empty_one_draws_nothing(looked_at):
    """The bar's length is the PDF's to the per cent (98.3 % is shorter than 100 %), and a bar at 0 % leaves the
    track white: the long-data 进度报告 has tasks never started."""
    dpi = 150
    seen_zero = False
    for name, document, _, office, _ in _of_kind(looked_at, "progress"):
        chart = document.context.model_dump()["chart"]
        if not chart["bars"]:
            continue
        pages = raster(office, dpi)
        drawn = [(colour, min(a for _, pieces in bar for a, _ in pieces[:1]),
                  max(b - a + 1 for _, pieces in bar for a, b in pieces))
                 for colour in {bar["colour"] for bar in chart["bars"]}
                 for page in pages for bar in _bars(bar_rows(page, _hex(colour), dpi), dpi)
                 if len(bar) <= 1.25 * 9 / 72 * dpi]  # a bar is 9 pt tall; the legend's swatches are taller
        lefts = [left for _, left, _ in drawn]
        axis = max(lefts, key=lefts.count)  # every bar starts at the axis; the legend's swatches do not
        track = 156 - 32 - 16  # mm: chart_table's track in the 进度报告
        for colour in {bar["colour"] for bar in chart["bars"]}:
            wanted = sorted(bar["width"] for bar in chart["bars"] if bar["colour"] == colour and bar["width"] > 0)
            lengths = sorted(length for c, left, length in drawn if c == colour and abs(left - axis) <= 3)
            assert len(lengths) == len(wanted), (name, colour, wanted, lengths)
            for width, length in zip(wanted, lengths):
                assert abs(length / dpi * MM - track * width / 100) < 1.2, (name, colour, width, length / dpi * MM)
        seen_zero |= any(bar["width"] == 0 for bar in chart["bars"])
    assert seen_zero, "no 进度报告 with a bar at 0 %"


# ---------------------------------------------------------------------------------------------------------------
# Certificates: the corner ornaments
# ---------------------------------------------------------------------------------------------------------------

CORNER_BOX = (15.5, 40.0)  # mm from the page's edges: inside the gold frame, around the ornament
ORNAMENT_MM2 = 2 * 15 * 1.06  # the area of an ornament: two bars 15 mm long and 3 pt wide


def corner_regions(page: Image.Image, dpi: int) -> dict[str, tuple[int, int, int, int]]:
    near, far = (round(mm / MM * dpi) for mm in CORNER_BOX)
    w, h = page.size
    return {"左上": (near, near, far, far), "右上": (w - far, near, w - near, far),
            "左下": (near, h - far, far, h - near), "右下": (w - far, h - far, w - near, h - near)}


def corners_as_in_the_pdf(pdf_page: Image.Image, office_page: Image.Image, dpi: int) -> dict[str, float]:
    """Corner → the share of the PDF's gold ornament pixels (1 pixel in from the ornament's edges) that are gold
    in the .docx's page too."""
    shares = {}
    for corner, box in corner_regions(pdf_page, dpi).items():
        ornament = colour_mask(pdf_page.crop(box), GOLD, 40).filter(ImageFilter.MinFilter(3))
        assert count(ornament) > ORNAMENT_MM2 / 4 * (dpi / MM) ** 2, f"the PDF has no ornament in the {corner} corner"
        drawn = ImageChops.multiply(ornament, colour_mask(office_page.crop(box), GOLD, 40))
        shares[corner] = count(drawn) / count(ornament)
    return shares


def test_the_docx_certificate_has_the_pdfs_corner_ornaments(looked_at):
    dpi = 150
    certificates = _of_kind(looked_at, "certificate")
    assert len(certificates) >= 4
    for name, _, pdf, office, _ in certificates:
        assert _pages(office) == _pages(pdf) == 1, name
        shares = corners_as_in_the_pdf(raster(pdf, dpi)[0], raster(office, dpi)[0], dpi)
        assert all(share > 0.9 for share in shares.values()), f"{name}: {shares}"


def test_every_page_of_the_combined_docx_keeps_the_ornaments(looked_at):
    dpi = 100
    _, pdf, office, _ = looked_at["combined"]
    certificates = len(_of_kind(looked_at, "certificate"))
    assert _pages(office) == _pages(pdf) == certificates
    for number, (pdf_page, office_page) in enumerate(zip(raster(pdf, dpi), raster(office, dpi)), start=1):
        shares = corners_as_in_the_pdf(pdf_page, office_page, dpi)
        assert all(share > 0.85 for share in shares.values()), f"page {number}: {shares}"


def test_the_ornaments_are_valid_word_drawings(looked_at):
    """What Word needs of them: shapes behind the text, anchored to the page, in markup compatibility with a VML
    fallback, every drawing's id unique in the document; python-docx opens the file."""
    _, _, _, data = looked_at["combined"]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert len(docx.Document(io.BytesIO(data)).paragraphs) >= 1
    body = etree.fromstring(xml.encode("utf-8"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
          "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
          "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
    anchors = body.xpath(".//mc:AlternateContent/mc:Choice[@Requires='wps']/w:drawing/wp:anchor", namespaces=ns)
    certificates = len(_of_kind(looked_at, "certificate"))
    assert len(anchors) == 4 * certificates
    assert all(a.get("behindDoc") == "1" for a in anchors)
    assert {a.find("wp:positionH", ns).get("relativeFrom") for a in anchors} == {"page"}
    order = [child.tag.split("}")[1] for child in anchors[0]]
    assert order == ["simplePos", "positionH", "positionV", "extent", "effectExtent", "wrapNone", "docPr",
                     "cNvGraphicFramePr", "graphic"]
    assert len(body.xpath(".//mc:AlternateContent/mc:Fallback/w:pict", namespaces=ns)) == 4 * certificates
    ids = [d.get("id") for d in body.xpath(".//wp:docPr", namespaces=ns)]
    assert len(ids) == len(set(ids)) and all(i.isdigit() for i in ids)
    assert "{{" not in xml and "{%" not in xml
