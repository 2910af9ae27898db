"""A folder run lists every file it does not read: what it is, and how to fix one that may be a submission.

Files of other formats are built here with the structure that tells them apart (an OLE header and its
stream names, an OpenDocument zip's mimetype, an .xlsb's workbook.bin), not made by another program.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from builder import valid_book
from conftest import CONFIG
from docgen import api
from docgen.cli import main
from docgen.documents import ledger
from docgen.filekinds import Kind, kind_of
from docgen.render.xlsx import write_table

SAMPLES = Path(__file__).parent.parent / "samples"
VALID = SAMPLES / "城关供电服务中心党支部.xlsx"
OLD = 1_700_000_000  # a modification time long before the files written by the test


def ole(*streams: str) -> bytes:
    """An OLE compound file's header and a directory naming `streams` (UTF-16, as the format stores them)."""
    directory = b"".join(s.encode("utf-16-le") + b"\0\0" + b"\0" * (62 - 2 * len(s)) for s in ("Root Entry", *streams))
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + b"\0" * 512


def package(parts: dict[str, bytes | str], mimetype: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if mimetype:  # an OpenDocument file: the mimetype stored first, uncompressed
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


XLS = ole("Workbook", "\x05SummaryInformation")
ODS = package({"content.xml": "<office:document-content/>"}, "application/vnd.oasis.opendocument.spreadsheet")
XLSB = package({"[Content_Types].xml": "<Types/>", "xl/workbook.bin": b"\x83\x01\x00"})
NUMBERS = package({"Index/Document.iwa": b"\0", "Metadata/Properties.plist": b"\0"})
DOCX = package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 64
CSV = "项目编号,项目名称,申报党组织\nDJ-2024-009,安宁服务项目,安宁党支部\n".encode("gbk")

# The files of the issue that may be a branch's submission, and what docgen says of each.
UNREAD = {"七里河.xls": "file_xls", "西固.ods": "file_ods", "安宁.csv": "file_csv", "红古.et": "file_et",
          "永登.xlsb": "file_xlsb", "皋兰.zip": "file_zip_sheets"}
# The files that are no submission, recognised for what they are.
NOT_SUBMISSIONS = {"._城关.xlsx": "skip_appledouble", "城关 (1).xlsx": "skip_same", "城关.校验(1).xlsx": "skip_older",
                   "2024年度党建项目管理台账.xlsx": "skip_table", "清单.xlsx": "skip_table",
                   "~$城关.xlsx": "skip_lock", "开班仪式.jpg": "skip_photo", "说明.docx": "skip_document",
                   "desktop.ini": "skip_system"}


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args])
    return invoke


def issue_folder(tmp_path: Path) -> Path:
    """The folder of the issue: one valid workbook, six files of other formats, and what a clerk's folder also
    holds (a Mac's ._ file, a browser's second download, a marked copy sent back twice, a 台账 and a 清单 of an
    earlier run, a lock file, a photo, a document, the system's desktop.ini)."""
    folder = tmp_path / "收件"
    folder.mkdir()
    shutil.copyfile(VALID, folder / "城关.xlsx")
    shutil.copyfile(VALID, folder / "城关 (1).xlsx")  # downloaded twice: the same bytes
    marked = api.annotate(api.validate([folder / "城关.xlsx"], CONFIG).files[0], tmp_path / "退回")
    shutil.copyfile(marked, folder / "城关.校验(1).xlsx")  # the marked copy, downloaded twice, not corrected
    os.utime(folder / "城关.校验(1).xlsx", (OLD, OLD))
    contents = {"七里河.xls": XLS, "西固.ods": ODS, "安宁.csv": CSV, "红古.et": ole(), "永登.xlsb": XLSB,
                "皋兰.zip": package({"皋兰/皋兰党支部申报表.xlsx": VALID.read_bytes()}),
                "._城关.xlsx": APPLEDOUBLE, "~$城关.xlsx": b"\x06lock", "开班仪式.jpg": JPEG, "说明.docx": DOCX,
                "desktop.ini": b"[.ShellClassInfo]\r\n",
                "2024年度党建项目管理台账.xlsx": write_table("2024年度党建项目管理台账", ledger.COLUMNS, [])}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    old_listing = Workbook()  # 清单.xlsx as docgen wrote it before it marked its tables
    old_listing.active.title = "申报表"
    old_listing.create_sheet("文件")
    old_listing.save(folder / "清单.xlsx")
    return folder


def every_file(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_validate_lists_every_file_it_does_not_read_and_exits_1_for_possible_submissions(run, tmp_path):
    folder = issue_folder(tmp_path)
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["城关.xlsx"]
    listed = {Path(s.path).name: (s.code, s.submission) for s in found.skipped}
    assert listed == {**{n: (c, True) for n, c in UNREAD.items()}, **{n: (c, False) for n, c in NOT_SUBMISSIONS.items()}}
    assert {p.name for p in found.workbooks} | set(listed) == every_file(folder)  # no file vanishes

    result = run("validate", folder)
    assert result.exit_code == 1, result.output
    assert "共检查 1 个工作簿：1 个通过，0 个有错误" in result.output
    assert "另有 6 个文件可能是申报表但无法读取" in result.output
    for s in found.skipped:
        assert s.path in result.output and s.reason in result.output
    assert "西固.ods：这是 OpenDocument 表格（.ods），请在 WPS 或 Excel 中“另存为”Excel 工作簿（.xlsx）" in result.output
    assert "安宁.csv：这是 CSV 文本文件：CSV 只能存一张表，不可能是完整的申报表" in result.output
    assert "皋兰.zip：这是压缩包，其中有 1 个表格文件（皋兰党支部申报表.xlsx），docgen 不会自动解压" in result.output
    assert "城关.校验(1).xlsx：同一申报表有较新的文件 城关.xlsx" in result.output
    assert "城关 (1).xlsx：与 城关.xlsx 内容完全相同" in result.output

    data = json.loads(CliRunner().invoke(main, ["validate", "--format", "json", str(folder)]).stdout)
    assert data == api.validate([folder], CONFIG).to_dict()
    assert data["ok"] is False
    assert {Path(s["path"]).name: s["code"] for s in data["skipped"] if s["submission"]} == UNREAD

    for name in UNREAD:  # saved as .xlsx and taken out of the folder: what is left is whole
        (folder / name).unlink()
    result = run("validate", folder)
    assert result.exit_code == 0, result.output
    assert f"未读取的文件（{len(NOT_SUBMISSIONS)} 个）" in result.output and "._城关.xlsx" in result.output


def test_batch_records_every_file_not_read_in_the_manifest_and_the_listing(tmp_path):
    folder = issue_folder(tmp_path)
    out = tmp_path / "输出"
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--kind", "proposal", "--format", "docx",
                                       "--workers", "1", "--date", "2024-12-23"])
    assert result.exit_code == 1, result.output
    assert "共 1 个申报表：已生成 1 个。" in result.output  # the ._ file, the copies and the 台账 are no faulty workbooks
    assert "有错误，已退回" not in result.output
    assert "另有 6 个文件可能是申报表但无法读取" in result.output
    assert "✗ 红古.et：这是 WPS 表格文件（.et），请在 WPS 中“另存为”Excel 工作簿（.xlsx）" in result.output
    assert "._城关.xlsx：macOS" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = {s["source"]: (s["code"], s["submission"]) for s in manifest["skipped"]}
    assert recorded == {**{n: (c, True) for n, c in UNREAD.items()}, **{n: (c, False) for n, c in NOT_SUBMISSIONS.items()}}
    assert all(s["reason"] for s in manifest["skipped"])
    assert (manifest["summary"]["skipped"], manifest["summary"]["unread"]) == (15, 6)
    rows = list(load_workbook(out / "清单.xlsx")["未读取的文件"].iter_rows(min_row=3, values_only=True))
    assert {r[1]: r[2] for r in rows} == {**{n: "是" for n in UNREAD}, **{n: "否" for n in NOT_SUBMISSIONS}}
    # the listing docgen just wrote is no submission to the next run
    assert kind_of(io.BytesIO((out / "清单.xlsx").read_bytes())) is Kind.TABLE


def test_a_folder_of_only_unreadable_files_names_them_and_exits_1(run, tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    (folder / "七里河.xls").write_bytes(XLS)
    result = run("validate", folder)
    assert result.exit_code == 1
    assert "没有找到任何 .xlsx / .xlsm 工作簿" in result.output and "七里河.xls：这是旧版 Excel 97-2003 文件" in result.output
    (folder / "七里河.xls").unlink()
    (folder / "Thumbs.db").write_bytes(b"\0")
    result = run("validate", folder)
    assert result.exit_code == 2 and "Thumbs.db：操作系统自动生成的文件" in result.output
    result = run("batch", folder, "--out", tmp_path / "输出")
    assert result.exit_code == 1 and "没有找到任何" in result.output and "Thumbs.db" in result.output


def test_render_exits_1_when_a_possible_submission_was_not_read(run, tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    shutil.copyfile(VALID, folder / "城关.xlsx")
    (folder / "西固.ods").write_bytes(ODS)
    out = tmp_path / "文书"
    result = run("render", folder, "--out", out, "--kind", "proposal", "--format", "docx", "--date", "2024-12-23")
    assert result.exit_code == 1, result.output
    assert "1 个已生成文书" in result.output and "另有 1 个文件可能是申报表但无法读取" in result.output
    (folder / "西固.ods").unlink()
    assert run("render", folder, "--out", out, "--kind", "proposal", "--format", "docx",
               "--date", "2024-12-23").exit_code == 0


@pytest.mark.parametrize("name, data, kind", [
    ("七里河.xls", XLS, Kind.XLS),
    ("红古.et", ole(), Kind.ET),
    ("红古.et", XLS, Kind.ET),
    ("加密.xlsx", ole("EncryptionInfo", "EncryptedPackage"), Kind.ENCRYPTED),
    ("x.doc", ole("WordDocument"), Kind.DOCUMENT),
    ("西固.ods", ODS, Kind.ODS),
    ("x.odt", package({"content.xml": "<x/>"}, "application/vnd.oasis.opendocument.text"), Kind.DOCUMENT),
    ("永登.xlsb", XLSB, Kind.XLSB),
    ("榆中.numbers", NUMBERS, Kind.NUMBERS),
    ("说明.docx", DOCX, Kind.DOCUMENT),
    ("皋兰.zip", package({"a.txt": "x"}), Kind.ARCHIVE),
    ("坏了.xlsx", package({"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": "<x/>"}), Kind.BROKEN),
    ("截断.xlsx", b"PK\x03\x04 truncated", Kind.BROKEN),
    ("安宁.csv", CSV, Kind.CSV),
    ("导出.xls", "序号\t项目编号\n1\tDJ-1\n".encode("utf-8"), Kind.CSV),
    ("导出.xls", b'<html xmlns:o="urn:schemas-microsoft-com:office:office"><table>', Kind.HTML),
    ("导出.xls", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', Kind.HTML),
    ("说明.txt", "请各支部于12月20日前提交，逾期不候。".encode("utf-8"), Kind.TEXT),
    ("._城关.xlsx", APPLEDOUBLE, Kind.APPLEDOUBLE),
    ("a.jpg", JPEG, Kind.PHOTO),
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, Kind.PHOTO),
    ("a.heic", b"\0\0\0\x18ftypheic" + b"\0" * 32, Kind.PHOTO),
    ("a.pdf", b"%PDF-1.7\n", Kind.DOCUMENT),
    ("a.rar", b"Rar!\x1a\x07\x01\x00", Kind.ARCHIVE),
    ("空.xlsx", b"", Kind.EMPTY),
])
def test_a_files_kind_is_told_by_its_content(name, data, kind):
    assert kind_of(io.BytesIO(data), name) is kind


def test_workbooks_and_docgens_own_tables_are_told_apart(tmp_path):
    assert kind_of(io.BytesIO(VALID.read_bytes())) is Kind.WORKBOOK
    assert kind_of(io.BytesIO(write_table("任意", ledger.COLUMNS, []))) is Kind.TABLE
    old_ledger = Workbook()
    old_ledger.active.title = "2023年度党建项目管理台账"
    old_ledger.save(tmp_path / "旧台账.xlsx")
    assert kind_of(io.BytesIO((tmp_path / "旧台账.xlsx").read_bytes())) is Kind.TABLE
    renamed = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(renamed)
    book.create_sheet("文件")  # a submission with a sheet of the 清单's name stays a submission
    book.save(renamed)
    assert kind_of(io.BytesIO(renamed.read_bytes())) is Kind.WORKBOOK


@pytest.mark.parametrize("name, data, code", [
    ("红古.et", ole(), "file_et"),
    ("七里河.xls", XLS, "file_xls"),
    ("七里河.xlsx", XLS, "file_xls"),  # an .xls renamed: told by its content
    ("西固.ods", ODS, "file_ods"),
    ("西固.xlsx", ODS, "file_ods"),
    ("永登.xlsb", XLSB, "file_xlsb"),
    ("榆中.numbers", NUMBERS, "file_numbers"),
    ("安宁.csv", CSV, "file_csv"),
    ("导出.xls", b"<html><body><table><tr><td>1</td></tr></table>", "file_html"),
    ("皋兰.zip", package({"皋兰.xlsx": b"x"}), "file_zip"),
    ("说明.docx", DOCX, "file_document"),
    ("开班仪式.jpg", JPEG, "file_photo"),
    ("._城关.xlsx", APPLEDOUBLE, "file_appledouble"),
    ("城关.xlsx", b"", "file_empty"),
])
def test_a_named_file_of_another_format_gets_its_own_refusal(tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    intake, report = api.load(path, CONFIG)
    assert intake is None
    assert report.flatten("sheet", "code", "severity") == [(None, code, "error")]
    assert api.file_refusal(name, data) == report.issues[0].message  # what the web says of the same upload


def test_a_named_workbook_is_read_whatever_its_extension(tmp_path):
    path = tmp_path / "城关.xls"
    shutil.copyfile(VALID, path)
    _, report = api.load(path, CONFIG)
    assert report.ok and not report.issues


@pytest.mark.parametrize("name, data, code", [
    ("城关.xls", None, "file_renamed"),  # a workbook under another extension: renamed, not guessed
    ("城关.xlsx.bak", None, "file_renamed"),
    ("城关.xltx", None, "file_template"),
    ("城关.xlsx.crdownload", b"\0" * 10, "file_partial"),
    ("城关.xlsx", XLS, "file_xls"),
    ("城关.xlsx", ole("EncryptionInfo", "EncryptedPackage"), "file_encrypted"),
    ("城关.xlsx", b"", "file_empty"),
    ("导出.xls", b"<html><body><table><tr><td>1</td></tr></table>", "file_html"),
    ("榆中.numbers", NUMBERS, "file_numbers"),
    ("皋兰.rar", b"Rar!\x1a\x07\x01\x00", "file_zip"),
    ("照片.zip", package({"开班仪式.jpg": JPEG, "__MACOSX/._x.xlsx": APPLEDOUBLE}), "skip_archive"),
    ("录像.mp4", b"\0\0\0\x18ftypmp42", "skip_photo"),
    ("notes", b"\x01\x02\x03\x00", "skip_other"),
    (".gitkeep", b"", "skip_hidden"),
    ("docgen.toml", b"[organization]\n", "skip_config"),
    ("~WRL0001.tmp", b"\0", "skip_temp"),
    (".~lock.城关.xlsx#", b"x", "skip_lock"),
    ("Thumbs.db", b"\0", "skip_system"),
])
def test_each_kind_of_file_in_a_folder_is_listed_with_its_reason(tmp_path, name, data, code):
    folder = tmp_path / "收件"
    folder.mkdir()
    shutil.copyfile(VALID, folder / "西固.xlsx")
    (folder / name).write_bytes(VALID.read_bytes() if data is None else data)
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["西固.xlsx"]
    assert [(Path(s.path).name, s.code, s.submission) for s in found.skipped] == [(name, code, code.startswith("file_"))]
    assert found.skipped[0].reason and "{" not in found.skipped[0].reason


def test_copies_of_a_workbook_read_the_newest_and_list_the_others(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    first = valid_book().save(folder / "城关.xlsx")
    os.utime(first, (OLD, OLD))
    corrected = valid_book(tasks=None).save(folder / "城关 (1).xlsx")  # downloaded again after a correction
    book = load_workbook(corrected)
    book["任务分解"]["C2"].value = "改过的任务内容"
    book.save(corrected)
    for name in ("城关 - 副本.xlsx", "城关（2）.xlsx", "复件 城关.xlsx", "城关 - Copy.xlsx"):
        shutil.copyfile(first, folder / name)
        os.utime(folder / name, (OLD, OLD))
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["城关 (1).xlsx"]
    reasons = {Path(s.path).name: (s.code, s.reason) for s in found.skipped}
    assert reasons["城关.xlsx"] == ("skip_older", "同一申报表有较新的文件 城关 (1).xlsx，按较新的校验")
    assert {reasons[n][0] for n in ("城关 - 副本.xlsx", "城关（2）.xlsx", "复件 城关.xlsx", "城关 - Copy.xlsx")} == {"skip_older"}
    assert not any(s.submission for s in found.skipped)


def test_a_marked_copy_downloaded_twice_is_one_submission(tmp_path):
    """有错误的申报表.校验.xlsx and, downloaded again, 有错误的申报表.校验(1).xlsx, corrected: the corrected one is read."""
    folder = tmp_path / "收件"
    folder.mkdir()
    first = valid_book().save(folder / "有错误的申报表.校验.xlsx")
    os.utime(first, (OLD, OLD))
    second = valid_book().save(folder / "有错误的申报表.校验(1).xlsx")
    book = load_workbook(second)
    book["任务分解"]["C2"].value = "改过的任务内容"
    book.save(second)
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["有错误的申报表.校验(1).xlsx"]
    assert [(Path(s.path).name, s.code) for s in found.skipped] == [("有错误的申报表.校验.xlsx", "skip_older")]


def test_a_name_with_a_number_is_no_copy_without_its_original_beside_it(tmp_path):
    folder = tmp_path / "收件"
    (folder / "二").mkdir(parents=True)
    valid_book().save(folder / "党支部(1).xlsx")
    valid_book().save(folder / "党支部(2).xlsx")
    valid_book().save(folder / "二" / "城关 (1).xlsx")
    valid_book().save(folder / "城关.xlsx")
    found = api.scan_workbooks([folder])
    assert sorted(p.relative_to(folder).as_posix() for p in found.workbooks) == [
        "二/城关 (1).xlsx", "党支部(1).xlsx", "党支部(2).xlsx", "城关.xlsx"]
    assert found.skipped == []


def test_identical_copies_keep_the_plain_name(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    original = valid_book().save(folder / "城关.xlsx")
    os.utime(original, (OLD, OLD))
    shutil.copyfile(original, folder / "城关 (1).xlsx")  # newer, the same bytes
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["城关.xlsx"]
    assert [(Path(s.path).name, s.code) for s in found.skipped] == [("城关 (1).xlsx", "skip_same")]


def test_an_earlier_output_folder_and_a_macs_archive_folder_are_listed_once_each(run, tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    shutil.copyfile(VALID, folder / "城关.xlsx")
    earlier = tmp_path / "收件" / "上次输出"
    result = run("batch", folder, "--out", earlier, "--kind", "proposal", "--format", "docx", "--workers", "1",
                 "--date", "2024-12-23")
    assert result.exit_code == 0, result.output
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "._城关.xlsx").write_bytes(APPLEDOUBLE)
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["城关.xlsx"]
    listed = [(Path(s.path).name, s.code, s.submission) for s in found.skipped]
    assert listed == [("__MACOSX", "skip_appledouble", False), ("上次输出", "skip_output", False)]
    count = sum(1 for p in earlier.rglob("*") if p.is_file())
    assert f"其中 {count} 个文件" in found.skipped[1].reason
    assert run("validate", folder).exit_code == 0  # its 退回 copies, 台账 and 清单 are not read again

