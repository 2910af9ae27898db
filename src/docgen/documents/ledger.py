"""台账 (ledger): one row per project of a year-end run, values kept as numbers and dates."""
from __future__ import annotations

import datetime as dt

from ..config import Config
from .annual_report import LEDGER_TITLE, YearEnd, selection_label
from .assessment import risk_line, workings_of_eligibility
from .common import Context, Filing, Options, cn_date, share
from .progress import COMPLETION_METHOD

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
    pending: str  # tasks due later in the year and not yet done (not counted against eligibility yet)
    rank: int | None
    selection: str
    source: str


class LedgerContext(Context):
    """The 台账 as a spreadsheet: its title, who made it and when, one row per project."""

    title: str
    made_by: str
    made_on: str
    rows: list[LedgerRow]
    notes: list[str]  # 说明: how docgen counted — the arithmetic the documents do not print


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
    ("年底前到期未完成任务", "pending", 30, None),
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
            overdue=len(a.unfinished),  # 逾期 on the 成文日期, as the 失去资格原因 and every document count
            latest_period=latest.period.label if latest else "未填报",
            completion=latest.completion if latest else None,
            satisfaction=a.satisfaction, score=a.score,
            conclusion=(a.result.conclusion or "") if a.result else "",
            eligible="保留" if a.eligible else "失去", reasons="；".join(a.reasons),
            pending=risk_line(a) if a.eligible else "",
            rank=ranked.rank, selection=selection_label(ranked), source=data.sources.get(p.code, ""),
        ))
    return out


NOTE_COLUMNS: tuple[tuple[str, str, int, str | None], ...] = (("序号", "seq", 6, "0"), ("说明", "text", 120, None))


def notes(data: YearEnd, config: Config, options: Options) -> list[str]:
    """The 台账's 说明: where its figures come from and how docgen counted them (the README says the same)."""
    rules = config.assessment
    return [
        f"本台账汇总自{data.workbooks}份申报表，列出{data.year}年度实施的全部{len(data.assessments)}个项目；"
        f"“来源申报表”列为各项目所在的申报表。",
        "完成比例：" + COMPLETION_METHOD,
        workings_of_eligibility(data.year, options.date, rules.satisfaction_min),
        f"排名与评选：按评价得分从高到低排名，得分相同的名次并列，未填报评价得分的项目不参加排名。"
        f"得分前{share(rules.tracking_share)}的项目列入跟踪实施名单，其中保留评优资格的项目按得分取前"
        f"{share(rules.outstanding_share)}评为突出贡献项目；名额按项目数乘以比例向上取整，"
        f"名额边界上得分并列的项目一并入选。",
        *data.selection.workings,
    ]


def build_context(data: YearEnd, config: Config, options: Options) -> LedgerContext:
    org = config.organization
    return LedgerContext(title=title(data), made_by=f"{org.name}{org.department}", made_on=cn_date(options.date),
                         rows=rows(data), notes=notes(data, config, options))


def title(data: YearEnd) -> str:
    return f"{data.year}年度{TITLE}"


def filing(data: YearEnd, options: Options) -> Filing:
    return Filing("", "", name=title(data), directory=".")
