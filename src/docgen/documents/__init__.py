"""Context stage: validated models → one formatted context per document.

Every kind is declared once, in KINDS. A kind's module has KIND and TITLE and the same
three functions: subjects() (what its documents are about: a project, a snapshot, a
branch's projects, an award; a year-end kind's subject is the YearEnd itself),
build_context(subject, config, options) and filing(subject, options) (project, branch,
file name, folder). This package knows the models, not openpyxl, docxtpl or WeasyPrint.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import Any, Iterable, Iterator

from ..config import Config
from ..errors import DocgenError
from ..models import Intake
from . import annual_report, certificate, closing_report, ledger, notice, plan, progress, proposal
from .common import Context, Document, Filing, NotDue, Options, Unmade, safe_name


class Scope(Enum):
    """What a kind's documents are made from."""

    WORKBOOK = "workbook"  # each workbook on its own
    YEAR_END = "year_end"  # every valid workbook of a run together


@dataclass(frozen=True)
class Kind:
    """One kind of document: its module, what it is made from and the formats it is written in."""

    module: ModuleType
    scope: Scope = Scope.WORKBOOK
    formats: tuple[str, ...] = ("docx", "pdf")

    @property
    def name(self) -> str:
        return self.module.KIND

    @property
    def title(self) -> str:
        return self.module.TITLE

    def document(self, subject: Any, config: Config, options: Options) -> Document:
        """The document of one subject: its context built and its place decided."""
        filing: Filing = self.module.filing(subject, options)
        return Document(self.name, self.title, filing.project_code, filing.branch,
                        self.module.build_context(subject, config, options), name=filing.name,
                        directory=filing.directory, author=config.organization.name, date=options.date)

    def not_due(self, subject: Any, options: Options) -> NotDue | None:
        """Why the document of one subject is not made as of the 成文日期 (its kind's not_due()), else None."""
        reason = getattr(self.module, "not_due", lambda subject, options: None)(subject, options)
        if reason is None:
            return None
        filing: Filing = self.module.filing(subject, options)
        return NotDue(self.name, self.title, filing.project_code, filing.branch, reason, name=filing.name,
                      directory=filing.directory)

    def attempt(self, subject: Any, config: Config, options: Options) -> Document | Unmade:
        """The document of one subject, or, when building its context stops with a DocgenError, why not."""
        try:
            return self.document(subject, config, options)
        except DocgenError as exc:
            filing: Filing = self.module.filing(subject, options)
            return Unmade(self.name, self.title, filing.project_code, filing.branch, str(exc), name=filing.name,
                          directory=filing.directory)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind(proposal), Kind(plan), Kind(progress), Kind(notice), Kind(certificate), Kind(closing_report),
    Kind(annual_report, Scope.YEAR_END), Kind(ledger, Scope.YEAR_END, formats=("xlsx",)),
)}
WORKBOOK_KINDS = tuple(name for name, k in KINDS.items() if k.scope is Scope.WORKBOOK)
YEAR_END_KINDS = tuple(name for name, k in KINDS.items() if k.scope is Scope.YEAR_END)
TITLES = {name: k.title for name, k in KINDS.items()}

__all__ = ["KINDS", "TITLES", "WORKBOOK_KINDS", "YEAR_END_KINDS", "Context", "Document", "Kind", "NotDue", "Options",
           "Scope", "Unmade", "attempts", "not_due", "combined_certificates", "documents", "safe_name", "year_end_documents"]


def _subjects(intake: Intake, kinds: Iterable[str], config: Config, options: Options) -> Iterator[tuple[Kind, Any]]:
    """Each requested workbook kind with each of its subjects in one workbook as it stood on the 成文日期
    (Intake.as_of: nothing reported after the date a document bears), kind by kind."""
    intake = intake.as_of(options.date)
    for name in kinds:
        kind = KINDS[name]
        if kind.scope is Scope.WORKBOOK:
            for subject in kind.module.subjects(intake, config, options):
                yield kind, subject


def documents(intake: Intake, kinds: Iterable[str], config: Config,
              options: Options | None = None) -> Iterator[Document]:
    """Yield every document of one workbook of the requested kinds, kind by kind (year-end kinds have none)."""
    options = options or Options()
    for kind, subject in _subjects(intake, kinds, config, options):
        if kind.not_due(subject, options) is None:
            yield kind.document(subject, config, options)


def attempts(intake: Intake, kinds: Iterable[str], config: Config,
             options: Options | None = None) -> Iterator[Document | Unmade | NotDue]:
    """Like documents(), but a document whose context stops with a DocgenError (a 公示期 running into a year
    without a holiday calendar …) comes as Unmade, with its message, one not due as of the 成文日期 (a
    结题报告 of a running project) as NotDue, and the others still come."""
    options = options or Options()
    for kind, subject in _subjects(intake, kinds, config, options):
        yield kind.not_due(subject, options) or kind.attempt(subject, config, options)


def not_due(intake: Intake, kinds: Iterable[str], config: Config, options: Options | None = None) -> list[NotDue]:
    """The documents of one workbook of the requested kinds not due as of the 成文日期, without building any."""
    options = options or Options()
    found = (kind.not_due(subject, options) for kind, subject in _subjects(intake, kinds, config, options))
    return [d for d in found if d is not None]


def year_end_documents(data: annual_report.YearEnd, kinds: Iterable[str], config: Config,
                       options: Options) -> list[Document]:
    """The documents of the run's year end of the requested kinds: the 年度汇总报告 and the 台账."""
    return [KINDS[name].document(data, config, options) for name in kinds if KINDS[name].scope is Scope.YEAR_END]


def combined_certificates(contexts: list[certificate.CertificateContext], config: Config,
                          options: Options) -> Document:
    """荣誉证书-合订: every certificate given, one per page, by 证书编号."""
    filing = certificate.combined_filing()
    return Document(certificate.KIND, certificate.TITLE, "", "", certificate.combined(contexts), name=filing.name,
                    directory=filing.directory, author=config.organization.name, date=options.date)
