"""Project codes are one code however their case or width is written: within a workbook, across the workbooks
of a batch, and in the names of the files a run writes."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from builder import progress_row, project_row, task_row, valid_book
from conftest import CONFIG
from docgen import api
from docgen.cli import main
from docgen.pipeline.files import Names

CHENGGUAN = "城关供电服务中心党支部"
XIGU = "西固供电服务中心党支部"


def _book(path: Path, codes: list[str], branch: str = CHENGGUAN, task_codes: list[str] | None = None) -> Path:
    """A valid workbook with one project per code (its tasks and progress under `task_codes`, default the same)."""
    refs = task_codes or codes
    return valid_book(projects=[project_row(code, **{"申报党组织*": branch, "项目名称*": f"项目{n}"})
                                for n, code in enumerate(codes, 1)],
                      tasks=[task_row(code, seq=1) for code in refs],
                      progress=[progress_row(code) for code in refs]).save(path)


def test_two_projects_whose_codes_differ_in_case_or_width_are_one_code_twice(tmp_path):
    for other in ("dj-2024-001", "ＤＪ－２０２４－００１", "Dj-2024-001"):
        path = _book(tmp_path / "申报表.xlsx", ["DJ-2024-001", other], task_codes=["DJ-2024-001"])
        _, report = api.load(path, CONFIG)
        assert ("项目信息", "A3", "duplicate_project_code") in report.flatten("sheet", "cell", "code"), other
        issue = next(i for i in report.errors if i.code == "duplicate_project_code")
        assert "第 2 行已使用" in issue.message
    _, report = api.load(_book(tmp_path / "不同.xlsx", ["DJ-2024-001", "DJ-2024-002"]), CONFIG)
    assert report.ok and report.issues == []


def test_a_reference_in_another_case_is_not_the_project_and_the_clerk_is_told_which_it_is(tmp_path):
    """任务分解 writes dj-2024-001 for the project DJ-2024-001: not matched silently (the documents would
    miss its tasks), an error at the cell that names the spelling of 项目信息."""
    path = _book(tmp_path / "申报表.xlsx", ["DJ-2024-001"], task_codes=["dj-2024-001"])
    _, report = api.load(path, CONFIG)
    found = report.flatten("sheet", "cell", "code")
    assert ("任务分解", "A2", "unknown_project") in found and ("进度", "A2", "unknown_project") in found, found
    task = next(i for i in report.errors if i.code == "unknown_project" and i.location.sheet == "任务分解")
    assert task.message == ("项目编号“dj-2024-001”在“项目信息”中不存在；“项目信息”中有“DJ-2024-001”，大小写不同，"
                            "请照“项目信息”中的写法填写")
    _, plain = api.load(_book(tmp_path / "无.xlsx", ["DJ-2024-001"], task_codes=["DJ-2024-009"]), CONFIG)
    unknown = next(i for i in plain.errors if i.code == "unknown_project")
    assert unknown.message == "项目编号“DJ-2024-009”在“项目信息”中不存在"


def test_a_code_taken_by_another_organisation_in_another_case_is_taken(tmp_path):
    path = _book(tmp_path / "申报表.xlsx", ["dj-2024-001"], branch=XIGU)
    _, report = api.load(path, CONFIG, api.Expected(XIGU, {"DJ-2024-001": CHENGGUAN}))
    assert report.flatten("sheet", "cell", "code") == [("项目信息", "A2", "project_code_taken")]
    assert f"项目编号“dj-2024-001”已由“{CHENGGUAN}”提交" in report.errors[0].message


def test_a_batch_refuses_two_workbooks_whose_codes_differ_only_in_case(tmp_path):
    company = tmp_path / "申报"
    company.mkdir()
    _book(company / "城关.xlsx", ["DJ-2024-001"])
    _book(company / "西固.xlsx", ["dj-2024-001"], branch=XIGU)
    _book(company / "安宁.xlsx", ["AN-2024-001"], branch="安宁供电服务中心党支部")
    out = tmp_path / "输出"
    run = CliRunner().invoke(main, ["batch", str(company), "--out", str(out), "--format", "docx", "--workers", "1",
                                    "--date", "2024-12-23"])
    assert run.exit_code == 1, run.output
    assert "✗ 城关.xlsx：有错误，已退回" in run.output and "✗ 西固.xlsx：有错误，已退回" in run.output, run.output
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.docx"))
    assert made and all(n.startswith("安宁供电服务中心党支部/") or "汇总报告" in n for n in made), made
    assert not [n for n in made if "dj-2024-001" in n.casefold()], made
    result = api.year_end([company / "城关.xlsx", company / "西固.xlsx"], tmp_path / "年终", formats=(),
                          config=CONFIG)
    reports = {Path(r.path).name: r for r in result.report}
    for name, other, code in (("城关.xlsx", "西固.xlsx", "DJ-2024-001"), ("西固.xlsx", "城关.xlsx", "dj-2024-001")):
        clash = [i for i in reports[name].issues if i.code == "duplicate_project_across"]
        assert [i.location.cell for i in clash] == ["A2"] and other in clash[0].message, clash
        assert f"项目编号“{code}”" in clash[0].message  # each workbook's own writing of it
    assert result.projects == 0 and result.used == []


def test_names_a_file_system_takes_for_one_file_are_one_name():
    names = Names()
    assert names.claim("城关/DJ-2024-001_立项表.docx", "城关.xlsx") == "城关/DJ-2024-001_立项表.docx"
    assert names.claim("城关/dj-2024-001_立项表.docx", "西固.xlsx") == "城关/dj-2024-001_立项表(2).docx"
    assert names.claim("城关/ＤＪ-2024-001_立项表.docx", "安宁.xlsx") == "城关/ＤＪ-2024-001_立项表(3).docx"
    assert names.claim("城关/DJ-2024-001_立项表.docx", "城关.xlsx") == "城关/DJ-2024-001_立项表.docx"
    kept = Names({"城关/DJ-2024-001_立项表.docx": "城关.xlsx"})  # the last run's name stays its owner's
    assert kept.claim("城关/dj-2024-001_立项表.docx", "西固.xlsx") == "城关/dj-2024-001_立项表(2).docx"
