"""荣誉证书 (certificate): one A4 landscape page per row of 表彰.

A context holds a list of certificates, so one template gives both the single
certificate and the combined print file (one certificate per page).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..config import Config
from ..models import Award, Intake
from .common import Context, Filing, Fitted, Options, cn_numeral_date, fit, quoted

KIND = "certificate"
TITLE = "荣誉证书"
FOLDER = "荣誉证书"
COMBINED = "荣誉证书-合订"

# Boxes on the landscape page (points; the text block is 237 mm ≈ 672 pt wide).
RECIPIENT_BOX, RECIPIENT_SIZES = 620.0, (30.0, 20.0)
TITLE_BOX, TITLE_SIZES = 560.0, (42.0, 26.0)
ISSUER_BOX, ISSUER_SIZES = 330.0, (20.0, 14.0)


class CertificatePage(Context):
    cert_no: str
    recipient: Fitted
    reason: str
    honour: Fitted
    issuer: Fitted
    date: str


class CertificateContext(Context):
    certificates: list[CertificatePage]


def _quoted(title: str) -> str:
    """Put the honour in quotation marks unless it already carries its own (“十佳”党建精品项目)."""
    return title if any(q in title for q in "“”\"《") else f"“{title}”"


def reason_of(award: Award, intake: Intake) -> str:
    if award.reason:
        return award.reason.rstrip("。，,.； ")
    project = next((p for p in intake.projects if p.code == award.project_code), None)
    if project is not None:
        return f"在{award.date.year}年度党建项目{quoted(project.name)}实施中成绩突出"
    return f"在{award.date.year}年度党建项目化管理工作中成绩突出"


def page(award: Award, intake: Intake, config: Config) -> CertificatePage:
    words = organisation_words(config, intake)
    return CertificatePage(
        cert_no=award.cert_no,
        recipient=fit(award.recipient + "：", RECIPIENT_BOX, *RECIPIENT_SIZES, words=words),
        reason=reason_of(award, intake) + "，被评为",
        honour=fit(_quoted(award.title), TITLE_BOX, *TITLE_SIZES, words=words),
        issuer=fit(award.issuer, ISSUER_BOX, *ISSUER_SIZES, words=words),
        date=cn_numeral_date(award.date),
    )


def organisation_words(config: Config, intake: Intake) -> tuple[str, ...]:
    """Names a long recipient or issuer is never broken inside: the organisation's and the branches'."""
    org = config.organization
    names = {org.name, org.party_committee, f"{org.name}{org.department}",
             *(p.branch for p in intake.projects), *(p.lead_unit or "" for p in intake.projects)}
    return tuple(sorted(n for n in names if n and len(n) <= 12))


@dataclass(frozen=True)
class Awarded:
    """The subject of one certificate: a row of 表彰 and its workbook."""

    award: Award
    intake: Intake


def subjects(intake: Intake, config: Config, options: Options) -> Iterator[Awarded]:
    """One certificate per row of 表彰, in 证书编号 order (so is the combined print file)."""
    for award in sorted(intake.awards, key=lambda a: a.cert_no):
        yield Awarded(award, intake)


def build_context(subject: Awarded, config: Config, options: Options) -> CertificateContext:
    return CertificateContext(certificates=[page(subject.award, subject.intake, config)])


def filing(subject: Awarded, options: Options) -> Filing:
    award = subject.award
    return Filing(award.project_code or "", FOLDER, name=f"{award.cert_no}_{award.recipient}", directory=FOLDER)


def combined_filing() -> Filing:
    """荣誉证书-合订 at the top of the output folder."""
    return Filing("", "", name=COMBINED, directory=".")


def combined(contexts: list[CertificateContext]) -> CertificateContext:
    """All certificates of a run in one context: the print file, one certificate per page, by 证书编号."""
    pages = [c for context in contexts for c in context.certificates]
    return CertificateContext(certificates=sorted(pages, key=lambda c: c.cert_no))


PART_SIZE = 100  # certificates per PDF part; parts are laid out separately, so memory stays flat


def combined_parts(contexts: list[CertificateContext], size: int | None = None) -> list[CertificateContext]:
    """The combined print file cut into parts of `size` (PART_SIZE) certificates, to be rendered apart and joined."""
    size = size or PART_SIZE
    whole = combined(contexts).certificates
    return [CertificateContext(certificates=whole[i:i + size]) for i in range(0, len(whole), size)]
