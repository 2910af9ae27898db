"""What the pipeline's steps take and give: settings, a job, and the outcome of one workbook.

All of it is plain data that pickles, so a step runs the same in this process, in a
local worker process or on another machine.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import zlib
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Any

from ..config import Config
from ..documents import WORKBOOK_KINDS, Options
from ..documents.annual_report import Assessed
from ..issues import FileReport, Location
from ..render import template_dir

try:
    VERSION = metadata.version("docgen")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    VERSION = "0"

FORMATS = ("docx", "pdf")


class Status(StrEnum):
    """What one workbook came to; the value is what manifest.json records."""

    RENDERED = "rendered"
    UNCHANGED = "unchanged"
    INCOMPLETE = "incomplete"
    INVALID = "invalid"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def valid(self) -> bool:
        """A workbook without errors: it counts in the year end."""
        return self in (Status.RENDERED, Status.UNCHANGED, Status.INCOMPLETE)

    @property
    def whole(self) -> bool:
        """Everything asked for was made."""
        return self in (Status.RENDERED, Status.UNCHANGED)


_LABELS = {
    Status.RENDERED: "已生成",
    Status.UNCHANGED: "未变化，沿用上次结果",
    Status.INCOMPLETE: "部分文书生成失败",
    Status.INVALID: "有错误，已退回",
    Status.FAILED: "处理失败",
}


@dataclass(frozen=True)
class Settings:
    """Everything a step needs besides the workbook: given explicitly to every job."""

    kinds: tuple[str, ...] = WORKBOOK_KINDS
    formats: tuple[str, ...] = FORMATS
    config: Config = field(default_factory=Config)
    options: Options = field(default_factory=Options)
    annotate: bool = False  # write the marked copy of a workbook with errors (退回/<name>.校验.xlsx)
    year_end: bool = False  # keep each workbook's assessments for a year end
    fingerprint: str = ""  # of the options, configuration, templates and version (see fingerprint())

    @classmethod
    def of(cls, kinds: Any = None, formats: Any = FORMATS, config: Config | None = None,
           options: Options | None = None, **flags: bool) -> "Settings":
        """Settings with kinds (None: every workbook kind) and formats in their declared order, whatever order they were asked in."""
        chosen_kinds, chosen_formats = set(WORKBOOK_KINDS if kinds is None else kinds), set(formats)
        return cls(tuple(k for k in WORKBOOK_KINDS if k in chosen_kinds),
                   tuple(f for f in FORMATS if f in chosen_formats), config or Config(), options or Options(), **flags)

    def fingerprinted(self) -> "Settings":
        """These settings with their fingerprint: a hash of the options, the configuration, the templates and docgen's version."""
        digest = hashlib.sha256()
        options = self.options
        chosen = {"kinds": self.kinds, "formats": self.formats, "date": options.date.isoformat(),
                  "period": options.period.label if options.period else None,
                  "per_project": options.per_project, "year": options.year, "version": VERSION}
        digest.update(json.dumps(chosen, ensure_ascii=False, sort_keys=True).encode())
        digest.update(self.config.model_dump_json().encode())
        own = self.config.template_folder()  # the organisation's templates count as much as docgen's
        for folder in (template_dir(), *([own] if own is not None and own.is_dir() else [])):
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    digest.update(path.name.encode())
                    digest.update(path.read_bytes())
        return replace(self, fingerprint=digest.hexdigest())


@dataclass(frozen=True)
class Job:
    """One workbook to process and the folder its files are written into."""

    index: int
    path: str
    source: str  # how the run names it: relative to the input folder
    folder: str  # files are written under this folder, by their relative output names
    settings: Settings
    previous_key: str = ""  # the last run's key, given only when all its files are still in place
    previous_documents: tuple[dict[str, Any], ...] = ()


@dataclass
class Written:
    """One file written: where (relative to the output folder), what and its hash."""

    path: str
    kind: str
    project: str
    format: str
    sha256: str
    bytes: int


@dataclass
class Failure:
    document: str
    format: str
    message: str


@dataclass
class NotMade:
    """A document not made because it is not due as of the 成文日期 (documents.NotDue): not a failure."""

    document: str  # where it would have gone, without a suffix: <folder>/<stem>
    kind: str
    project: str
    reason: str  # 未到结题时间


@dataclass
class Outcome:
    """What one workbook came to: filled in by the step, finished by whoever places its files."""

    index: int
    source: str
    status: Status = Status.FAILED
    sha256: str = ""
    key: str = ""
    branch: str = ""  # its first project's 申报党组织 (names its zip and its returned copy)
    branches: list[str] = field(default_factory=list)  # every 申报党组织 of its projects, in the sheet's order
    projects: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    documents: list[Written] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    not_due: list[NotMade] = field(default_factory=list)
    annotated: str = ""
    message: str = ""
    # Not saved in the manifest:
    path: str = ""
    report: FileReport | None = None
    locations: dict[str, Location] = field(default_factory=dict)
    packed: bytes = b""  # its part of the year end (Assessed), pickled and compressed: thousands wait for the year end
    certificates: list[Any] = field(default_factory=list)
    staged: dict[str, str] = field(default_factory=dict)  # relative output path → the file written
    stop: str = ""  # the storage failed, not the workbook (disk full …): what a run must stop for

    def pack(self, assessed: Assessed) -> None:
        self.packed = zlib.compress(pickle.dumps(assessed, protocol=pickle.HIGHEST_PROTOCOL))

    def year_part(self) -> Assessed:
        """Its projects assessed in the run's year and those left out, named by the outcome's source."""
        part = pickle.loads(zlib.decompress(self.packed)) if self.packed else Assessed("", [])
        name = Path(self.source).name
        return replace(part, source=name, left_out=[replace(o, source=name) for o in part.left_out])

    def count_issues(self) -> None:
        if self.report is not None:
            self.errors, self.warnings = len(self.report.errors), len(self.report.warnings)

    def record(self) -> dict[str, Any]:
        """The manifest entry."""
        issues = [issue.to_dict() for issue in self.report.issues] if self.report else []
        return {
            "source": self.source, "status": str(self.status), "status_label": self.status.label,
            "sha256": self.sha256, "key": self.key, "branch": self.branch, "branches": self.branches,
            "projects": self.projects,
            "errors": self.errors, "warnings": self.warnings, "message": self.message,
            "annotated": self.annotated or None,
            "documents": [asdict(d) for d in self.documents],
            "failures": [asdict(f) for f in self.failures],
            "not_due": [asdict(n) for n in self.not_due],
            "issues": issues,
        }
