"""结题报告 (closing_report): a project at year end — plan, progress history, results, eligibility."""
from __future__ import annotations

from ..config import Config
from ..models import Intake
from .assessment import Assessment, assess, eligibility_rule, latest_snapshot, month_day, risk_line
from .common import (
    Context,
    OfProject,
    Options,
    PhotoRow,
    ProjectFields,
    amount,
    cn_date,
    in_year,
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
from .progress import COMPLETION_METHOD

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
    reported: str
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
    completion_method: str
    effect: list[str]
    satisfaction: str
    score: str
    conclusion: str
    spent: str  # 经费使用
    eligible: bool
    eligibility: str
    reasons: list[str]
    at_risk: str  # tasks due later in the year and not yet done, "" when none
    photo_rows: list[PhotoRow]  # 活动照片, two to a row
    date: str


def eligibility_sentence(a: Assessment, satisfaction_min: float) -> str:
    rule = eligibility_rule(a.year, a.as_of, satisfaction_min)
    if a.eligible:
        done = (f"截至{month_day(a.as_of)}，本项目已到完成时限的任务全部完成" if a.at_risk else "本项目任务全部完成")
        return rule + f"{done}，群众满意率{percent(a.satisfaction)}，保留{a.year}年度评优资格。"
    return rule + f"本项目失去{a.year}年度评优资格，原因如下："


def build_from(a: Assessment, intake: Intake, config: Config, options: Options) -> ClosingContext:
    project = a.project
    latest = {s.task.seq: s for s in a.latest.tasks} if a.latest else {}
    tasks = []
    for task in intake.tasks_of(project.code):
        state = latest.get(task.seq)
        tasks.append(ClosingTask(
            seq=task.seq, content=task.content, owner=task.owner,
            period=short_range(task.start or project.start, task.deadline), target=task.target,
            percent=percent(state.percent if state else 0),
            status=state.latest.status if state and state.latest else "未填报进度",
            done=bool(state and state.done),
        ))
    done = sum(t.done for t in tasks)
    history = [
        HistoryRow(period=s.period.label, stat_date=in_year(s.stat_date, a.year), completion=percent(s.completion),
                   reported=percent(s.reported.percent) if s.reported else "—", overdue=len(s.overdue),
                   summary=s.reported.status if s.reported else "—")
        for s in a.history
    ]
    result = a.result
    return ClosingContext(
        **project_fields(project),
        organization=config.organization.name,
        title=project.name,
        subtitle=f"党建项目结题报告（{a.year}年度）",
        year=a.year,
        tasks=tasks,
        finished=f"计划任务{len(tasks)}项，已完成{done}项，总体完成比例{percent(a.completion)}。",
        history=history,
        completion_method=COMPLETION_METHOD,
        effect=paragraphs(result.effect) if result else ["未填报实施效果。"],
        satisfaction=percent(a.satisfaction),
        score=score(a.score),
        conclusion=(result.conclusion if result and result.conclusion else "—"),
        spent=amount(result.spent if result else None),
        eligible=a.eligible,
        eligibility=eligibility_sentence(a, config.assessment.satisfaction_min),
        reasons=a.reasons,
        at_risk=(f"年底前到期、尚未完成的任务：{risk_line(a)}，须在完成时限前完成。" if a.at_risk else ""),
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
