"""年度汇总报告 (annual_report): the company's year across every branch's workbook.

Built from many intakes at once: projects by category and branch, completion,
satisfaction and score, the ranking by 评价得分 with the 跟踪实施名单 and the
突出贡献项目, and the projects that lost their right to annual awards.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from ..config import Config
from ..models import Intake, Project
from .assessment import (Assessment, Selection, TaskState, assess, assessment_date, eligibility_rule, month_day,
                         risk_line, select)
from .common import (Chart, Context, Filing, Options, bar, cn_date, main_recipient, percent, quoted, score,
                     share)

KIND = "annual_report"
TITLE = "年度汇总报告"

# One series a chart, each in a middle grey: a bar reads the same on a black-and-white printer.
CATEGORY_COLOUR = "808080"
SCORE_COLOUR = "808080"
BRANCH_COLOUR = "808080"
BRANCH_CHART_MAX = 30  # more branches than this: the table says it all, a chart would run for pages
REPORT_ROWS_MAX = 500  # rows per table or list in the report; the 台账 always lists every project
LEDGER_TITLE = "党建项目管理台账"
SCORE_BANDS = ((90, "90分及以上"), (80, "80—89.9分"), (70, "70—79.9分"), (60, "60—69.9分"), (0, "60分以下"))


class YearSource(StrEnum):
    """Where the year of a run came from (the console and the README say it in words)."""

    ASKED = "asked"  # --year
    DATE = "date"  # the year of the 成文日期 (--date, default today)
    JANUARY = "january"  # a 成文日期 in January: the year just ended


@dataclass(frozen=True)
class RunYear:
    """The year a run assesses, and why that one."""

    year: int
    source: YearSource
    date: dt.date


def run_year(options: Options) -> RunYear:
    """The year a run assesses: the one asked for, else the year of its 成文日期, or the year before in January.

    Never the workbooks' data: one mistyped 报告期 or one project of next year must not move
    the whole company's year. A year-end report is written in the last weeks of its year or
    in the January after; from February on, a run is about the year it is in.
    """
    if options.year:
        return RunYear(options.year, YearSource.ASKED, options.date)
    if options.date.month == 1:
        return RunYear(options.date.year - 1, YearSource.JANUARY, options.date)
    return RunYear(options.date.year, YearSource.DATE, options.date)


def of_year(project: Project, year: int) -> bool:
    """Whether a project runs during `year` (a project over two years belongs to both)."""
    return project.start.year <= year <= project.end.year


@dataclass(frozen=True)
class LeftOut:
    """A project of a valid workbook that does not run during the run's year, so is not in its 汇总."""

    code: str
    name: str
    branch: str
    start: dt.date
    end: dt.date
    source: str = ""  # the workbook it came from

    def later(self, year: int) -> bool:
        """It begins after `year` (else it ended before)."""
        return self.start.year > year


@dataclass
class YearEnd:
    """Every project of a year-end run, assessed, ranked and selected; the projects of other years left out."""

    year: int
    assessments: list[Assessment]
    selection: Selection
    sources: dict[str, str]  # project code → the workbook it came from
    workbooks: int
    chosen: RunYear | None = None
    left_out: list[LeftOut] = field(default_factory=list)


@dataclass
class Assessed:
    """One workbook's part of the year end: its projects of the year assessed, the others left out."""

    source: str  # the workbook's file name, as the 台账 names it
    assessments: list[Assessment]
    left_out: list[LeftOut] = field(default_factory=list)


def year_end(intakes: list[Intake], config: Config, options: Options | None = None) -> YearEnd:
    """Assess every project of the given workbooks in the run's year (see run_year)."""
    options = options or Options()
    year = run_year(options).year
    return year_end_of([assess_workbook(intake, config, year, options.date) for intake in intakes], config, options)


def year_end_of(workbooks: list[Assessed], config: Config, options: Options) -> YearEnd:
    """The run's year across workbooks already assessed in it (by assess_workbook with run_year(options))."""
    chosen = run_year(options)
    data = combine([(a, w.source) for w in workbooks for a in w.assessments], len(workbooks), chosen.year, config)
    data.chosen = chosen
    data.left_out = [replace(o, source=w.source) for w in workbooks for o in w.left_out]
    return data


def assess_workbook(intake: Intake, config: Config, year: int, on: dt.date | None = None) -> Assessed:
    """Every project of one workbook that runs during `year`, assessed in it as of `on` (from the rows dated on
    or before it); the others left out.

    The result is lean: the figures the year-end report and the 台账 use, without the
    per-period history or the long texts (背景, 措施, task contents, 完成情况 …). A batch
    keeps one per project of thousands of workbooks until the year end.
    """
    source = Path(intake.source).name
    if on is not None:
        intake = intake.as_of(on)  # the year as it stood on the 成文日期: nothing reported after it
    return Assessed(
        source,
        [_lean(assess(p, intake, config.assessment, year, on)) for p in intake.projects if of_year(p, year)],
        [LeftOut(p.code, p.name, p.branch, p.start, p.end, source) for p in intake.projects if not of_year(p, year)])


_PROJECT_TEXTS = {"background": "", "objectives": "", "measures": "", "outcomes": "", "slogan": None,
                  "members": [], "practice_units": []}
_TASK_TEXTS = {"content": "", "quality_standard": "", "target": ""}


def _lean(a: Assessment) -> Assessment:
    project = a.project.model_copy(update=_PROJECT_TEXTS)
    tasks = {t.seq: t.model_copy(update=_TASK_TEXTS) for t in a.tasks}

    def state(s: TaskState) -> TaskState:
        return replace(s, task=tasks.get(s.task.seq, s.task), latest=None, current=None)

    latest = a.latest and replace(a.latest, project=project, tasks=[state(s) for s in a.latest.tasks], reported=None)
    result = a.result and a.result.model_copy(update={"effect": ""})
    return replace(a, project=project, tasks=list(tasks.values()), result=result, latest=latest, history=[],
                   unfinished=[state(s) for s in a.unfinished], at_risk=[state(s) for s in a.at_risk])


def combine(assessed: list[tuple[Assessment, str]], workbooks: int, year: int, config: Config) -> YearEnd:
    """Rank and select projects already assessed in `year`; each comes with the workbook it came from."""
    assessments = [a for a, _ in assessed]
    sources = {a.project.code: source for a, source in assessed}
    return YearEnd(year, assessments, select(assessments, config.assessment), sources, workbooks)


class CategoryRow(Context):
    category: str
    count: int
    share: str


class BranchRow(Context):
    branch: str
    projects: int
    finished: int
    completion: str


class RankRow(Context):
    rank: str
    code: str
    name: str
    branch: str
    category: str
    score: str
    satisfaction: str
    completion: str
    conclusion: str
    selection: str


class LostRow(Context):
    code: str
    name: str
    branch: str
    reasons: str


class AnnualContext(Context):
    main_recipient: str  # 主送: 公司党委：
    title: str
    subtitle: str
    year: int
    overview: list[str]
    categories: list[CategoryRow]
    category_chart: Chart
    branches: list[BranchRow]
    branches_more: str
    branch_chart: Chart
    show_branch_chart: bool
    score_chart: Chart
    ranking: list[RankRow]
    ranking_more: str
    selection_rule: str
    notes: list[str]
    tracking: list[str]
    tracking_more: str
    outstanding: list[str]
    outstanding_more: str
    eligibility_rule: str
    lost: list[LostRow]
    lost_more: str
    at_risk_intro: str
    at_risk: list[str]  # projects with unfinished tasks due later in the year
    at_risk_more: str
    signature: str
    date: str


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def measured(satisfactions: list[float], scores: list[float]) -> str:
    """满意度测评 and 评价 of the year in one sentence, a clause only for what was measured; "" when nothing was."""
    clauses = []
    if satisfactions:
        clauses.append(f"{len(satisfactions)}个项目开展了群众满意度测评，平均满意率{percent(_mean(satisfactions))}")
    if scores:
        clauses.append(f"{len(scores)}个项目完成了评价，平均得分{score(_mean(scores))}分")
    return "；".join(clauses) + "。" if clauses else ""


def selection_label(ranked) -> str:
    if ranked.outstanding:
        return "突出贡献项目"
    if ranked.tracking:
        return "跟踪实施"
    return ""


def build_context(data: YearEnd, config: Config, options: Options) -> AnnualContext:
    assessments = data.assessments
    rules = config.assessment
    total = len(assessments)
    branches: dict[str, list[Assessment]] = defaultdict(list)
    for a in assessments:
        branches[a.project.branch].append(a)
    categories = Counter(a.project.category for a in assessments)
    ordered_categories = [c for c in config.project.categories if c in categories] + sorted(
        c for c in categories if c not in config.project.categories)
    finished = sum(a.finished for a in assessments)
    satisfactions = [a.satisfaction for a in assessments if a.satisfaction is not None]
    scores = [a.score for a in assessments if a.score is not None]
    selection = data.selection
    lost = [a for a in assessments if not a.eligible]
    as_of = month_day(assessment_date(data.year, options.date))
    at_risk = [a for a in assessments if a.eligible and a.at_risk]

    overview = [line for line in [
        f"{data.year}年度，共有{len(branches)}个党组织实施党建项目{total}个。",
        f"截至{as_of}，{finished}个项目全部完成计划任务，项目完成率{percent(100 * finished / total if total else 0)}；"
        f"各项目平均完成比例{percent(_mean([a.completion for a in assessments]) or 0)}。",
        measured(satisfactions, scores),
        (f"按评价得分排名，{len(selection.tracking)}个项目列入跟踪实施名单，"
         f"{len(selection.outstanding)}个项目评为突出贡献项目；" if scores else "")  # no score: no ranking to state
        + (f"{len(lost)}个项目不具备年度评优资格。" if lost else "各项目均具备年度评优资格。"),
    ] if line]
    most = max(categories.values(), default=0)
    category_rows = [CategoryRow(category=c, count=categories[c], share=percent(100 * categories[c] / total))
                     for c in ordered_categories]
    branch_rows, branch_completion = [], {}
    for branch in sorted(branches, key=lambda b: (-len(branches[b]), b)):
        items = branches[branch]
        branch_completion[branch] = _mean([a.completion for a in items]) or 0
        branch_rows.append(BranchRow(branch=branch, projects=len(items), finished=sum(a.finished for a in items),
                                     completion=percent(branch_completion[branch])))
    bands = Counter()
    for value in scores:
        bands[next(label for low, label in SCORE_BANDS if value >= low)] += 1
    most_band = max(bands.values(), default=0)

    def capped(items: list, what: str, unit: str) -> tuple[list, str]:
        """At most REPORT_ROWS_MAX items, and a note pointing to the ledger when some were left out."""
        if len(items) <= REPORT_ROWS_MAX:
            return items, ""
        return items[:REPORT_ROWS_MAX], (
            f"{what}共{len(items)}{unit}，限于篇幅，此处列出前{REPORT_ROWS_MAX}{unit}，"
            f"全部情况见《{data.year}年度{LEDGER_TITLE}》。")

    def name_line(r) -> str:
        a = r.assessment
        return f"{quoted(a.project.name)}（{a.project.branch}，{score(a.score)}分）"

    shown_branches, branches_more = capped(branch_rows, "党组织", "个")
    ranked, ranking_more = capped(selection.ranked, "参加排名的项目", "个")
    tracking, tracking_more = capped(selection.tracking, "跟踪实施名单", "个项目")
    outstanding, outstanding_more = capped(selection.outstanding, "突出贡献项目", "个")
    lost, lost_more = capped(lost, "失去年度评优资格的项目", "个")
    at_risk, at_risk_more = capped(at_risk, "有年底前到期任务的项目", "个")
    return AnnualContext(
        main_recipient=main_recipient(config),
        title=f"{data.year}年度党建项目化管理工作汇总报告",
        subtitle=config.organization.name,
        year=data.year,
        overview=overview,
        categories=category_rows,
        category_chart=Chart(caption="各类别项目数", bars=[
            bar(row.category, row.count, most, f"{row.count}个", CATEGORY_COLOUR) for row in category_rows]),
        branches=shown_branches,
        branches_more=branches_more,
        branch_chart=Chart(caption="各党组织项目平均完成比例", bars=[
            bar(row.branch, branch_completion[row.branch], 100, row.completion, BRANCH_COLOUR)
            for row in branch_rows]),
        show_branch_chart=len(branch_rows) <= BRANCH_CHART_MAX,
        score_chart=Chart(caption="评价得分分布", bars=[
            bar(label, bands[label], most_band, f"{bands[label]}个", SCORE_COLOUR) for _, label in SCORE_BANDS]),
        ranking=[
            RankRow(rank=str(r.rank) if r.rank else "—", code=r.assessment.project.code,
                    name=r.assessment.project.name, branch=r.assessment.project.branch,
                    category=r.assessment.project.category, score=score(r.assessment.score),
                    satisfaction=percent(r.assessment.satisfaction), completion=percent(r.assessment.completion),
                    conclusion=(r.assessment.result.conclusion or "—") if r.assessment.result else "—",
                    selection=selection_label(r))
            for r in ranked
        ],
        ranking_more=ranking_more,
        selection_rule=(
            f"评选办法：按评价得分从高到低排名，得分相同的名次并列；得分前{share(rules.tracking_share)}"
            f"的项目列入跟踪实施名单，其中具备评优资格的项目按得分取前{share(rules.outstanding_share)}"
            f"评为突出贡献项目。"),
        notes=selection.notes,
        tracking=[name_line(r) for r in tracking],
        tracking_more=tracking_more,
        outstanding=[name_line(r) for r in outstanding],
        outstanding_more=outstanding_more,
        eligibility_rule=eligibility_rule(data.year, options.date, rules.satisfaction_min),
        lost=[LostRow(code=a.project.code, name=a.project.name, branch=a.project.branch,
                      reasons="；".join(a.reasons)) for a in lost],
        lost_more=lost_more,
        at_risk_intro=(f"以下项目尚有年底前到期的任务未完成，截至{as_of}未到完成时限，不影响评优资格，"
                       f"有关党组织应督促按期完成："),
        at_risk=[f"{quoted(a.project.name)}（{a.project.branch}）：{risk_line(a)}" for a in at_risk],
        at_risk_more=at_risk_more,
        signature=f"{config.organization.name}{config.organization.department}",
        date=cn_date(options.date),
    )


def filing(data: YearEnd, options: Options) -> Filing:
    return Filing("", "", name=f"{data.year}年度党建项目汇总报告", directory=".")
