"""计划书 (plan): overview, targets, the 五个明确 task table with a month grid, measures, outcomes."""
from __future__ import annotations

import datetime as dt

from ..config import Config
from ..models import Intake, Project
from .common import (Context, OfProject, Options, ProjectFields, approval_date, cn_date, project_fields,
                     project_filing, project_subjects, short_range)

KIND = "plan"
TITLE = "计划书"

MONTHS_PER_BLOCK = 12
FILLED = "808080"  # a middle grey: the months of a task read the same in black and white
BLANK = "FFFFFF"


class PlanTask(Context):
    seq: int
    content: str
    owner: str
    period: str
    quality_standard: str
    target: str


class GanttRow(Context):
    seq: int
    content: str
    cells: list[str]  # one fill colour per month column
    marks: list[bool]


class GanttBlock(Context):
    caption: str
    months: list[str]  # the block's months, at most MONTHS_PER_BLOCK: exactly the project's
    rows: list[GanttRow]


class PlanContext(ProjectFields):
    organization: str
    date: str  # 成文日期 under the branch's name: the 立项日期 (approval_date), never the run's date
    title: str
    subtitle: str
    tasks: list[PlanTask]
    gantt: list[GanttBlock]


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def build_gantt(project: Project, intake: Intake) -> list[GanttBlock]:
    """Lay the tasks over the project's months, twelve months to a block."""
    months = _months(project.start, project.end)
    tasks = intake.tasks_of(project.code)
    blocks = []
    for offset in range(0, len(months), MONTHS_PER_BLOCK):
        chunk = months[offset:offset + MONTHS_PER_BLOCK]
        years = sorted({y for y, _ in chunk})
        caption = f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
        labels = [f"{m}月" if len(years) == 1 else f"{y % 100:02d}.{m}" for y, m in chunk]
        rows = []
        for task in tasks:
            start = intake.task_start(task) or project.start
            first, last = (start.year, start.month), (task.deadline.year, task.deadline.month)
            marks = [first <= ym <= last for ym in chunk]
            rows.append(GanttRow(seq=task.seq, content=task.content, marks=marks,
                                 cells=[FILLED if on else BLANK for on in marks]))
        blocks.append(GanttBlock(caption=caption, months=labels, rows=rows))
    return blocks


def build_context(subject: OfProject, config: Config, options: Options) -> PlanContext:
    """Build the 计划书 of one project."""
    project, intake = subject.project, subject.intake
    return PlanContext(
        **project_fields(project),
        organization=config.organization.name,
        date=cn_date(approval_date(project)),
        title=project.name,
        subtitle="党建项目计划书",
        tasks=[
            PlanTask(seq=t.seq, content=t.content, owner=t.owner,
                     period=short_range(intake.task_start(t), t.deadline),
                     quality_standard=t.quality_standard, target=t.target)
            for t in intake.tasks_of(project.code)
        ],
        gantt=build_gantt(project, intake),
    )


subjects, filing = project_subjects, project_filing
