"""Formatting shared by the context builders: dates, periods, paragraphs, safe names.

Everything a template shows is formatted here, so templates hold loops and ifs only.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..models import Project

EMPTY = "—"


class Context(BaseModel):
    """Base of every document context: plain, formatted values only."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def cn_date(day: dt.date | None) -> str:
    """2024年3月9日, as official documents write dates."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def date_range(start: dt.date, end: dt.date) -> str:
    return f"{cn_date(start)}至{cn_date(end)}"


def short_range(start: dt.date | None, end: dt.date) -> str:
    """3月1日—6月30日 within one year; full dates across years."""
    if start is None:
        return f"至{cn_date(end)}"
    if start.year == end.year:
        return f"{start.month}月{start.day}日—{end.month}月{end.day}日"
    return f"{cn_date(start)}—{cn_date(end)}"


def paragraphs(text: str | None) -> list[str]:
    """Split text into its non-empty lines, each becoming a paragraph."""
    if not text:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def joined(items: list[str]) -> str:
    return "、".join(items) if items else EMPTY


def or_empty(text: str | None) -> str:
    return text if text else EMPTY


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name(text: str, limit: int = 60) -> str:
    """A file or folder name that is valid everywhere and cannot leave its folder."""
    name = _UNSAFE.sub("_", text).strip().strip(".").strip()
    name = name[:limit].rstrip(". ")
    return name or "_"


class ProjectFields(Context):
    """What every project document shows of the project itself, formatted."""

    code: str
    name: str
    branch: str
    category: str
    lead_unit: str
    practice_units: str
    leader: str
    phone: str
    members: str
    period: str
    slogan: str
    central_work: str
    background: list[str]
    objectives: list[str]
    measures: list[str]
    outcomes: list[str]


def project_fields(project: Project) -> dict[str, Any]:
    """Return the ProjectFields values of a project."""
    return dict(
        code=project.code,
        name=project.name,
        branch=project.branch,
        category=project.category,
        lead_unit=or_empty(project.lead_unit),
        practice_units=joined(project.practice_units),
        leader=project.leader,
        phone=or_empty(project.phone),
        members=joined(project.members),
        period=date_range(project.start, project.end),
        slogan=or_empty(project.slogan),
        central_work=or_empty(project.central_work),
        background=paragraphs(project.background),
        objectives=paragraphs(project.objectives),
        measures=paragraphs(project.measures),
        outcomes=paragraphs(project.outcomes),
    )
