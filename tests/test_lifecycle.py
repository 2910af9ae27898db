"""The life cycle's figures: progress as of a period, 公示 working days, eligibility, certificates."""
from __future__ import annotations

import datetime as dt

import pytest

from builder import award_row, full_book, progress_row, result_row, task_row
from docgen import api
from docgen.config import AssessmentRules, CalendarRules
from docgen.documents import Options, annual_report, documents
from docgen.documents.assessment import assess, risk_line
from docgen.documents.common import cn_numeral_date, fit
from docgen.documents.notice import notice_period
from docgen.documents.workdays import WorkCalendar
from docgen.errors import CalendarError
from docgen.models.period import Period

from conftest import CONFIG


def load(book, tmp_path, name="book.xlsx"):
    intake, report = api.load(book.save(tmp_path / name))
    assert report.ok, [str(i) for i in report.issues]
    return intake


def only(intake, kind, config=None, **options):
    found = list(documents(intake, [kind], config or CONFIG, Options(**options)))
    assert len(found) == 1, [d.stem for d in found]
    return found[0].context


TASKS = [
    task_row(seq=1, **{"完成时限*": dt.date(2024, 5, 31)}),                               # done
    task_row(seq=2, **{"开始日期": dt.date(2024, 4, 1), "完成时限*": dt.date(2024, 6, 15)}),   # overdue at 6-30
    task_row(seq=3, **{"开始日期": dt.date(2024, 5, 1), "完成时限*": dt.date(2024, 7, 20)}),   # due in 20 days
    task_row(seq=4, **{"开始日期": dt.date(2024, 6, 1), "完成时限*": dt.date(2024, 11, 30)}),  # not yet due
]
PROGRESS = [
    progress_row(period="2024年第1季度", task=1, percent=40, **{"统计日期*": dt.date(2024, 3, 29)}),
    progress_row(period="2024年第2季度", task=1, percent=100),
    progress_row(period="2024年第2季度", task=2, percent=60, **{"存在问题": "走访人手不足"}),
    progress_row(period="2024年第2季度", task=3, percent=30),
    progress_row(period="2024年第2季度", task=None, percent=50, **{"完成情况*": "项目总体按计划推进",
                                                                   "下步计划": "抽调人员补齐走访"}),
]


@pytest.fixture
def intake(tmp_path):
    return load(full_book(tasks=TASKS, progress=PROGRESS), tmp_path)


def test_progress_flags_overdue_and_approaching_tasks(intake):
    # dated on its 统计日期 (6-30): 逾期 and 临近 are judged on the report's date (assessment.overdue_on)
    context = only(intake, "progress", date=dt.date(2024, 6, 30))
    flags = {t.seq: t.flag for t in context.tasks}
    assert flags == {1: "完成", 2: "逾期", 3: "临近", 4: ""}
    assert context.overdue == ["任务2“整编服务队”：完成时限2024年6月15日，已逾期15天，完成60%。"]
    assert context.approaching == ["任务3“整编服务队”：完成时限2024年7月20日，还有20天，完成30%。"]
    # (100 + 60 + 30 + 0) / 4: every task weighs the same, an unreported task counts 0 %
    assert context.completion == "47.5%"
    assert context.problems == ["任务2：走访人手不足"]
    assert context.next_steps == ["抽调人员补齐走访"]
    assert context.tasks[3].status == "—"


def test_progress_chart_sets_plan_against_actual(intake):
    bars = {b.label: b for b in only(intake, "progress").chart.bars}
    assert bars["任务2 计划"].value == "100%"  # past its deadline: all of it was planned
    assert bars["任务2 实际"].value == "60%" and bars["任务2 实际"].colour == "262626"
    assert bars["任务1 实际"].cells.count("808080") == 20
    assert bars["任务4 计划"].value == "16.4%"  # 30 of its 183 days, 1 June to 30 November


def test_progress_period_can_be_chosen(intake):
    context = only(intake, "progress", period=Period.model_validate("2024Q1"))
    assert context.period_label == "2024年第1季度"
    assert context.stat_date == "2024年3月29日"
    assert [t.percent for t in context.tasks] == ["40%", "0%", "0%", "0%"]
    assert "本期" not in context.tasks[0].status
    assert not list(documents(intake, ["progress"], CONFIG, Options(period=Period.model_validate("2024Q3"))))


def test_a_task_not_reported_this_period_keeps_its_last_figure(tmp_path):
    rows = PROGRESS + [progress_row(period="2024年第3季度", task=2, percent=100,
                                    **{"统计日期*": dt.date(2024, 9, 27)})]
    context = only(load(full_book(tasks=TASKS, progress=rows), tmp_path), "progress")
    assert context.period_label == "2024年第3季度"
    first = context.tasks[0]
    assert first.percent == "100%" and first.status.endswith("（2024年第2季度）")


def test_notice_period_counts_working_days_across_a_holiday():
    calendar = WorkCalendar()
    # National Day 2024: 1–7 October off; Sunday 29 September was a make-up working day.
    assert calendar.span(dt.date(2024, 9, 27), 5) == (dt.date(2024, 9, 27), dt.date(2024, 10, 9))
    assert notice_period(calendar, dt.date(2024, 9, 28), 5) == "公示期为5个工作日（2024年9月29日至10月10日）。"
    assert notice_period(calendar, dt.date(2024, 12, 23), 5) == "公示期为5个工作日（2024年12月23日至12月27日）。"


def test_notice_period_into_an_unknown_year_stops_or_uses_configured_holidays():
    with pytest.raises(CalendarError, match="2027"):
        WorkCalendar().span(dt.date(2026, 12, 28), 5)
    configured = WorkCalendar(CalendarRules(holidays=(dt.date(2027, 1, 1),)))
    assert configured.span(dt.date(2026, 12, 28), 5) == (dt.date(2026, 12, 28), dt.date(2027, 1, 4))
    assert notice_period(configured, dt.date(2026, 12, 28), 5) == "公示期为5个工作日（2026年12月28日至2027年1月4日）。"


def test_notice_lists_the_branch_projects_with_contact_and_date(tmp_path):
    from builder import project_row
    projects = [project_row(), project_row("DJ-2024-002", **{"项目名称*": "网格化服务"})]
    tasks = TASKS + [task_row("DJ-2024-002", seq=1)]
    intake = load(full_book(projects=projects, tasks=tasks, progress=PROGRESS), tmp_path)
    notices = list(documents(intake, ["notice"], CONFIG, Options(date=dt.date(2024, 12, 23))))
    assert len(notices) == 1
    notice = notices[0].context
    assert notice.title == "关于城关供电服务中心党支部党建项目“四公开”的公示"
    assert [p.name for p in notice.projects] == ["连心桥共产党员服务队“创优”工程", "网格化服务"]
    assert notice.projects[1].progress == "暂无阶段进展"
    assert notice.contacts == ["联系人：王丽娟", "联系电话：0931-8881234", "地址：国网兰州供电公司党建工作部（综合楼305室）"]
    assert notice.date == "2024年12月23日"
    per_project = list(documents(intake, ["notice"], CONFIG, Options(date=dt.date(2024, 12, 23), per_project=True)))
    assert [d.context.title for d in per_project] == [
        "关于“连心桥共产党员服务队‘创优’工程”党建项目“四公开”的公示", "关于“网格化服务”党建项目“四公开”的公示"]


def test_a_notice_never_publishes_a_personal_mobile_by_default(tmp_path):
    """No [notice] phone: the leader's name and a masked mobile, and the run warns the clerk."""
    from builder import project_row
    from docgen.api import run_warnings
    from docgen.config import NoticeRules

    unset = CONFIG.model_copy(update={"notice": NoticeRules()})
    intake = load(full_book(projects=[project_row(**{"联系电话": "13812346378"})], tasks=TASKS, progress=PROGRESS), tmp_path)
    notice = next(documents(intake, ["notice"], unset, Options(date=dt.date(2024, 12, 23)))).context
    assert notice.contacts == ["联系人：马建华", "联系电话：138****6378"]
    assert any("138****6378" in w for w in run_warnings(["docx"], ["notice"], unset))
    assert run_warnings(["docx"], ["notice"], CONFIG) == []
    office = load(full_book(projects=[project_row(**{"联系电话": "0931-8881234"})], tasks=TASKS, progress=PROGRESS),
                  tmp_path)
    notice = next(documents(office, ["notice"], unset, Options(date=dt.date(2024, 12, 23)))).context
    assert notice.contacts == ["联系人：马建华", "联系电话：0931-8881234"]  # an office number is public anyway


def test_eligibility_is_lost_for_unfinished_tasks_or_low_satisfaction(tmp_path):
    tasks = [task_row(seq=1), task_row(seq=2, **{"完成时限*": dt.date(2024, 11, 30)})]
    done = [progress_row(task=1, percent=100), progress_row(period="2024年第4季度", task=2, percent=100,
                                                            **{"统计日期*": dt.date(2024, 12, 20)})]
    rules = AssessmentRules()

    def project_assessment(progress, satisfaction, name, conclusion="优秀", threshold=rules):
        intake = load(full_book(tasks=tasks, progress=progress,
                                results=[result_row(satisfaction=satisfaction, conclusion=conclusion)]),
                      tmp_path, name)
        return assess(intake.projects[0], intake, threshold)

    assert project_assessment(done, 95, "a.xlsx").reasons == []
    unfinished = project_assessment(done[:1] + [progress_row(period="2024年第4季度", task=2, percent=90,
                                                             **{"统计日期*": dt.date(2024, 12, 20)})], 95, "b.xlsx")
    assert unfinished.reasons == ["截至12月31日，1项任务已过完成时限仍未完成（第2项）"]
    low = project_assessment(done, 79.5, "c.xlsx")
    assert low.reasons == ["群众满意率79.5%，低于80%"]
    assert project_assessment(done, 79.5, "d.xlsx", threshold=AssessmentRules(satisfaction_min=75)).eligible
    assert project_assessment(done, None, "e.xlsx", conclusion="不合格").reasons == ["未报送群众满意率", "验收结论为不合格"]


def test_a_task_not_yet_due_is_at_risk_not_a_failure(tmp_path):
    """Dated 23 Dec, a task due 31 Dec at 80 % keeps the award; the same task counts once the year is over."""
    tasks = [task_row(seq=1), task_row(seq=2, **{"完成时限*": dt.date(2024, 12, 31)})]
    progress = [progress_row(task=1, percent=100),
                progress_row(period="2024年第4季度", task=2, percent=80, **{"统计日期*": dt.date(2024, 12, 20)})]
    intake = load(full_book(tasks=tasks, progress=progress, results=[result_row(satisfaction=96, score=95.5)]),
                  tmp_path)
    # dated 23 Dec the project (to 31 Dec, a task at 80 %) has neither ended nor completed: no 结题报告 yet
    assert list(documents(intake, ["closing_report"], CONFIG, Options(date=dt.date(2024, 12, 23)))) == []
    before = assess(intake.projects[0], intake, CONFIG.assessment, 2024, dt.date(2024, 12, 23))
    assert before.eligible and before.reasons == []
    assert risk_line(before) == "第2项（完成时限12月31日，完成80%）"
    after = assess(intake.projects[0], intake, CONFIG.assessment, 2024, dt.date(2025, 1, 6))
    assert not after.eligible
    assert after.reasons == ["截至12月31日，1项任务已过完成时限仍未完成（第2项）"]
    data = annual_report.year_end([intake], CONFIG, Options(date=dt.date(2024, 12, 23)))
    annual = annual_report.build_context(data, CONFIG, Options(date=dt.date(2024, 12, 23)))
    assert annual.lost == [] and len(annual.at_risk) == 1 and "第2项（完成时限12月31日，完成80%）" in annual.at_risk[0]
    assert annual.overview[1].startswith("截至12月23日")


def test_closing_report_states_history_and_leaves_eligibility_to_the_department(intake):
    context = only(intake, "closing_report", date=dt.date(2024, 12, 31))  # the project's end: its 结题报告 is due
    assert [h.period for h in context.history] == ["2024年第1季度", "2024年第2季度"]
    assert context.history[1].overdue == 1
    assert "评优资格" not in str(context.model_dump())
    assert context.finished == "计划任务4项，已完成1项，总体完成比例47.5%。"


def test_certificate_date_is_written_in_chinese_numerals():
    assert cn_numeral_date(dt.date(2024, 12, 20)) == "二〇二四年十二月二十日"
    assert cn_numeral_date(dt.date(2030, 1, 5)) == "二〇三〇年一月五日"
    assert cn_numeral_date(dt.date(2025, 10, 31)) == "二〇二五年十月三十一日"


def test_long_names_shrink_to_their_box_and_only_then_break():
    short = fit("韩立新：", 620, 30, 20)
    assert short.lines == ["韩立新："] and short.size == 30 and short.half_points == 60
    unit = "国网兰州供电公司七里河区变电运维站党支部"  # 20 characters
    fitted = fit(unit + "：", 620, 30, 20)
    assert fitted.lines == [unit + "："] and 20 <= fitted.size < 30
    assert 21 * fitted.size <= 620
    very_long = fit(unit * 3, 620, 30, 20)
    assert len(very_long.lines) == 2 and "".join(very_long.lines) == unit * 3
    assert max(len(line) for line in very_long.lines) * very_long.size <= 620


def test_certificates_take_reason_from_the_sheet_or_the_project(tmp_path):
    awards = [award_row(), award_row("DJZS-2024-002", "李晓燕", **{"表彰事由": "在服务队建设中表现突出。",
                                                                   "荣誉称号*": "优秀共产党员", "项目编号": None})]
    intake = load(full_book(tasks=TASKS, progress=PROGRESS, awards=awards), tmp_path)
    pages = [d.context.certificates[0] for d in documents(intake, ["certificate"], CONFIG)]
    assert pages[0].reason == "在2024年度党建项目“连心桥共产党员服务队‘创优’工程”实施中成绩突出，被评为"
    assert pages[0].honour.lines == ["“十佳”党建精品项目"]
    assert pages[1].reason == "在服务队建设中表现突出，被评为"
    assert pages[1].honour.lines == ["“优秀共产党员”"]
    assert pages[1].date == "二〇二四年十二月二十日"
