"""What branches send: oversized, hostile and oddly built workbooks never break docgen."""
from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from builder import PROJECT_HEADERS, Book, project_row, task_row, valid_book
from conftest import CONFIG, OPTIONS
from docgen import api
from docgen.config import Config, Limits


def issues_of(path, config=None):
    _, report = api.load(path, config)
    return report.flatten("sheet", "cell", "code", "severity")


def codes(path, config=None):
    return [code for _, _, code, _ in issues_of(path, config)]


def replace_part(path: Path, part: str, data: bytes | None = None, edit=None) -> Path:
    """Rewrite one part of an .xlsx package (the other parts copied as they are)."""
    source = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == part:
                content = data if data is not None else edit(content)
            new.writestr(item.filename, content)
    path.write_bytes(out.getvalue())
    return path


def add_part(path: Path, part: str, data: bytes, kind: str) -> Path:
    """Add a part to the package, declared in the workbook's relationships and content types."""
    relation = (f'<Relationship Id="rIdAdded" Target="{part.removeprefix("xl/")}" Type="http://schemas.'
                f'openxmlformats.org/officeDocument/2006/relationships/{kind}"/></Relationships>').encode()
    override = (f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
                f'spreadsheetml.{kind}+xml"/></Types>').encode()
    replace_part(path, "xl/_rels/workbook.xml.rels", edit=lambda x: x.replace(b"</Relationships>", relation))
    replace_part(path, "[Content_Types].xml", edit=lambda x: x.replace(b"</Types>", override))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(part, data)
    return path


def sheet_part(path: Path, title: str) -> str:
    book = load_workbook(path, read_only=True)
    index = book.sheetnames.index(title)
    book.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


# --- limits, checked before the workbook is parsed ---------------------------------------------

@pytest.mark.parametrize("limits, code, words", [
    (Limits(file_mb=0.001), "file_too_large", "超过上限 1 KB"),
    (Limits(part_mb=0.05), "file_part_too_large", "工作表“项目信息”解压后有"),
    (Limits(parts=3), "file_too_many_parts", "超过上限 3 个"),
    (Limits(cells=200), "file_too_many_cells", "上限 200 个"),
])
def test_a_workbook_over_a_limit_is_refused_with_the_limit_named(tmp_path, limits, code, words):
    path = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    for row in range(2, 3000):  # numbers right of the table: 项目信息 becomes the largest part
        book["项目信息"].cell(row, 40, row)
    book.save(path)
    _, report = api.load(path, Config(limits=limits))
    assert [i.code for i in report.issues] == [code]
    assert words in report.issues[0].message and report.issues[0].severity == "error"


def test_a_lone_far_away_cell_is_refused_before_any_row_is_walked(tmp_path):
    """One value in XFD1048576 would have a row reader walk a million empty rows."""
    path = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    book["任务分解"]["C1048576"] = "x"
    book.save(path)
    _, report = api.load(path)
    assert [i.code for i in report.issues] == ["file_too_many_rows"]
    assert "“任务分解”在第 1048576 行" in report.issues[0].message and "上限 10000 行" in report.issues[0].message
    book = load_workbook(path)
    del book["任务分解"]["C1048576"]
    book["进度"]["ZZ2"] = "x"  # column 702
    book.save(path)
    assert codes(path) == ["file_too_many_columns"]


def test_the_limits_come_from_the_configuration(tmp_path):
    (tmp_path / "docgen.toml").write_text("[limits]\nrows = 2\n", encoding="utf-8")
    from docgen.config import load_config
    config = load_config(tmp_path / "docgen.toml")
    assert config.limits.rows == 2
    path = valid_book().save(tmp_path / "a.xlsx")
    assert codes(path, config) == ["file_too_many_rows"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol4;</t></si></sst>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&secret;</t></si></sst>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "sheet"])
def test_xml_entities_are_refused_not_expanded(tmp_path, payload, part):
    path = valid_book().save(tmp_path / "a.xlsx")
    if part == "sheet":
        part = sheet_part(path, "项目信息")
        payload = payload.replace(b"<sst", b"<worksheet").replace(b"</sst>", b"</worksheet>") \
            .replace(b"<si><t>", b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>") \
            .replace(b"</t></si>", b"</t></is></c></row></sheetData>")
        replace_part(path, part, payload)
    else:  # openpyxl writes strings inline; Excel keeps them in a shared strings part
        add_part(path, part, payload, "sharedStrings")
    _, report = api.load(path)
    assert [i.code for i in report.issues] == ["file_unsafe"]
    assert "root:" not in str(report.issues[0].message)


def test_openpyxl_parses_with_defusedxml():
    import openpyxl
    assert openpyxl.DEFUSEDXML is True


# --- what the workbook really says ---------------------------------------------------------------

def test_merged_data_cells_read_as_the_clerk_sees_them_and_are_marked_on_their_first_cell(tmp_path):
    path = valid_book(projects=[project_row("DJ-2024-001"), project_row("DJ-2024-002")]).save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    book["项目信息"].merge_cells("C2:C3")  # 申报党组织 of both projects in one merged cell
    book.save(path)
    found = issues_of(path)
    assert ("项目信息", "C2", "merged_cells", "warning") in found
    assert ("项目信息", "C3", "required", "error") in found  # the second row's cell holds nothing
    _, report = api.load(path)
    merged = next(i for i in report.issues if i.code == "merged_cells")
    assert "C2:C3" in merged.message and "C2" in merged.message
    copy = api.annotate(report, tmp_path / "out")
    marked = load_workbook(copy)
    assert "必填项未填写" in marked["项目信息"]["C2"].comment.text  # C3's issue, on the merge's first cell
    assert "合并单元格" in marked["项目信息"]["C2"].comment.text
    assert marked["项目信息"]["C2"].fill.fgColor.rgb.endswith("FFC7CE")


def test_a_batch_sends_back_a_marked_copy_of_a_workbook_with_merged_cells(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = valid_book(projects=[project_row("DJ-2024-001"), project_row("DJ-2024-002")]).save(folder / "a.xlsx")
    book = load_workbook(path)
    book["项目信息"].merge_cells("C2:C3")
    book.save(path)
    from docgen.batch import batch
    result = batch(folder, tmp_path / "out", ["proposal"], ["docx"], CONFIG, api.Options(), workers=1)
    outcome = result.outcomes[0]
    assert outcome.status.value == "invalid" and outcome.annotated
    assert (tmp_path / "out" / outcome.annotated).is_file()


def test_a_formula_saved_without_its_value_is_named_as_such(tmp_path):
    path = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    book["项目信息"]["G2"] = '=CONCATENATE("马","建华")'  # openpyxl saves no computed value
    book["项目信息"]["L2"] = '="连心"&"架桥"'  # an optional column
    book.save(path)
    found = issues_of(path)
    assert ("项目信息", "G2", "formula_uncached", "error") in found
    assert ("项目信息", "L2", "formula_uncached", "error") in found
    assert not any(code == "required" for _, _, code, _ in found)
    _, report = api.load(path)
    assert "打开本文件、保存后再提交" in next(i for i in report.issues if i.code == "formula_uncached").message


def test_two_sheets_whose_names_differ_only_by_a_space_are_a_clash(tmp_path):
    path = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    book.create_sheet("项目信息 ")  # a second, empty sheet
    book.save(path)
    found = issues_of(path)
    assert ("项目信息", None, "sheet_duplicate", "error") in found
    assert not any(code == "no_projects" for _, _, code, _ in found)  # the first one was read


def test_a_hidden_sheet_is_read_with_a_warning(tmp_path):
    path = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    book["进度"].sheet_state = "hidden"
    book.save(path)
    intake, report = api.load(path)
    assert report.flatten("sheet", "code", "severity") == [("进度", "sheet_hidden", "warning")]
    assert intake.progress  # still read


def test_the_blank_intake_template_sent_back_unfilled_is_not_a_submission(tmp_path):
    blank = api.write_intake_template(tmp_path / "空白.xlsx", Config())
    found = issues_of(blank)
    assert ("项目信息", None, "no_projects", "error") in found
    out = tmp_path / "out"
    run = api.render([blank], out, ["proposal"], ["docx"], CONFIG)
    assert run.refused and not run.written


def test_a_workbook_of_empty_sheets_is_never_valid(tmp_path):
    path = Book().sheet("项目信息", PROJECT_HEADERS, []).save(tmp_path / "a.xlsx")
    _, report = api.load(path)
    assert not report.ok and "no_projects" in [i.code for i in report.issues]


# --- nothing from a submission becomes live -----------------------------------------------------

def _formulas(path: Path) -> list[str]:
    """Every <f> element of every sheet in an .xlsx."""
    with zipfile.ZipFile(path) as archive:
        return [formula for name in archive.namelist() if name.startswith("xl/worksheets/")
                for formula in re.findall(r"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>", archive.read(name).decode("utf-8"))]


def test_formula_text_from_a_workbook_never_becomes_a_formula_in_the_marked_copy(tmp_path):
    path = valid_book().save(tmp_path / "a.xlsx")
    book = load_workbook(path)
    header = book["项目信息"].cell(1, len(PROJECT_HEADERS) + 1)
    header.value = '=HYPERLINK("http://example.invalid","表头")'
    header.data_type = "s"  # text, as a clerk's pasted header would be stored
    book["项目信息"].cell(1, len(PROJECT_HEADERS) + 2).value = "＝HYPERLINK(\"http://example.invalid\",\"全角\")"
    book["项目信息"]["A2"].value = "@SUM(1)"
    book.save(path)
    assert _formulas(path) == []
    _, report = api.load(path)
    assert "column_unknown" in [i.code for i in report.issues]
    copy = api.annotate(report, tmp_path / "out")
    assert _formulas(copy) == []
    shown = [c.value for row in load_workbook(copy)["校验结果"].iter_rows() for c in row if c.value]
    assert any(str(v).startswith("=HYPERLINK") for v in shown)  # kept, as text


def test_formula_text_in_the_configuration_stays_text_in_every_written_workbook(tmp_path):
    config = CONFIG.model_copy(update={"organization": CONFIG.organization.model_copy(
        update={"name": "=HYPERLINK(\"http://x\",\"单位\")"})})
    template = api.write_intake_template(tmp_path / "t.xlsx", config)
    assert _formulas(template) == []
    folder = tmp_path / "in"
    folder.mkdir()
    for name, code, cells in (("a.xlsx", "DJ-2024-001", (("B2", "=1+1"), ("C2", "+连心党支部"), ("A3", "=DJ"))),
                              ("b.xlsx", "DJ-2024-005", (("B2", "=2+2"), ("C2", "＝西固党支部"), ("L2", "@SUM(A1)")))):
        # a.xlsx has errors (a second project "=DJ"), b.xlsx none: a marked copy, the 台账 and the 清单
        other = code[:-1] + "9"
        path = valid_book(projects=[project_row(code), project_row(other)],
                          tasks=[task_row(code), task_row(other)], progress=[]).save(folder / name)
        book = load_workbook(path)
        for ref, text in cells:
            book["项目信息"][ref].value = text
            book["项目信息"][ref].data_type = "s"  # typed as text by the branch (a leading ' in Excel)
        book.save(path)
        assert _formulas(path) == []
    from docgen.batch import batch
    batch(folder, tmp_path / "out", ["proposal"], ["docx"], config, OPTIONS, workers=1, make_zip=False)
    written = sorted((tmp_path / "out").rglob("*.xlsx"))
    assert {p.name for p in written} >= {"清单.xlsx", "a.校验.xlsx", "2024年度党建项目管理台账.xlsx"}
    for path in written:
        assert _formulas(path) == [], path.name


def test_control_characters_in_a_cell_are_removed_and_the_docx_opens(tmp_path):
    """XML 1.0 lets C1 controls through a workbook; no document means to print them."""
    path = valid_book(projects=[project_row(**{"项目名称*": "连心\x85桥\x9f服务队"})]).save(tmp_path / "a.xlsx")
    found = issues_of(path)
    assert found == [("项目信息", "B2", "control_characters", "warning")]
    run = api.render([path], tmp_path / "out", ["proposal"], ["docx", "pdf"], CONFIG)
    docx = next(p for p in run.written if p.suffix == ".docx")
    with zipfile.ZipFile(docx) as archive:
        assert "连心桥服务队" in archive.read("word/document.xml").decode("utf-8")


def test_every_string_of_a_document_is_made_xml_legal_before_rendering(tmp_path):
    """A control character that reaches a renderer from anywhere (here a configuration built in
    code, bypassing the file's check) must not make a .docx Word refuses to open."""
    from xml.dom import minidom
    config = CONFIG.model_copy(update={"organization": CONFIG.organization.model_copy(
        update={"party_committee": "中共国网\x01兰州\x0b供电公司委员会"})})
    path = valid_book().save(tmp_path / "a.xlsx")
    run = api.render([path], tmp_path / "out", ["proposal"], ["docx", "pdf"], config)
    docx = next(p for p in run.written if p.suffix == ".docx")
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                minidom.parseString(archive.read(name))  # every part well-formed: Word opens it
        assert "中共国网兰州供电公司委员会" in archive.read("word/document.xml").decode("utf-8")
    assert any(p.suffix == ".pdf" for p in run.written)


def test_control_characters_in_the_configuration_are_refused_with_the_key(tmp_path):
    from docgen.config import load_config
    from docgen.errors import ConfigError
    path = tmp_path / "docgen.toml"
    path.write_text('[organization]\nname = "国网\\u0001兰州供电公司"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="organization.name 中含有不可见的控制字符"):
        load_config(path)


# --- the configuration file ------------------------------------------------------------------

@pytest.mark.parametrize("content, words", [
    ("\ufeff[organization]\nname = \"国网兰州供电公司\"\n".encode("utf-8"), None),  # Notepad's UTF-8 with BOM
    ("[organization]\nname = \"国网兰州供电公司\"\n".encode("gbk"), "不是 UTF-8 编码"),
    (b"a = " + b"[" * 100_000 + b"]" * 100_000, "嵌套层级过深"),
    ("[organization]\nname = 国网\n".encode("utf-8"), "格式有误（第 2 行第"),
    ("[project]\npractice_units_min = 5\npractice_units_max = 2\n".encode("utf-8"), "不能大于"),
    ("[project]\ncategories = []\n".encode("utf-8"), "至少要有一个"),
    ("[project]\ncategories = [\"甲,乙\"]\n".encode("utf-8"), "不能含逗号"),
    ("[notice]\ndays = \"五\"\n".encode("utf-8"), "notice.days：应为整数"),
    ("[limits]\nrows = -1\n".encode("utf-8"), "limits.rows：数值超出允许范围"),
    ("organization = 3\n".encode("utf-8"), "应为一节设置"),
])
def test_every_configuration_problem_is_told_in_chinese(tmp_path, content, words):
    from docgen.config import load_config
    from docgen.errors import ConfigError
    path = tmp_path / "docgen.toml"
    path.write_bytes(content)
    if words is None:
        assert load_config(path).organization.name == "国网兰州供电公司"
        return
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert words in message
    assert not re.search(r"\b(should|Input|error|valid|Field|required|Value|line|column)\b", message), message


# --- bounded work ------------------------------------------------------------------------------

def test_a_run_of_letters_too_long_for_a_line_wraps_on_the_page(tmp_path):
    from textof import pdf_pages
    path = valid_book(projects=[project_row(**{"立项背景*": "x" * 400})]).save(tmp_path / "a.xlsx")
    run = api.render([path], tmp_path / "out", ["plan"], ["pdf"], CONFIG)
    pdf = next(p for p in run.written if p.suffix == ".pdf")
    lines = [line for page in pdf_pages(pdf.read_bytes()) for line in page if "xxxxxxxx" in line]
    assert len(lines) >= 7 and all(len(line) <= 60 for line in lines)  # wrapped, none running off the page
    assert sum(line.count("x") for line in lines) == 400


def test_a_runaway_render_is_stopped_at_its_limit_and_the_rest_goes_on(tmp_path):
    config = CONFIG.model_copy(update={"limits": Limits(render_seconds=0.5)})
    path = valid_book(projects=[project_row(**{"立项背景*": "x" * 60_000})]).save(tmp_path / "a.xlsx")
    started = time.monotonic()
    run = api.render([path], tmp_path / "out", ["plan"], ["docx", "pdf"], config)
    assert time.monotonic() - started < 20
    failures = [f for o in run.outcomes for f in o.failures]
    assert [f.format for f in failures] == ["pdf"] and "排版超过 0.5 秒仍未完成" in failures[0].message
    assert [p.suffix for p in run.written] == [".docx"]
