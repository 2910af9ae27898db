"""What a batch writes besides the documents: 清单.xlsx, one zip per branch and one of everything."""
from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

from ..documents import TITLES, safe_name
from ..pipeline import Status, atomic_file
from ..render.xlsx import Table, write_tables
from .journal import BatchResult

ZIP_FOLDER = "按支部打包"
ALL_ZIP = "全部文书.zip"


def zip_branches(result: BatchResult) -> list[str]:
    """One zip per branch holding its documents, in the folder 按支部打包, and 全部文书.zip holding every
    branch's documents and the year end's (年度汇总报告, 台账, 荣誉证书合订本)."""
    by_branch: dict[str, list[str]] = {}
    for o in result.outcomes:
        own = {safe_name(branch): branch for branch in o.branches}  # a workbook of several branches: each its own
        for d in o.documents:
            folder = Path(d.path).parts[0] if len(Path(d.path).parts) > 1 else ""
            by_branch.setdefault(own.get(folder) or o.branch or Path(o.source).stem, []).append(d.path)
    made = []
    for branch, paths in sorted(by_branch.items()):
        made.append(_zip(result.out_dir, f"{ZIP_FOLDER}/{safe_name(branch)}.zip", paths))
    every = [*itertools.chain.from_iterable(by_branch.values()), *(d.path for d in result.year_end)]
    if every:
        made.append(_zip(result.out_dir, ALL_ZIP, every))
    return made


def _zip(folder: Path, name: str, paths: list[str]) -> str:
    with atomic_file(folder / name) as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for path in sorted(set(paths)):
                archive.write(folder / path, path)
    return name


LISTING_WORKBOOKS = (
    ("序号", "index", 6, None),
    ("申报表", "source", 36, None),
    ("申报党组织", "branch", 26, None),
    ("状态", "status", 18, None),
    ("错误", "errors", 8, None),
    ("警告", "warnings", 8, None),
    ("文书数", "count", 8, None),
    ("退回副本", "annotated", 36, None),
    ("说明", "message", 50, None),
)
LISTING_DOCUMENTS = (
    ("序号", "index", 6, None),
    ("文件", "path", 56, None),
    ("文书种类", "kind", 14, None),
    ("项目编号", "project", 16, None),
    ("来源申报表", "source", 36, None),
    ("SHA-256", "sha256", 20, None),
    ("字节数", "bytes", 12, "#,##0"),
)

LISTING_SKIPPED = (
    ("序号", "index", 6, None),
    ("文件", "source", 40, None),
    ("可能是申报表", "submission", 12, None),
    ("未读取的原因", "reason", 80, None),
)


def listing(result: BatchResult) -> bytes:
    """清单.xlsx: a sheet of workbooks (status, issue counts), a sheet of every file written, and a sheet
    of the input folder's files not read."""
    workbooks = []
    for o in result.outcomes:
        notes = [o.message] if o.message else []
        notes += [f"{f.document}：{f.message}" for f in o.failures]
        notes += [f"{n.document}：{n.reason}，未生成" for n in o.not_due]
        if o.status is Status.INVALID and o.report is not None:
            notes += [str(issue) for issue in o.report.errors[:3]]
            if len(o.report.errors) > 3:
                notes.append(f"……共 {len(o.report.errors)} 处错误，见退回副本")
        elif o.report is not None and o.report.warnings:  # made, but with what the clerk should look at
            notes += [f"警告：{issue}" for issue in o.report.warnings]
        workbooks.append({"index": o.index + 1, "source": o.source, "branch": "、".join(o.branches) or o.branch,
                          "status": o.status.label, "errors": o.errors, "warnings": o.warnings,
                          "count": len(o.documents), "annotated": o.annotated, "message": "\n".join(notes)})
    files = itertools.chain(((d, o.source) for o in result.outcomes for d in o.documents),
                            ((d, "（全部申报表）") for d in result.year_end))
    rows = ({"index": i, "path": d.path, "kind": TITLES.get(d.kind, d.kind), "project": d.project,
             "source": source, "sha256": d.sha256, "bytes": d.bytes} for i, (d, source) in enumerate(files, 1))
    skipped = ({"index": i, "source": s.path, "submission": "是" if s.submission else "否", "reason": s.reason}
               for i, s in enumerate(result.skipped, 1))
    return write_tables([
        Table("申报表处理情况", LISTING_WORKBOOKS, workbooks, {"errors": "positive_red"}, sheet="申报表"),
        Table("生成的文件", LISTING_DOCUMENTS, rows, sheet="文件"),
        Table("申报表文件夹中未读取的文件", LISTING_SKIPPED, skipped, sheet="未读取的文件"),
    ])
