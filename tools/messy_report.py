"""Count how docgen reads the honest-but-messy copies of the samples (tests/messy.py).

    PYTHONPATH=src python tools/messy_report.py               the copies, then the same saved again by LibreOffice Calc
    PYTHONPATH=src python tools/messy_report.py --no-libreoffice
    PYTHONPATH=src python tools/messy_report.py --keep out/messy   keep the copies there to open them

Prints, per kind of change, how many copies were tried, read as meant, refused or warned at the place,
misread, crashed, or refused elsewhere, and how many outcomes were not right for their variant (an honest
value refused); then every misread, crash and such outcome (id, cell, value read against the value meant),
and the ids whose outcome no longer matches KNOWN_MISREAD / KNOWN_UNEXPECTED / KNOWN_MISREAD_LIBREOFFICE.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import messy  # noqa: E402
from libreoffice import calc_available, resave_xlsx  # noqa: E402

COLUMNS = ("tried", *messy.OUTCOMES, "unexpected")
HEADINGS = {"tried": "尝试", **messy.LABELS, "unexpected": "不合预期"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def table(judgements: list[messy.Judgement]) -> str:
    counts = messy.tally(judgements)
    first = max(_width(k) for k in [*counts, "类别"]) + 2
    lines = [_pad("类别", first) + "".join(_pad(HEADINGS[c], 10, True) for c in COLUMNS)]
    for kind, counted in counts.items():
        lines.append(_pad(kind, first) + "".join(_pad(str(counted[c]), 10, True) for c in COLUMNS))
    return "\n".join(lines)


def drift(found: set[str], known: frozenset[str], name: str) -> list[str]:
    lines = []
    if found - known:
        lines.append(f"  不在 {name} 中：{', '.join(sorted(found - known))}")
    if known - found:
        lines.append(f"  {name} 中已不再出现（请从集合中删去）：{', '.join(sorted(known - found))}")
    return lines


def report(title: str, judgements: list[messy.Judgement], known_misread: frozenset[str],
           known_unexpected: frozenset[str] | None) -> str:
    parts = [f"== {title} ==", table(judgements)]
    sections = (("误读", lambda j: j.outcome == "misread"), ("崩溃", lambda j: j.outcome == "crash"),
                ("不合预期（未误读，但不是该情形应有的结果）", messy.unexpected))
    for heading, chosen in sections:
        found = [f"  - [{messy.LABELS[j.outcome]}] {j.describe()}" for j in judgements if chosen(j)]
        if found:
            parts.append(f"{heading}（{len(found)}）：")
            parts.extend(found)
    misread = {j.variant.id for j in judgements if j.outcome == "misread"}
    parts.extend(drift(misread, known_misread, "KNOWN_MISREAD" if known_unexpected is not None
                       else "KNOWN_MISREAD_LIBREOFFICE"))
    if known_unexpected is not None:
        parts.extend(drift({j.variant.id for j in judgements if messy.unexpected(j)}, known_unexpected,
                           "KNOWN_UNEXPECTED"))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="统计 docgen 读取“如实但不规范”的申报表副本的结果")
    parser.add_argument("--no-libreoffice", action="store_true", help="不做 LibreOffice Calc 另存的一轮")
    parser.add_argument("--keep", type=Path, help="把生成的副本保存在这个文件夹")
    parser.add_argument("--only", nargs="*", help="只试这些编号")
    parser.add_argument("--all", action="store_true", help="列出每个副本的结果，不只是误读")
    args = parser.parse_args(argv)

    variants = [v for v in messy.VARIANTS if not args.only or v.id in args.only]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        started = time.monotonic()
        built = messy.build_all(variants, folder / "copies")
        controls = messy.controls(folder / "controls")
        judged = messy.judge_all(built, messy.baselines(controls))
        print(report(f"副本（{len(built)} 个，{time.monotonic() - started:.1f} 秒）", judged, messy.KNOWN_MISREAD,
                     messy.KNOWN_UNEXPECTED))
        if args.all:
            print("\n".join(f"  [{messy.LABELS[j.outcome]}] {j.describe()}" for j in judged))
        if args.no_libreoffice:
            return 0
        if not calc_available():
            print("\n（未安装 LibreOffice Calc，跳过另存的一轮：make test-deps）")
            return 0
        started = time.monotonic()
        again = resave_xlsx([b.path for b in built] + list(controls.values()), folder / "libreoffice")
        baseline = messy.baselines({sample: again[path] for sample, path in controls.items()})
        judged_again = messy.judge_all(built, baseline, again)
        print()
        print(report(f"LibreOffice Calc 另存后（{time.monotonic() - started:.1f} 秒）", judged_again,
                     messy.KNOWN_MISREAD_LIBREOFFICE, None))
        if args.all:
            print("\n".join(f"  [{messy.LABELS[j.outcome]}] {j.describe()}" for j in judged_again))
    return 0


if __name__ == "__main__":
    sys.exit(main())
