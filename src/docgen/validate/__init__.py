"""Validate stage: raw workbook → valid records (Intake) and a located report of issues.

It knows the layout and the models, not openpyxl: cells arrive through the reader.
"""
from __future__ import annotations

from pathlib import Path
from typing import Container

from ..config import Config
from ..intake.cells import plain
from ..intake.layout import PROJECTS
from ..intake.reader import RawWorkbook
from ..issues import FileReport, Issue, Location
from ..messages import make_issue
from ..models import Intake
from ..models.values import code_key
from .glyphs import FacesLike, check_glyphs
from .rows import validate_rows
from .rules import Checked, Expected, check_all, declared


_CODE_ISSUES = ("code_invalid", "code_too_long")


def validate_raw(raw: RawWorkbook, config: Config, covered: Container[int] | None = None,
                 expected: Expected | None = None, faces: FacesLike | None = None) -> tuple[Intake | None, FileReport]:
    """Validate a read workbook; return its records (None if unreadable) and its report. With `covered`
    (the code points the PDF's faces have), a cell holding characters outside it gets a warning; with
    `expected`, a 申报党组织 other than its organisation and a project code it says is taken are errors, and a
    统计日期 after its 成文日期 a warning; with `faces` (render.fonts.faces()), a cell whose characters will be
    drawn in another style gets a warning."""
    report = FileReport(path=raw.path, issues=list(raw.issues))
    if not raw.readable:
        return None, report
    organization = config.organization
    checked = Checked(raw, expected or Expected(), (organization.name, organization.party_committee))
    rejected: set[str] = set()  # project codes 项目信息 refuses: said there once, not again at each use
    for name, sheet in raw.sheets.items():
        valid, issues = validate_rows(sheet, config.project)
        if sheet.spec is PROJECTS:
            rejected = {str(i.value) for i in issues if i.code in _CODE_ISSUES and i.location.field == "code"}
        else:
            issues = [i for i in issues if not (i.code in _CODE_ISSUES and i.location.field == "project_code"
                                                and str(i.value) in rejected)]
        report.extend(issues)
        setattr(checked, sheet.spec.attr, valid)
    report.extend(check_all(checked))
    report.issues = [_decisive(issue, config) for issue in report.issues]
    if covered is not None:
        report.extend(check_glyphs(raw, covered, faces))
    report.sort()
    intake = Intake(
        source=raw.path,
        **{attr: [record for record, _ in getattr(checked, attr)]
           for attr in ("projects", "tasks", "progress", "results", "awards", "photos")},
    )
    return intake, report


def _decisive(issue: Issue, config: Config) -> Issue:
    """An ambiguous 群众满意率 that, read as written, costs the project its eligibility is an error: the document
    would state a loss that may rest on a misreading."""
    if issue.code != "percent_ambiguous" or issue.location.field != "satisfaction":
        return issue
    least = config.assessment.satisfaction_min
    if float(issue.value) >= least:
        return issue
    return make_issue("satisfaction_ambiguous", issue.location, value=issue.value,
                      scaled=plain(round(float(issue.value) * 100, 6)), least=plain(least))


def project_locations(raw: RawWorkbook) -> dict[str, Location]:
    """Where each project code is written in the workbook (its first occurrence)."""
    sheet = raw.sheets.get(PROJECTS.name)
    return {key: sheet.location(row.number, "code") for (key,), row in declared(sheet, "code").items()}


def check_across(located: list[tuple[FileReport, dict[str, Location]]]) -> None:
    """Add an error to both workbooks for every project code used in more than one of them (compared by
    code_key: "dj-2024-001" in one and "DJ-2024-001" in another are one code, and would name one file)."""
    first: dict[str, tuple[FileReport, Location, str]] = {}
    for report, locations in located:
        for code, location in locations.items():
            key = code_key(code)
            if key not in first:
                first[key] = (report, location, code)
                continue
            other_report, other_location, other_code = first[key]
            if other_report is report:
                continue  # a duplicate inside one workbook is that workbook's own issue
            report.issues.append(make_issue(
                "duplicate_project_across", location, value=code,
                other=Path(other_report.path).name, other_cell=f"{other_location.sheet}!{other_location.cell}"))
            other_report.issues.append(make_issue(
                "duplicate_project_across", other_location, value=other_code,
                other=Path(report.path).name, other_cell=f"{location.sheet}!{location.cell}"))
    for report, _ in located:
        report.sort()
