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
    name: str = "国网某某供电公司"
    party_committee: str = "中共国网某某供电公司委员会"
    department: str = "党建工作部"


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
