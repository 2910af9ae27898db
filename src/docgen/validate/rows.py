"""Validate stage, per row: raw rows → records, pydantic errors → located issues."""
from __future__ import annotations

from typing import Any, Iterator

from pydantic import ValidationError

from ..config import ProjectRules
from ..intake.reader import RawRow, RawSheet
from ..issues import Issue
from ..messages import MESSAGES, make_issue
from ..models.records import Record

# pydantic's own error types that mean "nothing usable was filled in"
_EMPTY = {"missing", "string_type", "date_type", "list_type", "float_type", "int_type"}


def validate_rows(sheet: RawSheet, rules: ProjectRules) -> tuple[list[tuple[Record, RawRow]], list[Issue]]:
    """Validate each row of a sheet with its model; return the valid records and the issues."""
    spec = sheet.spec
    valid: list[tuple[Record, RawRow]] = []
    issues: list[Issue] = []
    context = {"rules": rules}
    for row in sheet.rows:
        data = row.values()
        try:
            record = spec.model.model_validate(data, context=context)
        except ValidationError as exc:
            issues.extend(_issues_from_errors(exc, sheet, row, data))
            continue
        valid.append((record, row))
    return valid, issues


def _issues_from_errors(exc: ValidationError, sheet: RawSheet, row: RawRow, data: dict[str, Any]) -> Iterator[Issue]:
    seen: set[tuple[str | None, str]] = set()
    for error in exc.errors(include_url=False):
        ctx = dict(error.get("ctx") or {})
        loc = error["loc"]
        field_name = str(loc[0]) if loc else ctx.pop("field", None)
        kind = error["type"]
        if field_name and field_name not in sheet.columns and kind == "missing":
            continue  # the whole column is missing; reported once by the reader
        cell = row.cells.get(field_name) if field_name else None
        if cell is not None and (cell.uncached or cell.refused):
            continue  # reported by the reader: a formula saved without its value, an Excel error, a lost format
        if kind in _EMPTY and data.get(field_name) is None:
            code = "required"
        elif kind in MESSAGES:
            code = kind
        else:
            code = "value_invalid"
            ctx["detail"] = error.get("msg", kind)
        if (field_name, code) in seen:
            continue
        seen.add((field_name, code))
        value = ctx.pop("value", None)
        if value is None and field_name in data:
            value = data[field_name]
        yield make_issue(code, sheet.location(row.number, field_name), value=value, **ctx)
