"""The one declaration of the intake workbook: sheets, their columns and how to read them.

The reader, the blank-template writer and the messages all work from these
declarations, so the layout is written down once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..models import Award, Photo, ProgressEntry, Project, Result, Task
from ..models.records import Record

Kind = Literal["code", "text", "longtext", "list", "date", "seq", "percent", "score", "amount", "phone", "category",
               "conclusion", "period"]


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind = "text"
    required: bool = False
    width: int = 14
    hint: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    attr: str  # the Intake attribute holding the records
    model: type[Record]
    columns: tuple[Column, ...]
    key_header: str = "项目编号"
    required: bool = False
    hint: str = ""
    by_field: dict[str, Column] = field(init=False, repr=False, compare=False)
    by_header: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_field", {c.field: c for c in self.columns})
        object.__setattr__(self, "by_header", {c.header: c for c in self.columns})


PROJECTS = Sheet(
    "项目信息", "projects", Project, required=True,
    hint="每行一个项目。",
    columns=(
        Column("项目编号", "code", "code", True, 14, "本表内唯一，只能包含字母、数字、“-”和“_”，如 DJ-2024-001"),
        Column("项目名称", "name", "text", True, 30),
        Column("申报党组织", "branch", "text", True, 22, "申报项目的党支部（党总支）全称"),
        Column("项目类别", "category", "category", True, 14, "从下拉列表中选择"),
        Column("牵头单位", "lead_unit", "text", False, 18, "采用“1+X”模式时填写"),
        Column("重点实践单位", "practice_units", "list", False, 28, "多个单位用顿号“、”分隔；填写牵头单位时须为规定数量"),
        Column("项目负责人", "leader", "text", True, 10),
        Column("联系电话", "phone", "phone", False, 15, "11位手机号，或带区号的固定电话，如 0931-8881234"),
        Column("项目成员", "members", "list", False, 28, "多人用顿号“、”分隔"),
        Column("开始日期", "start", "date", True, 12, "日期，如 2024-03-19"),
        Column("结束日期", "end", "date", True, 12, "不早于开始日期"),
        Column("项目口号", "slogan", "text", False, 24),
        Column("立项背景", "background", "longtext", True, 40, "为什么做：要解决的问题"),
        Column("目标任务", "objectives", "longtext", True, 40, "做到什么程度"),
        Column("主要措施", "measures", "longtext", True, 40, "怎么做；多条措施可分行填写"),
        Column("预期成效", "outcomes", "longtext", True, 40),
        Column("关联中心工作", "central_work", "text", False, 16, "如 安全生产、经营提效、优质服务"),
        Column("经费预算（万元）", "budget", "amount", False, 12, "以万元为单位的数字，如 5 或 2.5；可不填"),
    ),
)

TASKS = Sheet(
    "任务分解", "tasks", Task,
    hint="每行一项任务，每个项目至少一项（“五个明确”）。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("序号", "seq", "seq", True, 6, "正整数，同一项目内不重复"),
        Column("任务内容", "content", "longtext", True, 36),
        Column("责任人", "owner", "text", True, 10),
        Column("开始日期", "start", "date", False, 12, "可不填，默认为项目开始日期"),
        Column("完成时限", "deadline", "date", True, 12, "须在项目起止日期之内"),
        Column("质量标准", "quality_standard", "longtext", True, 28),
        Column("预期目标", "target", "longtext", True, 28),
    ),
)

PROGRESS = Sheet(
    "进度", "progress", ProgressEntry,
    hint="每个项目每个报告期一行或多行；任务序号不填表示整个项目。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("报告期", "period", "period", True, 14, "如 2024年第2季度、2024Q2、2024年6月"),
        Column("统计日期", "stat_date", "date", True, 12),
        Column("任务序号", "task_seq", "seq", False, 8, "不填表示整个项目；填写时须在“任务分解”中存在"),
        Column("完成比例", "percent", "percent", True, 10, "0%–100%"),
        Column("完成情况", "status", "longtext", True, 36),
        Column("存在问题", "problems", "longtext", False, 28),
        Column("下步计划", "next_steps", "longtext", False, 28),
    ),
)

RESULTS = Sheet(
    "实施效果", "results", Result,
    hint="每个项目一行。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("实施效果", "effect", "longtext", True, 40),
        Column("群众满意率", "satisfaction", "percent", False, 12, "0%–100%"),
        Column("评价得分", "score", "score", False, 10, "0–100 分"),
        Column("验收结论", "conclusion", "conclusion", False, 10, "优秀、良好、合格、不合格"),
        Column("经费使用（万元）", "spent", "amount", False, 12, "实际使用的经费，以万元为单位；可不填"),
    ),
)

AWARDS = Sheet(
    "表彰", "awards", Award, key_header="证书编号",
    hint="每行一张荣誉证书。",
    columns=(
        Column("证书编号", "cert_no", "code", True, 16, "本表内唯一"),
        Column("获奖对象", "recipient", "text", True, 28, "集体或个人"),
        Column("荣誉称号", "title", "text", True, 24),
        Column("表彰事由", "reason", "longtext", False, 36, "可不填，默认写“在××年度党建项目化管理工作中成绩突出”"),
        Column("颁发单位", "issuer", "text", True, 28),
        Column("颁发日期", "date", "date", True, 12),
        Column("项目编号", "project_code", "code", False, 14, "可不填；填写时须在“项目信息”中存在"),
    ),
)

PHOTOS = Sheet(
    "活动照片", "photos", Photo,
    hint="每行一张照片，每个项目最多 12 张；照片文件与申报表放在同一个文件夹（或其中的子文件夹）。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("照片", "file", "text", True, 28, "照片的文件名，如 开班仪式.jpg 或 照片/开班仪式.jpg；JPG、PNG、HEIC（苹果手机）等照片，不超过 20 MB"),
        Column("说明", "caption", "text", True, 36, "照片下方的说明文字，如 “全科医生”培训班开班"),
        Column("拍摄日期", "taken", "date", False, 12, "可不填"),
    ),
)

SHEETS: tuple[Sheet, ...] = (PROJECTS, TASKS, PROGRESS, RESULTS, AWARDS, PHOTOS)
SHEETS_BY_NAME = {s.name: s for s in SHEETS}

_HEADER_NOISE = re.compile(r"[\s\u3000\u00a0]+")
_HEADER_SUFFIX = re.compile(r"([*＊]|[（(]必填[）)])$")


def normalize_header(text: object) -> str:
    """Compare headers without white space, a trailing * / ＊ or a trailing （必填）."""
    if text is None:
        return ""
    value = _HEADER_NOISE.sub("", str(text))
    while True:
        stripped = _HEADER_SUFFIX.sub("", value)
        if stripped == value:
            return value
        value = stripped
