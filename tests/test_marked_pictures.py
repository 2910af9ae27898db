"""The marked copy (<name>.校验.xlsx) of a workbook with pictures pasted into its sheets: every picture carried
over byte for byte (never decoded, never turned into PNG), one over the pixel limit made in bounded memory (its
own process, peak resident memory VmHWM), a picture that cannot be carried over left out with a note, and the
web's copy answered, never a server error."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

import libreoffice
from builder import full_book
from conftest import CONFIG
from docgen import api
from photos import emf_drawing
from test_photos import android_jpeg, paste
from test_web_photos import bomb, child_env
from webaccounts import check_id, client, csrf

HEADERS = ["项目编号*", "照片*", "说明*", "拍摄日期"]
RESULT = "校验结果"
MARKED_MB = 400  # the marked copy's process at its peak, with a 13000² picture pasted in


def picture(fmt: str, size: tuple[int, int] = (300, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


def pasted_book(folder: Path, pictures: dict[str, tuple[bytes, str]], name: str = "城关.xlsx") -> Path:
    """A workbook whose 活动照片 rows 2, 3 … have their 照片 cells empty and the pictures pasted at B2, B3 …; the
    last row's 说明 is missing, so the copy has a mark besides the pictures."""
    rows = [["DJ-2024-001", None, f"活动{n}", None] for n in range(len(pictures))]
    rows[-1][2] = None
    path = full_book().sheet("活动照片", HEADERS, rows).save(folder / name)
    paste(path, pictures)
    return path


def media(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/media/")}


def opened(copy: bytes) -> Any:
    """The copy as openpyxl loads it (which opens each picture with Pillow, here without Pillow's limit of pixels as
    in Excel, and drops a WMF or EMF, warning)."""
    limit = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="wmf image format is not supported")
            return load_workbook(io.BytesIO(copy))
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def marked(path: Path, folder: Path) -> bytes:
    _, report = api.load(path, CONFIG)
    return api.annotate(report, folder).read_bytes()


KINDS = {"bmp": "BMP", "webp": "WEBP", "tiff": "TIFF"}


def test_pasted_pictures_are_carried_into_the_marked_copy_byte_for_byte(tmp_path):
    pictures = {f"B{n}": (picture(fmt), kind) for n, (kind, fmt) in enumerate(KINDS.items(), start=2)}
    android_jpeg(tmp_path / "多图.jpg")  # a JPEG with a gain map after it: Pillow's MPO
    pictures["B5"] = ((tmp_path / "多图.jpg").read_bytes(), "jpg")
    pictures["B6"] = (emf_drawing(), "emf")
    path = pasted_book(tmp_path, pictures)
    copy = marked(path, tmp_path / "out")

    carried = media(copy)
    assert sorted(carried.values()) == sorted(data for data, _ in pictures.values())  # not one turned into PNG
    assert sorted(name.rsplit(".", 1)[1] for name in carried) == sorted(kind for _, kind in pictures.values())
    book = opened(copy)
    sheet = book["活动照片"]
    assert sorted(image.anchor._from.row + 1 for image in sheet._images) == [2, 3, 4, 5]  # all but the EMF
    assert sheet["C6"].comment is not None and sheet["B6"].comment is None  # the one mark: 说明 is missing


@pytest.mark.skipif(not libreoffice.calc_available(), reason="LibreOffice Calc is not installed")
def test_libreoffice_opens_the_marked_copy_with_its_pasted_pictures(tmp_path):
    pictures = {"B2": (picture("BMP"), "bmp"), "B3": (picture("WEBP", (400, 300)), "webp")}
    path = pasted_book(tmp_path, pictures)
    copy = tmp_path / "副本.xlsx"
    copy.write_bytes(marked(path, tmp_path / "out"))
    saved = libreoffice.resave_xlsx([copy], tmp_path / "saved")[copy]
    with zipfile.ZipFile(saved) as archive:
        shown = [Image.open(io.BytesIO(archive.read(n))).size for n in archive.namelist() if n.startswith("xl/media/")]
    assert sorted(shown) == [(300, 200), (400, 300)]


MARK = r"""
import json, re, sys
from pathlib import Path
from docgen import api
from docgen.config import Config

_, report = api.load(Path(sys.argv[1]), Config())
made = api.annotate(report, Path(sys.argv[2]))
peak = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())[1]) // 1024
print(json.dumps({"made": str(made), "peak_mb": peak}))
"""


def test_a_pasted_picture_of_too_many_pixels_is_carried_over_undecoded_in_bounded_memory(tmp_path):
    huge = bomb()
    path = pasted_book(tmp_path, {"B2": (huge, "png"), "B3": (picture("WEBP"), "webp")})
    done = subprocess.run([sys.executable, "-c", MARK, str(path), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=300, env=child_env())
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"peak {seen['peak_mb']} MB")
    assert seen["peak_mb"] < MARKED_MB, seen["peak_mb"]
    copy = Path(seen["made"]).read_bytes()
    assert sorted(media(copy).values()) == sorted([huge, picture("WEBP")])
    book = opened(copy)
    assert "超过 5000 万像素的上限" in book["活动照片"]["B2"].comment.text
    listed = [(row[2].value, row[4].value) for row in book[RESULT].iter_rows(min_row=4)]
    assert any(place.startswith("活动照片!B2") and "超过 5000 万像素的上限" in text for place, text in listed), listed


@pytest.mark.parametrize("broken", ["missing", "undeclared"])
def test_a_picture_that_cannot_be_carried_is_left_out_with_a_note(tmp_path, broken):
    """The BMP's part taken out of the workbook, or its kind (bmp) no longer declared in [Content_Types].xml."""
    path = pasted_book(tmp_path, {"B2": (picture("PNG"), "png"), "B3": (picture("BMP"), "bmp")})
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            if info.filename == "[Content_Types].xml" and broken == "undeclared":
                data = re.sub(rb'<Default Extension="bmp"[^>]*/>', b"", data)
            if info.filename != "xl/media/image2.bmp" or broken == "undeclared":
                archive.writestr(info, data)
    copy = marked(path, tmp_path / "out")
    assert list(media(copy).values()) == [picture("PNG")]
    book = opened(copy)
    assert [image.anchor._from.row + 1 for image in book["活动照片"]._images] == [2]
    notes = [row[0].value for row in book[RESULT].iter_rows(min_row=4) if str(row[0].value).startswith("注：")]
    why = {"missing": "原文件中缺少这张图片的数据", "undeclared": "原文件没有注明这张图片的格式"}[broken]
    assert notes == [f"注：活动照片!B3 粘贴的图片未带入本副本（{why}）；如这张图片要用，请在本副本中重新粘贴。"], notes


def test_the_web_answers_the_marked_copy_of_a_workbook_with_pasted_pictures(site):
    """14000²: beyond twice Pillow's MAX_IMAGE_PIXELS, which Pillow refuses to open (DecompressionBombError)."""
    app, _, tmp_path = site
    pictures = {"B2": (bomb(14000), "png"), "B3": (picture("TIFF"), "tiff"), "B4": (picture("BMP"), "bmp")}
    data = pasted_book(tmp_path, pictures).read_bytes()
    branch = client(app, "chengguan")
    made = check_id(branch.post("/checks", data={"csrf": csrf(branch, "/branch")},
                                files=[("workbook", ("城关.xlsx", data))]))
    for link in (f"/checks/{made}/annotated", f"/api/checks/{made}/annotated"):
        response = branch.get(link)
        assert response.status_code == 200, response.text[:500]
        assert sorted(media(response.content).values()) == sorted(data for data, _ in pictures.values())
        assert "超过 5000 万像素的上限" in opened(response.content)["活动照片"]["B2"].comment.text
