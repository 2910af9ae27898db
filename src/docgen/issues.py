"""Problems in the clerk's data: located, collected, never raised.

This module knows nothing of workbooks or models; the reader and the validators
fill in locations, and the CLI prints what is collected here.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """Where an issue lies, as precise as is known: file → sheet → row → cell."""

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    label: str | None = None

    @property
    def cell(self) -> str | None:
        if self.column and self.row:
            return f"{self.column}{self.row}"
        return None

    @property
    def place(self) -> str:
        """Where, as a clerk names it: 进度!F7, 进度!第6行, 进度 (empty for the whole file)."""
        if not self.sheet:
            return ""
        if self.cell:
            return f"{self.sheet}!{self.cell}"
        return f"{self.sheet}!第{self.row}行" if self.row else self.sheet

    @property
    def mark(self) -> str | None:
        """The cell a marked copy or a drawing marks: the issue's own, or the first of its row for an issue of a
        whole row (a hidden or struck-out row); None for a sheet, a column or the file."""
        if self.cell:
            return self.cell
        if self.row and not self.field and not self.label:
            return f"A{self.row}"
        return None

    def __str__(self) -> str:
        place = self.place
        if place and self.label:
            place += f"（{self.label}）"
        return place


@dataclass(frozen=True)
class Issue:
    """One problem in the data, with a stable English code and a Chinese message."""

    code: str
    message: str
    location: Location = Location()
    severity: Severity = "error"
    value: Any = None

    def __str__(self) -> str:
        place = str(self.location)
        return f"{place}：{self.message}" if place else self.message

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "sheet": loc.sheet,
            "cell": loc.cell,
            "row": loc.row,
            "column": loc.column,
            "field": loc.field,
            "label": loc.label,
            "place": loc.place,
            "mark": loc.mark,
            "message": self.message,
        }


@dataclass
class FileReport:
    """The issues of one workbook, in the order they were found."""

    path: str
    issues: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        """Order issues by sheet order of appearance, then row, then column."""
        sheets: dict[str | None, int] = {}
        for issue in self.issues:
            sheets.setdefault(issue.location.sheet, len(sheets))

        def key(issue: Issue) -> tuple:
            loc = issue.location
            return (
                sheets[loc.sheet],
                loc.row or 0,
                _column_index(loc.column) if loc.column else 0,
            )

        self.issues.sort(key=key)

    def flatten(self, *attrs: str) -> list[tuple]:
        """Return one tuple per issue of the named attributes (for tests and tools)."""
        return [tuple(_attr(i, a) for a in attrs) for i in self.issues]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "issues": [i.to_dict() for i in self.issues]}


@dataclass(frozen=True)
class Skipped:
    """A file of a folder that was not read, and why (code and message); `submission` when it may be a
    branch's submission all the same (an .xls, an .ods, a zip …): the run then did not see everything."""

    path: str
    code: str
    reason: str
    submission: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "code": self.code, "reason": self.reason, "submission": self.submission}


@dataclass
class Report:
    """The issues of every workbook of one run, and the files of its folders not read."""

    files: list[FileReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def unread(self) -> list[Skipped]:
        """The files left out that may be a branch's submission."""
        return [s for s in self.skipped if s.submission]

    @property
    def ok(self) -> bool:
        """No workbook has errors, and no file that may be a submission was left unread."""
        return all(f.ok for f in self.files) and not self.unread

    def __iter__(self) -> Iterator[FileReport]:
        return iter(self.files)

    def flatten(self, *attrs: str) -> list[tuple]:
        return [t for f in self.files for t in f.flatten(*attrs)]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": [f.to_dict() for f in self.files],
                "skipped": [s.to_dict() for s in self.skipped]}


def unreadable(code: str) -> bool:
    """Whether an issue's code says the file could not be read as a workbook (file_…): such a file
    has no cells to mark and nothing to draw."""
    return code.startswith("file_")


def _attr(issue: Issue, name: str) -> Any:
    if name == "cell":
        return issue.location.cell
    if hasattr(issue.location, name) and name not in ("__class__",):
        return getattr(issue.location, name)
    return getattr(issue, name)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def relocate(issue: Issue, **changes: Any) -> Issue:
    """Return the issue with a more precise location."""
    return replace(issue, location=replace(issue.location, **changes))
