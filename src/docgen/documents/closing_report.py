"""结题报告 (closing_report): a project at its end — plan, progress history, results.

The branch's own report: it states what was done and measured. Whether the project keeps its award
eligibility is the department's judgement, stated in the 年度汇总报告 and the 台账, not here.
"""
from __future__ import annotations

from ..config import Config
from ..models import Intake, Project
from .assessment import Assessment, assess, latest_snapshot
from .common import (
    EMPTY,
    Context,
    OfProject,
    Options,
    PhotoRow,
    ProjectFields,
    amount,
    cn_date,
    one_form,
    main_recipient,
    paragraphs,
    percent,
    photo_rows,
    project_fields,
    project_filing,
    project_subjects,
    score,
    short_range,
)

KIND = "closing_report"
TITLE = "结题报告"


class ClosingTask(Context):
    seq: int
    content: str
    owner: str
    period: str
    target: str
    percent: str
    status: str
    done: bool


class HistoryRow(Context):
    period: str
    stat_date: str
    completion: str
    overdue: int
    summary: str


class ClosingContext(ProjectFields):
    organization: str
    main_recipient: str  # 主送: 公司党委：
    title: str
    subtitle: str
    year: int
    tasks: list[ClosingTask]
    finished: str
    history: list[HistoryRow]
    effect: list[str]
    figures: str  # 群众满意率、评价得分、验收结论 that were given, in one sentence; "" when none
    satisfaction: str
    score: str
    conclusion: str
    spent: str  # 经费使用
    photo_rows: list[PhotoRow]  # 活动照片, two to a row
    date: str


def figures_sentence(satisfaction: str, score_: str, conclusion: str) -> str:
    """群众满意率：96%；评价得分：92；验收结论：优秀。 with only the figures that were given."""
    parts = [f"{name}：{value}" for name, value in (("群众满意率", satisfaction), ("评价得分", score_),
                                                     ("验收结论", conclusion)) if value and value != EMPTY]
    return "；".join(parts) + "。" if parts else ""


def closing_year(project: Project, options: Options) -> int:
    """The 年度 a 结题报告's title names: the year the project ends; a project complete before its 结束日期 closes
    in the year of the report (its 成文日期)."""
    return project.end.year if project.end <= options.date else options.date.year


def build_from(a: Assessment, intake: Intake, config: Config, options: Options) -> ClosingContext:
    project = a.project
    year = closing_year(project, options)
    latest = {s.task.seq: s for s in a.latest.tasks} if a.latest else {}
    tasks = []
    for task in intake.tasks_of(project.code):
        state = latest.get(task.seq)
        tasks.append(ClosingTask(
            seq=task.seq, content=task.content, owner=task.owner,
            period=short_range(task.start or project.start, task.deadline), target=task.target,
            percent=percent(state.percent if state else 0),
            status=state.latest.status if state and state.latest else EMPTY,
            done=bool(state and state.done),
        ))
    done = sum(t.done for t in tasks)
    stat_date = one_form([s.stat_date for s in a.history], options.date.year)
    history = [
        HistoryRow(period=s.period.label, stat_date=stat_date(s.stat_date), completion=percent(s.completion),
                   overdue=len(s.overdue), summary=s.reported.status if s.reported else EMPTY)
        for s in a.history
    ]
    result = a.result
    satisfaction, given_score = percent(a.satisfaction), score(a.score)
    conclusion = result.conclusion if result and result.conclusion else EMPTY
    return ClosingContext(
        **project_fields(project),
        organization=config.organization.name,
        title=project.name,
        subtitle=f"党建项目结题报告（{year}年度）",
        year=year,
        tasks=tasks,
        finished=f"计划任务{len(tasks)}项，已完成{done}项，总体完成比例{percent(a.completion)}。",
        history=history,
        effect=paragraphs(result.effect) if result else [],
        figures=figures_sentence(satisfaction, given_score, conclusion),
        satisfaction=satisfaction,
        score=given_score,
        conclusion=conclusion,
        spent=amount(result.spent if result else None),
        photo_rows=photo_rows(intake, project.code),
        date=cn_date(options.date),
        main_recipient=main_recipient(config),
    )


def build_context(subject: OfProject, config: Config, options: Options) -> ClosingContext:
    """Build the 结题报告 of one project, assessed in the year asked for (else its own latest) as of 成文日期."""
    a = assess(subject.project, subject.intake, config.assessment, options.year, options.date)
    return build_from(a, subject.intake, config, options)


NOT_DUE = "未到结题时间"


def not_due(subject: OfProject, options: Options) -> str | None:
    """A 结题报告 is made for a project that has ended by the 成文日期 (its 结束日期 on or before it) or whose
    tasks are all complete as reported by then; of any other, NOT_DUE."""
    project = subject.project
    if project.end <= options.date:
        return None
    latest = latest_snapshot(project, subject.intake.as_of(options.date))
    if latest is not None and latest.tasks and all(state.done for state in latest.tasks):
        return None
    return NOT_DUE


subjects, filing = project_subjects, project_filing
