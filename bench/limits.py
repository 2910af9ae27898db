"""Benchmark of the limits: a workbook that expands 100× when unzipped, and the marked copy's cost.

    python bench/limits.py [--expand-mb 150] [--rows 5000]

1. a workbook whose 项目信息 sheet expands about 100× (a few MB of zip, --expand-mb of XML):
   docgen's read (refused by [limits] before anything is parsed) against openpyxl's
   read-only walk of the same file without limits, the way the reader worked before;
2. a large valid-looking workbook (--rows projects, a wrong date in every row): the
   marked copy (openpyxl's full load) against the read, as a multiple of its time and memory.

Each measurement runs in a fresh process, which reports its time and its peak memory.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "src")]

from builder import project_row, task_row, valid_book  # noqa: E402

MEASURE = """
import json, resource, sys, time
sys.path[:0] = {paths!r}
start = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

READ = """
from docgen import api
_, report = api.load({path!r})
"""
UNLIMITED = """
from openpyxl import load_workbook
book = load_workbook({path!r}, read_only=True, data_only=True)
sheet = book["项目信息"]
sheet.reset_dimensions()
cells = sum(len(row) for row in sheet.iter_rows())
"""
ANNOTATE = """
from docgen import api
_, report = api.load({path!r})
api.annotate(report, {out!r})
"""


def measure(body: str, timeout: float) -> dict:
    code = MEASURE.format(paths=[str(HERE.parent / "src")], body=body.strip())
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_mb": float("nan"), "stopped": True}
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def expanding(path: Path, expanded_mb: int) -> Path:
    """A valid workbook whose 项目信息 sheet is padded with styled empty cells to `expanded_mb` of XML."""
    valid_book().save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    head, tail = sheet.split("</sheetData>")
    row = "<row>" + '<c s="0"/>' * 20 + "</row>"  # rows and cells that follow the last: no references
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            handle.write(head.encode("utf-8"))
            written, chunk = len(head), (row * 1000).encode()
            while written < expanded_mb * 1024 * 1024:
                handle.write(chunk)
                written += len(chunk)
            handle.write(("</sheetData>" + tail).encode("utf-8"))
    return path


def large(path: Path, rows: int) -> Path:
    projects = [project_row(f"DJ-2024-{n:04d}", **{"开始日期*": "三月"}) for n in range(rows)]
    return valid_book(projects=projects, tasks=[task_row("DJ-2024-0000")]).save(path)


def line(label: str, text: str) -> None:
    print(f"{label:34s}{text}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--expand-mb", type=int, default=150)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docgen-limits-") as scratch:
        folder = Path(scratch)
        bomb = expanding(folder / "expanding.xlsx", args.expand_mb)
        with zipfile.ZipFile(bomb) as archive:
            expanded = sum(i.file_size for i in archive.infolist())
        ratio = expanded / bomb.stat().st_size
        line("expanding workbook", f"{bomb.stat().st_size / 2**20:.1f} MB zip, {expanded / 2**20:.0f} MB unzipped "
             f"({ratio:.0f}×)")
        ours = measure(READ.format(path=str(bomb)), args.timeout)
        line("docgen read (refused)", f"{ours['seconds']:.2f} s, peak {ours['peak_mb']:.0f} MB")
        theirs = measure(UNLIMITED.format(path=str(bomb)), args.timeout)
        stopped = " (stopped at the time limit)" if theirs.get("stopped") else ""
        line("without limits (read-only walk)", f"{theirs['seconds']:.1f} s, peak {theirs['peak_mb']:.0f} MB{stopped}")
        line("limits vs no limits", f"{theirs['seconds'] / ours['seconds']:.0f}× faster")

        book = large(folder / "large.xlsx", args.rows)
        read = measure(READ.format(path=str(book)), args.timeout)
        marked = measure(ANNOTATE.format(path=str(book), out=str(folder / "out")), args.timeout)
        line(f"read, {args.rows} faulty rows", f"{read['seconds']:.2f} s, peak {read['peak_mb']:.0f} MB")
        line("read + marked copy", f"{marked['seconds']:.2f} s, peak {marked['peak_mb']:.0f} MB")
        line("marked copy vs read", f"{marked['seconds'] / read['seconds']:.1f}× the time, "
             f"{marked['peak_mb'] / read['peak_mb']:.1f}× the memory")


if __name__ == "__main__":
    main()
