"""Command line: parse → one library call → print → exit status. Nothing else lives here."""
from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import time
from pathlib import Path

import click
from pydantic import ValidationError

from . import api
from . import batch as batch_run
from .batch import STATUS_LABELS
from .config import CONFIG_NAME, Config, load_config
from .documents import KINDS, Options
from .errors import DocgenError
from .models.period import Period
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


@main.command()
@click.argument("target", default=CONFIG_NAME, type=click.Path())
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
@library_errors
def init(target: str, force: bool) -> None:
    """在当前目录写出带说明的配置文件 docgen.toml（或写到 TARGET），再填写单位名称和党委名称。"""
    path = api.write_config_template(target, force)
    click.echo(f"已生成配置文件：{path}")
    click.echo("请打开它填写 [organization] 的 name（单位名称）和 party_committee（党委名称），生成文书时用作落款。")


@main.command()
def fonts() -> None:
    """列出 PDF 文书的各类文字在本机使用的字体，以及如何装上标准字体。"""
    roles = api.font_roles()
    click.echo("PDF 文书在本机使用的字体（Word 文书总是写明标准字体，由打开它的电脑显示）：")
    width = max(len(r.role.label) for r in roles)  # CJK labels: padded with full-width spaces
    missing = []
    for r in roles:
        standard = r.role.office[0]
        if not r.face:
            used = click.style("本机没有可用字体", fg="red")
        elif r.standard:
            used = click.style(f"{r.face}（标准字体）", fg="green")
        else:
            used = f"{r.face}（代用字体{'，已按 GB 2312 字符集裁剪' if r.cut_down else ''}）"
            missing.append(r)
        click.echo(f"  {r.role.label:　<{width}}　{used}；标准字体：{standard}")
    if missing:
        click.echo("\n如需使用标准字体：")
        for r in missing:
            click.echo(f"  {r.role.label}：{r.role.install}。")
        click.echo("标准字体装好后 docgen 会自动优先使用；代用字体中没有的字会改用 Noto 字体，不会缺字。")


def _collect(paths: tuple[str, ...]) -> list[Path]:
    found = api.scan_workbooks(paths)
    _print_skipped([(str(p), why) for p, why in found.skipped])
    if not found.workbooks:
        raise click.UsageError("在给出的位置没有找到任何 .xlsx / .xlsm 工作簿。")
    return found.workbooks


def _print_skipped(skipped: list[tuple[str, str]]) -> None:
    """Every file of the folders that was not read, so that no branch drops out unseen (on stderr: JSON stays clean)."""
    if skipped:
        click.echo(f"未读取的文件（{len(skipped)} 个）：", err=True)
        for path, why in skipped:
            click.echo(f"  {path}：{why}", err=True)


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


def _warn_before_run(formats: tuple[str, ...], kinds: tuple[str, ...], config: Config) -> None:
    """What the clerk should know before documents are written: a slow PDF set-up, a notice contact not set."""
    for warning in api.run_warnings(formats, kinds or tuple(KINDS), config):
        click.echo(click.style("注意：", fg="yellow") + warning, err=True)


def _formats(value: str) -> tuple[str, ...]:
    return api.FORMATS if value == "all" else (value,)


def _parse_period(ctx, param, value: str | None) -> Period | None:
    if not value:
        return None
    try:
        return Period.model_validate(value)
    except ValidationError:
        raise click.BadParameter(f"无法识别的报告期“{value}”，请写成如 2024年第2季度、2024Q2、2024年6月、2024年上半年") from None


def _parse_date(ctx, param, value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"无法识别的日期“{value}”，请写成如 2024-12-20") from None


def date_option(func):
    return click.option("--date", "date", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
                        help="成文日期：公示、结题报告和年度汇总报告的落款日期，公示期从这天（或其后第一个工作日）起算；默认今天。")(func)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录（按申报党组织分子目录）。")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="文书种类，可重复：" + "，".join(f"{k}={v}" for k, v in KIND_NAMES.items()) + "；默认全部。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True,
              help="输出 Word（docx）、PDF 或两者。")
@click.option("--period", callback=_parse_period, default=None,
              help="进度报告的报告期，如 2024年第3季度；默认每个项目最近一期。")
@click.option("--per-project", is_flag=True, help="“四公开”公示每个项目一份（默认每个申报党组织一份，列出其全部项目）。")
@date_option
@config_option
@library_errors
def render(paths: tuple[str, ...], out_dir: str, kinds: tuple[str, ...], fmt: str, period: Period | None,
           per_project: bool, date: dt.date, config: Config) -> None:
    """由申报表生成文书。有错误的工作簿不生成，列出其问题；其余照常生成。

    生成荣誉证书时，另在输出目录写出本次全部证书的合订本（荣誉证书-合订.pdf / .docx），每页一张，可直接打印。
    """
    workbooks = _collect(paths)
    formats = _formats(fmt)
    _warn_before_run(formats, kinds, config)
    options = Options(date=date, period=period, per_project=per_project)
    renderers = api.Renderers(formats)
    refused = 0
    certificates = []
    for workbook in workbooks:
        result = api.render(workbook, out_dir, kinds or None, formats, config, renderers, options)
        certificates += result.certificates
        if result.refused:
            refused += 1
            _print_file_report(result.report)
            click.echo(click.style("  未生成文书：", fg="red") + "请先修正以上错误。")
        else:
            click.echo(click.style("✓ ", fg="green") + f"{workbook}：生成 {len(result.written)} 个文件")
    combined = api.write_combined_certificates(certificates, out_dir, renderers, config.organization.name)
    if combined:
        click.echo(f"荣誉证书合订本（{len(certificates)} 张）：" + "、".join(str(t) for t in combined))
    if period is not None:
        click.echo(f"进度报告按报告期“{period.label}”生成；没有该期进度的项目未生成进度报告。")
    click.echo(f"\n共 {len(workbooks)} 个工作簿，{len(workbooks) - refused} 个已生成文书，{refused} 个因错误未生成；输出目录：{out_dir}")
    sys.exit(1 if refused else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True,
              help="年度汇总报告输出 Word（docx）、PDF 或两者；台账总是 .xlsx。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None,
              help="汇总的年度；默认为申报表中最近的报告年度。")
@date_option
@config_option
@library_errors
def report(paths: tuple[str, ...], out_dir: str, fmt: str, year: int | None, date: dt.date, config: Config) -> None:
    """汇总全部申报表 PATHS（文件或文件夹），生成年度汇总报告（docx、pdf）和项目台账（xlsx）。

    各党支部的申报表放在一个文件夹里一起汇总。有错误的申报表（包括与其他申报表项目编号重复的）不计入汇总，
    列出其问题，退出状态为 1。
    """
    workbooks = _collect(paths)
    formats = _formats(fmt)
    _warn_before_run(formats, ("annual_report",), config)
    result = api.year_end_report(workbooks, out_dir, formats, config, Options(date=date, year=year))
    left_out = [f for f in result.report if not f.ok]
    for file_report in left_out:
        _print_file_report(file_report)
    if left_out:
        click.echo(click.style(f"以上 {len(left_out)} 个申报表有错误，未计入年度汇总。", fg="red"))
    if not result.written:
        raise click.ClickException("没有可汇总的项目：所有申报表都有错误或没有项目。")
    click.echo(f"{result.year}年度：汇总 {len(result.used)} 个申报表、{result.projects} 个项目。")
    for target in result.written:
        click.echo(f"已生成：{target}")
    sys.exit(1 if left_out else 0)


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}分{seconds:02d}秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}小时{minutes:02d}分"


class BatchProgress:
    """Files and documents done, rate and time left: one redrawn line on a terminal, plain lines otherwise."""

    REDRAW = 0.1  # seconds between redraws on a terminal

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.total = self.done = self.documents = 0
        self.started = self.drawn = 0.0
        self.width = 0

    def start(self, total: int) -> None:
        self.total = total
        self.started = self.drawn = time.monotonic()
        self._line(f"共 {total} 个申报表，开始处理……", final=True)

    def _status(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = f"，预计还需 {_duration((self.total - self.done) / rate)}" if rate and self.done < self.total else ""
        return (f"申报表 {self.done}/{self.total} · 文书 {self.documents} 份 · "
                f"{rate:.1f} 个/秒 · 已用 {_duration(elapsed)}{left}")

    def _line(self, text: str, final: bool = False) -> None:
        if self.tty:
            padding = " " * max(0, self.width - click.formatting.term_len(text))
            click.echo("\r" + text + padding, file=self.stream, nl=final)
            self.width = 0 if final else click.formatting.term_len(text)
        else:
            click.echo(text, file=self.stream)  # colours are dropped when not a terminal

    def advance(self, outcome) -> None:
        self.done += 1
        self.documents += len(outcome.documents)
        label = STATUS_LABELS[outcome.status]
        problem = outcome.status not in ("rendered", "unchanged")
        mark = click.style("✗ ", fg="red") if problem else ""
        now = time.monotonic()
        if not self.tty:
            self._line(f"[{self.done}/{self.total}] {mark}{outcome.source}：{label}，文书 {len(outcome.documents)} 份")
            if self.done == self.total or now - self.drawn >= 10:
                self.drawn = now
                self._line(self._status())
            return
        if problem:  # above the redrawn line, so it stays on screen
            self._line(f"{mark}{outcome.source}：{label}", final=True)
        if now - self.drawn >= self.REDRAW or self.done == self.total or problem:
            self.drawn = now
            self._line(self._status())

    def stage(self, text: str) -> None:
        if self.tty and self.width:
            self._line(self._status(), final=True)
        self._line(f"正在生成{text}……", final=True)

    def finish(self) -> None:
        if self.tty and self.width:
            self._line(self._status(), final=True)


@main.command()
@click.argument("in_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="输出目录：按申报党组织分子目录，另有 manifest.json、清单.xlsx、年度汇总报告和台账。")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="文书种类，可重复；默认全部。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True,
              help="输出 Word（docx）、PDF 或两者。")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="并行的工作进程数；默认为本机 CPU 核数。")
@click.option("--resume", is_flag=True,
              help="接着上次的结果做：内容和选项都没变的申报表不再重新生成。")
@click.option("--zip", "make_zip", is_flag=True, help="另按申报党组织各打一个 zip 包（在“按支部打包”目录）。")
@click.option("--period", callback=_parse_period, default=None,
              help="进度报告的报告期，如 2024年第4季度；默认每个项目最近一期。")
@click.option("--per-project", is_flag=True, help="“四公开”公示每个项目一份（默认每个申报党组织一份）。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="年度汇总的年度；默认为申报表中最近的报告年度。")
@date_option
@config_option
@library_errors
def batch(in_dir: str, out_dir: str, kinds: tuple[str, ...], fmt: str, workers: int | None, resume: bool,
          make_zip: bool, period: Period | None, per_project: bool, year: int | None, date: dt.date,
          config: Config) -> None:
    """年终批量处理：文件夹 IN_DIR 里的全部申报表一次做完。

    逐个校验；没有错误的生成全部文书，有错误的写出标注副本（退回/）。

    最后汇总全部有效申报表，生成年度汇总报告、台账和荣誉证书合订本。

    某个申报表或某份文书出错不影响其余的，结束时列出问题，退出状态为 1。

    输出目录里的 manifest.json 和 清单.xlsx 记录每个申报表的结果和每个文件的 SHA-256。

    中途中断（Ctrl-C）不会留下写了一半的文书，加 --resume 再次运行即可接着做。
    """
    formats = _formats(fmt)
    _warn_before_run(formats, kinds, config)
    options = Options(date=date, period=period, per_project=per_project, year=year)
    try:
        result = batch_run.batch(in_dir, out_dir, kinds or None, formats, config, options, workers, resume,
                                 make_zip, BatchProgress())
    except batch_run.BatchInterrupted as exc:
        click.echo("\n" + click.style(str(exc), fg="yellow"), err=True)
        sys.exit(130)
    _print_batch_summary(result)
    sys.exit(0 if result.ok else 1)


def _print_batch_summary(result) -> None:
    problems = [o for o in result.outcomes if o.status not in ("rendered", "unchanged")]
    if problems:
        click.echo(click.style(f"\n有问题的申报表（{len(problems)} 个）：", fg="red"))
    for o in problems:
        detail = f"错误 {o.errors} 处，警告 {o.warnings} 处" if o.status == "invalid" else o.message
        click.echo(f"✗ {o.source}：{STATUS_LABELS[o.status]}" + (f"（{detail}）" if detail else ""))
        if o.annotated:
            click.echo(f"    退回副本：{o.annotated}")
        for failure in o.failures:
            click.echo(f"    未生成 {failure.document}：{failure.message}")
    for failure in result.year_end_failures:
        click.echo(click.style("✗ ", fg="red") + f"未生成 {failure.document}：{failure.message}")
    if result.skipped:
        click.echo(f"\n未读取的文件（{len(result.skipped)} 个，也记在 manifest.json 中）：")
        for source, why in result.skipped:
            click.echo(f"  {source}：{why}")
    counts = "，".join(f"{STATUS_LABELS[s]} {result.count(s)} 个" for s in STATUS_LABELS if result.count(s))
    click.echo(f"\n共 {len(result.outcomes)} 个申报表：{counts}。")
    if result.year:
        click.echo(f"{result.year}年度汇总：{result.projects} 个项目。")
    click.echo(f"生成文件 {result.documents} 个，用时 {_duration(result.seconds)}；输出目录：{result.out_dir}")
    click.echo(f"清单：{result.out_dir / 'manifest.json'}、{result.out_dir / '清单.xlsx'}")
    if result.zips:
        click.echo(f"按支部打包 {len(result.zips)} 个 zip，在 {result.out_dir / '按支部打包'}")


def samples_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "samples"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "samples"


DEMO_DATE = "2024-12-23"  # the samples describe 2024; their notices are dated just after its last report


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="演示输出目录。")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True,
              help="输出 Word（docx）、PDF 或两者。")
@click.option("--date", "date", callback=_parse_date, default=DEMO_DATE, show_default=True, metavar="YYYY-MM-DD",
              help="演示文书的成文日期（示例数据为 2024 年）。")
@config_option
@library_errors
def demo(out_dir: str, fmt: str, date: dt.date, config: Config) -> None:
    """用自带的示例申报表演示全部功能：空白模板、校验与退回、生成全部文书、年度汇总与台账。"""
    out = Path(out_dir)
    samples = samples_dir()
    if config.source is None:  # the samples come with the configuration of their (fictional) company
        config = _load_config(str(samples / CONFIG_NAME))
    workbooks = api.find_workbooks([samples])
    if not workbooks:
        raise click.ClickException(f"找不到示例申报表：{samples}")
    out.mkdir(parents=True, exist_ok=True)
    formats = _formats(fmt)
    _warn_before_run(formats, (), config)
    options = Options(date=date)

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

    click.echo(click.style("\n3. 生成文书（" + "、".join(KIND_NAMES.values()) + "）", bold=True))
    renderers = api.Renderers(formats)
    total = 0
    certificates = []
    for workbook, file_report in zip(workbooks, report):
        if not file_report.ok:
            continue
        result = api.render(workbook, out / "文书", None, formats, config, renderers, options)
        certificates += result.certificates
        total += len(result.written)
        click.echo(f"{workbook.name}：生成 {len(result.written)} 个文件")
    combined = api.write_combined_certificates(certificates, out / "文书", renderers, config.organization.name)
    if combined:
        total += len(combined)
        click.echo(f"荣誉证书合订本（{len(certificates)} 张）：" + "、".join(str(t) for t in combined))

    click.echo(click.style("\n4. 年度汇总报告与台账（全部示例申报表一起汇总）", bold=True))
    year_end = api.year_end_report(workbooks, out / "年度汇总", formats, config, options, renderers)
    left_out = [Path(f.path).name for f in year_end.report if not f.ok]
    if left_out:
        click.echo("有错误、未计入汇总：" + "、".join(left_out))
    for target in year_end.written:
        click.echo(f"已生成：{target}")
    total += len(year_end.written)

    click.echo(click.style("\n5. 年终批量处理（docgen batch：一条命令完成校验、全部文书、退回副本、年度汇总和清单）", bold=True))
    result = batch_run.batch(samples, out / "年终批量", None, formats, config, options, progress=BatchProgress())
    _print_batch_summary(result)
    total += result.documents
    click.echo(f"\n演示完成：共生成 {total} 个文件，见 {out / '文书'}、{out / '年度汇总'} 和 {out / '年终批量'}")


if __name__ == "__main__":  # pragma: no cover
    main()
