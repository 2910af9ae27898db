"""The command line: exit codes, JSON equal to the library's report, annotated copies, help."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from builder import task_row, valid_book
from docgen import api
from docgen.cli import main

SAMPLES = Path(__file__).parent.parent / "samples"
FAULTY = SAMPLES / "有错误的申报表.xlsx"


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args])
    return invoke


def test_validate_exit_codes(run, tmp_path):
    good = valid_book().save(tmp_path / "good.xlsx")
    assert run("validate", good).exit_code == 0
    assert run("validate", FAULTY).exit_code == 1
    assert run("validate", good, FAULTY).exit_code == 1
    assert run("validate").exit_code == 2
    assert run("validate", "--format", "yaml", good).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("validate", empty).exit_code == 2


def test_a_branch_that_sends_its_marked_copy_back_is_read(run, tmp_path):
    """城关.校验.xlsx, corrected and sent back, newer than the first 城关.xlsx: it is the one checked."""
    import os

    folder = tmp_path / "收到的"
    folder.mkdir()
    first = valid_book(tasks=[task_row(seq=1, **{"完成时限*": "2025-03-31"})]).save(folder / "城关.xlsx")
    os.utime(first, (1_700_000_000, 1_700_000_000))
    report = api.validate([first])
    annotated = api.annotate(report.files[0], folder)
    assert annotated.name == "城关.校验.xlsx"
    book = load_workbook(annotated)
    book["任务分解"]["F2"].value = "2024-06-30"  # the branch corrects the marked cell and saves
    book.save(annotated)
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["城关.校验.xlsx"]
    assert [Path(s.path).name for s in found.skipped] == ["城关.xlsx"]
    result = run("validate", folder)
    assert result.exit_code == 0, result.output  # its 校验结果 sheet and marks are not read as data


def test_warnings_alone_pass(run, tmp_path):
    path = valid_book(tasks=[task_row(seq=1, **{"开始日期": "2024-01-01"})]).save(tmp_path / "w.xlsx")
    result = run("validate", path)
    assert result.exit_code == 0
    assert "警告" in result.output


def test_text_report_lines(run):
    result = run("validate", FAULTY)
    assert "任务分解!F7（完成时限）：完成时限晚于项目结束日期 2024-12-31" in result.output
    assert "共检查 1 个工作簿：0 个通过，1 个有错误（错误 11 处，警告 2 处）。" in result.output


def test_json_equals_the_library_report(run, tmp_path):
    good = valid_book().save(tmp_path / "good.xlsx")
    result = run("validate", "--format", "json", good, FAULTY)
    assert result.exit_code == 1
    assert json.loads(result.output) == api.validate([good, FAULTY]).to_dict()
    data = json.loads(result.output)
    issue = next(i for i in data["files"][1]["issues"] if i["code"] == "deadline_after_project_end")
    assert issue == {"severity": "error", "code": "deadline_after_project_end", "sheet": "任务分解", "cell": "F7",
                     "row": 7, "column": "F", "field": "deadline", "label": "完成时限", "place": "任务分解!F7",
                     "mark": "F7", "message": "完成时限晚于项目结束日期 2024-12-31"}


def test_folders_skip_lock_files_and_older_annotated_copies_but_named_files_are_checked(run, tmp_path):
    import os

    folder = tmp_path / "收到的"
    folder.mkdir()
    valid_book().save(folder / "a.xlsx")
    (folder / "~$a.xlsx").write_bytes(b"lock")
    (folder / "a.校验.xlsx").write_bytes(b"old copy")
    os.utime(folder / "a.校验.xlsx", (1_700_000_000, 1_700_000_000))  # older than a.xlsx
    (folder / "说明.txt").write_text("x")
    found = api.scan_workbooks([folder])
    assert [p.name for p in found.workbooks] == ["a.xlsx"]
    assert [(Path(s.path).name, s.code, s.submission) for s in found.skipped] == [
        ("a.校验.xlsx", "skip_older", False), ("~$a.xlsx", "skip_lock", False), ("说明.txt", "skip_document", False)]
    assert "较新的文件 a.xlsx" in found.skipped[0].reason and "锁文件" in found.skipped[1].reason
    result = run("validate", folder)
    assert result.exit_code == 0, result.output  # none of them is a submission: the run is whole
    assert "未读取的文件（3 个）" in result.output and "a.校验.xlsx" in result.output
    odd = tmp_path / "申报表.dat"
    odd.write_bytes((folder / "a.xlsx").read_bytes())
    assert run("validate", odd).exit_code == 0


def test_unreadable_file_is_reported_without_traceback(run, tmp_path):
    path = tmp_path / "旧版.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = run("validate", path, "--annotate", tmp_path / "退回")
    assert result.exit_code == 1
    assert "另存为" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "退回").exists()


def test_annotated_copy_marks_cells_and_lists_issues(run, tmp_path):
    before = hashlib.sha256(FAULTY.read_bytes()).hexdigest()
    result = run("validate", FAULTY, "--annotate", tmp_path / "退回")
    assert result.exit_code == 1
    assert hashlib.sha256(FAULTY.read_bytes()).hexdigest() == before
    copy = tmp_path / "退回" / "有错误的申报表.校验.xlsx"
    book = load_workbook(copy)
    assert book.sheetnames[0] == "校验结果"
    cell = book["任务分解"]["F7"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "完成时限晚于项目结束日期" in cell.comment.text
    assert book["进度"]["E9"].fill.fgColor.rgb.endswith("FFEB9C")   # a warning
    listing = book["校验结果"]
    rows = list(listing.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 13
    assert "有错误的申报表.xlsx" in listing["A2"].value and "交回党建部" in listing["A2"].value  # what to do next
    setup = listing.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth) == (9, "portrait", 1)
    assert sum(listing.column_dimensions[c].width for c in "ABCDE") <= 90  # prints within A4 width
    link = next(c for c in listing["C"] if c.value == "任务分解!F7")
    assert link.hyperlink.location == "'任务分解'!F7" or link.hyperlink.target.endswith("'任务分解'!F7")
    original = load_workbook(FAULTY)
    assert book["项目信息"]["B4"].value == original["项目信息"]["B4"].value


def test_render_writes_documents_and_refuses_faulty_workbooks(run, tmp_path):
    out = tmp_path / "文书"
    result = run("render", SAMPLES / "城关供电服务中心党支部.xlsx", FAULTY, "--out", out, "--kind", "proposal", "--format", "docx")
    assert result.exit_code == 1
    assert "未生成文书" in result.output
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx"))
    assert names == ["城关供电服务中心党支部/DJ-2024-001_立项表.docx", "城关供电服务中心党支部/DJ-2024-002_立项表.docx"]
    assert not list(out.rglob(".~*"))


def test_intake_template_does_not_overwrite(run, tmp_path):
    target = tmp_path / "申报表.xlsx"
    assert run("intake-template", target).exit_code == 0
    result = run("intake-template", target)
    assert result.exit_code == 1 and "已存在" in result.output
    assert run("intake-template", target, "--force").exit_code == 0


def test_bad_config_is_a_clear_message(run, tmp_path):
    config = tmp_path / "docgen.toml"
    config.write_text("[project]\ncategorys = ['x']\n", encoding="utf-8")
    result = run("validate", FAULTY, "--config", config)
    assert result.exit_code == 1
    assert "不认识的配置项" in result.output and "Traceback" not in result.output


def test_every_command_has_help_and_is_in_the_readme(run):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        assert run(name, "--help").exit_code == 0
        assert re.search(rf"docgen {re.escape(name)}\b", readme), name


def test_demo_runs_every_step_on_the_samples(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert (out / "申报表模板.xlsx").is_file()
    assert (out / "退回" / "有错误的申报表.校验.xlsx").is_file()
    assert (out / "文书" / "荣誉证书-合订.docx").is_file()
    assert (out / "年度汇总" / "2024年度党建项目管理台账.xlsx").is_file()
    batch = json.loads((out / "年终批量" / "manifest.json").read_text(encoding="utf-8"))
    assert {w["source"]: w["status"] for w in batch["workbooks"]} == {
        "城关供电服务中心党支部.xlsx": "rendered", "变电运维中心.xlsx": "rendered", "有错误的申报表.xlsx": "invalid"}
    assert (out / "年终批量" / "退回" / "有错误的申报表.校验.xlsx").is_file()
    assert "5. 年终批量处理" in result.output and "演示完成" in result.output


@pytest.mark.parametrize("command", ["render", "report", "batch"])
def test_no_placeholder_organisation_reaches_paper(run, tmp_path, monkeypatch, command):
    """Without [organization] name and party_committee every printing command stops first, naming the keys."""
    monkeypatch.chdir(tmp_path)  # no docgen.toml here
    folder = tmp_path / "收到的"
    folder.mkdir()
    valid_book().save(folder / "a.xlsx")
    out = tmp_path / "out"
    result = run(command, folder, "--out", out, "--format", "docx")
    assert result.exit_code == 1
    assert "name（单位名称）" in result.output and "party_committee（党委名称）" in result.output
    assert "docgen init" in result.output and "Traceback" not in result.output
    assert not out.exists() or not any(out.rglob("*.docx"))


def test_init_writes_a_commented_configuration_that_still_asks_for_the_organisation(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    written = (tmp_path / "docgen.toml").read_text(encoding="utf-8")
    assert "[organization]" in written and "单位名称" in written
    assert run("init").exit_code == 1  # never over an existing file
    folder = tmp_path / "收到的"
    folder.mkdir()
    valid_book().save(folder / "a.xlsx")
    result = run("render", folder, "--out", tmp_path / "out", "--format", "docx")
    assert result.exit_code == 1 and "docgen.toml 的 [organization] 中缺少" in result.output


def test_fonts_names_each_role_and_its_face(run):
    result = run("fonts")
    assert result.exit_code == 0
    for role in ("正文仿宋", "标题小标宋", "一级标题黑体", "二级标题楷体"):
        assert role in result.output
    assert "FandolFang" in result.output and "AR PL KaitiM GB" in result.output
    assert "仿宋_GB2312" in result.output and "simfang.ttf" in result.output


def test_a_marked_copy_in_a_return_folder_does_not_count_twice(tmp_path):
    """收件/退回/城关.校验.xlsx is the older copy of 收件/城关.xlsx; with two 申报表.xlsx elsewhere a copy is ambiguous."""
    import os

    folder = tmp_path / "收件"
    (folder / "退回").mkdir(parents=True)
    (folder / "甲").mkdir()
    (folder / "乙").mkdir()
    valid_book().save(folder / "城关.xlsx")
    (folder / "退回" / "城关.校验.xlsx").write_bytes((folder / "城关.xlsx").read_bytes())
    os.utime(folder / "退回" / "城关.校验.xlsx", (1_700_000_000, 1_700_000_000))
    valid_book().save(folder / "甲" / "申报表.xlsx")
    valid_book().save(folder / "乙" / "申报表.xlsx")
    (folder / "退回" / "申报表.校验.xlsx").write_bytes((folder / "城关.xlsx").read_bytes())
    found = api.scan_workbooks([folder])
    assert sorted(p.relative_to(folder).as_posix() for p in found.workbooks) == sorted(
        ["城关.xlsx", "乙/申报表.xlsx", "甲/申报表.xlsx"])
    reasons = {Path(s.path).relative_to(folder).as_posix(): s.reason for s in found.skipped}
    assert "与 城关.xlsx 内容完全相同" in reasons["退回/城关.校验.xlsx"]  # a byte-for-byte copy is told as such
    assert "无法确定" in reasons["退回/申报表.校验.xlsx"]


def test_render_never_lets_two_workbooks_overwrite_each_other(run, tmp_path):
    """Two workbooks of one branch: the second's notice is numbered, as in a batch, and nothing is lost."""
    from test_batch import branch_book

    folder = tmp_path / "收到的"
    folder.mkdir()
    branch_book(folder, "一.xlsx", "DJ-2024-001", "城关党支部")
    branch_book(folder, "二.xlsx", "DJ-2024-002", "城关党支部")
    out = tmp_path / "文书"
    result = run("render", folder, "--out", out, "--kind", "notice", "--format", "docx", "--date", "2024-12-23")
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx"))
    assert names == ["城关党支部/城关党支部_“四公开”公示(2).docx", "城关党支部/城关党支部_“四公开”公示.docx"]
    assert not (out / ".docgen-work").exists()


def test_a_notice_that_needs_an_unknown_years_calendar_says_which_year_and_where_to_add_it(run, tmp_path):
    """公示期 from 2026-12-28 runs into 2027, which the built-in holiday schedule does not know."""
    out = tmp_path / "out"
    result = run("render", SAMPLES / "城关供电服务中心党支部.xlsx", "--out", out, "--kind", "notice", "--kind", "proposal",
                 "--format", "docx", "--date", "2026-12-28")
    assert result.exit_code == 1, result.output
    assert "2027" in result.output and "[calendar]" in result.output
    assert "未生成 城关供电服务中心党支部/城关供电服务中心党支部_“四公开”公示.docx：内置的节假日安排没有 2027 年的数据" \
        in result.output
    assert "请先修正以上错误" not in result.output and "未发现问题" not in result.output
    made = sorted(p.name for p in (out / "城关供电服务中心党支部").iterdir())
    assert made == ["DJ-2024-001_立项表.docx", "DJ-2024-002_立项表.docx"]  # the other documents are made


def test_a_workbook_whose_step_failed_says_why_not_that_it_has_no_problems(capsys):
    from docgen.issues import FileReport
    from docgen.pipeline import Outcome, Status
    from docgen.cli import console

    outcome = Outcome(0, "城关.xlsx", Status.FAILED, report=FileReport("城关.xlsx"), message="处理时出错：磁盘读写出错")
    console.print_outcome(outcome, 0)
    shown = capsys.readouterr().out
    assert "城关.xlsx：处理时出错：磁盘读写出错" in shown
    assert "未发现问题" not in shown and "请先修正以上错误" not in shown
