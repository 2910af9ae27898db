"""“四公开”公示 (notice): 项目内容、目标任务、完成进度、实施效果 of a branch's projects.

One notice per 申报党组织 listing its projects (or one per project). The 公示期 is
counted in working days on the State Council's holiday schedule (see workdays.py).
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

from ..config import Config
from ..models import Intake, Project
from . import closing_report
from .assessment import latest_snapshot
from .common import (Context, Filing, OfProject, Options, cn_date, one_form, paragraphs, percent, quoted,
                     title_lines)
from .workdays import WorkCalendar

KIND = "notice"
TITLE = "“四公开”公示"


class NoticeProject(Context):
    seq: int
    code: str
    name: str
    leader: str
    content: list[str]
    objectives: list[str]
    progress: str
    effect: list[str]


class NoticeContext(Context):
    title: str
    title_lines: list[str]
    intro: str
    projects: list[NoticeProject]
    period: str
    objection: str
    contacts: list[str]
    signature: str
    date: str


_MOBILE = re.compile(r"^1\d{10}$")

CONTACT_WARNING = ("没有配置公示的联系电话（docgen.toml 的 [notice] phone），“四公开”公示中的联系人为项目负责人，"
                   "手机号已隐去中间四位（如 138****6378）。公示张贴后人人可见，请在 [notice] 中填写 contact、phone "
                   "（党建部或支部的办公电话）。")


def masked(phone: str) -> str:
    """A personal mobile with its middle four digits hidden (138****6378); an office number as written."""
    return f"{phone[:3]}****{phone[-4:]}" if _MOBILE.match(phone) else phone


def contact_warning(config: Config) -> str | None:
    """What the clerk should know before notices go out without a configured phone."""
    return None if config.notice.phone.strip() else CONTACT_WARNING


def _contacts(config: Config, leader: Project) -> list[str]:
    """联系人, 联系电话 and 地址: the configured ones; without a phone, the leader with a masked mobile."""
    notice = config.notice
    if notice.phone.strip():
        contacts = [f"联系人：{notice.contact or leader.leader}", f"联系电话：{notice.phone}"]
    elif notice.contact:
        contacts = [f"联系人：{notice.contact}"]
    else:
        contacts = [f"联系人：{leader.leader}"]
        if leader.phone:
            contacts.append(f"联系电话：{masked(leader.phone)}")
    if notice.address:
        contacts.append(f"地址：{notice.address}")
    return contacts


def notice_period(calendar: WorkCalendar, start: dt.date, days: int) -> str:
    """公示期为5个工作日（2024年12月23日至12月27日）."""
    first, last = calendar.span(start, days)
    end = f"{last.month}月{last.day}日" if last.year == first.year else cn_date(last)
    return f"公示期为{days}个工作日（{cn_date(first)}至{end}）。"


RUNNING = "项目实施中，实施效果待项目结题后公开。"
UNVERIFIED = "项目已结束，实施效果待验收后公开。"
COMPLETE_UNVERIFIED = "项目计划任务已全部完成，实施效果待验收后公开。"


def _effect(project: Project, intake: Intake, options: Options) -> list[str]:
    """实施效果 only of a project whose 结题报告 is due by the notice's date (closing_report.not_due: ended, or every
    task complete), as the branch reported them; of one still running, that they follow its closing; of one due
    without reported results, that they follow the 验收."""
    if closing_report.not_due(OfProject(project, intake), options) is not None:
        return [RUNNING]
    result = intake.result_of(project.code)
    if result is not None and paragraphs(result.effect):
        return paragraphs(result.effect)
    return [UNVERIFIED if project.end <= options.date else COMPLETE_UNVERIFIED]


def _projects(projects: list[Project], intake: Intake, options: Options) -> list[NoticeProject]:
    """The table's rows. Every date of its 完成进度 column in one form: with the year when any of them lies in
    another year than the notice's date, else without."""
    snaps = {p.code: latest_snapshot(p, intake, on=options.date) for p in projects}
    shown = one_form([s.stat_date for s in snaps.values() if s], options.date.year)

    rows = []
    for seq, project in enumerate(projects, 1):
        snap = snaps[project.code]
        if snap is None:
            progress = "暂无阶段进展"
        else:
            progress = f"截至{shown(snap.stat_date)}完成{percent(snap.completion)}"
            if snap.overdue:  # 逾期 on the notice's date (assessment.overdue_on), stated as of that date
                counted = f"逾期任务{len(snap.overdue)}项"
                progress += (f"，{counted}" if snap.stat_date == options.date
                             else f"；截至{shown(options.date)}，{counted}")
        rows.append(NoticeProject(seq=seq, code=project.code, name=project.name, leader=project.leader,
                                  content=paragraphs(project.measures), objectives=paragraphs(project.objectives),
                                  progress=progress, effect=_effect(project, intake, options)))
    return rows


@dataclass(frozen=True)
class Posted:
    """The subject of one notice: the projects of one branch (all of them, or one with --per-project)."""

    branch: str
    projects: list[Project]
    intake: Intake
    per_project: bool = False


def build_context(subject: Posted, config: Config, options: Options) -> NoticeContext:
    """Build the notice of a branch's projects; its 公示期 starts on 成文日期 (or the next working day)."""
    branch, projects, intake = subject.branch, subject.projects, subject.intake
    calendar = WorkCalendar(config.calendar)
    if len(projects) == 1:
        title = f"关于{quoted(projects[0].name)}党建项目“四公开”的公示"
        what = f"{quoted(projects[0].name)}党建项目"
    else:
        title = f"关于{branch}党建项目“四公开”的公示"
        what = f"{branch}{len(projects)}个党建项目"
    notice = config.notice
    return NoticeContext(
        title=title,
        title_lines=title_lines(title),
        intro=(f"为深入推进党建项目化管理，落实项目内容、目标任务、完成进度、实施效果“四公开”要求，"
               f"主动接受广大党员群众监督，现将{what}有关情况予以公示。"),
        projects=_projects(projects, intake, options),
        period=notice_period(calendar, options.date, notice.days),
        objection=(f"公示期间，如有异议，请以书面、电话或来访等形式向{branch}或"
                   f"{config.organization.name}{config.organization.department}反映。"
                   f"以个人名义反映的，请署真实姓名并提供联系方式；以单位名义反映的，请加盖单位公章。"),
        contacts=_contacts(config, projects[0]),
        signature=branch,
        date=cn_date(options.date),
    )


def subjects(intake: Intake, config: Config, options: Options) -> Iterator[Posted]:
    """One notice per branch listing its projects, or one per project."""
    if options.per_project:
        for project in intake.projects:
            yield Posted(project.branch, [project], intake, per_project=True)
        return
    by_branch: dict[str, list[Project]] = defaultdict(list)
    for project in intake.projects:
        by_branch[project.branch].append(project)
    for branch, projects in by_branch.items():
        yield Posted(branch, projects, intake)


def filing(subject: Posted, options: Options) -> Filing:
    """<code>_公示 per project; <branch>_公示 per branch, naming the project when it has only one."""
    if subject.per_project:
        return Filing(subject.projects[0].code, subject.branch)
    code = subject.projects[0].code if len(subject.projects) == 1 else ""
    return Filing(code, subject.branch, name=f"{subject.branch}_{TITLE}")
