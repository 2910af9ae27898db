"""Entry point: build all Word templates, or the kinds named, and say which of them changed.

    .venv/bin/python tools/build_templates.py [KIND ...] [--out FOLDER] [--check]

A template is written only when one of its parts differs from the file already there, so an
unchanged template keeps its bytes. --check writes nothing and exits with 1 when a template
differs from what would be built.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import KINDS, annual_report, certificate, closing_report, notice, plan, progress, proposal
from .package import save

BUILDERS = {
    "proposal": proposal.build,
    "plan": plan.build,
    "progress": progress.build,
    "notice": notice.build,
    "certificate": certificate.build,
    "closing_report": closing_report.build,
    "annual_report": annual_report.build,
}
assert tuple(BUILDERS) == KINDS
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

MESSAGES = {  # (status, check) → what is printed before the file's name
    ("new", False): "已新建",
    ("updated", False): "已更新",
    ("unchanged", False): "未变化",
    ("new", True): "缺少",
    ("updated", True): "与生成结果不同",
    ("unchanged", True): "未变化",
}


def build(kinds=KINDS, out: Path = TEMPLATES, *, write: bool = True) -> list[tuple[Path, str, list[str]]]:
    """Build the kinds' templates into out/<kind>.docx: (path, "new" | "updated" | "unchanged", parts)."""
    results = []
    for kind in kinds:
        path = Path(out) / f"{kind}.docx"
        status, changed = save(BUILDERS[kind](), path, write=write)
        results.append((path, status, changed))
    return results


def shown(path: Path) -> str:
    """The path as the user typed it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="build_templates.py", description="由 tools/word_templates 生成 Word 模板（templates/<类型>.docx）。")
    parser.add_argument("kinds", nargs="*", metavar="类型", help="只生成这些模板：" + "、".join(KINDS) + "（默认全部）")
    parser.add_argument("--out", type=Path, default=TEMPLATES, metavar="目录", help="输出目录（默认 templates/）")
    parser.add_argument("--check", action="store_true", help="只比较，不写文件；有模板与生成结果不同时返回 1")
    args = parser.parse_args(argv)
    unknown = [kind for kind in args.kinds if kind not in BUILDERS]
    if unknown:
        parser.error(f"没有这种模板：{'、'.join(unknown)}（可选：{'、'.join(KINDS)}）")
    kinds = list(dict.fromkeys(args.kinds)) or list(KINDS)

    results = build(kinds, args.out, write=not args.check)
    for path, status, changed in results:
        detail = f"（{'、'.join(changed)}）" if status == "updated" else ""
        print(f"{MESSAGES[status, args.check]}：{shown(path)}{detail}")
    differing = sum(status != "unchanged" for _, status, _ in results)
    if args.check and differing:
        print(f"{differing} 个模板与 tools/word_templates 生成的不一致，请运行 make templates。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
