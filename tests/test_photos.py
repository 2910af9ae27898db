"""活动照片: the sheet's files checked at their cells, each photo made upright and print-sized once, and
shown two to a row with its caption in the 结题报告 and the 进度报告, in Word and in PDF."""
from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from builder import full_book
from conftest import CONFIG
from docgen import api
from docgen.pipeline.photos import LONGEST, ready
from photos import (QUADRANTS, corners, display_p3_profile, emf_drawing, heif_boxes, heif_orientation, near,
                    phone_photo, quadrants, save_heif, wmf_drawing)

HEADERS = ["项目编号*", "照片*", "说明*", "拍摄日期"]
CAPTIONS = ["“连心桥”服务队开班仪式", "上门走访独居老人", "带电作业技能比武", "党员先锋岗挂牌", "为民服务集中日",
            "年终总结表彰会"]


def book_with_photos(folder: Path, rows: list[list], name: str = "城关.xlsx") -> Path:
    return full_book().sheet("活动照片", HEADERS, rows).save(folder / name)


def six_photos(folder: Path, size: tuple[int, int] = (2400, 1800)) -> list[list]:
    """Six phone photos beside the workbook (the second stored sideways) and their rows, one a month."""
    rows = []
    for n, caption in enumerate(CAPTIONS):
        phone_photo(folder / f"照片{n + 1}.jpg", size, seed=n, orientation=6 if n == 1 else None)
        rows.append(["DJ-2024-001", f"照片{n + 1}.jpg", caption, dt.date(2024, 3 + n, 10)])
    return rows


def issues_of(path: Path) -> list[tuple[str, str, str]]:
    _, report = api.load(path, CONFIG)
    return [(i.code, i.location.cell, i.message) for i in report.issues]


def test_each_photo_file_is_checked_at_its_cell(tmp_path):
    phone_photo(tmp_path / "开班.jpg", (800, 600))
    (tmp_path / "照片").mkdir()
    Image.new("RGB", (300, 200)).save(tmp_path / "照片" / "走访.png")
    (tmp_path / "坏.jpg").write_bytes(b"not a picture")
    (tmp_path / "手机.jpg").write_bytes(b"\0\0\0\x18ftypheic" + b"\0" * 64)  # a HEIC cut off after its first box
    Image.new("RGB", (30, 20)).save(tmp_path / "图.gif", save_all=True,
                                    append_images=[Image.new("RGB", (30, 20), "red")])  # an animation
    rows = [["DJ-2024-001", "开班.jpg", "开班仪式", None], ["DJ-2024-001", "照片\\走访.png", "走访", None],
            ["DJ-2024-001", "../别处.jpg", "x", None], ["DJ-2024-001", "缺.jpg", "x", None],
            ["DJ-2024-001", "坏.jpg", "x", None], ["DJ-2024-001", "开班.JPG", "x", None],
            ["DJ-2024-001", "手机.jpg", "x", None], ["DJ-2024-001", "图.gif", "x", None],
            ["DJ-2024-009", "开班.jpg", None, None]]
    found = issues_of(book_with_photos(tmp_path, rows))
    codes = {(code, cell) for code, cell, _ in found}
    assert codes == {("photo_outside", "B4"), ("photo_missing", "B5"), ("photo_unreadable", "B6"),
                     ("photo_missing", "B7"), ("photo_unreadable", "B8"), ("photo_frames", "B9"),
                     ("unknown_project", "A10"), ("required", "C10")}, found
    messages = dict(((code, cell), message) for code, cell, message in found)
    assert "文件夹中有“开班.jpg”，大小写不同" in messages[("photo_missing", "B7")]
    assert "含 2 幅画面的 GIF 图像" in messages[("photo_frames", "B9")]


def test_a_project_has_at_most_twelve_photos_and_each_at_most_twenty_mb(tmp_path, monkeypatch):
    phone_photo(tmp_path / "a.jpg", (400, 300))
    rows = [["DJ-2024-001", "a.jpg", f"第{n}张", None] for n in range(1, 14)]
    found = issues_of(book_with_photos(tmp_path, rows))
    assert [(code, cell) for code, cell, _ in found] == [("photos_too_many", "A14")]
    from docgen.validate import rules
    monkeypatch.setattr(rules, "PHOTO_MB", 0.001)
    found = issues_of(book_with_photos(tmp_path, rows[:1], "b.xlsx"))
    assert found[0][:2] == ("photo_too_large", "B2") and "超过 0.001 MB 的上限" in found[0][2]


def test_a_photo_is_made_upright_and_print_sized_once(tmp_path):
    sideways = phone_photo(tmp_path / "侧.jpg", (3000, 2000), orientation=6)
    copy = ready(sideways, tmp_path / "out")
    with Image.open(copy) as image:
        assert image.format == "JPEG" and image.size == (LONGEST * 2 // 3, LONGEST)  # turned, longest side cut
        assert image.getexif().get(0x0112) in (None, 1)
    assert ready(sideways, tmp_path / "out") == copy and len(list((tmp_path / "out").iterdir())) == 1
    small = phone_photo(tmp_path / "小.png", (640, 480), fmt="PNG")
    with Image.open(ready(small, tmp_path / "out")) as image:
        assert image.size == (640, 480)  # never enlarged


# how a picture stored sideways (orientation 6: the camera was turned right) is shown: each quarter moves a turn on
UPRIGHT = {"top left": QUADRANTS["bottom left"], "top right": QUADRANTS["top left"],
           "bottom left": QUADRANTS["bottom right"], "bottom right": QUADRANTS["top right"]}


def upright_as_taken(image: Image.Image) -> bool:
    return all(near(colour, UPRIGHT[name]) for name, colour in corners(image).items())


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_a_photo_stored_sideways_is_turned_upright_once_whether_jpeg_or_heic(tmp_path, fmt):
    stored = quadrants(tmp_path / f"竖拍.{fmt.lower()}", (2400, 1800), orientation=6, fmt=fmt)
    if fmt == "HEIF":  # as an iPhone stores it: the pixels lying, the turn in an irot box, the EXIF note beside it
        boxes = heif_boxes(stored)
        assert struct.unpack(">II", boxes["ispe"][4:12]) == (2400, 1800)
        assert boxes["irot"] == b"\x03"  # turn 270° anticlockwise
        assert heif_orientation(stored) == 6
    copy = ready(stored, tmp_path / "out")
    with Image.open(copy) as image:
        assert image.format == "JPEG" and image.size == (1350, LONGEST)
        assert upright_as_taken(image), corners(image)


def test_iphone_photos_pass_the_check_and_are_printed_upright_as_jpeg_in_both_formats(tmp_path):
    quadrants(tmp_path / "IMG_0001.HEIC", (2400, 1800), orientation=6, fmt="HEIF")  # taken upright, stored lying
    phone_photo(tmp_path / "IMG_0002.heif", (2400, 1800), seed=1, fmt="HEIF")
    phone_photo(tmp_path / "IMG_0003.jpg", (2700, 1800), seed=2, orientation=6, fmt="HEIF")  # a HEIC renamed .jpg
    rows = [["DJ-2024-001", name, caption, dt.date(2024, 3 + n, 10)]
            for n, (name, caption) in enumerate([("IMG_0001.HEIC", "开班仪式"), ("IMG_0002.heif", "上门走访"),
                                                 ("IMG_0003.jpg", "技能比武")])]
    path = book_with_photos(tmp_path, rows)
    assert issues_of(path) == []
    run = api.render([path], tmp_path / "out", ["closing_report"], ["docx", "pdf"], CONFIG,
                     api.Options(date=dt.date(2024, 12, 31)))
    outcome = run.outcomes[0]
    assert outcome.failures == [] and outcome.errors == 0
    files = {d.format: tmp_path / "out" / d.path for d in outcome.documents}
    sizes = [(1350, 1800), (1800, 1350), (1200, 1800)]  # each upright, its longest side 1800
    pdf = PdfReader(files["pdf"])
    shown = list({image.data: image.image for page in pdf.pages for image in page.images}.values())
    assert sorted(image.size for image in shown) == sorted(sizes)
    assert upright_as_taken(next(image for image in shown if image.size == (1350, 1800)))
    with zipfile.ZipFile(files["docx"]) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert "heic" not in archive.read("[Content_Types].xml").decode().lower()
        pictures = [Image.open(io.BytesIO(archive.read(name))) for name in media]
        assert sorted(p.size for p in pictures) == sorted(sizes) and {p.format for p in pictures} == {"JPEG"}
        assert all(name.endswith(".jpeg") for name in media)


RED, WHITE = (220, 30, 30), (255, 255, 255)
P3_ORANGE, SRGB_ORANGE = (200, 100, 50), (216, 93, 24)  # the same colour in Display P3 and in sRGB


def framed(mode: str, background, middle) -> Image.Image:
    """A 300 × 200 picture in `mode`: `middle` in its middle third, `background` around it."""
    picture = Image.new(mode, (300, 200), background)
    picture.paste(Image.new(mode, (100, 67), middle), (100, 66))  # (Pillow pastes a bare colour into I;16 wrongly)
    return picture


def transparent_gif(path: Path) -> None:
    picture = framed("P", 0, 1)
    picture.putpalette([0, 0, 0, *RED])
    picture.save(path, transparency=0)


def android_jpeg(path: Path) -> None:  # a JPEG with a second picture after the photo (a gain map): Pillow's MPO
    framed("RGB", WHITE, RED).save(path, "MPO", save_all=True, append_images=[Image.new("RGB", (150, 100), "blue")])


# picture kinds docgen prints: how each is made, and the colour of its middle and of its corner once printed
PRINTED = {
    "透明背景.gif": (transparent_gif, RED, WHITE),
    "透明背景.png": (lambda p: framed("RGBA", (0, 0, 0, 0), (*RED, 255)).save(p), RED, WHITE),
    "网页.webp": (lambda p: framed("RGBA", (0, 0, 0, 0), (*RED, 255)).save(p, lossless=True), RED, WHITE),
    "新格式.avif": (lambda p: framed("RGB", WHITE, RED).save(p, quality=95), RED, WHITE),
    "苹果.heic": (lambda p: save_heif(framed("RGB", WHITE, RED), p), RED, WHITE),
    "安卓.jpg": (android_jpeg, RED, WHITE),
    "印刷.tif": (lambda p: framed("CMYK", (0, 0, 0, 0), (0, 255, 255, 0)).save(p), (255, 0, 0), WHITE),
    "扫描16位灰度.png": (lambda p: framed("I;16", 65535, 20000).save(p), (77, 77, 77), WHITE),
    "黑白.bmp": (lambda p: framed("1", 1, 0).save(p), (0, 0, 0), WHITE),
    "灰度.jpg": (lambda p: framed("L", 255, 90).save(p, quality=95), (90, 90, 90), WHITE),
    # an iPhone's colours are Display P3: the orange it took is, in the sRGB the documents assume, a deeper one
    "苹果P3.jpg": (lambda p: framed("RGB", WHITE, P3_ORANGE).save(p, quality=95, icc_profile=display_p3_profile()),
                 SRGB_ORANGE, WHITE),
    "苹果P3.heic": (lambda p: save_heif(framed("RGB", WHITE, P3_ORANGE), p, icc_profile=display_p3_profile()),
                  SRGB_ORANGE, WHITE),
}


@pytest.mark.parametrize("name", list(PRINTED))
def test_each_kind_of_picture_is_printed_as_it_looks(tmp_path, name):
    make, middle, corner = PRINTED[name]
    make(tmp_path / name)
    with Image.open(ready(tmp_path / name, tmp_path / "out")) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (300, 200)
        assert near(image.getpixel((150, 100)), middle) and near(image.getpixel((5, 5)), corner), \
            (image.getpixel((150, 100)), image.getpixel((5, 5)))


def test_pictures_beside_the_workbook_are_taken_by_what_they_are_or_refused_at_their_cells(tmp_path):
    for name, (make, _, _) in PRINTED.items():
        make(tmp_path / name)
    (tmp_path / "图形.emf").write_bytes(emf_drawing())
    (tmp_path / "图形.wmf").write_bytes(wmf_drawing())
    (tmp_path / "图形.svg").write_text('<?xml version="1.0"?>\n'
                                      '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    Image.new("F", (30, 20), 0.5).save(tmp_path / "测量.tif")
    Image.new("RGB", (32, 32), "red").save(tmp_path / "图标.ico")
    taken = [["DJ-2024-001", name, f"第{n}张", None] for n, name in enumerate(PRINTED, start=1)]
    assert issues_of(book_with_photos(tmp_path, taken)) == []
    refused = ["图形.emf", "图形.wmf", "图形.svg", "测量.tif", "图标.ico"]
    rows = [["DJ-2024-001", name, f"第{n}张", None] for n, name in enumerate(refused, start=1)]
    found = issues_of(book_with_photos(tmp_path, rows, "不可用.xlsx"))
    assert [(code, cell) for code, cell, _ in found] == [("photo_vector", "B2"), ("photo_vector", "B3"),
                                                         ("photo_vector", "B4"), ("photo_format", "B5"),
                                                         ("photo_format", "B6")], found
    messages = [message for _, _, message in found]
    assert "“图形.emf”是 EMF 矢量图形" in messages[0] and "WMF 矢量图形" in messages[1] and "SVG 矢量图形" in messages[2]
    assert "TIFF（F 色彩模式）" in messages[3] and "是 ICO 格式" in messages[4] and "HEIC" in messages[4]


def test_a_photo_is_refused_by_the_pixels_its_header_declares(tmp_path):
    Image.linear_gradient("L").resize((8000, 6000)).convert("RGB").save(tmp_path / "4800万.jpg", quality=80)
    Image.new("L", (8000, 7000)).save(tmp_path / "5600万.png")  # beyond docgen's limit, within Pillow's
    Image.new("P", (13000, 13000)).save(tmp_path / "炸弹.png")  # 20 KB; beyond Pillow's, which only warns
    rows = [["DJ-2024-001", name, name, None] for name in ("4800万.jpg", "5600万.png", "炸弹.png")]
    found = issues_of(book_with_photos(tmp_path, rows))
    assert [(code, cell) for code, cell, _ in found] == [("photo_too_many_pixels", "B3"),
                                                         ("photo_too_many_pixels", "B4")], found
    assert "（8000 × 7000，约 5600 万像素），超过 5000 万像素的上限" in found[0][2]
    assert "超过 5000 万像素的上限" in found[1][2]  # the tests raise Pillow's warning: its size is not known


CONTENT_TYPES = {"emf": "image/x-emf", "wmf": "image/x-wmf"}  # as Excel names them; others are image/<extension>


def paste(path: Path, pictures: dict[str, tuple[bytes, str]]) -> None:
    """Paste pictures into 活动照片 at the cells given (cell → content and its file extension) as Excel keeps them:
    xl/media/imageN.<extension>, the drawing's relationship pointing at it, the extension's content type."""
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image as SheetImage

    book = load_workbook(path)
    for cell in pictures:
        placeholder = io.BytesIO()
        Image.new("RGB", (8, 8)).save(placeholder, "PNG")
        book["活动照片"].add_image(SheetImage(placeholder), cell)
    book.save(path)
    media = {f"xl/media/image{n}.png": (data, f"xl/media/image{n}.{extension}")
             for n, (data, extension) in enumerate(pictures.values(), start=1)}
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name in media:
                data, name = media[name]
            elif name.startswith("xl/drawings/_rels/"):
                text = data.decode()
                for old, (_, new) in media.items():
                    text = text.replace(f'"/{old}"', f'"/{new}"')
                data = text.encode()
            elif name == "[Content_Types].xml":
                kinds = "".join(f'<Default Extension="{kind}" ContentType="{CONTENT_TYPES.get(kind, "image/" + kind)}"/>'
                                for kind in {new.rsplit(".", 1)[1] for _, new in media.values()})
                data = data.decode().replace("<Default ", kinds + "<Default ", 1).encode()
            archive.writestr(name, data)


def test_pictures_of_other_kinds_pasted_into_the_rows_are_printed_or_refused_at_their_rows(tmp_path):
    heic = quadrants(tmp_path / "p.heic", (900, 600), orientation=6, fmt="HEIF").read_bytes()
    gif, webp = io.BytesIO(), io.BytesIO()
    framed("P", 0, 1).save(gif, "GIF")
    framed("RGB", WHITE, RED).save(webp, "WEBP")
    captions = ["开班仪式", "上门走访", "流程图", "旧图形", "技能比武"]
    pasted = {"B2": (gif.getvalue(), "gif"), "B3": (heic, "heic"), "B4": (emf_drawing(), "emf"),
              "B5": (wmf_drawing(), "wmf"), "B6": (webp.getvalue(), "webp")}
    path = book_with_photos(tmp_path, [["DJ-2024-001", None, caption, None] for caption in captions])
    paste(path, pasted)
    found = issues_of(path)
    assert [(code, cell) for code, cell, _ in found] == [("photo_vector", "B4"), ("photo_vector", "B5")], found
    assert "照片“粘贴在这一行的图片”是 EMF 矢量图形" in found[0][2] and "WMF 矢量图形" in found[1][2]

    kept = [0, 1, 4]  # the same workbook without the drawings is printed
    path = book_with_photos(tmp_path, [["DJ-2024-001", None, captions[n], None] for n in kept], "只有照片.xlsx")
    paste(path, {f"B{row}": pasted[f"B{n + 2}"] for row, n in enumerate(kept, start=2)})
    run = api.render([path], tmp_path / "out", ["closing_report"], ["docx", "pdf"], CONFIG,
                     api.Options(date=dt.date(2024, 12, 31)))
    outcome = run.outcomes[0]
    assert outcome.failures == [] and outcome.errors == 0
    files = {d.format: tmp_path / "out" / d.path for d in outcome.documents}
    shown = list({image.data: image.image for page in PdfReader(files["pdf"]).pages for image in page.images}.values())
    assert sorted(image.size for image in shown) == [(300, 200), (300, 200), (600, 900)]
    assert upright_as_taken(next(image for image in shown if image.size == (600, 900)))
    with zipfile.ZipFile(files["docx"]) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 3 and {Image.open(io.BytesIO(archive.read(n))).format for n in media} == {"JPEG"}


def test_the_closing_report_shows_six_photos_two_to_a_row_in_both_formats(tmp_path):
    path = book_with_photos(tmp_path, six_photos(tmp_path))
    run = api.render([path], tmp_path / "out", ["closing_report", "progress"], ["docx", "pdf"], CONFIG,
                     api.Options(date=dt.date(2024, 12, 31)))
    outcome = run.outcomes[0]
    assert outcome.failures == [] and outcome.errors == 0
    files = {Path(d.path).name: tmp_path / "out" / d.path for d in outcome.documents}
    pdf = PdfReader(files["DJ-2024-001_结题报告.pdf"])
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "五、活动照片" in text and all(caption in text for caption in CAPTIONS)
    images = list({image.data: image for page in pdf.pages for image in page.images}.values())  # pages share them
    assert len(images) == 6
    portrait = sorted((image.image.width, image.image.height) for image in images)[0]
    assert portrait[0] < portrait[1]  # the sideways photo stands upright
    with zipfile.ZipFile(files["DJ-2024-001_结题报告.docx"]) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        document = archive.read("word/document.xml").decode("utf-8")
        assert len(media) == 6 and document.count("<w:drawing>") == 6
        assert all(caption.replace("“", "").replace("”", "") in re.sub(r"<[^>]+>|“|”|\u2060", "", document)
                   for caption in CAPTIONS)
        relations = archive.read("word/_rels/document.xml.rels").decode("utf-8")
        assert relations.count("relationships/image") == 6 and "image/jpeg" in archive.read("[Content_Types].xml").decode()
        with Image.open(io.BytesIO(archive.read(media[1]))) as second:
            assert second.width < second.height
    from docx import Document as WordDocument
    WordDocument(str(files["DJ-2024-001_结题报告.docx"]))  # python-docx opens what Word will open
    progress = PdfReader(files["DJ-2024-001_进度报告_2024年第2季度.pdf"])
    shown = {image.data for page in progress.pages for image in page.images}
    assert len(shown) == 4  # the photos taken by the period's statistics date (2024-06-30)
    for name in ("DJ-2024-001_结题报告.pdf", "DJ-2024-001_结题报告.docx"):
        assert files[name].stat().st_size < 1.5 * 1024 * 1024, name


def test_a_photo_gone_after_the_check_fails_that_document_only(tmp_path, monkeypatch):
    path = book_with_photos(tmp_path, six_photos(tmp_path, (600, 400)))
    from docgen.pipeline import workbook

    real = workbook.with_ready_photos

    def vanished(context, folder):
        for photo in tmp_path.glob("照片*.jpg"):
            photo.unlink()
        return real(context, folder)
    monkeypatch.setattr(workbook, "with_ready_photos", vanished)
    run = api.render([path], tmp_path / "out", ["closing_report", "proposal"], ["pdf"], CONFIG, api.Options())
    outcome = run.outcomes[0]
    assert [f.document for f in outcome.failures] == ["城关供电服务中心党支部/DJ-2024-001_结题报告.pdf"]
    assert "活动照片无法读取" in outcome.failures[0].message
    assert any(d.kind == "proposal" for d in outcome.documents)


@pytest.mark.parametrize("kind", ["closing_report", "progress"])
def test_without_photos_the_documents_have_no_photo_section(tmp_path, kind):
    run = api.render([full_book().save(tmp_path / "a.xlsx")], tmp_path / "out", [kind], ["docx", "pdf"], CONFIG,
                     api.Options(date=dt.date(2024, 12, 31)))
    for document in run.outcomes[0].documents:
        data = (tmp_path / "out" / document.path).read_bytes()
        text = (PdfReader(io.BytesIO(data)).pages[-1].extract_text() if document.format == "pdf"
                else zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode())
        assert "活动照片" not in text and "<w:drawing>" not in text


def test_pictures_pasted_into_the_rows_are_the_photos_of_those_rows(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image as SheetImage

    rows = [["DJ-2024-001", None, "开班仪式", dt.date(2024, 3, 10)],
            ["DJ-2024-001", None, "上门走访", dt.date(2024, 4, 10)]]
    path = book_with_photos(tmp_path, rows)
    book = load_workbook(path)
    for n, anchor in enumerate(("B2", "B3", "B9")):
        picture = phone_photo(tmp_path / f"贴{n}.png", (900, 600), seed=n, fmt="PNG")
        book["活动照片"].add_image(SheetImage(str(picture)), anchor)
    book.save(path)
    for picture in tmp_path.glob("贴*.png"):
        picture.unlink()  # only the workbook is sent
    found = issues_of(path)
    assert [(code, cell) for code, cell, _ in found] == [("photo_row_empty", None)], found
    _, report = api.load(path, CONFIG)
    assert report.issues[0].location.row == 9 and "不会用到" in report.issues[0].message
    run = api.render([path], tmp_path / "out", ["closing_report"], ["docx", "pdf"], CONFIG,
                     api.Options(date=dt.date(2024, 12, 31)))
    files = {d.format: tmp_path / "out" / d.path for d in run.outcomes[0].documents}
    pdf = PdfReader(files["pdf"])
    assert len({image.data for page in pdf.pages for image in page.images}) == 2
    assert "开班仪式" in "".join(page.extract_text() for page in pdf.pages)
    with zipfile.ZipFile(files["docx"]) as archive:
        assert len([n for n in archive.namelist() if n.startswith("word/media/")]) == 2


def test_a_broken_pasted_picture_is_pointed_out_at_its_row(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image as SheetImage

    path = book_with_photos(tmp_path, [["DJ-2024-001", None, "开班仪式", None]])
    book = load_workbook(path)
    book["活动照片"].add_image(SheetImage(str(phone_photo(tmp_path / "p.png", (300, 200), fmt="PNG"))), "B2")
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            archive.writestr(info, b"broken" if info.filename.startswith("xl/media/") else data)
    found = issues_of(path)
    assert [(code, cell) for code, cell, _ in found] == [("photo_unreadable", "B2")]
    assert "粘贴在这一行的图片" in found[0][2]


# --- the web page -------------------------------------------------------------------------------

def test_a_branch_sends_its_photos_with_the_workbook_and_they_reach_the_documents(site):
    from webaccounts import check_id, client, csrf

    app, store, tmp_path = site
    rows = six_photos(tmp_path, (900, 600))[:2]
    phone_photo(tmp_path / "照片2.HEIC", (900, 600), seed=1, orientation=6, fmt="HEIF")  # from an iPhone
    rows[1][1] = "照片2.HEIC"
    data = full_book().sheet("活动照片", HEADERS, [[*rows[0][:1], "照片/照片1.jpg", *rows[0][2:]], rows[1]]).save(
        tmp_path / "城关.xlsx").read_bytes()
    branch = client(app, "chengguan")

    def send(workbook: bytes, photos: list[tuple[str, bytes]]):
        files = [("workbook", ("城关.xlsx", workbook)), *[("photos", photo) for photo in photos]]
        return branch.post("/checks", data={"csrf": csrf(branch, "/branch")}, files=files)
    photos = [(name, (tmp_path / name).read_bytes()) for name in ("照片1.jpg", "照片2.HEIC")]
    refused = send(data, [*photos, ("说明.txt", b"x")])
    assert refused.status_code == 400 and "“说明.txt”不是照片文件" in refused.text
    page = branch.get(f"/checks/{check_id(send(data, photos))}").text
    assert "申报表旁边有“照片1.jpg”：照片一栏只写文件名即可" in page  # the sheet named a folder the web has not
    fixed = full_book().sheet("活动照片", HEADERS, rows).save(tmp_path / "城关.xlsx").read_bytes()
    made = check_id(send(fixed, photos))
    assert "没有错误" in branch.get(f"/checks/{made}").text
    stored = store.uploads / store.check(made)["stored"]
    assert sorted(p.name for p in stored.parent.iterdir()) == sorted([stored.name, "照片1.jpg", "照片2.HEIC"])
    branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}")})
    store.review(store.submissions()[0]["id"], "approved")
    link = re.search(r'href="(/branch/preview/[^"]+结题报告\.pdf)"', branch.get("/branch/preview").text)[1]
    pdf = PdfReader(io.BytesIO(branch.get(link).content))
    shown = {image.data: image.image.size for page in pdf.pages for image in page.images}
    assert sorted(shown.values()) == [(600, 900), (900, 600)]  # the iPhone's photo upright
    admin = client(app, "admin")
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": "closing_report",
                                               "format": "docx", "date": "2024-12-31"})
    job = int(response.headers["location"].rsplit("/", 1)[1])
    app.state.site.jobs.wait(job, 120)
    made = next(p for p in app.state.site.jobs.files(job) if p.endswith("结题报告.docx"))
    with zipfile.ZipFile(app.state.site.jobs.file(job, made)) as archive:
        assert len([n for n in archive.namelist() if n.startswith("word/media/")]) == 2


def test_the_marked_copy_of_a_web_check_with_photos_sees_the_photos(site):
    from openpyxl import load_workbook

    from webaccounts import check_id, client, csrf

    app, _, tmp_path = site
    phone_photo(tmp_path / "开班.JPG", (600, 400))
    data = full_book().sheet("活动照片", HEADERS, [["DJ-2024-001", "开班.JPG", "开班仪式", None],
                                                 ["DJ-2024-001", "缺.jpg", "走访", None]]).save(
        tmp_path / "城关.xlsx").read_bytes()
    branch = client(app, "chengguan")
    response = branch.post("/checks", data={"csrf": csrf(branch, "/branch")},
                           files=[("workbook", ("城关.xlsx", data)), ("photos", ("开班.JPG", (tmp_path / "开班.JPG").read_bytes()))])
    made = check_id(response)
    copy = load_workbook(io.BytesIO(branch.get(f"/checks/{made}/annotated").content))
    assert copy["活动照片"]["B2"].comment is None  # the photo sent with it, under the name the sheet gives
    assert "找不到照片" in copy["活动照片"]["B3"].comment.text
