"""进度报告 (progress): a project as of one reporting period, task by task, against its plan."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..config import Config
from ..models import Intake
from .assessment import Snapshot, TaskState, latest_snapshot, snapshot
from .common import (
    EMPTY,
    Chart,
    Context,
    Filing,
    Options,
    PhotoRow,
    ProjectFields,
    bar,
    cn_date,
    one_form,
    main_recipient,
    paragraphs,
    percent,
    photo_rows,
    project_fields,
    quoted,
)

KIND = "progress"
TITLE = "进度报告"

# Greys that stay apart on a black-and-white printer: light, middle and near black (the overdue bar's
# label also says 逾期 in words).
PLANNED_COLOUR = "D9D9D9"
ACTUAL_COLOUR = "808080"
OVERDUE_COLOUR = "262626"

# How docgen counts a project's completion: stated in the README and the 台账's 说明, not in the reports.
COMPLETION_METHOD = ("项目总体完成比例按各项任务截至统计日期的最新完成比例算术平均计算，各项任务权重相同；"
                     "本期未填报的任务沿用上期比例，从未填报的任务按0%计。")


class ProgressTask(Context):
    seq: int
    content: str
    owner: str
    deadline: str
    percent: str
    planned: str
    status: str
    flag: str  # 逾期 / 临近 / 完成 / ""
    flag_class: str  # overdue / approaching / done / ""


class ProgressContext(ProjectFields):
    organization: str
    main_recipient: str  # 主送: 公司党委：
    date: str  # 成文日期 under the branch's name
    title: str
    subtitle: str
    period_label: str
    stat_date: str
    completion: str
    summary: list[str]
    tasks: list[ProgressTask]
    overdue: list[str]
    approaching: list[str]
    problems: list[str]
    next_steps: list[str]
    chart: Chart
    photo_rows: list[PhotoRow]  # 活动照片 taken by the statistics date, two to a row


@dataclass(frozen=True)
class OfSnapshot:
    """What a 进度报告 is about: a project as of one period, in its workbook."""

    snapshot: Snapshot
    intake: Intake


def _flag(state: TaskState) -> tuple[str, str]:
    if state.overdue:
        return "逾期", "overdue"
    if state.approaching:
        return "临近", "approaching"
    if state.done:
        return "完成", "done"
    return "", ""


def _status(state: TaskState) -> str:
    """The task's 完成情况 of the period; an earlier period's, dated by its label; "—" when none was ever given."""
    if state.current is not None:
        return state.current.status
    if state.latest is not None:
        return f"{state.latest.status}（{state.latest.period.label}）"
    return EMPTY


def _task_notes(snap: Snapshot, attr: str) -> list[str]:
    """Problems or next steps of the period: the project's own row first, then each task's."""
    lines = []
    if snap.reported is not None:
        lines += paragraphs(getattr(snap.reported, attr))
    for state in snap.tasks:
        if state.current is not None and getattr(state.current, attr):
            text = "；".join(paragraphs(getattr(state.current, attr)))
            lines.append(f"任务{state.task.seq}：{text}")
    return lines


def chart_of(snap: Snapshot, overdue: set[int] | None = None) -> Chart:
    """The planned and actual bars of the period; the tasks numbered in `overdue` (逾期 on the 成文日期; by default
    on the 统计日期) drawn darkest."""
    overdue = {s.task.seq for s in snap.overdue} if overdue is None else overdue
    bars = []
    for state in snap.tasks:
        actual_colour = OVERDUE_COLOUR if state.task.seq in overdue else ACTUAL_COLOUR
        bars.append(bar(f"任务{state.task.seq} 计划", state.planned, 100, percent(state.planned), PLANNED_COLOUR))
        bars.append(bar(f"任务{state.task.seq} 实际", state.percent, 100, percent(state.percent), actual_colour))
    return Chart(caption=f"各项任务计划与实际完成比例（截至{cn_date(snap.stat_date)}）", bars=bars,
                 legend=[(PLANNED_COLOUR, "计划进度"), (ACTUAL_COLOUR, "实际完成"),
                         (OVERDUE_COLOUR, "逾期未完成")])


def standing(subject: OfSnapshot, options: Options) -> Snapshot:
    """The tasks as they stand on the 成文日期 by the rule every document follows (assessment.overdue_on): the
    latest completion reported by then, 逾期 and 临近 counted from that day. The period's own figures (计划进度,
    实际完成, 总体完成比例) stay those of its 统计日期."""
    snap = subject.snapshot
    return latest_snapshot(snap.project, subject.intake, on=options.date) or snap


def _as_of(snap: Snapshot, options: Options) -> str:
    """"截至2024年12月23日，" when the 成文日期 is not the 统计日期 the table states, else ""."""
    return "" if options.date == snap.stat_date else f"截至{cn_date(options.date)}，"


def build_context(subject: OfSnapshot, config: Config, options: Options) -> ProgressContext:
    snap = subject.snapshot
    project = snap.project
    now = standing(subject, options)
    judged = {state.task.seq: state for state in now.tasks}
    deadline = one_form([state.task.deadline for state in snap.tasks], options.date.year)
    tasks = []
    for state in snap.tasks:
        flag, flag_class = _flag(judged.get(state.task.seq, state))
        tasks.append(ProgressTask(
            seq=state.task.seq, content=state.task.content, owner=state.task.owner,
            deadline=deadline(state.task.deadline), percent=percent(state.percent),
            planned=percent(state.planned), status=_status(state), flag=flag, flag_class=flag_class,
        ))
    as_of = _as_of(snap, options)
    overdue = [f"任务{s.task.seq}{quoted(s.task.content)}：完成时限{cn_date(s.task.deadline)}，"
               f"{as_of}已逾期{-s.days_left}天，完成{percent(s.percent)}。" for s in now.overdue]
    approaching = [f"任务{s.task.seq}{quoted(s.task.content)}：完成时限{cn_date(s.task.deadline)}，"
                   f"{as_of}还有{s.days_left}天，完成{percent(s.percent)}。" for s in now.approaching]
    return ProgressContext(
        **project_fields(project),
        organization=config.organization.name,
        main_recipient=main_recipient(config),
        date=cn_date(options.date),
        title=project.name,
        subtitle=f"党建项目进度报告（{snap.period.label}）",
        period_label=snap.period.label,
        stat_date=cn_date(snap.stat_date),
        completion=percent(snap.completion),
        summary=paragraphs(snap.reported.status) if snap.reported else [],
        tasks=tasks,
        overdue=overdue,
        approaching=approaching,
        problems=_task_notes(snap, "problems"),
        next_steps=_task_notes(snap, "next_steps"),
        chart=chart_of(snap, {s.task.seq for s in now.overdue}),
        photo_rows=photo_rows(subject.intake, project.code, snap.stat_date),
    )


def subjects(intake: Intake, config: Config, options: Options) -> Iterator[OfSnapshot]:
    """Each project as of the chosen period, or its latest one; a project that reported nothing has none."""
    for project in intake.projects:
        if options.period is not None:
            found = snapshot(project, intake, options.period)
        else:
            found = latest_snapshot(project, intake)
        if found is not None:
            yield OfSnapshot(found, intake)


def filing(subject: OfSnapshot, options: Options) -> Filing:
    snap = subject.snapshot
    return Filing(snap.project.code, snap.project.branch, name=f"{snap.project.code}_{TITLE}_{snap.period.label}")
