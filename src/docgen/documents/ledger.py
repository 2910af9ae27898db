"""台账 (ledger): one row per project of a year-end run, values kept as numbers and dates."""
from __future__ import annotations

import datetime as dt

from ..config import Config
from .annual_report import LEDGER_TITLE, YearEnd, selection_label
from .common import Context, Filing, Options, cn_date

KIND = "ledger"
TITLE = LEDGER_TITLE


class LedgerRow(Context):
    code: str
    name: str
    branch: str
    category: str
    leader: str
    start: dt.date
    end: dt.date
    tasks: int
    overdue: int
    latest_period: str
    completion: float | None  # per cent
    satisfaction: float | None
    score: float | None
    conclusion: str
    eligible: str
    reasons: str
    rank: int | None
    selection: str
    source: str


class LedgerContext(Context):
    """The 台账 as a spreadsheet: its title, who made it and when, one row per project."""

    title: str
    made_by: str
    made_on: str
    rows: list[LedgerRow]


HIGHLIGHTS = {"overdue": "positive_red", "completion": "percent"}  # cells drawn in colour when they call for it

# (header, field, width, number format) in column order
COLUMNS: tuple[tuple[str, str, int, str | None], ...] = (
    ("项目编号", "code", 14, None),
    ("项目名称", "name", 30, None),
    ("申报党组织", "branch", 24, None),
    ("项目类别", "category", 12, None),
    ("项目负责人", "leader", 10, None),
    ("开始日期", "start", 12, "yyyy-mm-dd"),
    ("结束日期", "end", 12, "yyyy-mm-dd"),
    ("任务数", "tasks", 8, "0"),
    ("逾期任务", "overdue", 9, "0"),
    ("最新报告期", "latest_period", 15, None),
    ("完成比例(%)", "completion", 11, "0.0"),
    ("群众满意率(%)", "satisfaction", 13, "0.0"),
    ("评价得分", "score", 9, "0.0"),
    ("验收结论", "conclusion", 9, None),
    ("评优资格", "eligible", 9, None),
    ("失去资格原因", "reasons", 30, None),
    ("排名", "rank", 6, "0"),
    ("入选情况", "selection", 13, None),
    ("来源申报表", "source", 26, None),
)


def rows(data: YearEnd) -> list[LedgerRow]:
    """The ledger rows in ranking order (unscored projects last, by code)."""
    out = []
    for ranked in data.selection.ranked:
        a = ranked.assessment
        p = a.project
        latest = a.latest
        out.append(LedgerRow(
            code=p.code, name=p.name, branch=p.branch, category=p.category, leader=p.leader,
            start=p.start, end=p.end, tasks=len(a.tasks),
            overdue=len(latest.overdue) if latest else 0,
            latest_period=latest.period.label if latest else "未填报",
            completion=latest.completion if latest else None,
            satisfaction=a.satisfaction, score=a.score,
            conclusion=(a.result.conclusion or "") if a.result else "",
            eligible="保留" if a.eligible else "失去", reasons="；".join(a.reasons),
            rank=ranked.rank, selection=selection_label(ranked), source=data.sources.get(p.code, ""),
        ))
    return out


def build_context(data: YearEnd, config: Config, options: Options) -> LedgerContext:
    org = config.organization
    return LedgerContext(title=title(data), made_by=f"{org.name}{org.department}", made_on=cn_date(options.date),
                         rows=rows(data))


def title(data: YearEnd) -> str:
    return f"{data.year}年度{TITLE}"


def filing(data: YearEnd, options: Options) -> Filing:
    return Filing("", "", name=title(data), directory=".")
