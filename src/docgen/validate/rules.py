"""Validate stage, across rows and sheets: references, uniqueness, dates, progress, years far off.

Each rule takes the valid records with their raw rows and yields issues; none raises.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Mapping

from pydantic_core import PydanticCustomError

from ..intake import images
from ..intake.layout import AWARDS, PHOTOS, PROGRESS, PROJECTS, RESULTS, TASKS
from ..intake.reader import RawRow, RawSheet, RawWorkbook, photo_bytes, photo_size
from ..issues import Issue, Location
from ..messages import make_issue
from ..models import Award, Photo, ProgressEntry, Project, Result, Task
from ..models.records import EMBEDDED
from ..models.values import code_key, compact, parse_date, parse_positive_int, to_halfwidth


PHOTOS_PER_PROJECT = 12
PHOTO_MB = 20
FAR_YEARS = 1  # a date more than this many years before a project's start or after its end is "far off"
LONG_YEARS = 3  # a project running longer than this is pointed out (its end's year may be mistyped)


@dataclass(frozen=True)
class Expected:
    """What a workbook is checked against beyond itself: who hands it in and what others already hold.

    `organisation`: the 申报党组织 every row that names one must name (the account handing it in);
    `taken`: project codes already handed in by another organisation, each with that organisation's name;
    `written`: the run's 成文日期 (the web's today): a 统计日期 after it is reported by no document of the run.
    """

    organisation: str | None = None
    taken: Mapping[str, str] = field(default_factory=dict)
    written: dt.date | None = None


@dataclass
class Checked:
    """What row validation kept of a workbook, for the cross-record rules."""

    raw: RawWorkbook
    expected: Expected = field(default_factory=Expected)
    issuers: tuple[str, ...] = ()  # the configured organisation's name and its 党委's: who signs certificates
    projects: list[tuple[Project, RawRow]] = field(default_factory=list)
    tasks: list[tuple[Task, RawRow]] = field(default_factory=list)
    progress: list[tuple[ProgressEntry, RawRow]] = field(default_factory=list)
    results: list[tuple[Result, RawRow]] = field(default_factory=list)
    awards: list[tuple[Award, RawRow]] = field(default_factory=list)
    photos: list[tuple[Photo, RawRow]] = field(default_factory=list)

    def sheet(self, name: str) -> RawSheet | None:
        return self.raw.sheets.get(name)


def _key(value: Any, kind: str = "code") -> str | None:
    """The comparable form of a code or number as typed, valid or not: the same for every sheet, so that a
    序号 typed "2.0" or "２" in one sheet and 2 in another is one task."""
    if value is None:
        return None
    if kind == "seq":
        try:
            value = parse_positive_int(value)
        except PydanticCustomError:
            pass
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = to_halfwidth(str(value)).strip()
    return text or None


def _kind(sheet: RawSheet, name: str) -> str:
    return sheet.spec.by_field[name].kind


def _same(value: str, kind: str) -> str:
    """What two keys (_key) are compared by: codes by their code_key (case and width folded), others as read."""
    return code_key(value) if kind == "code" else value


def declared(sheet: RawSheet | None, *fields: str) -> dict[tuple, RawRow]:
    """Map the raw key values of each row (first occurrence) to the row, valid or not."""
    found: dict[tuple, RawRow] = {}
    if sheet is None:
        return found
    for row in sheet.rows:
        key = tuple(_key(row.cells[f].value, _kind(sheet, f)) if f in row.cells else None for f in fields)
        if all(k is not None for k in key):
            found.setdefault(key, row)
    return found


def check_all(c: Checked) -> Iterator[Issue]:
    yield from check_projects(c)
    yield from check_approval(c)
    yield from check_tasks(c)
    yield from check_progress(c)
    yield from check_results(c)
    yield from check_awards(c)
    yield from check_photos(c)
    yield from check_years(c)
    yield from check_owner(c)


def _duplicates(sheet: RawSheet | None, key_field: str, code: str, group: str | None = None) -> Iterator[Issue]:
    """Report every later row that repeats an earlier row's key (within its group); codes that differ only in
    case or width repeat each other (code_key): they would name the same files."""
    if sheet is None:
        return
    first: dict[tuple, int] = {}
    for row in sheet.rows:
        if key_field not in row.cells:
            continue
        value = _key(row.cells[key_field].value, _kind(sheet, key_field))
        scope = _key(row.cells[group].value, _kind(sheet, group)) if group and group in row.cells else None
        if value is None:
            continue
        k = (None if scope is None else _same(scope, _kind(sheet, group)), _same(value, _kind(sheet, key_field)))
        if k in first:
            yield make_issue(code, sheet.location(row.number, key_field), value=value, first=first[k], project=scope)
        else:
            first[k] = row.number


def check_projects(c: Checked) -> Iterator[Issue]:
    sheet = c.sheet(PROJECTS.name)
    yield from _duplicates(sheet, "code", "duplicate_project_code")
    tasks_sheet = c.sheet(TASKS.name)
    if tasks_sheet is None:
        if c.projects and TASKS.name not in {i.location.sheet for i in c.raw.issues}:
            yield make_issue("sheet_missing", Location(sheet=TASKS.name), sheet=TASKS.name)
        return
    with_tasks = {k[0] for k in declared(tasks_sheet, "project_code")}
    for project, row in c.projects:
        if project.code not in with_tasks:
            yield make_issue("project_without_tasks", sheet.location(row.number, "code"), value=project.code)


def check_approval(c: Checked) -> Iterator[Issue]:
    """A 立项日期 comes before the work: after the project's end it is an error (a 立项表 and 计划书 dated when the
    work was over state something untrue, and the date is most often mistyped); after its start a warning (a
    project begun as a pilot and approved later is real: the documents then carry that later date)."""
    sheet = c.sheet(PROJECTS.name)
    for project, row in c.projects:
        approved = project.approved
        if approved is None:
            continue
        where = sheet.location(row.number, "approved")
        if approved > project.end:
            yield make_issue("approved_after_end", where, value=approved.isoformat(), end=project.end.isoformat())
        elif approved > project.start:
            yield make_issue("approved_after_start", where, value=approved.isoformat(),
                             start=project.start.isoformat())


def same_organisation(written: Any, expected: str) -> bool:
    """Whether a cell names the expected organisation, read as the reader reads text: full-width forms folded
    (NFKC), spaces of any width ignored."""
    return written is not None and compact(str(written)) == compact(expected)


def check_owner(c: Checked) -> Iterator[Issue]:
    """Every 申报党组织 cell (of any sheet that has the column) names the organisation handing the workbook in;
    no project code is one another organisation has already handed in."""
    expected = c.expected
    if expected.organisation is not None and compact(expected.organisation):
        for sheet in c.raw.sheets.values():
            if "branch" not in sheet.spec.by_field:
                continue
            for row in sheet.rows:
                cell = row.cells.get("branch")
                if cell is not None and cell.value is not None and str(cell.value).strip() \
                        and not same_organisation(cell.value, expected.organisation):
                    yield make_issue("branch_not_own", sheet.location(row.number, "branch"),
                                     value=str(cell.value).strip(), expected=expected.organisation)
    if expected.taken:
        taken = {code_key(code): other for code, other in expected.taken.items()}
        projects = c.sheet(PROJECTS.name)
        for (code,), row in declared(projects, "code").items():
            if code_key(code) in taken:
                yield make_issue("project_code_taken", projects.location(row.number, "code"), value=code,
                                 other=taken[code_key(code)])


def _unknown_projects(c: Checked, sheet_name: str) -> Iterator[Issue]:
    sheet = c.sheet(sheet_name)
    if sheet is None:
        return
    codes = {k[0] for k in declared(c.sheet(PROJECTS.name), "code")}
    by_key = {code_key(code): code for code in codes}
    for row in sheet.rows:
        cell = row.cells.get("project_code")
        value = _key(cell.value) if cell else None
        if value is not None and value not in codes:
            near = by_key.get(code_key(value))  # written in another case: the same code, but not as 项目信息 has it
            yield make_issue("unknown_project", sheet.location(row.number, "project_code"), value=value,
                             hint=f"；“项目信息”中有“{near}”，大小写不同，请照“项目信息”中的写法填写" if near else "")


def check_tasks(c: Checked) -> Iterator[Issue]:
    sheet = c.sheet(TASKS.name)
    if sheet is None:
        return
    yield from _unknown_projects(c, TASKS.name)
    yield from _duplicates(sheet, "seq", "duplicate_task_seq", group="project_code")
    periods = _project_periods(c.sheet(PROJECTS.name))
    for task, row in c.tasks:
        if task.project_code not in periods:
            continue
        start, end = periods[task.project_code]
        if task.deadline > end:
            yield make_issue("deadline_after_project_end", sheet.location(row.number, "deadline"),
                             value=task.deadline.isoformat(), end=end.isoformat())
        elif task.deadline < start:
            yield make_issue("deadline_before_project_start", sheet.location(row.number, "deadline"),
                             value=task.deadline.isoformat(), start=start.isoformat())
        if task.start and not start <= task.start <= end:
            yield make_issue("task_start_outside_project", sheet.location(row.number, "start"),
                             value=task.start.isoformat(), start=start.isoformat(), end=end.isoformat())


def _project_periods(sheet: RawSheet | None) -> dict[str, tuple[dt.date, dt.date]]:
    """Each project's readable, ordered start and end, even where other cells of its row are wrong."""
    periods: dict[str, tuple[dt.date, dt.date]] = {}
    for key, row in declared(sheet, "code").items():
        try:
            start = parse_date(row.cells["start"].value) if "start" in row.cells else None
            end = parse_date(row.cells["end"].value) if "end" in row.cells else None
        except PydanticCustomError:
            continue
        if start and end and start <= end:
            periods[key[0]] = (start, end)
    return periods


def check_progress(c: Checked) -> Iterator[Issue]:
    sheet = c.sheet(PROGRESS.name)
    if sheet is None:
        return
    yield from _unknown_projects(c, PROGRESS.name)
    declared_projects = {k[0] for k in declared(c.sheet(PROJECTS.name), "code")}
    declared_tasks = set(declared(c.sheet(TASKS.name), "project_code", "seq"))
    spans = _project_periods(c.sheet(PROJECTS.name))
    seen: dict[tuple, int] = {}
    series: dict[tuple[str, int], list[tuple[ProgressEntry, RawRow]]] = defaultdict(list)
    for entry, row in c.progress:
        if entry.task_seq is not None and entry.project_code in declared_projects \
                and (entry.project_code, str(entry.task_seq)) not in declared_tasks:
            yield make_issue("unknown_task", sheet.location(row.number, "task_seq"),
                             value=entry.task_seq, project=entry.project_code)
        key = (entry.project_code, entry.period, entry.task_seq)
        if key in seen:
            yield make_issue("duplicate_progress", sheet.location(row.number, "period"),
                             value=entry.period.label, first=seen[key])
            continue
        seen[key] = row.number
        if entry.stat_date not in entry.period and not _far_off(entry, spans.get(entry.project_code)):
            yield make_issue("stat_date_outside_period", sheet.location(row.number, "period"),
                             value=entry.period.label, start=entry.period.start.isoformat(),
                             end=entry.period.end.isoformat(), stat_date=entry.stat_date.isoformat())
        written = c.expected.written
        if written is not None and entry.stat_date > written:
            yield make_issue("stat_date_after_written", sheet.location(row.number, "stat_date"),
                             value=entry.stat_date.isoformat(), written=written.isoformat())
        if entry.task_seq is not None:
            series[(entry.project_code, entry.task_seq)].append((entry, row))
    for (project_code, seq), entries in series.items():
        entries.sort(key=lambda pair: (pair[0].period.sort_key, pair[0].stat_date))
        for (before, _), (after, row) in zip(entries, entries[1:]):
            if after.percent < before.percent:
                yield make_issue("progress_decreased", sheet.location(row.number, "percent"),
                                 value=_pct(after.percent), before=_pct(before.percent),
                                 before_period=before.period.label, task=seq)


def _shifted(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (earlier when negative); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _far(first: dt.date, last: dt.date, span: tuple[dt.date, dt.date]) -> bool:
    """Whether the days first..last lie wholly more than FAR_YEARS before span's start or after its end."""
    start, end = span
    return last < _shifted(start, -FAR_YEARS) or first > _shifted(end, FAR_YEARS)


def _far_off(entry: ProgressEntry, span: tuple[dt.date, dt.date] | None) -> bool:
    """Whether the 报告期 or the 统计日期 of a progress row is far from its project (reported as such instead)."""
    return span is not None and (_far(entry.period.start, entry.period.end, span)
                                 or _far(entry.stat_date, entry.stat_date, span))


def check_years(c: Checked) -> Iterator[Issue]:
    """Dates years away from their project's: most often a mistyped year (2042 for 2024).

    A 报告期 or 统计日期 more than FAR_YEARS outside its project's start..end is an error: it
    decides the period a document reports and the year a project is assessed in. A 立项日期, a 颁发日期
    (against its project, or every project of the workbook when none is named) or a 拍摄日期
    far off is a warning: only printed, and now and then right (an award long after, a photo
    of how things were before). A project running longer than LONG_YEARS is a warning at
    its 结束日期.
    """
    projects = c.sheet(PROJECTS.name)
    spans = _project_periods(projects)
    rows = declared(projects, "code")
    for code, (start, end) in spans.items():
        if end > _shifted(start, LONG_YEARS):
            row = rows[(code,)]
            yield make_issue("project_span_long", projects.location(row.number, "end"), value=end.isoformat(),
                             start=start.isoformat(), years=LONG_YEARS)

    def far(sheet_name: str, row: RawRow, field_name: str, first: dt.date, last: dt.date, code: str | None,
            shown: str) -> Iterator[Issue]:
        span = spans.get(code) if code else _whole(spans)
        if span is not None and _far(first, last, span):
            yield make_issue("date_far_from_project" if code else "date_far_from_projects",
                             c.sheet(sheet_name).location(row.number, field_name), value=shown, project=code,
                             start=span[0].isoformat(), end=span[1].isoformat(), years=FAR_YEARS,
                             severity="error" if sheet_name == PROGRESS.name else "warning")

    for entry, row in c.progress:
        period = entry.period
        yield from far(PROGRESS.name, row, "period", period.start, period.end, entry.project_code, period.label)
        yield from far(PROGRESS.name, row, "stat_date", entry.stat_date, entry.stat_date, entry.project_code,
                       entry.stat_date.isoformat())
    for project, row in c.projects:
        if project.approved is not None:
            yield from far(PROJECTS.name, row, "approved", project.approved, project.approved, project.code,
                           project.approved.isoformat())
    for award, row in c.awards:
        yield from far(AWARDS.name, row, "date", award.date, award.date, award.project_code, award.date.isoformat())
    for photo, row in c.photos:
        if photo.taken is not None:
            yield from far(PHOTOS.name, row, "taken", photo.taken, photo.taken, photo.project_code,
                           photo.taken.isoformat())


def _whole(spans: dict[str, tuple[dt.date, dt.date]]) -> tuple[dt.date, dt.date] | None:
    """From the earliest start to the latest end of the workbook's projects."""
    if not spans:
        return None
    return min(s for s, _ in spans.values()), max(e for _, e in spans.values())


def check_results(c: Checked) -> Iterator[Issue]:
    yield from _unknown_projects(c, RESULTS.name)
    yield from _duplicates(c.sheet(RESULTS.name), "project_code", "duplicate_result")


def check_awards(c: Checked) -> Iterator[Issue]:
    yield from _duplicates(c.sheet(AWARDS.name), "cert_no", "duplicate_cert_no")
    yield from _unknown_projects(c, AWARDS.name)
    yield from check_issuers(c)


def check_issuers(c: Checked) -> Iterator[Issue]:
    """A 颁发单位 other than the configured organisation (its name or its 党委's, compared as codes are: width,
    case and spaces folded) is a warning: a certificate signed by another company, or a sample left in."""
    names = [name.strip() for name in c.issuers if compact(name)]
    if not names:
        return
    own = {code_key(name) for name in names}
    sheet = c.sheet(AWARDS.name)
    for award, row in c.awards:
        if code_key(award.issuer) not in own:
            yield make_issue("issuer_not_own", sheet.location(row.number, "issuer"), value=award.issuer,
                             own="或".join(f"“{name}”" for name in names))


def check_photos(c: Checked) -> Iterator[Issue]:
    """Each photo's file beside the workbook, a picture docgen can print (intake.images), at most PHOTO_MB;
    at most PHOTOS_PER_PROJECT per project."""
    sheet = c.sheet(PHOTOS.name)
    if sheet is None:
        return
    yield from _unknown_projects(c, PHOTOS.name)
    workbook = Path(c.raw.path)
    counts: dict[str, int] = defaultdict(int)
    for photo, row in c.photos:
        counts[photo.project_code] += 1
        if counts[photo.project_code] == PHOTOS_PER_PROJECT + 1:
            yield make_issue("photos_too_many", sheet.location(row.number, "project_code"),
                             value=photo.project_code, most=PHOTOS_PER_PROJECT)
        problem = photo_problem(workbook, photo.file)
        if problem is not None:
            code, ctx = problem
            yield make_issue(code, sheet.location(row.number, "file"), **{"value": photo.file, **ctx})


def photo_problem(workbook: Path, name: str) -> tuple[str, dict[str, Any]] | None:
    """Why the photo `name` (a file relative to the workbook's folder, or a picture pasted into the sheet)
    cannot be used, as a code and its context; None if it can."""
    if name.startswith(EMBEDDED):
        source = f"{workbook}{name}"
        shown = {"value": "粘贴在这一行的图片"}
    else:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or re.match(r"^[A-Za-z]:", name):
            return "photo_outside", {}
        path = workbook.parent / relative
        if not path.is_file():
            near = [p.name for p in path.parent.iterdir() if p.name.lower() == path.name.lower()] \
                if path.parent.is_dir() else []
            if near:
                return "photo_missing", {"hint": f"（文件夹中有“{near[0]}”，大小写不同）"}
            beside = len(relative.parts) > 1 and (workbook.parent / relative.name).is_file()
            return "photo_missing", {"hint": f"（申报表旁边有“{relative.name}”：照片一栏只写文件名即可）" if beside else ""}
        source, shown = str(path), {}
    try:
        size = photo_size(source)
        if size > PHOTO_MB * 1024 * 1024:
            return "photo_too_large", {**shown, "size": f"{size / 1024 / 1024:.1f}", "most": PHOTO_MB}
        data = photo_bytes(source)
    except (OSError, zipfile.BadZipFile):
        return "photo_unreadable", shown
    found = images.problem(data)
    return None if found is None else (found[0], {**shown, **found[1]})


def _pct(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"
