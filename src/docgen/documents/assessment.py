"""The state of projects: progress as of a period, year-end eligibility, ranking and selection.

Pure computation over the validated records; the documents and the ledger format
what is computed here, so every document states the same figures.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from ..config import AssessmentRules
from ..models import Intake, ProgressEntry, Project, Result, Task
from ..models.period import Period
from .common import month_day, number, quoted, share

APPROACHING_DAYS = 30


@dataclass(frozen=True)
class TaskState:
    """One task as of a statistics date."""

    task: Task
    start: dt.date
    percent: float  # latest reported completion up to the period, 0 when never reported
    latest: ProgressEntry | None  # the row that percent comes from
    current: ProgressEntry | None  # the task's row in this very period, if any
    planned: float  # planned completion at the date: linear from start to deadline
    overdue: bool
    approaching: bool
    days_left: int

    @property
    def done(self) -> bool:
        return self.percent >= 100


@dataclass(frozen=True)
class Snapshot:
    """A project as of one reporting period."""

    project: Project
    period: Period
    stat_date: dt.date
    tasks: list[TaskState]
    completion: float  # mean of the tasks' completion, every task weighing the same
    reported: ProgressEntry | None  # the branch's own project-level row of the period

    @property
    def overdue(self) -> list[TaskState]:
        return [t for t in self.tasks if t.overdue]

    @property
    def approaching(self) -> list[TaskState]:
        return [t for t in self.tasks if t.approaching]


def periods(intake: Intake, code: str) -> list[Period]:
    """The project's reporting periods, oldest first."""
    return sorted({p.period for p in intake.progress_of(code)}, key=lambda p: p.sort_key)


def planned_percent(start: dt.date, deadline: dt.date, day: dt.date) -> float:
    """Planned completion at `day` for a task running evenly from start to deadline."""
    if day >= deadline:
        return 100.0
    if day < start:
        return 0.0
    total = (deadline - start).days + 1
    return round(100.0 * ((day - start).days + 1) / total, 1)


def overdue_on(deadline: dt.date, percent: float, day: dt.date) -> bool:
    """The one rule of 逾期 in every document: the 完成时限 has passed by `day` (it lies before it) and the
    task's latest completion is under 100 %."""
    return percent < 100 and deadline < day


def approaching_on(deadline: dt.date, percent: float, day: dt.date) -> bool:
    """临近: not done, and the 完成时限 is `day` itself or at most APPROACHING_DAYS after it."""
    return percent < 100 and 0 <= (deadline - day).days <= APPROACHING_DAYS


def snapshot(project: Project, intake: Intake, period: Period, on: dt.date | None = None) -> Snapshot | None:
    """The project as of the period's statistics date; None when nothing was reported for it.

    Completion and the planned figures are the statistics date's; 逾期, 临近 and the days left are judged on
    `on` (a document's 成文日期) when given, else on the statistics date."""
    rows = intake.progress_of(project.code)
    in_period = [r for r in rows if r.period == period]
    if not in_period:
        return None
    stat_date = max(r.stat_date for r in in_period)
    key = period.sort_key
    states = []
    for task in intake.tasks_of(project.code):
        history = [r for r in rows if r.task_seq == task.seq and r.period.sort_key <= key]
        latest = history[-1] if history else None
        current = next((r for r in reversed(history) if r.period == period), None)
        percent = latest.percent if latest else 0.0
        start = task.start or project.start
        day = on or stat_date
        days_left = (task.deadline - day).days
        overdue = overdue_on(task.deadline, percent, day)
        approaching = approaching_on(task.deadline, percent, day)
        states.append(TaskState(task, start, percent, latest, current,
                                planned_percent(start, task.deadline, stat_date),
                                overdue, approaching, days_left))
    completion = round(sum(s.percent for s in states) / len(states), 1) if states else 0.0
    reported = next((r for r in reversed(in_period) if r.task_seq is None), None)
    return Snapshot(project, period, stat_date, states, completion, reported)


def latest_snapshot(project: Project, intake: Intake, on: dt.date | None = None) -> Snapshot | None:
    """The project as of its latest reported period (of `intake`: pass one as_of the document's date), with
    逾期 and 临近 judged on `on` when given."""
    found = periods(intake, project.code)
    return snapshot(project, intake, found[-1], on) if found else None


def assessment_date(year: int, on: dt.date | None) -> dt.date:
    """The day a year is judged on: the 成文日期 when it falls before the year's end, else 31 December."""
    year_end = dt.date(year, 12, 31)
    return min(on, year_end) if on else year_end


@dataclass(frozen=True)
class Assessment:
    """A project at year end: its result and whether it keeps its right to annual awards.

    A task counts against the project only when it is 逾期 on the 成文日期 by the one rule of every
    document (overdue_on: its deadline lies before that day and it is below 100 %); an unfinished
    task of the year not yet due then is at risk, not yet a failure.
    """

    project: Project
    year: int
    tasks: list[Task]
    result: Result | None
    latest: Snapshot | None
    history: list[Snapshot]
    unfinished: list[TaskState]  # 逾期 on the 成文日期 (overdue_on), of the year or before
    reasons: list[str]
    as_of: dt.date = dt.date.min
    at_risk: list[TaskState] = field(default_factory=list)  # due later in the year, not yet done

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def score(self) -> float | None:
        return self.result.score if self.result else None

    @property
    def satisfaction(self) -> float | None:
        return self.result.satisfaction if self.result else None

    @property
    def completion(self) -> float:
        return self.latest.completion if self.latest else 0.0

    @property
    def finished(self) -> bool:
        return self.latest is not None and all(t.done for t in self.latest.tasks)


def assess(project: Project, intake: Intake, rules: AssessmentRules, year: int | None = None,
           on: dt.date | None = None) -> Assessment:
    """Assess a project in `year` (default: the year of its latest report, else its end) as of `on`.

    `on` is the 成文日期; the assessment date is the earlier of it and 31 December. Asked for a year,
    only the periods that begin by its end count: a report of the next January is not the year's.
    """
    reported = periods(intake, project.code)
    if year:
        reported = [p for p in reported if p.start.year <= year]
    history = [s for s in (snapshot(project, intake, p) for p in reported) if s]
    latest = history[-1] if history else None
    year = year or (latest.period.year if latest else project.end.year)
    as_of = assessment_date(year, on)
    tasks = intake.tasks_of(project.code)
    at_risk: list[TaskState] = []
    if latest is None:
        unfinished: list[TaskState] = []
        reasons = ["未报送项目进度"] if tasks else []
    else:
        open_tasks = [t for t in latest.tasks if not t.done and t.task.deadline.year <= year]
        # 逾期 by the one rule (overdue_on) on the 成文日期; without one, once the year is over
        judged = on if on is not None else dt.date(year + 1, 1, 1)
        unfinished = [t for t in open_tasks if overdue_on(t.task.deadline, t.percent, judged)]
        at_risk = [t for t in open_tasks if t not in unfinished]
        reasons = []
    if unfinished:
        seqs = "、".join(f"第{t.task.seq}项" for t in unfinished)
        reasons.append(f"截至{month_day(as_of)}，{len(unfinished)}项任务已过完成时限仍未完成（{seqs}）")
    result = intake.result_of(project.code)
    if result is None:
        reasons.append("未报送实施效果")
    else:
        if result.satisfaction is None:
            reasons.append("未报送群众满意率")
        elif result.satisfaction < rules.satisfaction_min:
            reasons.append(f"群众满意率{number(result.satisfaction)}%，低于{number(rules.satisfaction_min)}%")
        if result.conclusion == "不合格":
            reasons.append("验收结论为不合格")
    return Assessment(project, year, tasks, result, latest, history, unfinished, reasons, as_of, at_risk)


def eligibility_rule(year: int, on: dt.date | None, satisfaction_min: float) -> str:
    """The award-eligibility rule in one sentence, as the year-end report states it (the workings of the
    assessment date are the 台账's 说明, see workings_of_eligibility)."""
    as_of = assessment_date(year, on)
    return (f"截至{as_of.year}年{month_day(as_of)}，有任务超过完成时限仍未完成、群众满意率低于"
            f"{number(satisfaction_min)}%或未报送、验收结论为不合格的项目，不具备{year}年度评优资格。")


def workings_of_eligibility(year: int, on: dt.date | None, satisfaction_min: float) -> str:
    """How docgen judged eligibility, for the 台账 and the README: the assessment date and what counts."""
    as_of = assessment_date(year, on)
    return (f"评优资格按评定日判断：评定日为成文日期与{year}年12月31日中较早的一天，本次为{as_of.year}年{month_day(as_of)}。"
            f"完成时限在评定日之前而完成比例不足100%的任务、群众满意率低于{number(satisfaction_min)}%或未填报、"
            f"验收结论为不合格，均使项目失去{year}年度评优资格；完成时限在评定日之后、年底之前的未完成任务"
            f"不计为未完成，列入“年底前到期未完成任务”一栏。")


def risk_line(a: Assessment) -> str:
    """第6项（完成时限12月31日，完成80%）、…: the tasks of a project due later in the year and not yet done."""
    return "、".join(f"第{t.task.seq}项（完成时限{month_day(t.task.deadline)}，完成{number(t.percent)}%）"
                    for t in a.at_risk)


@dataclass
class Ranked:
    assessment: Assessment
    rank: int | None = None
    tracking: bool = False
    outstanding: bool = False


@dataclass
class Selection:
    """The ranking by 评价得分 and the two lists chosen from it, with how ties were handled."""

    ranked: list[Ranked]
    tracking_target: int = 0
    outstanding_target: int = 0
    notes: list[str] = field(default_factory=list)  # what the year-end report says, in its own voice
    workings: list[str] = field(default_factory=list)  # how the lists were counted, for the 台账's 说明

    @property
    def tracking(self) -> list[Ranked]:
        return [r for r in self.ranked if r.tracking]

    @property
    def outstanding(self) -> list[Ranked]:
        return [r for r in self.ranked if r.outstanding]

    def of(self, code: str) -> Ranked | None:
        return next((r for r in self.ranked if r.assessment.project.code == code), None)


def share_count(total: int, share: float) -> int:
    """How many of `total` make up `share`, rounded up (a float share like 1/3 is tolerated)."""
    return min(total, math.ceil(round(total * share, 6))) if total else 0


def _take_with_ties(items: list[Ranked], count: int) -> list[Ranked]:
    """The first `count` items, plus every later item whose score ties the last one taken."""
    count = min(count, len(items))
    if count <= 0:
        return []
    boundary = items[count - 1].assessment.score
    return items[:count] + [r for r in items[count:] if r.assessment.score == boundary]


def select(assessments: list[Assessment], rules: AssessmentRules) -> Selection:
    """Rank by score (equal scores share a rank: 1, 2, 2, 4) and choose the two lists.

    跟踪实施名单: the top tracking_share of the scored projects, rounded up.
    突出贡献项目: the top outstanding_share of that list, rounded up, chosen among the
    projects that kept their award eligibility. A tie at either boundary takes in
    every tied project, and the notes say so.
    """
    scored = sorted((a for a in assessments if a.score is not None),
                    key=lambda a: (-a.score, a.project.code))
    unscored = sorted((a for a in assessments if a.score is None), key=lambda a: a.project.code)
    ranked = []
    for i, a in enumerate(scored):
        rank = ranked[-1].rank if ranked and ranked[-1].assessment.score == a.score else i + 1
        ranked.append(Ranked(a, rank))
    selection = Selection(ranked + [Ranked(a) for a in unscored])
    if not scored:
        if assessments:
            selection.notes.append("本年度各项目均无评价得分，未进行排名，未产生跟踪实施名单和突出贡献项目。")
        return selection
    if unscored:
        selection.notes.append(f"{len(unscored)}个项目无评价得分，未参加排名。")

    selection.tracking_target = share_count(len(scored), rules.tracking_share)
    tracking = _take_with_ties(ranked, selection.tracking_target)
    for r in tracking:
        r.tracking = True
    selection.workings.append(
        f"跟踪实施名单：参加排名的{len(scored)}个项目按得分取前{share(rules.tracking_share)}，"
        f"向上取整为{selection.tracking_target}个" + (
            f"；第{selection.tracking_target}名得分并列，并列的项目一并列入，实取{len(tracking)}个。"
            if len(tracking) > selection.tracking_target else "。"))
    if len(tracking) > selection.tracking_target:
        selection.notes.append(f"第{selection.tracking_target}名得分并列，跟踪实施名单共列入{len(tracking)}个项目。")

    selection.outstanding_target = share_count(len(tracking), rules.outstanding_share)
    candidates = [r for r in tracking if r.assessment.eligible]
    skipped = [r for r in tracking if not r.assessment.eligible]
    if skipped:
        names = "、".join(quoted(r.assessment.project.name) for r in skipped)
        selection.notes.append(f"{names}不具备年度评优资格，不参评突出贡献项目。")
    outstanding = _take_with_ties(candidates, selection.outstanding_target)
    for r in outstanding:
        r.outstanding = True
    working = (f"突出贡献项目：跟踪实施名单{len(tracking)}个项目按得分取前{share(rules.outstanding_share)}，"
               f"向上取整为{selection.outstanding_target}个，从具备评优资格的{len(candidates)}个项目中评选")
    if len(outstanding) > selection.outstanding_target:
        selection.workings.append(working + f"；因得分并列，实取{len(outstanding)}个。")
        selection.notes.append(f"因得分并列，突出贡献项目共评出{len(outstanding)}个。")
    elif len(outstanding) < selection.outstanding_target:
        selection.workings.append(working + f"；具备评优资格的项目不足，实取{len(outstanding)}个。")
        if not outstanding:
            selection.notes.append("跟踪实施名单中的项目均不具备年度评优资格，本年度未评出突出贡献项目。")
    else:
        selection.workings.append(working + "。")
    return selection
