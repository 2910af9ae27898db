"""Formatting shared by the context builders: dates, periods, paragraphs, safe names.

Everything a template shows is formatted here, so templates hold loops and ifs only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict

from ..config import Config
from ..linebreaks import UNIT_WORDS, word_breaks  # noqa: F401 (UNIT_WORDS: certificate.py reads it here)
from ..models import Intake, Project
from ..models.period import Period

EMPTY = "—"


class Context(BaseModel):
    """Base of every document context: plain, formatted values only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def heading(self) -> str:
        """The document's title as its file properties give it: its title, and its subtitle after a dash."""
        title, subtitle = getattr(self, "title", ""), getattr(self, "subtitle", "")
        return f"{title}——{subtitle}" if title and subtitle else title


def cn_date(day: dt.date | None) -> str:
    """2024年3月9日, as official documents write dates."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: dt.date) -> str:
    """12月23日: a date whose year the text already gives."""
    return f"{day.month}月{day.day}日"


def in_year(day: dt.date, year: int) -> str:
    """4月30日 within `year`, 2025年1月15日 outside it: short enough for a narrow table column."""
    return month_day(day) if day.year == year else cn_date(day)


def one_form(days: list[dt.date], year: int):
    """How a table writes its dates, all in one form: with the year (2024年12月20日) when any of `days` lies in
    another year than `year` (the document's), else without it (11月30日)."""
    with_year = any(day.year != year for day in days)
    return cn_date if with_year else month_day


def date_range(start: dt.date, end: dt.date) -> str:
    return f"{cn_date(start)}至{cn_date(end)}"


def short_range(start: dt.date | None, end: dt.date) -> str:
    """3月1日—6月30日 within one year; full dates across years."""
    if start is None:
        return f"至{cn_date(end)}"
    if start.year == end.year:
        return f"{start.month}月{start.day}日—{end.month}月{end.day}日"
    return f"{cn_date(start)}—{cn_date(end)}"


def paragraphs(text: str | None) -> list[str]:
    """Split text into its non-empty lines, each becoming a paragraph."""
    if not text:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def joined(items: list[str]) -> str:
    return "、".join(items) if items else EMPTY


def quoted(text: str) -> str:
    """“text”, with quotation marks inside turned to single ones: “培养变电运维‘全科医生’”."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def main_recipient(config: Config) -> str:
    """主送 (GB/T 9704 7.2.4): the body addressed, ending in a full-width colon."""
    return f"{config.organization.main_recipient.strip().rstrip('：:')}："


def or_empty(text: str | None) -> str:
    return text if text else EMPTY


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]+')
# Names Windows keeps for devices: a folder or zip so named cannot be opened on a clerk's PC.
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))})
NAME_BYTES = 150  # a name's UTF-8 bytes; with "(2)", ".校验.xlsx" and the like it stays far below the 255 of a file system


def safe_name(text: str, limit: int = NAME_BYTES) -> str:
    """A file or folder name that is valid everywhere and cannot leave its folder.

    At most `limit` bytes in UTF-8 (a file system counts bytes: 85 characters of CJK
    Extension B or emoji are 340). A name that has to be cut ends in a short hash of the
    whole text, so two long texts that begin alike never get one name.
    """
    name = _UNSAFE.sub("_", text).strip().strip(".").strip() or "_"
    if name.split(".")[0].strip().upper() in _RESERVED:
        name = f"_{name}"
    if len(name.encode("utf-8")) > limit:
        mark = "~" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:6]
        room = limit - len(mark)
        cut = name.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". ")
        name = cut + mark
    return name


@dataclass(frozen=True)
class Options:
    """Choices of one rendering run that are not in the data."""

    date: dt.date = field(default_factory=dt.date.today)  # 成文日期 of notices and reports
    period: Period | None = None  # 进度报告: this period instead of each project's latest
    per_project: bool = False  # “四公开”公示: one notice per project instead of per branch
    year: int | None = None  # year-end documents: the year assessed


class Placed:
    """Where a document goes (made or not): its file name without suffix and its folder under the output folder.

    A mixin of dataclasses with the fields name, project_code, title, directory and branch.
    """

    name: str
    project_code: str
    title: str
    directory: str
    branch: str

    @property
    def stem(self) -> str:
        """Its own name, else <project code>_<title>."""
        return safe_name(self.name or f"{self.project_code}_{self.title}")

    @property
    def folder(self) -> str:
        """Its own folder, else its branch's; "" for the output folder itself (".")."""
        return "" if self.directory == "." else safe_name(self.directory or self.branch)


@dataclass(frozen=True)
class Document(Placed):
    """One document to render: its kind, where it goes and its context."""

    kind: str
    title: str
    project_code: str
    branch: str
    context: Context
    name: str = ""  # file name without suffix; default <project code>_<title>
    directory: str = ""  # folder under the output folder ("." for itself); default the branch
    author: str = ""  # the organisation, for the file's properties
    date: dt.date | None = None  # 成文日期, also the file's creation date (so output is reproducible)

    @property
    def metadata(self) -> dict[str, str]:
        """Title, author, subject and date of the file's properties (Word's 属性, a PDF's document information)."""
        return {"title": self.context.heading() or self.title, "author": self.author, "subject": self.title,
                "date": (self.date or dt.date.today()).isoformat()}


@dataclass(frozen=True)
class Absent(Placed):
    """A document the run did not make: where it would have gone, and why, in the clerk's words."""

    kind: str
    title: str
    project_code: str
    branch: str
    reason: str
    name: str = ""
    directory: str = ""


@dataclass(frozen=True)
class Unmade(Absent):
    """A document whose context could not be built: a failure the run reports."""


@dataclass(frozen=True)
class NotDue(Absent):
    """A document not made because it is not due as of the 成文日期 (a 结题报告 of a project still running).
    Not a failure: the run's summary names it."""


@dataclass(frozen=True)
class Filing:
    """Where a document is filed: its project (if one), its branch, its file name and folder."""

    project_code: str
    branch: str
    name: str = ""  # file name without suffix; default <project code>_<title>
    directory: str = ""  # folder under the output folder ("." for itself); default the branch


@dataclass(frozen=True)
class OfProject:
    """The subject of a kind that is one document per project: the project and its workbook."""

    project: Project
    intake: Intake


def project_subjects(intake: Intake, config: Config, options: Options) -> Iterator[OfProject]:
    """subjects() of a kind that is one document per project."""
    for project in intake.projects:
        yield OfProject(project, intake)


def project_filing(subject: OfProject, options: Options) -> Filing:
    """filing() of a kind that is one document per project: <code>_<title> in the branch's folder."""
    return Filing(subject.project.code, subject.project.branch)


class ProjectFields(Context):
    """What every project document shows of the project itself, formatted."""

    code: str
    name: str
    branch: str
    category: str
    lead_unit: str
    practice_units: str
    leader: str
    phone: str
    members: str
    period: str
    slogan: str
    central_work: str
    background: list[str]
    objectives: list[str]
    measures: list[str]
    outcomes: list[str]
    budget: str  # 经费预算, "—" when not given
    profile: list[str]  # 项目概况 as sentences, each leaving out what was not given


def _clauses(*pairs: tuple[str, str], sep: str = "；") -> str:
    """名称：值；名称：值。 of the pairs whose value was given; "" when none was."""
    given = [f"{name}：{value}" for name, value in pairs if value and value != EMPTY]
    return sep.join(given) + "。" if given else ""


def profile_lines(project: Project) -> list[str]:
    """The 项目概况 sentences of the plan and the closing report: a sentence whose value is empty is left out."""
    leader = project.leader + (f"（联系电话：{project.phone}）" if project.phone else "")
    lines = [
        _clauses(("项目编号", project.code), ("项目类别", project.category), ("申报党组织", project.branch)),
        _clauses(("项目负责人", leader), ("项目成员", "、".join(project.members))),
        _clauses(("牵头单位", project.lead_unit or ""), ("重点实践单位", "、".join(project.practice_units))),
        _clauses(("实施时间", date_range(project.start, project.end)), ("项目口号", project.slogan or ""),
                 ("关联中心工作", project.central_work or ""), ("经费预算", amount(project.budget)), sep="。"),
    ]
    return [line for line in lines if line]


def approval_date(project: Project) -> dt.date:
    """The date a 立项表 and a 计划书 carry: the project's 立项日期, else its 开始日期 (a project is approved by the
    day it begins). Never the day of the run: a plan is dated when it was made."""
    return project.approved or project.start


def project_fields(project: Project) -> dict[str, Any]:
    """Return the ProjectFields values of a project."""
    return dict(
        code=project.code,
        name=project.name,
        branch=project.branch,
        category=project.category,
        lead_unit=or_empty(project.lead_unit),
        practice_units=joined(project.practice_units),
        leader=project.leader,
        phone=or_empty(project.phone),
        members=joined(project.members),
        period=date_range(project.start, project.end),
        slogan=or_empty(project.slogan),
        central_work=or_empty(project.central_work),
        background=paragraphs(project.background),
        objectives=paragraphs(project.objectives),
        measures=paragraphs(project.measures),
        outcomes=paragraphs(project.outcomes),
        budget=amount(project.budget),
        profile=profile_lines(project),
    )


_CN_DIGIT = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    """1–31 in Chinese numerals: 十, 十二, 二十, 二十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGIT[ones]
    return ("" if tens == 1 else _CN_DIGIT[tens]) + "十" + (_CN_DIGIT[ones] if ones else "")


def cn_numeral_date(day: dt.date) -> str:
    """二〇二四年十二月二十日: the year digit by digit with 〇 (U+3007) for zero."""
    year = "".join(_CN_DIGIT[int(d)] for d in str(day.year))
    return f"{year}年{_cn_small(day.month)}月{_cn_small(day.day)}日"


def number(value: float) -> str:
    """A figure with no trailing zero, as stated when it has at most two decimals (95 → "95", 96.8 → "96.8",
    0.96 → "0.96"), else to one decimal (a mean: 96.7667 → "96.8"): a stated 0.96 never prints as 1."""
    places = 2 if abs(value * 100 - round(value * 100)) < 1e-6 else 1
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def percent(value: float | None) -> str:
    """95 → 95%, 96.8 → 96.8%, None → —."""
    return EMPTY if value is None else number(value) + "%"


def share(value: float) -> str:
    """A configured share as a rule is written: a whole per cent as such (0.5 → "50%", 0.2 → "20%"), a common
    fraction in words (1/3 or 0.3333 → "三分之一", 2/3 → "三分之二"), anything else in per cent to one decimal."""
    hundredths = value * 100
    if abs(hundredths - round(hundredths)) < 1e-6:
        return f"{round(hundredths)}%"
    for denominator in range(2, 13):
        for numerator in range(1, denominator):
            if math.gcd(numerator, denominator) == 1 and abs(value - numerator / denominator) < 5e-4:
                return f"{_cn_small(denominator)}分之{_cn_small(numerator)}"
    return number(round(hundredths, 1)) + "%"


def score(value: float | None) -> str:
    return EMPTY if value is None else number(value)


def amount(value: float | None) -> str:
    """An amount in 万元 with at most two decimals: 5 → "5万元", 2.35 → "2.35万元", None → —."""
    return EMPTY if value is None else f"{value:.2f}".rstrip("0").rstrip(".") + "万元"


def text_width(text: str) -> float:
    """Width in em: CJK and full-width characters 1, narrow (Latin, digits) about 0.55."""
    return sum(0.55 if ord(ch) < 0x2E80 and ch not in "“”‘’—…" else 1.0 for ch in text)


class Fitted(Context):
    """A text fitted into a box: one or two lines and the font size that keeps them inside."""

    lines: list[str]
    size: float  # points
    half_points: int  # the same size as Word's w:sz value


def fit(text: str, box_pt: float, largest: float, smallest: float, words: tuple[str, ...] = ()) -> Fitted:
    """Shrink text to one line of box_pt; below `smallest`, break it into two balanced lines between words.

    `words` are names the break must keep whole besides the dictionary's (the organisation's own).
    """
    width = text_width(text) * 1.04  # a little room for kerning and rounding
    size = min(largest, box_pt / width) if width else largest
    lines = [text]
    if size < smallest:
        middle = _balanced_break(text, word_breaks(text, words))
        lines = [text[:middle], text[middle:]]
        size = min(largest, box_pt / (max(text_width(line) for line in lines) * 1.04))
    size = max(int(size * 2) / 2, 6.0)  # whole half points, as Word stores them
    return Fitted(lines=lines, size=size, half_points=int(size * 2))


def _balanced_break(text: str, allowed: set[int] | None = None) -> int:
    """Index where two lines come out closest in width: between two words when `allowed` names them,
    never before closing punctuation, after opening punctuation or inside a dash."""
    total = text_width(text)
    best, best_gap = len(text) // 2, total
    candidates = [i for i in range(1, len(text)) if allowed is None or i in allowed] or list(range(1, len(text)))
    for i in candidates:
        if text[i] in "，。、；：）》”’" or text[i - 1] in "“‘《（" or text[i - 1:i + 1] == "——":
            continue
        gap = abs(total - 2 * text_width(text[:i]))
        if gap < best_gap:
            best, best_gap = i, gap
    return best


TITLE_LINE = 20  # characters of a 2号 title on the 156 mm text block


def title_lines(title: str, breaks: tuple[str, ...] = ("党建项目", "“四公开”")) -> list[str]:
    """A long title broken into lines of at most TITLE_LINE, before a whole phrase where possible
    (GB/T 9704: a title breaks where the meaning stays whole)."""
    if len(title) <= TITLE_LINE:
        return [title]
    cuts = [at for at in (title.rfind(phrase) for phrase in breaks) if 0 < at and len(title) - at <= TITLE_LINE]
    if cuts:
        at = min(cuts, key=lambda i: abs(len(title) - 2 * i))
        return title_lines(title[:at], ()) + [title[at:]]
    middle = _balanced_break(title, word_breaks(title))
    return title_lines(title[:middle], ()) + title_lines(title[middle:], ())


BAR_CELLS = 20


class Bar(Context):
    """One bar of a chart: the PDF draws `width` per cent of the track; Word shades `cells`."""

    label: str
    value: str
    width: float
    cells: list[str]
    colour: str


class Chart(Context):
    caption: str
    bars: list[Bar]
    legend: list[tuple[str, str]] = []  # (colour, meaning)


def bar(label: str, amount: float, scale: float, shown: str, colour: str) -> Bar:
    """A bar of `amount` on a track of `scale`, in BAR_CELLS steps for Word."""
    share = 0.0 if scale <= 0 else max(0.0, min(1.0, amount / scale))
    filled = round(share * BAR_CELLS)
    return Bar(label=label, value=shown, width=round(share * 100, 1),
               cells=[colour] * filled + ["FFFFFF"] * (BAR_CELLS - filled), colour=colour)


class PhotoCell(Context):
    """One photo of a 活动照片 section: the image the pipeline makes ready for print, its caption and date."""

    image: str  # the photo's file (the original until the pipeline puts the print-ready copy in its place)
    url: str = ""  # the print-ready copy's file:// address, for the PDF
    caption: str
    date: str  # 拍摄日期, "" when not given


class PhotoRow(Context):
    """Two photos side by side (the last row may hold one)."""

    left: PhotoCell
    right: PhotoCell | None = None


def photo_rows(intake: Intake, code: str, until: dt.date | None = None) -> list[PhotoRow]:
    """A project's photos, two to a row, in the order of the sheet; with `until`, those not taken after it."""
    cells = [PhotoCell(image=intake.photo_source(p), caption=p.caption, date=cn_date(p.taken))
             for p in intake.photos_of(code) if until is None or p.taken is None or p.taken <= until]
    return [PhotoRow(left=cells[i], right=cells[i + 1] if i + 1 < len(cells) else None)
            for i in range(0, len(cells), 2)]
