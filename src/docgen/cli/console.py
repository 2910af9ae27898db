"""Console output of the commands: reports, progress and summaries, in Chinese, coloured on a terminal."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..batch import BatchResult, Status
from ..api import RenderRun, YearEndResult
from ..issues import FileReport, Report, Skipped

_SEVERITY = {"error": ("错误", "red"), "warning": ("警告", "yellow")}


def print_fonts(roles) -> None:
    """Each role's face on this machine, and how to install the standard ones missing."""
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
        click.echo("标准字体装好后 docgen 会自动优先使用；代用字体中没有的字会改用本机其他字体中有的。")


def print_font_gaps(gaps, text: str) -> None:
    """What no face of this machine has: per block, in the text asked about, in the configuration."""
    if not gaps.known:
        click.echo("\n本机没有 fontconfig（fc-list），无法检查字体缺哪些字；Debian/Ubuntu 上：sudo apt-get install fontconfig")
        return
    click.echo("\n本机字体缺的字（这些字在 PDF 中将显示为方框；校验申报表时会逐个单元格提醒）：")
    for label, total, lacking in gaps.blocks:
        state = click.style("全部都有", fg="green") if not lacking else f"缺 {lacking:,} 个"
        click.echo(f"  {label}：共 {total:,} 个，{state}")
    for key, characters in gaps.settings:
        click.echo(click.style(f"配置 {key} 中的“{''.join(characters)}”本机的字体中没有", fg="red"))
    if text:
        if gaps.text:
            codes = "、".join(f"{c}（U+{ord(c):04X}）" for c in gaps.text)
            click.echo(click.style(f"“{text}”中本机字体没有的字：{codes}", fg="red"))
        if gaps.changes:
            click.echo(click.style(f"“{text}”中有的字在代用字体中没有，PDF 中将改用另一种字体的字形，"
                                   f"与同一行的其他字字体不同：", fg="yellow"))
            for change in gaps.changes:
                face = f"{change.style}（{change.face}）" if change.face else "本机其他字体"
                click.echo(f"  {change.character}（U+{ord(change.character):04X}）：{change.role.label}的代用字体"
                           f" {change.own_face} 中没有，将用{face}的字形")
            click.echo("  装上含这些字的同类字体（如 Windows 的“仿宋”“楷体”，含 GBK 的全部汉字）后，docgen 会自动使用。")
        if not gaps.text and not gaps.changes:
            click.echo(click.style(f"“{text}”中的字本机的字体都有，且都用各类文字本身的字体显示", fg="green"))


def print_template_problems(folder, problems) -> None:
    """Each template problem with its place; a count at the end."""
    if not problems:
        click.echo(click.style(f"{folder} 中的模板没有发现问题。", fg="green"))
        return
    for problem in problems:
        tag = click.style("错误", fg="red") if problem.error else click.style("提醒", fg="yellow")
        click.echo(f"{tag} {problem}")
    errors = sum(1 for p in problems if p.error)
    click.echo(f"\n{folder}：错误 {errors} 处，提醒 {len(problems) - errors} 处。" +
               ("改正错误之前，render、batch 和网页都不会用这些模板生成文书。" if errors else ""))


SHOWN = 5  # names shown on one line of files left out for one reason; the rest counted


def print_skipped(skipped: list[Skipped], err: bool = True, where: str = "") -> None:
    """Every file of the folders that was not read, so that no branch drops out unseen: first, one by one, those
    that may be a branch's submission, then the others grouped by reason (on stderr by default: JSON stays clean)."""
    if not skipped:
        return
    unread = [s for s in skipped if s.submission]
    others: dict[str, list[str]] = {}
    for s in skipped:
        if not s.submission:
            others.setdefault(s.reason, []).append(s.path)
    click.echo(f"未读取的文件（{len(skipped)} 个{where}）：", err=err)
    if unread:
        click.echo(click.style(f"  可能是申报表、但无法读取的（{len(unread)} 个，请按说明处理后重新运行）：", fg="red"), err=err)
        for s in unread:
            click.echo(click.style("    ✗ ", fg="red") + f"{s.path}：{s.reason}", err=err)
    if others:
        click.echo(f"  不是申报表的（{len(skipped) - len(unread)} 个）：", err=err)
        for reason, paths in others.items():
            names = "、".join(paths[:SHOWN]) + (f" 等 {len(paths)} 个" if len(paths) > SHOWN else "")
            click.echo(f"    {names}：{reason}", err=err)


def print_unread(unread: list[Skipped]) -> None:
    """The closing line of a run that left out files that may be submissions: the run is not complete."""
    if unread:
        click.echo(click.style(f"另有 {len(unread)} 个文件可能是申报表但无法读取（见上方“未读取的文件”），"
                               f"本次结果不完整；请按说明处理后重新运行。", fg="red"))


def print_file_report(report: FileReport) -> None:
    if report.ok and not report.issues:
        click.echo(click.style("✓ ", fg="green") + f"{report.path}：未发现问题")
        return
    mark = click.style("✗ ", fg="red") if not report.ok else click.style("! ", fg="yellow")
    click.echo(mark + f"{report.path}：错误 {len(report.errors)} 处，警告 {len(report.warnings)} 处")
    for issue in report.issues:
        word, colour = _SEVERITY[issue.severity]
        click.echo(f"  {click.style(word, fg=colour)}  {issue}")


def print_summary(report: Report) -> None:
    files = report.files
    failed = sum(not f.ok for f in files)
    errors = sum(len(f.errors) for f in files)
    warnings = sum(len(f.warnings) for f in files)
    click.echo(f"\n共检查 {len(files)} 个工作簿：{len(files) - failed} 个通过，{failed} 个有错误"
               f"（错误 {errors} 处，警告 {warnings} 处）。")
    print_unread(report.unread)

def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}分{seconds:02d}秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}小时{minutes:02d}分"


class ConsoleWatcher:
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
        left = f"，预计还需 {duration((self.total - self.done) / rate)}" if rate and self.done < self.total else ""
        return (f"申报表 {self.done}/{self.total} · 文书 {self.documents} 份 · "
                f"{rate:.1f} 个/秒 · 已用 {duration(elapsed)}{left}")

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
        label = outcome.status.label
        problem = not outcome.status.whole
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


WARNINGS_SHOWN = 3  # per workbook in a run's summary; all of them are in 清单.xlsx and the marked copy


def print_warned(outcomes: list) -> None:
    """Workbooks whose documents were made although they have warnings: what the clerk should still look at."""
    warned = [o for o in outcomes if o.status.whole and o.warnings and o.report is not None]
    if not warned:
        return
    click.echo(click.style(f"\n文书已生成、但有警告需要核实的申报表（{len(warned)} 个）：", fg="yellow"))
    for o in warned:
        click.echo(click.style("! ", fg="yellow") + f"{o.source}：警告 {o.warnings} 处")
        for issue in o.report.warnings[:WARNINGS_SHOWN]:
            click.echo(f"    {issue}")
        if o.warnings > WARNINGS_SHOWN:
            click.echo(f"    ……其余 {o.warnings - WARNINGS_SHOWN} 处见清单.xlsx"
                       "（docgen validate 加 --annotate 可生成标出这些单元格的副本）")


def print_not_due(outcomes: list) -> None:
    """Documents not due as of the 成文日期 (a 结题报告 of a project still running): named, not counted as failures."""
    waiting = [(o, n) for o in outcomes for n in o.not_due]
    if not waiting:
        return
    click.echo(f"\n按成文日期尚不应生成的文书（{len(waiting)} 份，不是错误）：")
    for o, n in waiting:
        click.echo(f"- {n.document}（{o.source}，项目 {n.project}）：{n.reason}")


def print_batch_summary(result: BatchResult) -> None:
    """The workbooks with problems and why, the files left out, the counts, where everything is."""
    problems = result.problems
    if problems:
        click.echo(click.style(f"\n有问题的申报表（{len(problems)} 个）：", fg="red"))
    for o in problems:
        detail = f"错误 {o.errors} 处，警告 {o.warnings} 处" if o.status is Status.INVALID else o.message
        click.echo(f"✗ {o.source}：{o.status.label}" + (f"（{detail}）" if detail else ""))
        if o.annotated:
            click.echo(f"    退回副本：{o.annotated}")
        for failure in o.failures:
            click.echo(f"    未生成 {failure.document}：{failure.message}")
    for failure in result.year_end_failures:
        click.echo(click.style("✗ ", fg="red") + f"未生成 {failure.document}：{failure.message}")
    print_warned(result.outcomes)
    print_not_due(result.outcomes)
    if result.skipped:
        click.echo()
        print_skipped(result.skipped, err=False, where="，也记在 manifest.json 中")
    counts = "，".join(f"{s.label} {result.count(s)} 个" for s in Status if result.count(s))
    click.echo(f"\n共 {len(result.outcomes)} 个申报表：{counts}。")
    print_run_year(result.chosen, result.left_out)
    print_unread(result.unread)
    if result.year:
        click.echo(f"{result.year}年度汇总：{result.projects} 个项目。")
    click.echo(f"生成文件 {result.documents} 个，用时 {duration(result.seconds)}；输出目录：{result.out_dir}")
    if result.set_aside:
        click.echo(click.style(f"以前运行留下、这次没有再生成的 {len(result.set_aside)} 个文件已移到 "
                               f"{result.out_dir / result.set_aside_to}（没有删除，子目录和文件名不变，"
                               f"也列在 manifest.json 的 set_aside 中）", fg="yellow"))
    click.echo(f"清单：{result.out_dir / 'manifest.json'}、{result.out_dir / '清单.xlsx'}")
    if result.zips:
        branches = [z for z in result.zips if z.startswith("按支部打包/")]
        click.echo(f"按支部打包 {len(branches)} 个 zip，在 {result.out_dir / '按支部打包'}")
        if len(branches) < len(result.zips):
            click.echo(f"全部文书打包为 {result.out_dir / '全部文书.zip'}")


def print_outcome(outcome, written: int) -> None:
    """One workbook of `docgen render`: its documents, or its errors and that nothing was made."""
    if outcome.status.valid:
        click.echo(click.style("✓ ", fg="green") + f"{outcome.source}：生成 {written} 个文件")
        for issue in outcome.report.warnings if outcome.report is not None else []:
            click.echo(click.style("  警告  ", fg="yellow") + str(issue))
        for failure in outcome.failures:
            click.echo(click.style("  未生成 ", fg="red") + f"{failure.document}：{failure.message}")
        for waiting in outcome.not_due:
            click.echo(f"  {waiting.reason}，未生成 {waiting.document}")
        return
    if outcome.status is Status.INVALID and outcome.report is not None:
        print_file_report(outcome.report)
        click.echo(click.style("  未生成文书：", fg="red") + "请先修正以上错误。")
        return
    if outcome.report is not None and outcome.report.issues:  # its warnings; the data was not what stopped it
        print_file_report(outcome.report)
    click.echo(click.style("✗ ", fg="red") + f"{outcome.source}：{outcome.message or outcome.status.label}")
    click.echo(click.style("  未生成文书。", fg="red"))


def print_render_run(run: RenderRun) -> None:
    """The combined certificates and the counts of `docgen render`."""
    if run.combined:
        click.echo(f"荣誉证书合订本（{run.certificates} 张）：" + "、".join(str(t) for t in run.combined))
    refused, unfinished = len(run.refused), len(run.unfinished)
    click.echo(f"\n共 {len(run.outcomes)} 个工作簿，{len(run.outcomes) - refused} 个已生成文书"
               + (f"（其中 {unfinished} 个有文书未能生成，原因见上）" if unfinished else "")
               + f"，{refused} 个因错误未生成；输出目录：{run.out_dir}")

    print_unread(run.unread)

LEFT_OUT_SHOWN = 20  # projects of other years listed one by one; beyond that, counted


def print_run_year(chosen, left_out) -> None:
    """The run's year and where it came from; the projects of valid workbooks left out as of other years."""
    if chosen is None:
        return
    where = {
        "asked": "由 --year 指定",
        "date": f"成文日期 {chosen.date.isoformat()} 所在的年度；汇总其他年度请用 --year 指定",
        "january": f"成文日期 {chosen.date.isoformat()} 在 1 月，默认汇总刚结束的 {chosen.year} 年度；"
                   f"汇总其他年度请用 --year 指定",
    }[str(chosen.source)]
    click.echo(f"汇总年度：{chosen.year}（{where}）")
    if not left_out:
        return
    later = [o for o in left_out if o.later(chosen.year)]
    click.echo(click.style(f"未计入 {chosen.year} 年度汇总的项目 {len(left_out)} 个（起止日期不在该年度内）：", fg="yellow")
               + (f"以后年度开始的 {len(later)} 个" if later else "")
               + ("，" if later and len(later) < len(left_out) else "")
               + (f"以前年度已结束的 {len(left_out) - len(later)} 个" if len(later) < len(left_out) else ""))
    for o in left_out[:LEFT_OUT_SHOWN]:
        when = f"{o.start.year} 年开始" if o.later(chosen.year) else f"{o.end.year} 年已结束"
        click.echo(f"  {o.code} {o.name}（{o.branch}，{o.source}）：{o.start.isoformat()} 至 {o.end.isoformat()}，{when}")
    if len(left_out) > LEFT_OUT_SHOWN:
        click.echo(f"  ……其余 {len(left_out) - LEFT_OUT_SHOWN} 个从略。")


def print_year_end(result: YearEndResult, detail: bool = True) -> None:
    """The workbooks left out of the year end (with detail, their issues), the run's year and the projects of
    other years, what was counted, the files written."""
    left_out = [f for f in result.report if not f.ok]
    if detail:
        for file_report in left_out:
            print_file_report(file_report)
        if left_out:
            click.echo(click.style(f"以上 {len(left_out)} 个申报表有错误，未计入年度汇总。", fg="red"))
    elif left_out:
        click.echo("有错误、未计入汇总：" + "、".join(Path(f.path).name for f in left_out))
    print_run_year(result.chosen, result.left_out)
    if result.written:
        click.echo(f"{result.year}年度：汇总 {len(result.used)} 个申报表、{result.projects} 个项目。")
    for target in result.written:
        click.echo(f"已生成：{target}")
    print_unread(result.report.unread)
