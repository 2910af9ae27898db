"""The records of an intake workbook, one model per sheet row, and the Intake that holds them.

Models validate what one row can tell; rules across rows live in validate/rules.py.
A rule that needs the organisation's settings reads them from the validation
context: ``model_validate(data, context={"rules": config.project})``.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .period import Period
from .values import (
    Code,
    Date,
    OptAmount,
    OptCode,
    OptDate,
    OptPercent,
    OptPhone,
    OptScore,
    OptSeq,
    OptText,
    Percent,
    Seq,
    Text,
    TextList,
)

Conclusion = Literal["优秀", "良好", "合格", "不合格"]
CONCLUSIONS: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")


def _not_before_start(value: dt.date, info: ValidationInfo, code: str) -> dt.date:
    """Raise code when the date lies before the row's own (already validated) start."""
    start = info.data.get("start")
    if start is not None and value < start:
        raise PydanticCustomError(code, "before start", {"start": start.isoformat()})
    return value


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Project(Record):
    """项目信息: one Party-building project of a branch."""

    code: Code
    name: Text
    branch: Text
    category: Text
    lead_unit: OptText = None
    practice_units: TextList = []
    leader: Text
    phone: OptPhone = None
    members: TextList = []
    start: Date
    end: Date
    approved: OptDate = None  # 立项日期: the date of the 立项表 and the 计划书
    slogan: OptText = None
    background: Text
    objectives: Text
    measures: Text
    outcomes: Text
    central_work: OptText = None
    budget: OptAmount = None  # 经费预算（万元）

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str, info: ValidationInfo) -> str:
        rules = (info.context or {}).get("rules")
        if rules is not None and value not in rules.categories:
            raise PydanticCustomError(
                "category_unknown", "unknown category",
                {"value": value, "choices": "、".join(rules.categories)},
            )
        return value

    @field_validator("practice_units")
    @classmethod
    def _one_plus_x(cls, value: list[str], info: ValidationInfo) -> list[str]:
        rules = (info.context or {}).get("rules")
        if rules is not None and info.data.get("lead_unit"):
            low, high = rules.practice_units_min, rules.practice_units_max
            if not low <= len(value) <= high:
                raise PydanticCustomError(
                    "practice_units_count", "1+X count", {"count": len(value), "low": low, "high": high},
                )
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return _not_before_start(value, info, "end_before_start")


class Task(Record):
    """任务分解: one task of a plan, with the 五个明确."""

    project_code: Code
    seq: Seq
    content: Text
    owner: Text
    start: OptDate = None
    deadline: Date
    quality_standard: Text
    target: Text

    @field_validator("deadline")
    @classmethod
    def _deadline_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return _not_before_start(value, info, "deadline_before_task_start")


class ProgressEntry(Record):
    """进度: the state of a project, or of one of its tasks, in a reporting period."""

    project_code: Code
    period: Period
    stat_date: Date
    task_seq: OptSeq = None
    percent: Percent
    status: Text
    problems: OptText = None
    next_steps: OptText = None


class Result(Record):
    """实施效果: how a project turned out."""

    project_code: Code
    effect: Text
    satisfaction: OptPercent = None
    score: OptScore = None
    conclusion: Conclusion | None = None
    spent: OptAmount = None  # 经费使用（万元）

    @field_validator("conclusion", mode="before")
    @classmethod
    def _conclusion(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip() or None
        if value is not None and value not in CONCLUSIONS:
            raise PydanticCustomError(
                "conclusion_unknown", "unknown conclusion",
                {"value": str(value), "choices": "、".join(CONCLUSIONS)},
            )
        return value


class Award(Record):
    """表彰: one certificate."""

    cert_no: Code
    recipient: Text
    title: Text
    reason: OptText = None
    issuer: Text
    date: Date
    project_code: OptCode = None


EMBEDDED = "::"  # a photo pasted into the sheet: EMBEDDED + its image part in the workbook (xl/media/image1.png)


class Photo(Record):
    """活动照片: one photo of a project's activities, an image file beside the workbook or pasted into its row."""

    project_code: Code
    file: Text  # a path relative to the workbook's folder, with / between folders
    caption: Text
    taken: OptDate = None

    @field_validator("file")
    @classmethod
    def _slashes(cls, value: str) -> str:
        return value.replace("\\", "/")  # 照片\开班.jpg as Windows writes it


class Intake(BaseModel):
    """The valid records of one workbook, with look-ups between them."""

    model_config = ConfigDict(frozen=True)

    source: str = ""
    projects: list[Project] = []
    tasks: list[Task] = []
    progress: list[ProgressEntry] = []
    results: list[Result] = []
    awards: list[Award] = []
    photos: list[Photo] = []

    @cached_property
    def _tasks_by_project(self) -> dict[str, list[Task]]:
        grouped: dict[str, list[Task]] = defaultdict(list)
        for task in self.tasks:
            grouped[task.project_code].append(task)
        for tasks in grouped.values():
            tasks.sort(key=lambda t: t.seq)
        return grouped

    def tasks_of(self, code: str) -> list[Task]:
        return self._tasks_by_project.get(code, [])

    def photos_of(self, code: str) -> list[Photo]:
        """A project's photos in the order of the sheet."""
        return [photo for photo in self.photos if photo.project_code == code]

    def photo_source(self, photo: Photo) -> str:
        """Where a photo is: its file's path from the workbook's folder, or workbook::part when pasted in."""
        if photo.file.startswith(EMBEDDED):
            return f"{self.source}{photo.file}"
        return str(Path(self.source).parent / photo.file)

    @cached_property
    def _progress_by_project(self) -> dict[str, list[ProgressEntry]]:
        grouped: dict[str, list[ProgressEntry]] = defaultdict(list)
        for row in self.progress:
            grouped[row.project_code].append(row)
        for rows in grouped.values():
            rows.sort(key=lambda p: (p.period.sort_key, p.stat_date, p.task_seq or 0))
        return grouped

    def progress_of(self, code: str) -> list[ProgressEntry]:
        """The project's progress rows, oldest period first."""
        return self._progress_by_project.get(code, [])

    def as_of(self, day: dt.date) -> "Intake":
        """The workbook as it stood on `day`: progress rows dated after it and photos taken after it left out
        (a document dated `day` never states what was reported later)."""
        return Intake(
            source=self.source, projects=self.projects, tasks=self.tasks, results=self.results, awards=self.awards,
            progress=[row for row in self.progress if row.stat_date <= day],
            photos=[photo for photo in self.photos if photo.taken is None or photo.taken <= day],
        )

    def result_of(self, code: str) -> Result | None:
        return next((r for r in self.results if r.project_code == code), None)

    def task_start(self, task: Task) -> dt.date | None:
        """Return the task's start, defaulting to its project's start."""
        if task.start:
            return task.start
        project = next((p for p in self.projects if p.code == task.project_code), None)
        return project.start if project else None
