"""Command line: each command parses, makes one library call (api or batch), prints, exits.

Printing lives in console.py; the work lives in the library.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click

from .. import api
from .. import batch as batch_run
from ..config import CONFIG_NAME, Config, load_config
from ..errors import DocgenError, disk_problem
from . import chinese, console

chinese.install()

YEAR_HELP = ("汇总的年度；默认为成文日期（--date，默认今天）所在的年度，成文日期在 1 月时为上一年度。"
             "起止日期不在该年度内的项目不计入汇总，逐个列出。")
DEMO_DATE = "2024-12-23"  # the samples describe 2024; their notices are dated just after its last report


def _load_config(path: str | None) -> Config:
    try:
        return load_config(path)
    except DocgenError as exc:
        raise click.ClickException(str(exc)) from None


def config_option(func):
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="配置文件 docgen.toml 的路径（默认使用当前目录下的 docgen.toml，没有则用内置默认值）。")
    @functools.wraps(func)
    def wrapper(*args, config_path=None, **kwargs):
        return func(*args, config=_load_config(config_path), **kwargs)
    return wrapper


def library_errors(func):
    """Turn a DocgenError into a clean message and exit status 1 (2 when nothing was found), never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except api.NoWorkbooks as exc:  # a folder of only an .xls, an .ods …: not a usage error, an unread submission
            raise (click.ClickException(str(exc)) if exc.unread else click.UsageError(str(exc))) from None
        except DocgenError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # the storage refused (full, read-only, no permission, gone)
            problem = disk_problem(exc)
            if problem is None:
                raise
            raise click.ClickException(f"{problem}：{exc.filename or ''}".rstrip("：")) from None
    return wrapper


def _parse_period(ctx, param, value: str | None):
    if not value:
        return None
    try:
        return api.parse_period(value)
    except ValueError:
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


def format_option(help_text: str = "输出 Word（docx）、PDF 或两者。"):
    return click.option("--format", "formats", type=click.Choice(["docx", "pdf", "all"]), default="all",
                        show_default=True, callback=lambda ctx, param, v: api.FORMATS if v == "all" else (v,),
                        help=help_text)


def kind_option(help_text: str):
    return click.option("--kind", "kinds", multiple=True, type=click.Choice(list(api.WORKBOOK_KINDS)), help=help_text)


def _warn_before_run(formats: tuple[str, ...], kinds: tuple[str, ...], config: Config) -> None:
    """What the clerk should know before documents are written: a slow PDF set-up, a notice contact not set."""
    for warning in api.run_warnings(formats, kinds, config):
        click.echo(click.style("注意：", fg="yellow") + warning, err=True)


@click.group(cls=chinese.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen", message="docgen %(version)s")
def main() -> None:
    """docgen：党建项目申报表校验与文书生成工具。"""


@main.group(cls=chinese.Group)
def templates() -> None:
    """本单位自己的文书模板：导出自带的模板作为起点，检查改过的模板。"""


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False), metavar="文件夹")
@click.option("--force", is_flag=True, help="文件夹中已有同名文件时覆盖。")
@library_errors
def templates_export(folder: str, force: bool) -> None:
    """把自带的模板（.docx、.html、document.css）和说明.md（每种文书可用的变量、含义和示例）复制到“文件夹”。"""
    written = api.export_templates(folder, force)
    click.echo(f"已导出 {len(written)} 个文件到 {folder}：在 Word 中修改后，在 docgen.toml 中写")
    click.echo(f'  [templates]\n  dir = "{folder}"\n再运行 docgen templates check 检查。各变量的含义见 {folder}/说明.md。')


@templates.command("check")
@click.argument("folder", required=False, type=click.Path(), metavar="[模板文件夹]")
@config_option
@library_errors
def templates_check(folder: str | None, config: Config) -> None:
    """检查模板文件夹（默认为配置中 [templates] 的 dir）中的每个模板：变量名、循环、标签写法，逐处指出位置。"""
    checked, problems = api.check_templates(folder, config)
    console.print_template_problems(checked, problems)
    if any(p.error for p in problems):
        raise SystemExit(1)


@main.command("intake-template")
@click.argument("target", type=click.Path(dir_okay=False), metavar="文件")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
@config_option
@library_errors
def intake_template(target: str, force: bool, config: Config) -> None:
    """生成空白申报表（.xlsx）写到“文件”，下发给各党支部填写。"""
    click.echo(f"已生成空白申报表：{api.write_intake_template(target, config, force)}")


@main.command()
@click.argument("target", default=CONFIG_NAME, type=click.Path(), metavar="[文件]")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
@library_errors
def init(target: str, force: bool) -> None:
    """在当前目录写出带说明的配置文件 docgen.toml（或写到指定的文件），再填写单位名称和党委名称。"""
    path = api.write_config_template(target, force)
    click.echo(f"已生成配置文件：{path}")
    click.echo("请打开它填写 [organization] 的 name（单位名称）和 party_committee（党委名称），生成文书时用作落款。")


@main.command()
@click.option("--check", "text", default="", metavar="文字",
              help="检查这些文字（如一个生僻的人名）在本机的字体中是否都有。")
@click.option("--config", "config_path", type=click.Path(), default=None, metavar="配置文件",
              help="配置文件（默认当前目录的 docgen.toml）：检查其中的单位名称等文字。")
@click.option("--install-aliases", "aliases", is_flag=True,
              help="为当前用户写一个 fontconfig 文件，把 Word 文书中的标准字体名（仿宋_GB2312、楷体_GB2312、"
                   "方正小标宋简体、黑体、宋体等）映射到本机的代用字体，使 LibreOffice 等用仿宋、楷体显示 Word 文书。")
@click.option("--aliases-file", "aliases_file", type=click.Path(), default=None, metavar="文件",
              help="与 --install-aliases 一起用：写到这个文件（或文件夹），默认 ~/.config/fontconfig/conf.d/60-docgen-aliases.conf。")
@click.option("--force", is_flag=True, help="与 --install-aliases 一起用：目标文件不是 docgen 写的也覆盖。")
@library_errors
def fonts(text: str, config_path: str | None, aliases: bool, aliases_file: str | None, force: bool) -> None:
    """列出 PDF 文书的各类文字在本机使用的字体、本机字体缺哪些字，以及如何装上标准字体。"""
    if aliases or aliases_file:
        written = api.install_font_aliases(aliases_file, force)
        click.echo(f"已{'更新' if written.replaced else '写出'}字体映射文件：{written.path}")
        click.echo("此后新打开的 LibreOffice 等程序会用仿宋、楷体等代用字体显示 Word 文书中的标准字体；"
                   "本机装有标准字体时仍用标准字体。不需要时删除该文件即可。")
        return
    console.print_fonts(api.font_roles())
    gaps = api.font_gaps(text, load_config(config_path))
    console.print_font_gaps(gaps, text)
    if gaps.text or gaps.settings:
        raise SystemExit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="申报表或文件夹...")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 逐条列出问题，json 输出一个 JSON 对象。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), default=None,
              help="为每个有问题的工作簿在此目录写一份标注副本（<文件名>.校验.xlsx），可直接退回修改。")
@click.option("--org", "organisation", default=None, metavar="党组织全称",
              help="只接受这个申报党组织的申报表：“申报党组织”一栏写的不是它的，每处都是错误。")
@click.option("--date", "date", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="成文日期：统计日期晚于这一天的进度行给出警告（这样的行不写入当天的文书）；默认今天。")
@config_option
@library_errors
def validate(paths: tuple[str, ...], output: str, annotate_dir: str | None, organisation: str | None,
             date: dt.date, config: Config) -> None:
    """校验申报表（文件或文件夹，可写多个），列出每个问题所在的单元格。

    文件夹中没有读取的文件逐个列出并说明原因。

    退出状态：0 表示没有错误（可有警告）；1 表示有工作簿存在错误，或文件夹中有可能是申报表、但无法读取的文件（如 .xls、.ods、.csv、压缩包）；2 表示用法有误。
    """
    report = api.validate(paths, config, api.Expected(organisation=organisation, written=date))
    console.print_skipped(report.skipped)
    if output == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for file_report in report:
            console.print_file_report(file_report)
        console.print_summary(report)
    for target in api.annotate_all(report, annotate_dir) if annotate_dir else []:
        click.echo(f"已写出标注副本：{target}", err=output == "json")
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="申报表或文件夹...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录（按申报党组织分子目录）。")
@kind_option("文书种类，可重复：" + "，".join(f"{k}={api.TITLES[k]}" for k in api.WORKBOOK_KINDS) + "；默认全部。")
@format_option()
@click.option("--period", callback=_parse_period, default=None,
              help="进度报告的报告期，如 2024年第3季度；默认每个项目最近一期。")
@click.option("--per-project", is_flag=True, help="“四公开”公示每个项目一份（默认每个申报党组织一份，列出其全部项目）。")
@date_option
@config_option
@library_errors
def render(paths: tuple[str, ...], out_dir: str, kinds: tuple[str, ...], formats: tuple[str, ...], period,
           per_project: bool, date: dt.date, config: Config) -> None:
    """由申报表生成文书。有错误的工作簿不生成，列出其问题；其余照常生成。

    文件夹中没有读取的文件逐个列出原因；有错误的工作簿，或可能是申报表、但无法读取的文件（如 .xls、.ods），退出状态为 1。

    生成荣誉证书时，另在输出目录写出本次全部证书的合订本（荣誉证书-合订.pdf / .docx），每页一张，可直接打印。

    退出状态：0 表示全部生成，1 表示有工作簿存在错误或有文书未能生成（逐份列出原因）。
    """
    _warn_before_run(formats, kinds, config)
    options = api.Options(date=date, period=period, per_project=per_project)
    run = api.render(paths, out_dir, kinds or None, formats, config, options,
                     each=lambda outcome: console.print_outcome(outcome, len(outcome.documents)))
    console.print_skipped(run.skipped)
    if period is not None:
        click.echo(f"进度报告按报告期“{period.label}”生成；没有该期进度的项目未生成进度报告。")
    console.print_render_run(run)
    sys.exit(1 if run.refused or run.unfinished or run.unread else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="申报表或文件夹...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录。")
@format_option("年度汇总报告输出 Word（docx）、PDF 或两者；台账总是 .xlsx。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help=YEAR_HELP)
@date_option
@config_option
@library_errors
def report(paths: tuple[str, ...], out_dir: str, formats: tuple[str, ...], year: int | None, date: dt.date,
           config: Config) -> None:
    """汇总全部申报表（文件或文件夹，可写多个），生成年度汇总报告（docx、pdf）和项目台账（xlsx）。

    各党支部的申报表放在一个文件夹里一起汇总。有错误的申报表（包括与其他申报表项目编号重复的）不计入汇总，
    列出其问题，退出状态为 1；文件夹中有可能是申报表、但无法读取的文件（如 .xls、.ods）时也为 1。
    """
    _warn_before_run(formats, ("annual_report",), config)
    result = api.year_end(paths, out_dir, formats, config, api.Options(date=date, year=year))
    console.print_skipped(result.report.skipped)
    console.print_year_end(result)
    if not result.written:
        year = result.chosen.year if result.chosen else ""
        raise click.ClickException(f"没有可汇总的项目：申报表都有错误、没有项目，或其项目都不在 {year} 年度内。")
    sys.exit(0 if result.report.ok else 1)


@main.command()
@click.argument("in_dir", type=click.Path(exists=True, file_okay=False), metavar="申报表文件夹")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="输出目录：按申报党组织分子目录，另有 manifest.json、清单.xlsx、年度汇总报告和台账。")
@kind_option("文书种类，可重复；默认全部。")
@format_option()
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="并行的工作进程数；默认为本机 CPU 核数。")
@click.option("--cluster", metavar="tcp://主机:8786", default=None,
              help="在 Dask 集群上处理（调度器地址）；申报表和输出目录须放在各台工作机都能访问的同一路径。")
@click.option("--timeout", type=click.FloatRange(1), default=batch_run.DEFAULT_TIMEOUT, show_default=True,
              help="每个申报表的处理时限（秒）；超时的记为处理失败，其余照常进行。")
@click.option("--resume", is_flag=True,
              help="接着上次的结果做：内容和选项都没变的申报表不再重新生成。")
@click.option("--zip", "make_zip", is_flag=True, help="另按申报党组织各打一个 zip 包（在“按支部打包”目录），并把全部文书打成“全部文书.zip”。")
@click.option("--period", callback=_parse_period, default=None,
              help="进度报告的报告期，如 2024年第4季度；默认每个项目最近一期。")
@click.option("--per-project", is_flag=True, help="“四公开”公示每个项目一份（默认每个申报党组织一份）。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help=YEAR_HELP)
@date_option
@config_option
@library_errors
def batch(in_dir: str, out_dir: str, kinds: tuple[str, ...], formats: tuple[str, ...], workers: int | None,
          cluster: str | None, timeout: float, resume: bool, make_zip: bool, period, per_project: bool,
          year: int | None, date: dt.date, config: Config) -> None:
    """年终批量处理：申报表文件夹里的全部申报表一次做完。

    逐个校验；没有错误的生成全部文书，有错误的写出标注副本（退回/）。

    最后汇总全部有效申报表，生成年度汇总报告、台账和荣誉证书合订本。

    某个申报表或某份文书出错、超时不影响其余的，结束时列出问题，退出状态为 1。

    文件夹中没有读取的文件都逐个列出原因；其中可能是申报表、但无法读取的（如 .xls、.ods、.csv、压缩包），退出状态也为 1。

    输出目录里的 manifest.json 和 清单.xlsx 记录每个申报表的结果和每个文件的 SHA-256。

    以前运行写出、这次没有再生成的文件移到输出目录的 旧文件/<日期_时间>/ 中（不删除）；你自己放进输出目录的文件不动。

    中途中断（Ctrl-C）不会留下写了一半的文书，加 --resume 再次运行即可接着做。
    """
    _warn_before_run(formats, kinds, config)
    options = api.Options(date=date, period=period, per_project=per_project, year=year)
    try:
        result = batch_run.batch(in_dir, out_dir, kinds or None, formats, config, options, workers, resume,
                                 make_zip, console.ConsoleWatcher(), cluster=cluster, timeout=timeout)
    except batch_run.BatchInterrupted as exc:
        click.echo("\n" + click.style(str(exc), fg="yellow"), err=True)
        sys.exit(130)
    console.print_batch_summary(result)
    sys.exit(0 if result.ok else 1)


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False), help="演示输出目录。")
@format_option()
@click.option("--date", "date", callback=_parse_date, default=DEMO_DATE, show_default=True, metavar="YYYY-MM-DD",
              help="演示文书的成文日期（示例数据为 2024 年）。")
@config_option
@library_errors
def demo(out_dir: str, formats: tuple[str, ...], date: dt.date, config: Config) -> None:
    """用自带的示例申报表演示全部功能：空白模板、校验与退回、生成全部文书、年度汇总与台账。"""
    out, samples = Path(out_dir), api.samples_dir()
    if config.source is None:  # the samples come with the configuration of their (fictional) company
        config = _load_config(str(samples / CONFIG_NAME))
    _warn_before_run(formats, (), config)
    options = api.Options(date=date)

    click.echo(click.style("1. 空白申报表", bold=True))
    click.echo(f"已生成：{api.write_intake_template(out / '申报表模板.xlsx', config, force=True)}")

    click.echo(click.style("\n2. 校验示例申报表", bold=True))
    report = api.validate([samples], config)
    for file_report in report:
        console.print_file_report(file_report)
    console.print_summary(report)
    for target in api.annotate_all(report, out / "退回", faulty_only=True):
        click.echo(f"已写出退回用的标注副本：{target}")

    click.echo(click.style("\n3. 生成文书（" + "、".join(api.TITLES[k] for k in api.WORKBOOK_KINDS) + "）", bold=True))
    run = api.render([samples], out / "文书", None, formats, config, options,
                     each=lambda o: o.status.valid and click.echo(f"{Path(o.source).name}：生成 {len(o.documents)} 个文件"))
    console.print_render_run(run)

    click.echo(click.style("\n4. 年度汇总报告与台账（全部示例申报表一起汇总）", bold=True))
    year_end = api.year_end([samples], out / "年度汇总", formats, config, options)
    console.print_year_end(year_end, detail=False)

    click.echo(click.style("\n5. 年终批量处理（docgen batch：一条命令完成校验、全部文书、退回副本、年度汇总和清单）", bold=True))
    result = batch_run.batch(samples, out / "年终批量", None, formats, config, options, watcher=console.ConsoleWatcher())
    console.print_batch_summary(result)
    total = sum(len(o.documents) for o in run.outcomes) + len(run.combined) + len(year_end.written) + result.documents
    click.echo(f"\n演示完成：共生成 {total} 个文件，见 {out / '文书'}、{out / '年度汇总'} 和 {out / '年终批量'}")



@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址。默认只接受本机访问；要让内网其他电脑访问，写 0.0.0.0 或本机的内网地址。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option("--data", "data_dir", default="docgen-数据", show_default=True, type=click.Path(file_okay=False),
              help="数据目录：数据库、上传的申报表和生成的文书都在这里。")
@click.option("--database", default=None, metavar="postgresql://…",
              help="改用 PostgreSQL 等数据库（SQLAlchemy 地址）；默认是数据目录中的 SQLite 文件。")
@click.option("--create-admin", "admin_name", default=None, metavar="登录名",
              help="建立一个管理员账号并打印其激活链接，然后退出。")
@click.option("--samples", is_flag=True,
              help="演示用：为管理员和示例申报表中的每个党支部建立账号（第一次启动时打印随机密码）。")
@click.option("--https", "https", is_flag=True,
              help="浏览器经 HTTPS 访问本网页（直接或经反向代理）：登录 Cookie 只经 HTTPS 发送，并发送 HSTS 头。")
@click.option("--proxy", default=None, metavar="地址",
              help="反向代理的地址（多个用逗号分隔，如 127.0.0.1）：只相信这些地址发来的 X-Forwarded-For、"
                   "X-Forwarded-Proto，用其中的客户端地址限制登录尝试；不给时忽略这些头。")
@config_option
@library_errors
def serve(host: str, port: int, data_dir: str, database: str | None, admin_name: str | None, samples: bool,
          https: bool, proxy: str | None, config: Config) -> None:
    """启动网页：各支部上传、校验、提交申报表，党建部审核和生成文书。"""
    from ..web import Store, create_app
    from ..web.guards import cannot_start
    from ..web.store import sample_accounts

    def opened(make, *args, **kwargs):
        """The store or the application over the data folder; a folder or database it cannot use: one line."""
        try:
            return make(*args, **kwargs)
        except Exception as exc:
            problem = cannot_start(exc)
            if problem is None:
                raise
            raise click.ClickException(problem) from None

    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if admin_name:
        store = opened(Store, data_dir, database)
        if store.account(name=admin_name) is not None:
            raise click.ClickException(f"登录名“{admin_name}”已存在")
        account = opened(store.add_account, admin_name, "admin")
        click.echo(f"已建立管理员“{admin_name}”。请在浏览器中打开下面的链接设置密码（只能使用一次）：")
        click.echo(f"  {base}activate/{account.activation}")
        return
    if samples:
        report = api.validate([api.samples_dir()], config)
        branches = sorted({intake.projects[0].branch for f in report
                           for intake in [api.load(f.path, config)[0]] if intake and intake.projects})
        made = opened(sample_accounts, opened(Store, data_dir, database), branches)
        for name, who, password in made:
            click.echo(f"账号 {name}（{who}）的密码：{password}")
        if made:
            click.echo("以上密码只显示这一次。")
    import uvicorn

    app = opened(create_app, data_dir, config, database, checkers=batch_run.default_workers(), https=https,
                 proxy=[a.strip() for a in proxy.split(",") if a.strip()] if proxy else None, exclusive=True)
    where = "只接受本机访问" if host in ("127.0.0.1", "localhost", "::1") else "内网其他电脑也可访问"
    click.echo(f"docgen 网页已启动：{base}（{where}；数据目录：{Path(data_dir).resolve()}）。按 Ctrl-C 停止。")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)  # the app decides (--proxy)


if __name__ == "__main__":  # pragma: no cover
    main()
