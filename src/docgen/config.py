"""docgen.toml → Config: the organisation, its catalogs and its rules.

Configuration is read once at the edge (CLI or API caller) and passed down; no
other module reads files for settings.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Iterator

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ConfigError
from .filekinds import CONFIG_NAME
from .writing import has_illegal

DEFAULT_CATEGORIES = (
    "基础规范项目",
    "服务关怀项目",
    "创新探索项目",
    "主题实践项目",
    "精品党建项目",
)


class _Section(BaseModel):
    # a number must be finite: an infinite file limit or a NaN share is no setting, and JSON cannot carry it
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Organization(_Section):
    """Who signs: no default, so that no placeholder name ever reaches paper."""

    name: str = ""  # 单位名称: annual report, 公示落款, document properties
    party_committee: str = ""  # 党委名称: 立项表审批栏
    department: str = "党建工作部"
    main_recipient: str = "公司党委"  # 主送 of the reports to the Party committee


# The keys a document needs before it can be printed, with what the clerk calls them.
REQUIRED_ORGANIZATION = {"name": "单位名称", "party_committee": "党委名称"}


class ProjectRules(_Section):
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    practice_units_min: int = Field(2, ge=0)
    practice_units_max: int = Field(3, ge=0)

    @model_validator(mode="after")
    def _range(self) -> "ProjectRules":
        if self.practice_units_min > self.practice_units_max:
            raise ValueError("practice_units_min（重点实践单位下限）不能大于 practice_units_max（上限）")
        if not self.categories:
            raise ValueError("categories（项目类别）至少要有一个")
        for category in self.categories:
            if not category.strip() or any(mark in category for mark in ',，"'):
                raise ValueError(f"项目类别“{category}”不能为空，也不能含逗号或双引号（申报表的下拉列表用它们分隔类别）")
        return self


class NoticeRules(_Section):
    days: int = Field(5, ge=1, le=30)
    contact: str = ""
    phone: str = ""
    address: str = ""


class CalendarRules(_Section):
    """Holidays for years the built-in working-day calendar does not know (or corrections).

    holidays: week days that are days off; workdays: weekend days that are worked (调休).
    A year named by any date here is counted from these lists, weekends otherwise off.
    """

    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = ()


class AssessmentRules(_Section):
    """Year-end assessment: award eligibility and the selection ratios."""

    satisfaction_min: float = Field(80, ge=0, le=100)
    tracking_share: float = Field(0.5, gt=0, le=1)
    outstanding_share: float = Field(1 / 3, gt=0, le=1)


class Limits(_Section):
    """How large a submitted workbook may be (intake/package.py); checked before it is parsed."""

    file_mb: float = Field(20, gt=0)  # the .xlsx file itself
    part_mb: float = Field(50, gt=0)  # any one part of it once expanded (a sheet's XML, the shared strings …)
    parts: int = Field(2000, gt=0)  # parts in the package
    rows: int = Field(10_000, gt=0)  # the last row with a cell, in any sheet
    columns: int = Field(200, gt=0)  # the last column with a cell, in any sheet
    cells: int = Field(200_000, gt=0)  # cells in the whole workbook (the marked copy holds them all in memory)
    render_seconds: float = Field(300, gt=0)  # one document in one format (a runaway layout is stopped)
    uploads_per_day: int = Field(50, gt=0)  # workbooks one branch may upload to the web page in a day
    photos_mb: float = Field(200, gt=0)  # the 活动照片 sent with one workbook to the web page, together


class TemplateRules(_Section):
    """The organisation's own templates: any <kind>.docx, <kind>.html or .css in `dir` replaces the built-in one."""

    dir: str = ""  # relative to the configuration file's folder (or the working folder)


class Config(_Section):
    """Everything an organisation may set; built-in defaults otherwise."""

    organization: Organization = Organization()
    project: ProjectRules = ProjectRules()
    notice: NoticeRules = NoticeRules()
    calendar: CalendarRules = CalendarRules()
    assessment: AssessmentRules = AssessmentRules()
    limits: Limits = Limits()
    templates: TemplateRules = TemplateRules()
    source: str | None = None

    def template_folder(self) -> Path | None:
        """The folder of the organisation's own templates, or None for docgen's own."""
        if not self.templates.dir.strip():
            return None
        folder = Path(self.templates.dir).expanduser()
        if not folder.is_absolute():
            folder = (Path(self.source).parent if self.source else Path.cwd()) / folder
        return folder.resolve()

    def missing_organization(self) -> dict[str, str]:
        """The names the documents are signed with that are not configured: {key: what it is}."""
        return {key: label for key, label in REQUIRED_ORGANIZATION.items() if not getattr(self.organization, key).strip()}

    def require_organization(self) -> None:
        """Stop before anything is printed when the organisation that signs is not configured."""
        missing = [f"{key}（{label}）" for key, label in self.missing_organization().items()]
        if missing:
            where = (f"配置文件 {self.source} 的 [organization] 中缺少" if self.source else
                     f"没有找到配置文件（当前目录下没有 {CONFIG_NAME}，也没有用 --config 指定），缺少 [organization] 中的")
            raise ConfigError(
                f"{where}：{'、'.join(missing)}。文书的落款和审批栏要用到这些名称，docgen 不会用占位名称代替。\n"
                f"请在 {CONFIG_NAME} 中填写，例如：\n  [organization]\n  name = \"国网兰州供电公司\"\n"
                f"  party_committee = \"中共国网兰州供电公司委员会\"\n"
                f"运行 docgen init 可在当前目录生成带说明的 {CONFIG_NAME}。")


# What `docgen init` writes: every setting with its default and what it is for.
CONFIG_TEMPLATE = """\
# docgen 配置文件。放在工作目录（运行 docgen 的文件夹），或用 --config 指定。
# 未写的项使用内置默认值；[organization] 的 name 和 party_committee 必须填写，
# 生成文书时用作落款和审批栏，docgen 不会用占位名称代替。

[organization]
name = ""                    # 单位名称，如 "国网兰州供电公司"（必填）
party_committee = ""         # 党委名称，如 "中共国网兰州供电公司委员会"（必填，立项表审批栏）
department = "党建工作部"     # 年度汇总报告、“四公开”公示中的部门名称
main_recipient = "公司党委"   # 进度报告、结题报告、年度汇总报告的主送

[project]
# 项目类别（申报表下拉列表与校验都用这一份）
categories = ["基础规范项目", "服务关怀项目", "创新探索项目", "主题实践项目", "精品党建项目"]
# “1+X”模式：填写牵头单位时，重点实践单位的数量范围
practice_units_min = 2
practice_units_max = 3

[notice]
days = 5          # “四公开”公示期（工作日）
contact = ""      # 公示联系人的姓名，如 "王丽娟"
phone = ""        # 公示联系电话（办公电话）；不填时公示只给出项目负责人隐去中间四位的手机号
address = ""      # 地址，写出单位全称，如 "国网兰州供电公司党建工作部（综合楼305室）"

[calendar]
# 内置的国务院节假日安排只到 2026 年。公示期落入之后的年份时，请在此列出该年的安排：
# holidays 为放假的工作日，workdays 为调休上班的周末；未列出的周末视为休息日。
# 任一日期出现在这里的年份，即按这里的安排计算。例如：holidays = [2027-01-01]
holidays = []
workdays = []

[assessment]
satisfaction_min = 80        # 群众满意率低于此值（%）的项目失去年度评优资格
tracking_share = 0.5         # 按评价得分进入“跟踪实施名单”的比例
outstanding_share = 0.3333   # 跟踪实施名单中评为“突出贡献项目”的比例

[limits]
# 申报表的大小上限：超过任一项的文件在解析之前即被拒绝，并说明超过了哪一项。
file_mb = 20         # 文件大小（MB）
part_mb = 50         # 文件中任一部件解压后的大小（MB），如一个工作表
parts = 2000         # 文件中的部件数
rows = 10000         # 任一工作表中有内容的最后一行
columns = 200        # 任一工作表中有内容的最后一列
cells = 200000       # 整个工作簿的单元格数
render_seconds = 300 # 生成一份文书（一种格式）的时限（秒），超过即停止这一份并说明原因
uploads_per_day = 50 # 网页上每个申报党组织每天最多上传校验的次数
photos_mb = 200      # 网页上随一份申报表上传的活动照片合计的大小（MB）

[templates]
# 本单位自己的文书模板所在的文件夹（相对于本配置文件所在的文件夹）。其中的 <种类>.docx、<种类>.html
# 和 .css 代替内置的同名模板，没有的仍用内置的。docgen templates export 模板 可导出内置模板作为起点，
# docgen templates check 检查改过的模板。例如：dir = "模板"
dir = ""
"""


def load_config(path: str | Path | None = None, cwd: str | Path | None = None) -> Config:
    """Read the given file, else docgen.toml in the working folder, else defaults."""
    if path is None:
        candidate = Path(cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件：{path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} 是文件夹，不是配置文件") from None
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}（{exc.strerror or type(exc).__name__}）") from None
    try:
        text = raw.decode("utf-8-sig")  # Windows Notepad starts a UTF-8 file with a byte-order mark
    except UnicodeDecodeError:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码（可能是 GBK）；请用记事本或 WPS 打开，"
                          f"“另存为”时编码选“UTF-8”后再运行") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式有误{_toml_place(exc)}；请对照 docgen init 生成的示例修改"
                          f"（文字要加英文双引号，如 name = \"国网兰州供电公司\"）") from None
    except RecursionError:
        raise ConfigError(f"配置文件 {path} 的嵌套层级过深，不是 docgen 的配置文件") from None
    unprintable = next(_unprintable(data), None)
    if unprintable is not None:
        raise ConfigError(f"配置文件 {path} 有误：{unprintable} 中含有不可见的控制字符，请删除后再运行")
    try:
        return Config.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        raise ConfigError(f"配置文件 {path} 有误：{'；'.join(problems(exc))}") from None


def problems(exc: ValidationError) -> list[str]:
    """Each error of a configuration as "section.key：what is wrong", in Chinese."""
    return [f"{'.'.join(str(p) for p in e['loc'])}：{_config_message(e)}" for e in exc.errors()]


def dump_config(config: Config) -> str:
    """The configuration as docgen.toml text (every section and key; load_config reads it back equal)."""
    lines = ["# docgen 配置文件（由 docgen 网页的“设置”写出；也可用文本编辑器修改）"]
    for section, model in config:
        if not isinstance(model, BaseModel):
            continue
        lines += ["", f"[{section}]"]
        for key, value in model:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _unprintable(data: object, key: str = "") -> Iterator[str]:
    """The keys whose text holds characters no document may contain (writing.py strips them
    anywhere else; a setting is refused instead, so that the clerk sees what is wrong)."""
    if isinstance(data, str):
        if has_illegal(data):
            yield key
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _unprintable(value, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for value in data:
            yield from _unprintable(value, key)


def _toml_place(exc: Exception) -> str:
    """Where tomllib stopped, in Chinese ("at line 3, column 8" is all of its message a clerk needs)."""
    found = re.search(r"line (\d+), column (\d+)", str(exc))
    return f"（第 {found[1]} 行第 {found[2]} 列附近）" if found else ""


def _config_message(error: dict) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str((error.get("ctx") or {}).get("error") or "取值有误")
    if kind == "missing":
        return "缺少此项"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    if kind in ("tuple_type", "list_type", "set_type"):
        return "应为列表，如 [\"甲\", \"乙\"]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为一节设置（[节名] 下的若干项）"
    if kind == "extra_forbidden":
        return "不认识的配置项"
    if kind in ("int_parsing", "int_type"):
        return "应为整数"
    if kind in ("string_type",):
        return "应为文字"
    if kind in ("float_parsing", "float_type"):
        return "应为数字"
    if kind == "finite_number":
        return "应为有限的数字（不能是 inf、nan 或超出范围的数，如 1e999）"
    if kind.startswith("date"):
        return "应为日期，如 2027-01-01"
    if kind.startswith("greater_than") or kind.startswith("less_than"):
        return "数值超出允许范围"
    return "取值有误"
