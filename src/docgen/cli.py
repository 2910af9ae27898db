"""Command line: parse → one library call → print → exit status. Nothing else lives here."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from . import api
from .config import Config, load_config
from .documents import KINDS
from .errors import DocgenError
from .intake.template import write_template
from .issues import FileReport, Report

KIND_NAMES = {kind: module.TITLE for kind, module in KINDS.items()}
_SEVERITY = {"error": ("错误", "red"), "warning": ("警告", "yellow")}


def config_option(func):
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="配置文件 docgen.toml 的路径（默认使用当前目录下的 docgen.toml，没有则用内置默认值）。")
    @functools.wraps(func)
    def wrapper(*args, config_path=None, **kwargs):
        return func(*args, config=_load_config(config_path), **kwargs)
    return wrapper


def _load_config(path: str | None) -> Config:
    try:
        return load_config(path)
    except DocgenError as exc:
        raise click.ClickException(str(exc)) from None


def library_errors(func):
    """Turn a DocgenError into a clean message and exit status 1, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DocgenError as exc:
            raise click.ClickException(str(exc)) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen", message="docgen %(version)s")
def main() -> None:
    """docgen：党建项目申报表校验与文书生成工具。"""


@main.command("intake-template")
@click.argument("target", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
@config_option
@library_errors
def intake_template(target: str, force: bool, config: Config) -> None:
    """生成空白申报表 TARGET（.xlsx），下发给各党支部填写。"""
    path = Path(target)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        path = path.with_suffix(".xlsx")
    if path.exists() and not force:
        raise click.ClickException(f"文件已存在：{path}（如需覆盖请加 --force）")
    write_template(path, config)
    click.echo(f"已生成空白申报表：{path}")


def _collect(paths: tuple[str, ...]) -> list[Path]:
    workbooks = api.find_workbooks(paths)
    if not workbooks:
        raise click.UsageError("在给出的位置没有找到任何 .xlsx / .xlsm 工作簿。")
    return workbooks


def _print_file_report(report: FileReport) -> None:
    if report.ok and not report.issues:
        click.echo(click.style("✓ ", fg="green") + f"{report.path}：未发现问题")
        return
    mark = click.style("✗ ", fg="red") if not report.ok else click.style("! ", fg="yellow")
    click.echo(mark + f"{report.path}：错误 {len(report.errors)} 处，警告 {len(report.warnings)} 处")
    for issue in report.issues:
        word, colour = _SEVERITY[issue.severity]
        click.echo(f"  {click.style(word, fg=colour)}  {issue}")


def _print_summary(report: Report) -> None:
    files = report.files
    failed = sum(not f.ok for f in files)
    errors = sum(len(f.errors) for f in files)
    warnings = sum(len(f.warnings) for f in files)
    click.echo(f"\n共检查 {len(files)} 个工作簿：{len(files) - failed} 个通过，{failed} 个有错误"
               f"（错误 {errors} 处，警告 {warnings} 处）。")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 逐条列出问题，json 输出一个 JSON 对象。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), default=None,
              help="为每个有问题的工作簿在此目录写一份标注副本（<文件名>.校验.xlsx），可直接退回修改。")
@config_option
@library_errors
def validate(paths: tuple[str, ...], output: str, annotate_dir: str | None, config: Config) -> None:
    """校验申报表 PATHS（文件或文件夹），列出每个问题所在的单元格。

    退出状态：0 表示没有错误（可有警告），1 表示有工作簿存在错误，2 表示用法有误。
    """
    report = Report([api.load(p, config)[1] for p in _collect(paths)])
    if output == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for file_report in report:
            _print_file_report(file_report)
        _print_summary(report)
    if annotate_dir:
        taken: set[Path] = set()
        for file_report in report:
            if file_report.issues and _readable(file_report):
                target = api.annotate(file_report, annotate_dir, taken)
                click.echo(f"已写出标注副本：{target}", err=output == "json")
    sys.exit(0 if report.ok else 1)


def _readable(report: FileReport) -> bool:
    return not any(i.code.startswith("file_") for i in report.issues)


def _warn_slow_pdf(formats: tuple[str, ...]) -> None:
    from .render import subsetter_missing

    if "pdf" in formats and subsetter_missing():
        click.echo(click.style("警告：", fg="yellow") + "未找到 HarfBuzz 字体子集库（libharfbuzz-subset0），"
                   "生成 PDF 会慢很多倍。Debian/Ubuntu 可执行：sudo apt-get install libharfbuzz-subset0", err=True)


def _formats(value: str) -> tuple[str, ...]:
    return api.FORMATS if value == "all" else (value,)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录（按申报党组织分子目录）。")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="文书种类，可重复：" + "，".join(f"{k}={v}" for k, v in KIND_NAMES.items()) + "；默认全部。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True,
              help="输出 Word（docx）、PDF 或两者。")
@config_option
@library_errors
def render(paths: tuple[str, ...], out_dir: str, kinds: tuple[str, ...], fmt: str, config: Config) -> None:
    """由申报表生成文书。有错误的工作簿不生成，列出其问题；其余照常生成。"""
    workbooks = _collect(paths)
    formats = _formats(fmt)
    _warn_slow_pdf(formats)
    renderers = api.Renderers(formats)
    refused = 0
    for workbook in workbooks:
        result = api.render(workbook, out_dir, kinds or None, formats, config, renderers)
        if result.refused:
            refused += 1
            _print_file_report(result.report)
            click.echo(click.style("  未生成文书：", fg="red") + "请先修正以上错误。")
        else:
            click.echo(click.style("✓ ", fg="green") + f"{workbook}：生成 {len(result.written)} 个文件")
    click.echo(f"\n共 {len(workbooks)} 个工作簿，{len(workbooks) - refused} 个已生成文书，{refused} 个因错误未生成；输出目录：{out_dir}")
    sys.exit(1 if refused else 0)


def samples_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "samples"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "samples"


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="演示输出目录。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True,
              help="输出 Word（docx）、PDF 或两者。")
@config_option
@library_errors
def demo(out_dir: str, fmt: str, config: Config) -> None:
    """用自带的示例申报表演示全部功能：空白模板、校验与退回、生成文书。"""
    out = Path(out_dir)
    samples = samples_dir()
    workbooks = api.find_workbooks([samples])
    if not workbooks:
        raise click.ClickException(f"找不到示例申报表：{samples}")
    out.mkdir(parents=True, exist_ok=True)
    formats = _formats(fmt)
    _warn_slow_pdf(formats)

    click.echo(click.style("1. 空白申报表", bold=True))
    template = write_template(out / "申报表模板.xlsx", config)
    click.echo(f"已生成：{template}")

    click.echo(click.style("\n2. 校验示例申报表", bold=True))
    report = Report([api.load(p, config)[1] for p in workbooks])
    for file_report in report:
        _print_file_report(file_report)
    _print_summary(report)
    taken: set[Path] = set()
    for file_report in report:
        if not file_report.ok and _readable(file_report):
            click.echo(f"已写出退回用的标注副本：{api.annotate(file_report, out / '退回', taken)}")

    click.echo(click.style("\n3. 生成文书", bold=True))
    renderers = api.Renderers(formats)
    total = 0
    for workbook, file_report in zip(workbooks, report):
        if not file_report.ok:
            continue
        result = api.render(workbook, out / "文书", None, formats, config, renderers)
        total += len(result.written)
        click.echo(f"{workbook.name}：生成 {len(result.written)} 个文件")
    click.echo(f"\n演示完成：共生成 {total} 个文书文件，见 {out / '文书'}")


if __name__ == "__main__":  # pragma: no cover
    main()
