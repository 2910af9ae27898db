"""活动照片: the sheet's files checked at their cells, each photo made upright and print-sized once, and
shown two to a row with its caption in the 结题报告 and the 进度报告, in Word and in PDF."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from builder import full_book
from conftest import CONFIG
from docgen import api
from docgen.pipeline.photos import LONGEST, ready
from photos import phone_photo

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
    (tmp_path / "手机.jpg").write_bytes(b"\0\0\0\x18ftypheic" + b"\0" * 64)
    Image.new("RGB", (30, 20)).save(tmp_path / "图.gif")
    rows = [["DJ-2024-001", "开班.jpg", "开班仪式", None], ["DJ-2024-001", "照片\\走访.png", "走访", None],
            ["DJ-2024-001", "../别处.jpg", "x", None], ["DJ-2024-001", "缺.jpg", "x", None],
            ["DJ-2024-001", "坏.jpg", "x", None], ["DJ-2024-001", "开班.JPG", "x", None],
            ["DJ-2024-001", "手机.jpg", "x", None], ["DJ-2024-001", "图.gif", "x", None],
            ["DJ-2024-009", "开班.jpg", None, None]]
    found = issues_of(book_with_photos(tmp_path, rows))
    codes = {(code, cell) for code, cell, _ in found}
    assert codes == {("photo_outside", "B4"), ("photo_missing", "B5"), ("photo_unreadable", "B6"),
                     ("photo_missing", "B7"), ("photo_format", "B8"), ("photo_format", "B9"),
                     ("unknown_project", "A10"), ("required", "C10")}, found
    messages = dict(((code, cell), message) for code, cell, message in found)
    assert "文件夹中有“开班.jpg”，大小写不同" in messages[("photo_missing", "B7")]
    assert "HEIC 格式" in messages[("photo_format", "B8")] and "GIF 格式" in messages[("photo_format", "B9")]


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


def test_the_closing_report_shows_six_photos_two_to_a_row_in_both_formats(tmp_path):
    path = book_with_photos(tmp_path, six_photos(tmp_path))
    run = api.render([path], tmp_path / "out", ["closing_report", "progress"], ["docx", "pdf"], CONFIG,
                     api.Options(date=dt.date(2024, 12, 23)))
    outcome = run.outcomes[0]
    assert outcome.failures == [] and outcome.errors == 0
    files = {Path(d.path).name: tmp_path / "out" / d.path for d in outcome.documents}
    pdf = PdfReader(files["DJ-2024-001_结题报告.pdf"])
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "六、活动照片" in text and all(caption in text for caption in CAPTIONS)
    images = list({image.data: image for page in pdf.pages for image in page.images}.values())  # pages share them
    assert len(images) == 6
    portrait = sorted((image.image.width, image.image.height) for image in images)[0]
    assert portrait[0] < portrait[1]  # the sideways photo stands upright
    with zipfile.ZipFile(files["DJ-2024-001_结题报告.docx"]) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        document = archive.read("word/document.xml").decode("utf-8")
        assert len(media) == 6 and document.count("<w:drawing>") == 6
        assert all(caption.replace("“", "").replace("”", "") in re.sub(r"<[^>]+>|“|”", "", document)
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
                     api.Options(date=dt.date(2024, 12, 23)))
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
                     api.Options(date=dt.date(2024, 12, 23)))
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
    for row in rows:
        row[0] = "DJ-2024-001"
    data = full_book().sheet("活动照片", HEADERS, [[*rows[0][:1], "照片/照片1.jpg", *rows[0][2:]], rows[1]]).save(
        tmp_path / "城关.xlsx").read_bytes()
    branch = client(app, "chengguan")

    def send(workbook: bytes, photos: list[tuple[str, bytes]]):
        files = [("workbook", ("城关.xlsx", workbook)), *[("photos", photo) for photo in photos]]
        return branch.post("/checks", data={"csrf": csrf(branch, "/branch")}, files=files)
    photos = [(f"照片{n}.jpg", (tmp_path / f"照片{n}.jpg").read_bytes()) for n in (1, 2)]
    refused = send(data, [*photos, ("说明.txt", b"x")])
    assert refused.status_code == 400 and "不是 JPG 或 PNG 照片" in refused.text
    page = branch.get(f"/checks/{check_id(send(data, photos))}").text
    assert "申报表旁边有“照片1.jpg”：照片一栏只写文件名即可" in page  # the sheet named a folder the web has not
    fixed = full_book().sheet("活动照片", HEADERS, rows).save(tmp_path / "城关.xlsx").read_bytes()
    made = check_id(send(fixed, photos))
    assert "没有错误" in branch.get(f"/checks/{made}").text
    stored = store.uploads / store.check(made)["stored"]
    assert sorted(p.name for p in stored.parent.iterdir()) == sorted([stored.name, "照片1.jpg", "照片2.jpg"])
    branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}")})
    store.review(store.submissions()[0]["id"], "approved")
    link = re.search(r'href="(/branch/preview/[^"]+结题报告\.pdf)"', branch.get("/branch/preview").text)[1]
    pdf = PdfReader(io.BytesIO(branch.get(link).content))
    assert len({image.data for page in pdf.pages for image in page.images}) == 2
    admin = client(app, "admin")
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": "closing_report",
                                               "format": "docx", "date": "2024-12-23"})
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
