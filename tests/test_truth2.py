"""What a strict reviewer reads in every document of one day: the same overdue tasks everywhere, results published
only when due, no sentence built around an empty value, no 立项日期 that was never given, the year a 结题报告
closes in, every branch of a workbook named, one form of date in a table, a contact the public can reach.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile

import pytest
from openpyxl import load_workbook

from builder import full_book, project_row
from conftest import CONFIG, SAMPLES
from docgen import api
from docgen.batch import batch
from docgen.documents import annual_report, documents, ledger
from docgen.documents.common import Options, share
from longdata import FINISHED_CODE, LONG_CODE, SHORT_CODE, long_book
from textof import docx_paragraphs, pdf_pages, squeeze

WRITTEN = dt.date(2024, 12, 23)
LATER = dt.date(2025, 12, 31)
SUBSTATIONS = SAMPLES / "变电运维中心.xlsx"


def _sample(name="变电运维中心.xlsx"):
    intake, report = api.load(SAMPLES / name, CONFIG)
    assert report.ok, report.issues
    return intake


def _long(tmp_path):
    intake, report = api.load(long_book().save(tmp_path / "long.xlsx"), CONFIG)
    assert report.ok, report.issues
    return intake


def _context(intake, kind, day, code=None):
    found = [d for d in documents(intake, [kind], CONFIG, Options(date=day)) if code is None or d.project_code == code]
    assert found, (kind, code)
    return found[0].context


def _notice(intake, day, code=None):
    """The 公示 listing project `code` (the only one when None)."""
    found = [d.context for d in documents(intake, ["notice"], CONFIG, Options(date=day))
             if code is None or any(p.code == code for p in d.context.projects)]
    assert len(found) == 1, code
    return found[0]


def _year(intakes, day):
    data = annual_report.year_end(intakes, CONFIG, Options(date=day))
    return data, annual_report.build_context(data, CONFIG, Options(date=day)), {
        r.code: r for r in ledger.rows(data)}


def _pdf_text(renderers, kind, context) -> str:
    return "\n".join(line for page in pdf_pages(renderers.render("pdf", kind, context.model_dump())) for line in page)


# --- 1. one rule of 逾期 on a document's date ---------------------------------------------------------------------

def test_progress_report_notice_annual_report_and_ledger_of_one_day_count_the_same_overdue_tasks(renderers):
    """DJ-2024-004 reported last for 2024年9月 (统计日期 9-30); on 12-23 tasks 2 (due 11-30, 75 %) and 3 (due 12-15,
    70 %) are overdue and task 4 (due 12-31) is close: the 进度报告 of that day says so as of 12-23, counting days
    from 12-23; its 统计日期 figures stay those of 9-30; the 公示, the 年度汇总 and the 台账 count the same two."""
    intake = _sample()
    progress = _context(intake, "progress", WRITTEN, "DJ-2024-004")
    assert progress.stat_date == "2024年9月30日"
    assert len(progress.overdue) == 2 and len(progress.approaching) == 1
    assert "截至2024年12月23日，已逾期23天" in progress.overdue[0]  # 11-30 → 12-23
    assert "截至2024年12月23日，已逾期8天" in progress.overdue[1]
    assert "截至2024年12月23日，还有8天" in progress.approaching[0]
    assert [t.flag for t in progress.tasks] == ["完成", "逾期", "逾期", "临近"]
    text = squeeze(_pdf_text(renderers, "progress", progress))
    assert "（一）逾期任务无。" not in text
    assert "截至2024年9月30日，项目总体完成比例为78.8%" in text  # the period's own figure, as of its 统计日期
    assert "截至2024年12月23日，已逾期23天" in text

    notice = _notice(intake, WRITTEN, "DJ-2024-004")
    row = next(p for p in notice.projects if p.code == "DJ-2024-004")
    assert row.progress == "截至9月30日完成78.8%；截至12月23日，逾期任务2项"

    _, annual, rows = _year([intake], WRITTEN)
    lost = next(r for r in annual.lost if r.code == "DJ-2024-004")
    assert "2项任务已过完成时限仍未完成（第2项、第3项）" in lost.reasons
    assert rows["DJ-2024-004"].overdue == 2  # the 台账's 逾期任务 beside its own 失去资格原因


@pytest.mark.parametrize("day", [WRITTEN, LATER])
def test_the_ledger_counts_what_its_reasons_state(day, tmp_path):
    """In the long-data 台账 the 逾期任务 of a row is the number its 失去资格原因 names, on either date; on 31 Dec
    a task due that day has not yet passed its 完成时限 (it is not counted, in no document)."""
    intake = _long(tmp_path)
    _, _, rows = _year([intake], day)
    for row in rows.values():
        stated = re.search(r"(\d+)项任务已过完成时限", row.reasons)
        assert row.overdue == (int(stated.group(1)) if stated else 0), (row.code, row.overdue, row.reasons)
    assert rows[LONG_CODE].overdue == (1 if day == WRITTEN else 4)
    notice = _notice(intake, day)
    long_row = next(p for p in notice.projects if p.code == LONG_CODE)
    assert long_row.progress.endswith(f"逾期任务{rows[LONG_CODE].overdue}项")


# --- 2. 实施效果 only when the project's closing is due -------------------------------------------------------------

def test_notice_publishes_results_only_of_a_project_whose_closing_is_due(tmp_path, renderers):
    intake = _sample()
    notice = _notice(intake, WRITTEN, "DJ-2024-004")
    running = next(p for p in notice.projects if p.code == "DJ-2024-004")  # to 2024-12-31, at 78.8 %
    assert running.effect == ["项目实施中，实施效果待项目结题后公开。"]
    assert "全年未发生" not in squeeze(_pdf_text(renderers, "notice", notice))
    city = _notice(_sample("城关供电服务中心党支部.xlsx"), WRITTEN)
    first = next(p for p in city.projects if p.code == "DJ-2024-001")  # task 6 at 80 %
    assert first.effect == ["项目实施中，实施效果待项目结题后公开。"]
    assert not any("推广应用" in line for line in first.effect)
    finished = next(p for p in city.projects if p.code == "DJ-2024-002")  # ended 11-30 with its results
    assert finished.effect and "待" not in "".join(finished.effect)

    long = _long(tmp_path)
    ended = _notice(long, LATER)  # 2025-12-31: every project has ended, DJ-2024-013 has results
    effects = {p.code: p.effect for p in ended.projects}
    assert effects[LONG_CODE] == effects[SHORT_CODE] == ["项目已结束，实施效果待验收后公开。"]
    assert "待" not in "".join(effects[FINISHED_CODE])


# --- 3. no clause around an empty value; shares as the rule is written ----------------------------------------------

def test_annual_report_leaves_out_what_was_not_measured_and_writes_one_third_in_words(tmp_path, renderers):
    _, annual, _ = _year([_long(tmp_path)], LATER)  # 2025: neither project has a satisfaction rate or a score
    text = squeeze(_pdf_text(renderers, "annual_report", annual))
    assert "平均满意率—" not in text and "平均得分—" not in text and "0个项目开展了" not in text
    assert not any("—" in line for line in annual.overview)
    assert "0个项目列入跟踪实施名单" not in text  # nothing ranked: no ranking to report
    _, annual, _ = _year([_sample()], WRITTEN)
    assert "前三分之一" in annual.selection_rule and "33.3%" not in annual.selection_rule
    assert "前50%" in annual.selection_rule
    assert "前三分之一" in squeeze(_pdf_text(renderers, "annual_report", annual))


@pytest.mark.parametrize("value, words", [(1 / 3, "三分之一"), (0.3333, "三分之一"), (2 / 3, "三分之二"), (0.5, "50%"),
                                          (0.25, "25%"), (0.2, "20%"), (1.0, "100%"), (0.125, "八分之一"),
                                          (0.37, "37%"), (0.456, "45.6%")])
def test_shares_read_as_a_rule_is_written(value, words):
    assert share(value) == words


# --- 4. a 立项日期 only when the workbook gives one -----------------------------------------------------------------

@pytest.mark.parametrize("approved", [None, dt.date(2024, 2, 20)])
def test_the_proposal_shows_a_row_of_approval_only_when_given(approved, tmp_path, renderers):
    book = full_book(projects=[project_row(**{"立项日期": approved})])
    intake, report = api.load(book.save(tmp_path / "a.xlsx"), CONFIG)
    assert report.ok, report.issues
    context = _context(intake, "proposal", WRITTEN)
    pdf = _pdf_text(renderers, "proposal", context)
    docx = docx_paragraphs(renderers.render("docx", "proposal", context.model_dump()))
    if approved is None:
        assert "立项日期" not in pdf and "立项日期" not in docx
        assert pdf.count("2024年3月1日") == 1 and sum(line.count("2024年3月1日") for line in docx) == 1  # 起止时间 only
        plan = _context(intake, "plan", WRITTEN)
        assert plan.date == "2024年3月1日"  # the 计划书 is still dated, by the 开始日期
    else:
        assert re.search(r"立项日期\s*2024年2月20日", pdf)
        assert docx[docx.index("立项日期") + 1] == "2024年2月20日"


# --- 5. the year a 结题报告 closes in ------------------------------------------------------------------------------

def test_closing_report_is_titled_with_the_year_the_project_ends(tmp_path, renderers):
    intake = _long(tmp_path)
    context = _context(intake, "closing_report", LATER, LONG_CODE)  # 2024-01 → 2025-12-31, last report 2024 Q4
    assert context.subtitle == "党建项目结题报告（2025年度）"
    assert "党建项目结题报告（2025年度）" in squeeze(_pdf_text(renderers, "closing_report", context))
    assert _context(intake, "closing_report", LATER, FINISHED_CODE).subtitle == "党建项目结题报告（2024年度）"
    history = [row.stat_date for row in context.history]
    assert history == ["2024年12月20日"]  # a date of another year than the report's carries its year


# --- 6. every branch of a workbook --------------------------------------------------------------------------------

def test_listing_manifest_and_zips_name_every_branch_of_a_workbook(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    shutil.copy(SUBSTATIONS, folder / SUBSTATIONS.name)
    out = tmp_path / "out"
    batch(folder, out, kinds=["proposal"], formats=("docx",), config=CONFIG, options=Options(date=WRITTEN),
          workers=1, make_zip=True)
    branches = list(dict.fromkeys(p.branch for p in _sample().projects))
    assert len(branches) == 3
    sheet = load_workbook(out / "清单.xlsx")["申报表"]
    header = [c.value for c in sheet[2]]
    row = [c.value for c in sheet[3]]
    assert row[header.index("申报党组织")] == "、".join(branches)
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["workbooks"][0]
    assert entry["branches"] == branches
    zips = sorted(p.stem for p in (out / "按支部打包").glob("*.zip"))
    assert zips == sorted(branches)
    for branch in branches:  # each zip holds its own branch's documents only
        names = zipfile.ZipFile(out / "按支部打包" / f"{branch}.zip").namelist()
        assert names and all(name.startswith(f"{branch}/") for name in names)


# --- 7. one form of date in the 公示's table ------------------------------------------------------------------------

_DATE = re.compile(r"截至((?:\d{4}年)?)\d{1,2}月\d{1,2}日")


@pytest.mark.parametrize("day", [WRITTEN, LATER])
def test_the_notice_table_writes_its_dates_in_one_form(day, tmp_path):
    """12-23: the long workbook's dates are all of 2024, written without the year; 2025-12-31: all of another
    year, so every one carries it (before: "截至11月30日" beside "截至2024年12月20日")."""
    notice = _notice(_long(tmp_path), day)
    forms = {bool(m.group(1)) for p in notice.projects for m in _DATE.finditer(p.progress)}
    assert forms == {day != WRITTEN}
    city = _notice(_sample("城关供电服务中心党支部.xlsx"), WRITTEN)
    assert {bool(m.group(1)) for p in city.projects for m in _DATE.finditer(p.progress)} == {False}


# --- 8. a contact the public can reach -----------------------------------------------------------------------------

def test_the_sample_notice_names_a_person_and_the_full_address():
    notice = _notice(_sample(), WRITTEN, "DJ-2024-004")
    contact = notice.contacts[0].removeprefix("联系人：")
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", contact) and not contact.endswith(("老师", "同志", "主任"))
    address = next(line for line in notice.contacts if line.startswith("地址："))
    assert address.removeprefix("地址：").startswith(CONFIG.organization.name)
