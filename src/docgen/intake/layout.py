"""The one declaration of the intake workbook: sheets, their columns and how to read them.

The reader, the blank-template writer and the messages all work from these
declarations, so the layout is written down once.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from ..models import Award, Photo, ProgressEntry, Project, Result, Task
from ..models.records import Record

Kind = Literal["code", "text", "longtext", "list", "date", "seq", "percent", "score", "amount", "phone", "category",
               "conclusion", "period"]


_HEADER_NOISE = re.compile(r"[\s\u3000\u00a0\u200b-\u200f\ufeff]+")
_HEADER_SUFFIX = re.compile(r"([*＊]|[（(]必填[）)]|[:：])$")
_HEADER_UNIT = re.compile(r"^(.+?)[(\[【]([^()\[\]【】]*)[)\]】]$")


def normalize_header(text: object) -> str:
    """Compare headers (and sheet names) without white space, a trailing * / ＊ / （必填） / colon, with
    full-width letters, digits and brackets folded to their ASCII forms."""
    if text is None:
        return ""
    value = _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(text)))
    while True:
        stripped = _HEADER_SUFFIX.sub("", value)
        if stripped == value:
            return value
        value = stripped


def header_core(text: object) -> tuple[str, str]:
    """A header's name and the unit or remark in brackets after it: 经费预算（万元） → (经费预算, 万元)."""
    value = normalize_header(text)
    m = _HEADER_UNIT.match(value)
    if not m:
        return value, ""
    core, unit = m.group(1), m.group(2)
    return normalize_header(core), unit


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind = "text"
    required: bool = False
    width: int = 14
    hint: str = ""
    aliases: tuple[str, ...] = ()  # other headers branches write for this column, read as it

    @property
    def core(self) -> str:
        return header_core(self.header)[0]

    @property
    def unit(self) -> str:
        return header_core(self.header)[1]


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
        names: dict[str, Column] = {}
        for column in self.columns:
            for name in (column.core, *column.aliases):
                names.setdefault(header_core(name)[0], column)
        object.__setattr__(self, "by_header", names)

    def match(self, text: object) -> "HeaderMatch":
        """Which column a header cell names: the declared header or an obvious variant of it (other brackets,
        spaces, a trailing *, 满意度 for 满意率 …); a different unit is a mismatch, not a match."""
        core, unit = header_core(text)
        column = self.by_header.get(core)
        if column is None:
            return HeaderMatch(None, core)
        if column.kind == "amount" and unit and unit not in ("万元", "万"):
            return HeaderMatch(None, core, unit_of=column, unit=unit)
        return HeaderMatch(column, core)

    def near(self, core: str, taken: set[str]) -> Column | None:
        """The declared column, not yet found in the sheet, that a header it does not know is close to."""
        best, best_ratio = None, 0.0
        for column in self.columns:
            if column.field in taken:
                continue
            for name in (column.core, *column.aliases):
                name = header_core(name)[0]
                ratio = difflib.SequenceMatcher(None, core, name).ratio()
                if name == column.core and len(core) >= 2 and (name in core or core in name):
                    ratio = max(ratio, 0.8)  # the declared name with a word more or less: 项目负责人姓名
                if ratio > best_ratio:
                    best, best_ratio = column, ratio
        return best if best_ratio >= 0.7 else None


@dataclass(frozen=True)
class HeaderMatch:
    column: Column | None
    core: str
    unit_of: Column | None = None  # the column meant, written with another unit
    unit: str = ""


PROJECTS = Sheet(
    "项目信息", "projects", Project, required=True,
    hint="每行一个项目。",
    columns=(
        Column("项目编号", "code", "code", True, 14, "本表内唯一，只能包含字母、数字、“-”和“_”，如 DJ-2024-001"),
        Column("项目名称", "name", "text", True, 30),
        Column("申报党组织", "branch", "text", True, 22, "申报项目的党支部（党总支）全称", aliases=("申报单位", "申报支部", "党组织名称", "党支部名称")),
        Column("项目类别", "category", "category", True, 14, "从下拉列表中选择", aliases=("类别", "项目类型")),
        Column("牵头单位", "lead_unit", "text", False, 18, "采用“1+X”模式时填写"),
        Column("重点实践单位", "practice_units", "list", False, 28, "多个单位用顿号“、”分隔；填写牵头单位时须为规定数量", aliases=("实践单位",)),
        Column("项目负责人", "leader", "text", True, 10, aliases=("负责人", "项目负责人姓名")),
        Column("联系电话", "phone", "phone", False, 15, "11位手机号，或带区号的固定电话，如 0931-8881234", aliases=("联系方式", "电话", "手机", "手机号", "手机号码", "负责人电话")),
        Column("项目成员", "members", "list", False, 28, "多人用顿号“、”分隔", aliases=("成员", "团队成员")),
        Column("开始日期", "start", "date", True, 12, "日期，如 2024-03-19"),
        Column("结束日期", "end", "date", True, 12, "不早于开始日期"),
        Column("立项日期", "approved", "date", False, 12, "项目批准立项的日期，立项表和计划书署这个日期；"
               "一般不晚于开始日期；可不填，不填时署开始日期", aliases=("立项时间", "批准立项日期")),
        Column("项目口号", "slogan", "text", False, 24, aliases=("口号",)),
        Column("立项背景", "background", "longtext", True, 40, "为什么做：要解决的问题", aliases=("项目背景",)),
        Column("目标任务", "objectives", "longtext", True, 40, "做到什么程度"),
        Column("主要措施", "measures", "longtext", True, 40, "怎么做；多条措施可分行填写", aliases=("工作措施", "具体措施")),
        Column("预期成效", "outcomes", "longtext", True, 40, aliases=("预期效果",)),
        Column("关联中心工作", "central_work", "text", False, 16, "如 安全生产、经营提效、优质服务", aliases=("中心工作",)),
        Column("经费预算（万元）", "budget", "amount", False, 12, "以万元为单位的数字，如 5 或 2.5；可不填", aliases=("经费预算", "预算经费", "项目经费", "经费")),
    ),
)

TASKS = Sheet(
    "任务分解", "tasks", Task,
    hint="每行一项任务，每个项目至少一项（“五个明确”）。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("序号", "seq", "seq", True, 6, "正整数，同一项目内不重复"),
        Column("任务内容", "content", "longtext", True, 36, aliases=("任务", "任务名称")),
        Column("责任人", "owner", "text", True, 10),
        Column("开始日期", "start", "date", False, 12, "可不填，默认为项目开始日期"),
        Column("完成时限", "deadline", "date", True, 12, "须在项目起止日期之内", aliases=("完成时间", "完成期限")),
        Column("质量标准", "quality_standard", "longtext", True, 28),
        Column("预期目标", "target", "longtext", True, 28),
    ),
)

PROGRESS = Sheet(
    "进度", "progress", ProgressEntry,
    hint="每个项目每个报告期一行或多行；任务序号不填表示整个项目。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("报告期", "period", "period", True, 14, "如 2024年第2季度、2024Q2、2024年6月", aliases=("报告期间", "统计期")),
        Column("统计日期", "stat_date", "date", True, 12, aliases=("统计时间", "填报日期")),
        Column("任务序号", "task_seq", "seq", False, 8, "不填表示整个项目；填写时须在“任务分解”中存在"),
        Column("完成比例", "percent", "percent", True, 10, "0%–100%", aliases=("完成进度", "完成率", "完成百分比")),
        Column("完成情况", "status", "longtext", True, 36, aliases=("进展情况", "工作进展", "完成情况说明")),
        Column("存在问题", "problems", "longtext", False, 28),
        Column("下步计划", "next_steps", "longtext", False, 28, aliases=("下一步计划", "下步打算", "下一步工作")),
    ),
)

RESULTS = Sheet(
    "实施效果", "results", Result,
    hint="每个项目一行。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("实施效果", "effect", "longtext", True, 40),
        Column("群众满意率", "satisfaction", "percent", False, 12, "0%–100%", aliases=("群众满意度", "满意率", "满意度")),
        Column("评价得分", "score", "score", False, 10, "0–100 分", aliases=("得分", "评分", "评价分数")),
        Column("验收结论", "conclusion", "conclusion", False, 10, "优秀、良好、合格、不合格"),
        Column("经费使用（万元）", "spent", "amount", False, 12, "实际使用的经费，以万元为单位；可不填", aliases=("经费使用", "实际使用经费", "使用经费")),
    ),
)

AWARDS = Sheet(
    "表彰", "awards", Award, key_header="证书编号",
    hint="每行一张荣誉证书。",
    columns=(
        Column("证书编号", "cert_no", "code", True, 16, "本表内唯一"),
        Column("获奖对象", "recipient", "text", True, 28, "集体或个人", aliases=("获奖单位", "获奖集体或个人", "表彰对象")),
        Column("荣誉称号", "title", "text", True, 24),
        Column("表彰事由", "reason", "longtext", False, 36, "可不填，默认写“在××年度党建项目化管理工作中成绩突出”"),
        Column("颁发单位", "issuer", "text", True, 28, aliases=("发证单位",)),
        Column("颁发日期", "date", "date", True, 12, aliases=("发证日期",)),
        Column("项目编号", "project_code", "code", False, 14, "可不填；填写时须在“项目信息”中存在"),
    ),
)

PHOTOS = Sheet(
    "活动照片", "photos", Photo,
    hint="每行一张照片，每个项目最多 12 张；照片文件与申报表放在同一个文件夹（或其中的子文件夹）。",
    columns=(
        Column("项目编号", "project_code", "code", True, 14, "须在“项目信息”中存在"),
        Column("照片", "file", "text", True, 28, "照片的文件名，如 开班仪式.jpg 或 照片/开班仪式.jpg；JPG、PNG、HEIC（苹果手机）等照片，不超过 20 MB"),
        Column("说明", "caption", "text", True, 36, "照片下方的说明文字，如 “全科医生”培训班开班", aliases=("照片说明", "图片说明")),
        Column("拍摄日期", "taken", "date", False, 12, "可不填"),
    ),
)

SHEETS: tuple[Sheet, ...] = (PROJECTS, TASKS, PROGRESS, RESULTS, AWARDS, PHOTOS)
GUIDE_SHEET = "填写说明"  # the blank workbook's instructions
RESULT_SHEET = "校验结果"  # the marked copy's list of issues
AUXILIARY_SHEETS = (GUIDE_SHEET, RESULT_SHEET)  # sheets docgen writes that hold no records
SHEETS_BY_NAME = {s.name: s for s in SHEETS}
