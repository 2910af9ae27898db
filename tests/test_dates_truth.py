"""Dates that match the content: what a document is dated, and that it states nothing dated after that day.

A 立项表 and a 计划书 carry the 立项日期 (else the 开始日期), never the run's date; a 进度报告, a 公示, a
结题报告 and the 年度汇总报告 state only what was reported on or before their 成文日期; a 结题报告 exists
only for a project that has ended or is complete, and the others are named in the run's summary. The
warnings point at the cell the clerk corrects.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from builder import award_row, full_book, progress_row, project_row, result_row, task_row, valid_book
from conftest import CONFIG, SAMPLES
from docgen import api
from docgen.cli import main
from docgen.config import Config
from docgen.documents import KINDS, WORKBOOK_KINDS, annual_report, documents
from docgen.documents.common import Options
from docgen.web.jobs import not_due as web_not_due
from longdata import FINISHED_CODE, LONG_CODE, SHORT_CODE, long_book
from textof import docx_paragraphs, pdf_pages

WRITTEN = dt.date(2024, 12, 23)


def _load(book, tmp_path, config=CONFIG, expected=None, name="a.xlsx"):
    return api.load(book.save(tmp_path / name), config, expected)


# --- 立项日期: the column, its checks, the date of the 立项表 and the 计划书 ---------------------------------------

def test_the_blank_template_has_the_approval_column_and_reads_it(tmp_path):
    path = api.write_intake_template(tmp_path / "t.xlsx", CONFIG)
    headers = [c.value for c in load_workbook(path)["项目信息"][3]]
    assert "立项日期" in headers and "立项日期*" not in headers  # optional
    book = valid_book(projects=[project_row(**{"立项日期": "2024年2月20日"})])
    intake, report = _load(book, tmp_path)
    assert report.ok and report.issues == []
    assert intake.projects[0].approved == dt.date(2024, 2, 20)


def test_approval_date_checks_point_at_its_cell(tmp_path):
    """After the 开始日期: a warning (a pilot approved later is real); after the 结束日期: an error (no plan is
    approved once the work is over); not a date: an error. The cell is the 立项日期's (column S here)."""
    projects = [
        project_row("DJ-2024-001", **{"立项日期": dt.date(2024, 3, 15)}),  # start 2024-03-01
        project_row("DJ-2024-002", **{"立项日期": dt.date(2025, 1, 10)}),  # end 2024-12-31
        project_row("DJ-2024-003", **{"立项日期": "2024-02-30"}),
        project_row("DJ-2024-004", **{"立项日期": dt.date(2024, 3, 1)}),  # the same day as the start: fine
    ]
    tasks = [task_row(code, 1) for code in ("DJ-2024-001", "DJ-2024-002", "DJ-2024-003", "DJ-2024-004")]
    _, report = _load(valid_book(projects=projects, tasks=tasks, progress=[]), tmp_path)
    found = [t for t in report.flatten("sheet", "cell", "code", "severity") if t[1].startswith("S")]
    assert sorted(found) == [
        ("项目信息", "S2", "approved_after_start", "warning"),
        ("项目信息", "S3", "approved_after_end", "error"),
        ("项目信息", "S4", "date_invalid", "error"),
    ]


def _dated(kind, tmp_path, renderers, approved):
    book = full_book(projects=[project_row(**{"立项日期": approved})])
    intake, report = _load(book, tmp_path)
    assert report.ok, report.issues
    document = next(documents(intake, [kind], CONFIG, Options(date=WRITTEN)))
    context = document.context.model_dump()
    pdf = "\n".join(line for page in pdf_pages(renderers.render("pdf", kind, context)) for line in page)
    docx = "\n".join(docx_paragraphs(renderers.render("docx", kind, context)))
    return pdf, docx


@pytest.mark.parametrize("kind", ["proposal", "plan"])
@pytest.mark.parametrize("approved, shown", [(dt.date(2024, 2, 20), "2024年2月20日"), (None, "2024年3月1日")])
def test_proposal_and_plan_carry_the_approval_date_not_the_run_date(kind, approved, shown, tmp_path, renderers):
    """With a 立项日期 the 立项表 and the 计划书 carry it; without, the 计划书 the project's 开始日期 (2024-03-01) and the
    立项表 no 立项日期 row (the 开始日期 stays in its 起止时间); never the
    成文日期 of the run (2024-12-23), in the PDF and in the docx alike."""
    for text in _dated(kind, tmp_path, renderers, approved):
        assert shown in text
        assert "2024年12月23日" not in text
    if kind == "proposal":
        pdf, docx = _dated(kind, tmp_path, renderers, approved)
        if approved is None:  # no 立项日期 of record: the form leaves its row out (tests/test_truth2.py)
            assert "立项日期" not in docx and "立项日期" not in pdf
        else:
            assert f"立项日期\n{shown}" in docx
            assert re.search(rf"立项日期\s*{shown}", pdf)
    else:
        for text in _dated(kind, tmp_path, renderers, approved):
            assert text.rstrip().endswith(shown)  # the date under the branch's name, the plan's last line


# --- the 成文日期 and what is stated as of it ----------------------------------------------------------------------

def test_a_stat_date_after_the_written_date_is_a_warning_at_its_cell(tmp_path):
    progress = [progress_row(), progress_row(period="2024年第4季度", **{"统计日期*": dt.date(2024, 12, 25)})]
    book = valid_book(progress=progress)
    _, report = _load(book, tmp_path, expected=api.Expected(written=WRITTEN))
    assert report.flatten("sheet", "cell", "code", "severity") == [("进度", "C3", "stat_date_after_written", "warning")]
    _, report = _load(book, tmp_path, expected=api.Expected(written=dt.date(2024, 12, 25)))
    assert report.issues == []  # on the day itself: fine


def test_render_and_validate_check_against_their_date(tmp_path):
    """The run's --date reaches the check: `docgen validate --date` and a render's outcome both warn at 进度!C3."""
    progress = [progress_row(), progress_row(period="2024年第4季度", **{"统计日期*": dt.date(2024, 12, 25)})]
    path = valid_book(progress=progress).save(tmp_path / "a.xlsx")
    run = api.render(path, tmp_path / "out", ["proposal"], ["docx"], CONFIG, Options(date=WRITTEN))
    assert run.outcomes[0].report.flatten("cell", "code") == [("C3", "stat_date_after_written")]
    result = CliRunner().invoke(main, ["validate", str(path), "--date", "2024-12-23", "--format", "json",
                                       "--config", str(SAMPLES / "docgen.toml")])
    issues = json.loads(result.output)["files"][0]["issues"]
    assert [(i["cell"], i["code"]) for i in issues] == [("C3", "stat_date_after_written")]


def _all_texts(tmp_path, renderers, paths, on):
    """The PDF text of every document (workbook kinds and the 年度汇总报告) of the given workbooks as of `on`."""
    options = Options(date=on)
    texts, intakes = {}, []
    for path in paths:
        intake, report = api.load(path, CONFIG)
        assert report.ok, report.issues
        intakes.append(intake)
        for document in documents(intake, WORKBOOK_KINDS, CONFIG, options):
            pdf = renderers.render("pdf", document.kind, document.context.model_dump())
            texts[f"{Path(path).name}:{document.stem}"] = "\n".join("\n".join(page) for page in pdf_pages(pdf))
    data = annual_report.year_end(intakes, CONFIG, options)
    document = KINDS[annual_report.KIND].document(data, CONFIG, options)
    pdf = renderers.render("pdf", document.kind, document.context.model_dump())
    texts["年度汇总报告"] = "\n".join("\n".join(page) for page in pdf_pages(pdf))
    return texts


_AS_OF = re.compile(r"截\s*至\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@pytest.mark.parametrize("on", [dt.date(2024, 12, 23), dt.date(2024, 9, 28)])
def test_no_document_states_figures_as_of_a_day_after_its_date(tmp_path, renderers, on):
    """Over the samples and the long-data workbook, as of two dates: every “截至…” in every kind is on or before the
    成文日期 (the 进度报告 DJ-2024-004 no longer says 截至2024年12月25日)."""
    paths = [SAMPLES / "城关供电服务中心党支部.xlsx", SAMPLES / "变电运维中心.xlsx",
             long_book().save(tmp_path / "long.xlsx")]
    texts = _all_texts(tmp_path, renderers, paths, on)
    seen = 0
    for name, text in texts.items():
        for year, month, day in _AS_OF.findall(text):
            stated = dt.date(int(year) if year else on.year, int(month), int(day))
            assert stated <= on, (name, stated)
            seen += 1
    assert seen > 5
    assert not any("12月25日" in text for text in texts.values())


def test_figures_come_only_from_rows_on_or_before_the_date(tmp_path, renderers):
    """DJ-2024-004 reported 98.8 % on 2024-12-25; as of 2024-12-23 its latest report is of 2024-09-30 (100, 75, 70,
    70 → 78.8 %): the 进度报告, the 公示 and the 年度汇总报告 say 78.8 %, none says 98.8 %."""
    texts = _all_texts(tmp_path, renderers, [SAMPLES / "城关供电服务中心党支部.xlsx", SAMPLES / "变电运维中心.xlsx"],
                       WRITTEN)
    progress = next(t for n, t in texts.items() if "DJ-2024-004_进度报告" in n)
    notice = next(t for n, t in texts.items() if "运维二站党支部_“四公开”公示" in n)
    assert "截至2024年9月30日" in progress and "78.8%" in progress
    assert "截至9月30日完成78.8%" in re.sub(r"\s+", "", notice)
    assert "78.8%" in texts["年度汇总报告"]
    assert not any("98.8%" in text for text in texts.values())


def test_days_left_count_from_the_date_the_report_states(tmp_path):
    """还有N天 counts from the date the sentence states: the 成文日期 (6-25) the 临近 section is judged on, not the
    统计日期 (6-20) of the period's figures; a row dated after the 成文日期 is not used."""
    tasks = [task_row(seq=1, **{"完成时限*": dt.date(2024, 7, 15)}), task_row(seq=2)]
    progress = [progress_row(percent=50, **{"统计日期*": dt.date(2024, 6, 20)}),
                progress_row(period="2024年7月", percent=60, **{"统计日期*": dt.date(2024, 7, 5)})]
    intake, report = _load(valid_book(tasks=tasks, progress=progress), tmp_path)
    assert report.ok
    context = next(documents(intake, ["progress"], CONFIG, Options(date=dt.date(2024, 6, 25)))).context
    assert context.stat_date == "2024年6月20日"
    assert any("完成时限2024年7月15日，截至2024年6月25日，还有20天" in line for line in context.approaching)


# --- 结题报告: only for a project that has ended or is complete --------------------------------------------------

def test_closing_reports_only_for_ended_or_complete_projects(tmp_path):
    """Long data as of 2024-12-23: DJ-2024-013 (ended 2024-11-30) gets its 结题报告; DJ-2024-011 (to 2025-12, about
    half) and DJ-2024-012 (never started) get none and are named 未到结题时间, not failures."""
    path = long_book().save(tmp_path / "long.xlsx")
    run = api.render(path, tmp_path / "out", ["closing_report"], ["docx"], CONFIG, Options(date=WRITTEN))
    made = sorted(p.name for p in (tmp_path / "out").rglob("*结题报告*"))
    assert made == [f"{FINISHED_CODE}_结题报告.docx"]
    outcome = run.outcomes[0]
    assert outcome.failures == [] and outcome.status == "rendered"
    assert [(n.project, n.reason) for n in outcome.not_due] == [(LONG_CODE, "未到结题时间"), (SHORT_CODE, "未到结题时间")]
    assert web_not_due(run.outcomes) == [f"未到结题时间，未生成结题报告：{LONG_CODE}、{SHORT_CODE}"]


def test_a_complete_project_gets_its_closing_report_before_its_end(tmp_path):
    """Every task at 100 % by the 成文日期: complete, so reported on although its 结束日期 is still ahead."""
    progress = [progress_row(task=1, percent=100), progress_row(task=2, percent=100)]
    intake, report = _load(full_book(progress=progress), tmp_path)
    assert report.ok
    made = list(documents(intake, ["closing_report"], CONFIG, Options(date=dt.date(2024, 7, 1))))
    assert [d.project_code for d in made] == ["DJ-2024-001"]
    early = full_book(progress=[progress_row(task=1, percent=100), progress_row(task=2, percent=90)])
    intake, _ = _load(early, tmp_path, name="b.xlsx")
    assert list(documents(intake, ["closing_report"], CONFIG, Options(date=dt.date(2024, 7, 1)))) == []


def test_the_run_summaries_name_the_closing_reports_not_due(tmp_path):
    """`docgen render` and `docgen batch` print them; manifest.json and 清单.xlsx record them; nothing counts as
    a failure."""
    folder = tmp_path / "in"
    folder.mkdir()
    long_book().save(folder / "long.xlsx")
    config = ["--config", str(SAMPLES / "docgen.toml")]
    rendered = CliRunner().invoke(main, ["render", str(folder / "long.xlsx"), "--out", str(tmp_path / "r"),
                                         "--kind", "closing_report", "--format", "docx", "--date", "2024-12-23",
                                         *config])
    assert rendered.exit_code == 0, rendered.output
    assert f"未到结题时间，未生成 国网兰州供电公司城关供电服务中心配网运维第一党支部/{LONG_CODE}_结题报告" in rendered.output
    assert f"{SHORT_CODE}_结题报告" in rendered.output and "未能生成" not in rendered.output
    batched = CliRunner().invoke(main, ["batch", str(folder), "--out", str(tmp_path / "b"), "--kind", "closing_report",
                                        "--format", "docx", "--date", "2024-12-23", "--workers", "1", *config])
    assert batched.exit_code == 0, batched.output
    assert "未到结题时间" in batched.output and LONG_CODE in batched.output and "有问题的申报表" not in batched.output
    entry = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))["workbooks"][0]
    assert [(n["project"], n["kind"], n["reason"]) for n in entry["not_due"]] == [
        (LONG_CODE, "closing_report", "未到结题时间"), (SHORT_CODE, "closing_report", "未到结题时间")]
    assert entry["failures"] == [] and entry["status"] == "rendered"
    listing = load_workbook(tmp_path / "b" / "清单.xlsx")["申报表"]
    notes = "\n".join(str(c.value) for row in listing.iter_rows() for c in row if c.value)
    assert f"{LONG_CODE}_结题报告：未到结题时间" in notes


# --- one company: the samples and the 颁发单位 ------------------------------------------------------------------

def test_a_certificate_issued_by_another_organisation_is_a_warning_at_its_cell(tmp_path):
    awards = [award_row(),  # 中共国网兰州供电公司委员会: the configured 党委
              award_row("DJZS-2024-002", **{"颁发单位*": "国网兰州供电公司"}),
              award_row("DJZS-2024-003", **{"颁发单位*": "中共国网兰州供电公司 委员会"}),  # spaces folded
              award_row("DJZS-2024-004", **{"颁发单位*": "中共国网天津市电力公司委员会"})]
    book = full_book(awards=awards)
    _, report = _load(book, tmp_path)
    assert report.flatten("sheet", "cell", "code", "severity") == [("表彰", "E5", "issuer_not_own", "warning")]
    _, report = _load(book, tmp_path, config=Config(), name="b.xlsx")  # no organisation configured: no judgement
    assert report.issues == []


def test_the_samples_are_one_companys():
    """国网兰州供电公司's samples: no 天津 organisation in any cell, every certificate issued by its 党委 (no
    issuer warning), and the valid samples dated with their 立项日期."""
    for path in sorted(SAMPLES.glob("*.xlsx")):
        book = load_workbook(path)
        cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
        assert not any("天津" in text or "唐县" in text for text in cells), path.name
        _, report = api.load(path, CONFIG)
        assert "issuer_not_own" not in [i.code for i in report.issues], path.name
    intake, _ = api.load(SAMPLES / "变电运维中心.xlsx", CONFIG)
    assert {p.code: p.approved for p in intake.projects} == {
        "DJ-2024-003": dt.date(2024, 2, 23), "DJ-2024-004": dt.date(2024, 2, 8), "DJ-2024-005": None}
