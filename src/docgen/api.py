"""The library's front door: check workbooks, render their documents, make the year end.

Each function is a few lines over the pipeline (pipeline/): it finds the workbooks,
runs the pipeline's steps in this process and places their files. It returns data
(reports, written paths) and raises DocgenError only for what stops the whole request.
"""
from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable, Iterable

from . import pipeline
from .config import CONFIG_NAME, CONFIG_TEMPLATE, Config
from .documents import KINDS, TITLES, WORKBOOK_KINDS, Options, notice
from .documents.annual_report import LeftOut, RunYear
from .errors import ConfigError, DiskError, DocgenError, disk_problem
from .executors import Inline
from .filekinds import refusal
from .finding import ANNOTATED_SUFFIX, Found, find_workbooks, scan_workbooks
from .intake.cells import unseen, unseen_names, without_unseen
from .intake.template import write_template
from .issues import FileReport, Report, Skipped, unreadable
from .messages import message
from .models import Intake
from .models.period import Period
from .models.values import code_key
from .pipeline import FORMATS, Expected, Job, Names, Outcome, Placer, Renderers, Settings, Status, write_atomic

if TYPE_CHECKING:
    from .render.fonts import RoleFace, StyleChange

__all__ = [
    "ANNOTATED_SUFFIX", "FORMATS", "TITLES", "WORKBOOK_KINDS", "Expected", "Found", "NoWorkbooks", "Options", "Renderers",
    "RenderRun", "Skipped", "YearEndResult", "annotate", "annotate_all", "code_key", "file_refusal", "find_workbooks", "font_roles", "install_font_aliases",
    "load", "parse_period", "render", "run_warnings", "scan_workbooks", "validate", "write_config_template",
    "unseen", "unseen_names", "without_unseen", "write_intake_template", "year_end",
]


class NoWorkbooks(DocgenError):
    """None of the files and folders given holds a workbook; the files that are there are listed with the reason."""

    def __init__(self, skipped: Iterable[Skipped] = (), where: str = "在给出的位置") -> None:
        self.skipped = list(skipped)
        lines = [f"{where}没有找到任何 .xlsx / .xlsm 工作簿。"]
        if self.skipped:
            lines.append(f"未读取的文件（{len(self.skipped)} 个）：")
            lines += [f"  {s.path}：{s.reason}" for s in self.skipped]
        super().__init__("\n".join(lines))

    @property
    def unread(self) -> list[Skipped]:
        """The files found that may be a branch's submission (.xls, .ods, a zip …)."""
        return [s for s in self.skipped if s.submission]


def _found(paths: Iterable[str | Path], outside: Path | None = None) -> Found:
    found = scan_workbooks(paths, outside)
    if not found.workbooks:
        raise NoWorkbooks(found.skipped)
    return found


def _skipped(found: Found) -> list[Skipped]:
    return list(found.skipped)


def file_refusal(filename: str, data: bytes | IO[bytes]) -> str | None:
    """Why a file sent alone (an upload) cannot be read as a workbook — what `docgen validate` says of it —
    when its content (and its name, for .et and .csv) says it is another format; None otherwise.

    `data` is the file's bytes or a seekable binary file holding them (read from its start: its head, and the
    zip directory of a package), left at no particular position."""
    handle = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    handle.seek(0)
    code = refusal(handle, filename)
    return message(code) if code else None


def load(path: str | Path, config: Config | None = None, expected: Expected | None = None) -> tuple[Intake | None,
                                                                                                    FileReport]:
    """Read and validate one workbook; with `expected`, also against who hands it in (its 申报党组织) and the
    project codes other organisations have handed in."""
    return pipeline.load(path, config or Config(), expected)


def validate(paths: Iterable[str | Path], config: Config | None = None, expected: Expected | None = None) -> Report:
    """Validate every workbook named or found in the given folders; the files left out are listed too."""
    config = config or Config()
    found = _found(paths)
    return Report([load(p, config, expected)[1] for p in found.workbooks], skipped=_skipped(found))


def annotate(report: FileReport, out_dir: str | Path, names: Names | None = None) -> Path:
    """Write <name>.校验.xlsx into out_dir; a name already used in this run (by `names`) gets a number."""
    source = Path(report.path)
    names = names if names is not None else Names()
    final = names.claim(pipeline.annotated_name(source), str(source))
    target = Path(out_dir) / final
    pipeline.write_annotated(report, target)
    return target


def annotate_all(report: Report, out_dir: str | Path, faulty_only: bool = False) -> list[Path]:
    """An annotated copy of every readable workbook with issues (with faulty_only, with errors) of a report."""
    names = Names()
    return [annotate(f, out_dir, names) for f in report
            if f.issues and (f.errors or not faulty_only) and not any(unreadable(i.code) for i in f.issues)]


@dataclass
class RenderRun:
    """What `render` did: each workbook's outcome, the combined certificates, the files left out."""

    out_dir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    combined: list[Path] = field(default_factory=list)
    certificates: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        """Every file written: each workbook's documents, then the combined certificates."""
        return [self.out_dir / d.path for o in self.outcomes for d in o.documents] + self.combined

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.status.valid]

    @property
    def unfinished(self) -> list[Outcome]:
        """Workbooks without errors of which a document could not be made (each failure says why)."""
        return [o for o in self.outcomes if o.status.valid and not o.status.whole]

    @property
    def unread(self) -> list[Skipped]:
        """The files of the folders left out that may be a branch's submission."""
        return [s for s in self.skipped if s.submission]


def render(paths: str | Path | Iterable[str | Path], out_dir: str | Path, kinds: Iterable[str] | None = None,
           formats: Iterable[str] = FORMATS, config: Config | None = None, options: Options | None = None,
           each: Callable[[Outcome], None] | None = None) -> RenderRun:
    """Validate each workbook and, when it has no errors, write its documents under out_dir.

    Of two workbooks that would write one name, the first keeps it and the other's gets
    "(2)". With certificates among the kinds, 荣誉证书-合订 (every certificate of the run,
    one per page) is written at the top of out_dir. `each` is told of every outcome.
    """
    config = config or Config()
    config.require_organization()
    pipeline.require_templates(config)
    out = Path(out_dir)
    found = _found([paths] if isinstance(paths, (str, Path)) else paths, outside=out)
    settings = Settings.of(kinds, formats, config, options)
    run = RenderRun(out, skipped=_skipped(found))
    placer = Placer(out)
    with _work_folder(out) as work:
        for index, path in enumerate(found.workbooks):
            outcome = pipeline.process_workbook(Job(index, str(path), str(path), str(work / str(index)), settings))
            if outcome.stop:
                raise DiskError(f"{outcome.message}。已停止，已写出的文书完好。")
            placer.place(outcome)
            run.outcomes.append(outcome)
            if each is not None:
                each(outcome)
        combined = Outcome(-1, "", status=Status.RENDERED)
        pipeline.add_combined(run.outcomes, settings, work / "combined", Inline(), combined)
        placer.place(combined)
    run.combined = [out / d.path for d in combined.documents]
    run.certificates = sum(len(c.certificates) for o in run.outcomes if o.status.valid for c in o.certificates)
    return run


class _work_folder:
    """The folder a run stages its files in, inside the output folder; removed however the run ends.

    The output folder is made and proved writable first, held against a second run into it,
    and refused when a link inside it leads elsewhere; one made for a run that wrote nothing
    is removed again. A storage that fails on the way (full, read-only, gone) is told in Chinese.
    """

    def __init__(self, out: Path) -> None:
        self.out, self.path = out, out / pipeline.WORK_FOLDER
        self.made = not out.exists()
        self.held = contextlib.ExitStack()

    def __enter__(self) -> Path:
        pipeline.check_writable(self.out)
        self.held.enter_context(pipeline.output_lock(self.out))
        try:
            pipeline.refuse_links(self.out)
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir(parents=True)
        except BaseException:
            self.held.close()
            raise
        return self.path

    def __exit__(self, kind: type | None, exc: BaseException | None, trace: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.held.close()
        with contextlib.suppress(OSError):
            if self.made and not any(self.out.iterdir()):
                self.out.rmdir()
        problem = disk_problem(exc) if exc is not None else None
        if problem:
            raise DiskError(f"{problem}（{getattr(exc, 'filename', None) or self.out}），已停止；已写出的文书完好。") from None


@dataclass
class YearEndResult:
    """What `docgen report` did: every workbook's report, those used, the files written."""

    report: Report
    used: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    year: int | None = None
    projects: int = 0
    chosen: RunYear | None = None  # the run's year and where it came from
    left_out: list[LeftOut] = field(default_factory=list)  # projects of other years, not counted


def year_end(paths: Iterable[str | Path], out_dir: str | Path, formats: Iterable[str] = FORMATS,
                    config: Config | None = None, options: Options | None = None) -> YearEndResult:
    """Read every workbook of a year-end run; write the 年度汇总报告 and the 台账 from the valid ones.

    A project code used in two workbooks is an error in both. Workbooks with errors
    are left out of the report and listed in the result.
    """
    config = config or Config()
    config.require_organization()
    out = Path(out_dir)
    found = _found(paths, outside=out)  # its own 台账 from the last run is no workbook
    settings = Settings.of((), formats, config, options, year_end=True)
    outcomes = [pipeline.process_workbook(Job(i, str(p), str(p), str(out), settings))
                for i, p in enumerate(found.workbooks)]
    pipeline.clashes(outcomes)
    result = YearEndResult(Report([o.report for o in outcomes if o.report is not None], skipped=_skipped(found)),
                           used=[Path(o.path) for o in outcomes if o.status.valid])
    with _work_folder(out) as work:
        year_end = pipeline.year_end(outcomes, settings, work)
        Placer(out).place(year_end)
    result.year, result.projects = year_end.year, year_end.projects
    result.chosen, result.left_out = year_end.chosen, year_end.left_out
    result.written = [out / d.path for d in year_end.documents]
    for failure in year_end.failures:
        raise DocgenError(f"未能生成 {failure.document}：{failure.message}")
    return result


def parse_period(text: str) -> Period:
    """A reporting period as a clerk writes it (2024年第2季度, 2024Q2, 2024年6月, 2024年上半年); ValueError otherwise."""
    return Period.model_validate(text)


TEMPLATE_KINDS = tuple(kind for kind in TITLES if kind in KINDS and {"docx", "pdf"} & set(KINDS[kind].formats))


def samples_dir() -> Path:
    """The bundled sample workbooks and their configuration (inside the package, or the checkout's samples/)."""
    packaged = Path(__file__).resolve().parent / "samples"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "samples"


def export_templates(target: str | Path, force: bool = False) -> list[Path]:
    """docgen's own templates copied into `target` as a start for the organisation's, with 说明.md (every kind's
    variables, their meaning and an example value); an existing file is kept unless `force`."""
    return pipeline.export_templates(Path(target), samples_dir(), force)


def check_templates(folder: str | Path | None = None, config: Config | None = None) -> tuple[Path, list]:
    """The problems of the organisation's templates in `folder` (by default the configuration's [templates] dir),
    each located in the clerk's terms (line, paragraph, table cell, header); the folder checked."""
    chosen = Path(folder) if folder is not None else (config or Config()).template_folder()
    if chosen is None:
        raise ConfigError("没有指定模板文件夹：请写出文件夹（docgen templates check 模板），"
                          "或在 docgen.toml 的 [templates] 中设置 dir")
    return chosen, pipeline.template_problems(chosen)


@dataclass
class FontGaps:
    """What the PDF's faces on this machine lack (known: fontconfig could be asked)."""

    known: bool
    blocks: list[tuple[str, int, int]]  # (label, code points, of which no face has)
    text: list[str]  # the characters of the text asked about that no face has
    settings: list[tuple[str, list[str]]]  # (the setting, its characters no face has) of the configuration
    changes: list["StyleChange"] = field(default_factory=list)  # characters of the text drawn in another style


def font_gaps(text: str = "", config: Config | None = None) -> FontGaps:
    """Which characters would print as boxes in PDF output here: per block of Chinese characters, in `text`,
    and in the configuration's names (单位名称, 党委名称 …, printed in every document)."""
    from .render.fonts import block_gaps, coverage, faces
    from .validate.glyphs import missing

    covered = coverage()
    if covered is None:
        return FontGaps(False, [], [], [])
    config = config or Config()
    named = {"organization.name": config.organization.name, "organization.party_committee":
             config.organization.party_committee, "organization.department": config.organization.department,
             "organization.main_recipient": config.organization.main_recipient, "notice.contact": config.notice.contact,
             "notice.address": config.notice.address}
    settings = [(key, missing(value, covered)) for key, value in named.items() if missing(value, covered)]
    drawn_by = faces()
    changes = drawn_by.style_changes(text) if drawn_by is not None and text else []
    return FontGaps(True, block_gaps(covered), missing(text, covered), settings, changes)


def font_roles() -> list["RoleFace"]:
    """Which face each typographic role (正文仿宋, 标题小标宋, …) gets in PDF output on this machine."""
    from .render.fonts import role_faces

    return role_faces()


def write_intake_template(target: str | Path, config: Config, force: bool = False, branch: str | None = None) -> Path:
    """Write the blank intake workbook (.xlsx) for branches to fill; never over an existing file unless forced.

    With `branch`, the workbook is that 申报党组织's: its name is the one choice of the column's list.
    """
    path = Path(target)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        path = path.with_suffix(".xlsx")
    if path.exists() and not force:
        raise DocgenError(f"文件已存在：{path}（如需覆盖请加 --force）")
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_template(path, config, branch)


def write_config_template(target: str | Path, force: bool = False) -> Path:
    """Write a commented docgen.toml (every setting with its default); never over an existing file unless forced."""
    path = Path(target)
    if path.is_dir():
        path = path / CONFIG_NAME
    if path.exists() and not force:
        raise ConfigError(f"文件已存在：{path}（如需覆盖请加 --force）")
    write_atomic(path, CONFIG_TEMPLATE.encode("utf-8"))
    return path


@dataclass
class FontAliases:
    path: Path
    replaced: bool  # an earlier file of the same command was there and is updated


def install_font_aliases(target: str | Path | None = None, force: bool = False) -> FontAliases:
    """Write the fontconfig file mapping the Word documents' standard face names to the substitutes (to
    `target`, a file or folder, else the user's fontconfig conf.d). A file there that this command did not
    write is left alone unless forced."""
    from .render.fonts import ALIASES_NAME, aliases_conf, aliases_path, aliases_written_by_us

    path = Path(target).expanduser() if target else aliases_path()
    if path.is_dir():
        path = path / ALIASES_NAME
    ours = aliases_written_by_us(path)
    if path.exists() and not ours and not force:
        raise ConfigError(f"文件已存在，且不是 docgen 写的：{path}；没有改动它。请换一个文件名，或确认可以覆盖后加 --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, aliases_conf().encode("utf-8"))
    return FontAliases(path, ours)


def run_warnings(formats: Iterable[str], kinds: Iterable[str], config: Config) -> list[str]:
    """What the clerk should know before a run writes documents (nothing here stops it)."""
    from .render import subsetter_missing

    warnings = []
    if "pdf" in formats and subsetter_missing():
        warnings.append("未找到 HarfBuzz 字体子集库（libharfbuzz-subset0），生成 PDF 会慢很多倍。"
                        "Debian/Ubuntu 可执行：sudo apt-get install libharfbuzz-subset0")
    if notice.KIND in (kinds or WORKBOOK_KINDS) and (contact := notice.contact_warning(config)):
        warnings.append(contact)
    return warnings
