"""docgen.toml → Config: the organisation, its catalogs and its rules.

Configuration is read once at the edge (CLI or API caller) and passed down; no
other module reads files for settings.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ConfigError

CONFIG_NAME = "docgen.toml"

DEFAULT_CATEGORIES = (
    "基础规范项目",
    "服务关怀项目",
    "创新探索项目",
    "主题实践项目",
    "精品党建项目",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
            raise ValueError("practice_units_min > practice_units_max")
        if not self.categories:
            raise ValueError("categories is empty")
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


class Config(_Section):
    """Everything an organisation may set; built-in defaults otherwise."""

    organization: Organization = Organization()
    project: ProjectRules = ProjectRules()
    notice: NoticeRules = NoticeRules()
    calendar: CalendarRules = CalendarRules()
    assessment: AssessmentRules = AssessmentRules()
    source: str | None = None

    def require_organization(self) -> None:
        """Stop before anything is printed when the organisation that signs is not configured."""
        missing = [f"{key}（{label}）" for key, label in REQUIRED_ORGANIZATION.items()
                   if not getattr(self.organization, key).strip()]
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
contact = ""      # 公示联系人，如 "王老师"
phone = ""        # 公示联系电话（办公电话）；不填时公示只给出项目负责人隐去中间四位的手机号
address = ""      # 地址，如 "公司党建工作部（综合楼305室）"

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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式有误：{exc}") from None
    try:
        return Config.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc'])}：{_config_message(e)}" for e in exc.errors()
        )
        raise ConfigError(f"配置文件 {path} 有误：{problems}") from None


def _config_message(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "不认识的配置项"
    if kind in ("int_parsing", "int_type"):
        return "应为整数"
    if kind in ("string_type",):
        return "应为文字"
    if kind in ("float_parsing", "float_type"):
        return "应为数字"
    if kind.startswith("date"):
        return "应为日期，如 2027-01-01"
    if kind.startswith("greater_than") or kind.startswith("less_than"):
        return "数值超出允许范围"
    return error.get("msg", kind)
