"""What a file says about itself: language, fonts and properties of every kind, in both formats."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from conftest import ALL_KINDS, CONFIG

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STOCK_NAMES = {"仿宋", "楷体", "SimHei", "宋体", "SimSun"}  # what a stock Chinese Windows/WPS has


def _parts(docx: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith((".xml", ".rels"))}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_word_files_are_chinese_and_name_their_fonts(kind, sample_documents, rendered):
    document = sample_documents[kind][0]
    parts = _parts(rendered(document, "docx"))
    languages = {m for xml in parts.values() for m in re.findall(r"<w:(?:lang|themeFontLang) ([^>]*)/>", xml)}
    assert languages and all('w:eastAsia="zh-CN"' in m and 'w:val="zh-CN"' in m for m in languages), languages
    table = parts["word/fontTable.xml"]
    assert "ＭＳ" not in table and "Mincho" not in table
    listed = dict(re.findall(r'<w:font w:name="([^"]+)">(?:<w:altName w:val="([^"]*)"/>)?', table))
    named = set(re.findall(r'w:eastAsia="([^"]+)"', parts["word/styles.xml"]) + re.findall(
        r'w:eastAsia="([^"]+)"', parts["word/document.xml"])) - {"zh-CN"}
    assert named and named <= set(listed), named - set(listed)
    assert all(listed[name] in STOCK_NAMES for name in named), {n: listed[n] for n in named}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_file_properties_give_the_title_and_the_organisation(kind, sample_documents, rendered):
    document = sample_documents[kind][0]
    parts = _parts(rendered(document, "docx"))
    core, app = parts["docProps/core.xml"], parts["docProps/app.xml"]
    title = document.metadata["title"]
    assert title and f"<dc:title>{title}</dc:title>" in core
    assert f"<dc:creator>{CONFIG.organization.name}</dc:creator>" in core
    assert "2024-12-23T00:00:00Z" in core  # the 成文日期, so the file is the same on every run
    for leftover in ("python-docx", "2013-", "Macintosh", "docgen</dc:creator>"):
        assert leftover not in core + app, leftover
    assert "docProps/thumbnail.jpeg" not in zipfile.ZipFile(io.BytesIO(rendered(document, "docx"))).namelist()
    info = PdfReader(io.BytesIO(rendered(document, "pdf"))).metadata
    assert info.title == title and info.author == CONFIG.organization.name and info.subject == document.title


def _pdfa(pdf: bytes) -> dict[str, object]:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    intent = root["/OutputIntents"][0].get_object()
    profile = intent["/DestOutputProfile"].get_object()
    return {
        "part": re.search(r"pdfaid:part(?:>|=\")(\d)", xmp).group(1),
        "conformance": re.search(r"pdfaid:conformance(?:>|=\")(\w)", xmp).group(1),
        "intent": intent["/S"], "icc": profile.get_data()[36:40], "components": profile["/N"],
        "lang": root.get("/Lang"), "xmp": xmp, "encrypted": reader.is_encrypted,
    }


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_pdfs_are_pdf_a_2b_for_the_archive(kind, sample_documents, rendered):
    """PDF/A-2b identification, an sRGB output intent, zh-CN, and the XMP agreeing with the document info."""
    document = sample_documents[kind][0]
    pdf = rendered(document, "pdf")
    found = _pdfa(pdf)
    assert (found["part"], found["conformance"]) == ("2", "B")
    assert found["intent"] == "/GTS_PDFA1" and found["icc"] == b"acsp" and found["components"] == 3
    assert found["lang"] == "zh-CN" and not found["encrypted"]
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info.title in found["xmp"] and info.author in found["xmp"]


def test_the_combined_certificates_stay_pdf_a(sample_documents, rendered):
    from docgen.documents import certificate
    from docgen.render.pdf import join_pdfs

    parts = [rendered(d, "pdf") for d in sample_documents[certificate.KIND][:2]]
    joined = join_pdfs(parts)
    found = _pdfa(joined)
    assert (found["part"], found["conformance"], found["intent"], found["lang"]) == ("2", "B", "/GTS_PDFA1", "zh-CN")
    assert len(PdfReader(io.BytesIO(joined)).pages) == 2
