"""Validate stage: raw workbook → valid records (Intake) and a located report of issues.

It knows the layout and the models, not openpyxl: cells arrive through the reader.
"""
from __future__ import annotations

from ..config import Config
from ..intake.reader import RawWorkbook
from ..issues import FileReport
from ..models import Intake
from .rows import validate_rows
from .rules import Checked, check_all


def validate_raw(raw: RawWorkbook, config: Config) -> tuple[Intake | None, FileReport]:
    """Validate a read workbook; return its records (None if unreadable) and its report."""
    report = FileReport(path=raw.path, issues=list(raw.issues))
    if not raw.readable:
        return None, report
    checked = Checked(raw)
    for name, sheet in raw.sheets.items():
        valid, issues = validate_rows(sheet, config.project)
        report.extend(issues)
        setattr(checked, sheet.spec.attr, valid)
    report.extend(check_all(checked))
    report.sort()
    intake = Intake(
        source=raw.path,
        **{attr: [record for record, _ in getattr(checked, attr)]
           for attr in ("projects", "tasks", "progress", "results", "awards")},
    )
    return intake, report
