"""Reporting periods (报告期): a quarter, a month, a half-year or a year."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from .values import to_halfwidth

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}

_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$"), "Q"),
    (re.compile(r"^(\d{4})[-/.]?Q([1-4])$", re.I), "Q"),
    (re.compile(r"^(\d{4})年(\d{1,2})月份?$"), "M"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "M"),
    (re.compile(r"^(\d{4})年?(上|下)半年$"), "H"),
    (re.compile(r"^(\d{4})[-/.]?H([12])$", re.I), "H"),
    (re.compile(r"^(\d{4})年(度|全年)?$"), "Y"),
)


class Period(BaseModel):
    """A reporting period, normalised from the forms clerks write."""

    model_config = ConfigDict(frozen=True)

    year: int
    unit: Literal["Q", "M", "H", "Y"]
    index: int = 1

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, (Period, dict)):
            return value
        return parse_period(value)

    @property
    def label(self) -> str:
        """The one written form: 2024年第2季度, 2024年6月, 2024年上半年, 2024年度."""
        if self.unit == "Q":
            return f"{self.year}年第{self.index}季度"
        if self.unit == "M":
            return f"{self.year}年{self.index}月"
        if self.unit == "H":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年度"

    @property
    def start(self) -> dt.date:
        first_month = {"Q": 3 * self.index - 2, "M": self.index, "H": 6 * self.index - 5, "Y": 1}[self.unit]
        return dt.date(self.year, first_month, 1)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def end(self) -> dt.date:
        last_month = {"Q": 3 * self.index, "M": self.index, "H": 6 * self.index, "Y": 12}[self.unit]
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def sort_key(self) -> tuple:
        return (self.end, {"M": 0, "Q": 1, "H": 2, "Y": 3}[self.unit])

    def __str__(self) -> str:
        return self.label


def parse_period(value: Any) -> dict:
    """Return year/unit/index for a written period, or raise period_invalid."""
    if isinstance(value, (dt.datetime, dt.date)):
        # Excel turns a typed "2024-06" into the date 2024-06-01.
        return {"year": value.year, "unit": "M", "index": value.month}
    if isinstance(value, str):
        text = re.sub(r"[\s\u3000]+", "", to_halfwidth(value))
        for pattern, unit in _FORMS:
            m = pattern.match(text)
            if not m:
                continue
            year = int(m.group(1))
            if unit == "Y":
                index = 1
            elif unit == "H":
                index = 1 if m.group(2) in ("上", "1") else 2
            else:
                raw = m.group(2)
                index = _CN_DIGITS.get(raw) or int(raw)
            if unit == "M" and not 1 <= index <= 12:
                break
            return {"year": year, "unit": unit, "index": index}
    shown = value.strip() if isinstance(value, str) else str(value)
    raise PydanticCustomError("period_invalid", "unreadable period", {"value": shown})
