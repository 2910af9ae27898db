"""Working days on the State Council's holiday schedule, make-up working days included.

The schedule comes from the chinesecalendar package, which knows a fixed range of
years. For a year it does not know, the holidays must come from docgen.toml
([calendar] holidays / workdays); without them the count stops with a message naming
the year, never falling back to plain weekdays.
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar

from ..config import CalendarRules
from ..errors import CalendarError


class WorkCalendar:
    """Answer "is this a working day?" from the built-in schedule or the configured one."""

    def __init__(self, rules: CalendarRules | None = None) -> None:
        rules = rules or CalendarRules()
        self.holidays = set(rules.holidays)
        self.workdays = set(rules.workdays)
        self.configured_years = {d.year for d in self.holidays | self.workdays}

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in self.configured_years:
            return day.weekday() < 5
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarError(
                f"内置的节假日安排没有 {day.year} 年的数据，无法推算公示期的工作日。"
                f"请在 docgen.toml 的 [calendar] 中列出 {day.year} 年的放假日期（holidays）"
                f"和调休上班日期（workdays），或改用 {day.year} 年之前的日期。"
            ) from None

    def first_workday(self, day: dt.date) -> dt.date:
        """The given day if it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def span(self, start: dt.date, days: int) -> tuple[dt.date, dt.date]:
        """The first and last day of a period of `days` working days beginning on or after start."""
        first = day = self.first_workday(start)
        counted = 1
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return first, day
