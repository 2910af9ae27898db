"""docgen batch: a company's whole year-end run over a folder of workbooks.

Each workbook is one job for a pool of worker processes. A worker loads the
templates, fonts and Jinja environment once, then for each workbook validates it,
renders its documents into a work folder inside the output folder and sends back
a small outcome (statuses, hashes, the year-end assessments and certificates),
never the documents themselves. The parent moves each workbook's files into
place, keeps the manifest, and at the end writes the year-end report, the ledger,
the combined certificates, manifest.json, 清单.xlsx and, on request, one zip per
branch. One bad workbook or one failing document is recorded and the run goes on.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import threading
import time
import zipfile
import zlib
from importlib import metadata
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from .api import (ANNOTATED_SUFFIX, FORMATS, Renderers, atomic_file, combined_document, load, scan_workbooks,
                  write_atomic, write_ledger)
from .config import Config
from .documents import KINDS, Document, Options, documents, safe_name
from .documents import annual_report, certificate, ledger
from .documents.assessment import Assessment
from .errors import DocgenError
from .intake.annotate import annotated_copy
from .intake.reader import read_workbook
from .issues import FileReport, Location
from .render.environment import template_dir
from .render.pdf import join_pdfs
from .render.xlsx import Table, write_tables
from .validate import check_across, project_locations, validate_raw

try:
    VERSION = metadata.version("docgen")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    VERSION = "0"

WORK_FOLDER = ".docgen-work"  # inside the output folder; removed at the start and end of every run
MANIFEST = "manifest.json"
LISTING = "清单.xlsx"
RETURNED = "退回"  # annotated copies of faulty workbooks
ZIP_FOLDER = "按支部打包"
JOURNAL = ".docgen-journal.jsonl"  # one line per finished workbook while a run is under way

STATUS_LABELS = {
    "rendered": "已生成",
    "unchanged": "未变化，沿用上次结果",
    "incomplete": "部分文书生成失败",
    "invalid": "有错误，已退回",
    "failed": "处理失败",
}
KIND_TITLES = {**{kind: module.TITLE for kind, module in KINDS.items()},
               annual_report.KIND: annual_report.TITLE, ledger.KIND: ledger.TITLE}
OK_STATUSES = ("rendered", "unchanged", "incomplete")  # valid workbooks, counted in the year-end report


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs besides the workbook; part of the key that --resume compares."""

    kinds: tuple[str, ...]
    formats: tuple[str, ...]
    config: Config
    options: Options

    def fingerprint(self) -> str:
        """A hash of the options, the configuration, the templates and docgen's version."""
        digest = hashlib.sha256()
        chosen = {"kinds": self.kinds, "formats": self.formats, "date": self.options.date.isoformat(),
                  "period": self.options.period.label if self.options.period else None,
                  "per_project": self.options.per_project, "year": self.options.year, "version": VERSION}
        digest.update(json.dumps(chosen, ensure_ascii=False, sort_keys=True).encode())
        digest.update(self.config.model_dump_json().encode())
        folder = template_dir()
        for path in sorted(folder.iterdir()):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


@dataclass
class Written:
    """One file the run wrote: where (relative to the output folder), what and its hash."""

    path: str
    kind: str
    project: str
    format: str
    sha256: str
    bytes: int


@dataclass
class Failure:
    document: str
    format: str
    message: str


@dataclass
class Outcome:
    """What one workbook came to; a worker fills it in and the parent finishes it."""

    index: int
    source: str  # relative to the input folder
    status: str = "failed"
    sha256: str = ""
    key: str = ""
    branch: str = ""
    projects: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    documents: list[Written] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    annotated: str = ""
    message: str = ""
    # Not saved in the manifest:
    report: FileReport | None = None
    locations: dict[str, Location] = field(default_factory=dict)
    packed: bytes = b""  # the year-end assessments, pickled and compressed: thousands wait for the year end
    certificates: list[Any] = field(default_factory=list)
    staged: dict[str, str] = field(default_factory=dict)  # relative path → file in the work folder

    def pack(self, assessments: list[Assessment]) -> None:
        self.packed = zlib.compress(pickle.dumps(assessments, protocol=pickle.HIGHEST_PROTOCOL))

    def assessments(self) -> list[Assessment]:
        return pickle.loads(zlib.decompress(self.packed)) if self.packed else []

    def record(self) -> dict[str, Any]:
        """The manifest entry."""
        issues = [issue.to_dict() for issue in self.report.issues] if self.report else []
        return {
            "source": self.source, "status": self.status, "status_label": STATUS_LABELS[self.status],
            "sha256": self.sha256, "key": self.key, "branch": self.branch, "projects": self.projects,
            "errors": self.errors, "warnings": self.warnings, "message": self.message,
            "annotated": self.annotated or None,
            "documents": [asdict(d) for d in self.documents],
            "failures": [asdict(f) for f in self.failures],
            "issues": issues,
        }


@dataclass(frozen=True)
class Job:
    index: int
    path: str
    source: str
    work: str  # this job's folder inside the work folder
    previous: dict[str, Any] | None  # the manifest entry of the last run (with --resume)
    output: str  # the output folder, to check that the previous outputs are still there


# ---------------------------------------------------------------- worker side

class _Worker:
    """The per-process state: templates, fonts and Jinja loaded once."""

    def __init__(self, settings: Settings, fingerprint: str) -> None:
        self.settings = settings
        self.fingerprint = fingerprint
        self.renderers = Renderers(settings.formats)


_WORKER: _Worker | None = None


def _start_worker(settings: Settings, fingerprint: str) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    _WORKER = _Worker(settings, fingerprint)


def _run_job(job: Job) -> Outcome:
    assert _WORKER is not None
    return process(job, _WORKER)


def describe(exc: BaseException) -> str:
    """Our own errors speak Chinese already; anything else is named with its type for whoever fixes it."""
    return str(exc) if isinstance(exc, DocgenError) else f"{type(exc).__name__}: {exc}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process(job: Job, worker: _Worker) -> Outcome:
    """Validate one workbook and render its documents into the job's work folder."""
    outcome = Outcome(job.index, job.source)
    try:
        _process(job, worker, outcome)
    except Exception as exc:  # noqa: BLE001 - one workbook must never stop the run
        outcome.status = "failed"
        outcome.message = f"处理时出错：{describe(exc)}"
        outcome.staged.clear()
        outcome.documents.clear()
    return outcome


def _process(job: Job, worker: _Worker, outcome: Outcome) -> None:
    settings = worker.settings
    path = Path(job.path)
    raw = read_workbook(path)
    outcome.sha256 = raw.sha256
    intake, report = validate_raw(raw, settings.config)
    outcome.report = report
    outcome.errors, outcome.warnings = len(report.errors), len(report.warnings)
    if raw.readable:
        outcome.locations = project_locations(raw)
    if intake is None or not report.ok:
        outcome.status = "invalid"
        if raw.readable:
            target = Path(job.work) / "annotated.xlsx"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(annotated_copy(report))
            outcome.staged[f"{RETURNED}/{path.stem}{ANNOTATED_SUFFIX}"] = str(target)
        return
    outcome.branch = intake.projects[0].branch if intake.projects else ""
    outcome.projects = [p.code for p in intake.projects]
    outcome.key = _sha256(f"{outcome.sha256}|{worker.fingerprint}".encode())
    outcome.pack(annual_report.assess_workbook(intake, settings.config, settings.options.year, settings.options.date))
    planned = list(documents(intake, list(settings.kinds), settings.config, settings.options))
    outcome.certificates = [d.context for d in planned if d.kind == certificate.KIND]
    if _unchanged(job, outcome.key):
        outcome.status = "unchanged"
        outcome.documents = [Written(**d) for d in job.previous["documents"]]
        return
    outcome.status = "rendered"
    for document in planned:
        _render_into(document, worker.renderers, Path(job.work), outcome)
    if outcome.failures:
        outcome.status = "incomplete"


def _unchanged(job: Job, key: str) -> bool:
    previous = job.previous
    if not previous or previous.get("key") != key or previous.get("status") not in ("rendered", "unchanged"):
        return False
    out = Path(job.output)
    for entry in previous.get("documents", []):
        target = out / entry["path"]
        if not target.is_file() or target.stat().st_size != entry["bytes"]:
            return False
    return True


def _render_into(document: Document, renderers: Renderers, work: Path, outcome: Outcome,
                 formats: tuple[str, ...] | None = None) -> None:
    context = document.context.model_dump()
    for fmt in formats or renderers.formats:
        relative = "/".join(p for p in (document.folder, f"{document.stem}.{fmt}") if p)
        try:
            data = renderers.render(fmt, document.kind, context, document.metadata)
        except Exception as exc:  # noqa: BLE001 - one document must never stop the others
            outcome.failures.append(Failure(relative, fmt, describe(exc)))
            continue
        target = work / f"{len(outcome.staged)}.{fmt}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        outcome.staged[relative] = str(target)
        outcome.documents.append(Written(relative, document.kind, document.project_code, fmt,
                                         _sha256(data), len(data)))


def _render_document(document: Document, formats: tuple[str, ...], work: str) -> Outcome:
    """A pool task for the end of the run: one document (the year-end report, the Word combined certificates)."""
    assert _WORKER is not None
    outcome = Outcome(-1, "")
    _render_into(document, _WORKER.renderers, Path(work), outcome, formats)
    return outcome


def _render_pdf(kind: str, context: dict[str, Any], metadata: dict[str, str]) -> bytes:
    """A pool task: one PDF as bytes (a part of the combined certificates)."""
    assert _WORKER is not None
    return _WORKER.renderers.render("pdf", kind, context, metadata)


# ---------------------------------------------------------------- parent side

class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, outcome: Outcome) -> None: ...
    def stage(self, text: str) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    def start(self, total: int) -> None: pass
    def advance(self, outcome: Outcome) -> None: pass
    def stage(self, text: str) -> None: pass
    def finish(self) -> None: pass


@dataclass
class BatchResult:
    out_dir: Path
    outcomes: list[Outcome]
    year_end: list[Written] = field(default_factory=list)
    year_end_failures: list[Failure] = field(default_factory=list)
    year: int | None = None
    projects: int = 0
    zips: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file relative to the input, why)

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def documents(self) -> int:
        return sum(len(o.documents) for o in self.outcomes) + len(self.year_end)

    @property
    def ok(self) -> bool:
        return (not self.year_end_failures
                and all(o.status in ("rendered", "unchanged") for o in self.outcomes))


class BatchInterrupted(DocgenError):
    """Ctrl-C or a termination signal: the finished workbooks are kept and recorded."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"已中断：完成 {done}/{total} 个申报表，已完成的文书和清单均已保存；"
                         f"加 --resume 再次运行可跳过已完成的申报表。")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def batch(
    in_dir: str | Path,
    out_dir: str | Path,
    kinds: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    config: Config | None = None,
    options: Options | None = None,
    workers: int | None = None,
    resume: bool = False,
    make_zip: bool = False,
    progress: Progress | None = None,
) -> BatchResult:
    """Run a whole folder of workbooks; see the module docstring."""
    started = time.perf_counter()
    out = Path(out_dir)
    in_path = Path(in_dir)
    if not in_path.is_dir():
        raise DocgenError(f"找不到申报表文件夹：{in_path}")
    settings = Settings(tuple(k for k in KINDS if k in set(kinds or KINDS)),
                        tuple(f for f in FORMATS if f in set(formats)), config or Config(), options or Options())
    settings.config.require_organization()
    progress = progress or _Silent()
    if _inside(in_path, out):
        raise DocgenError(f"输出目录 {out} 不能是申报表文件夹本身或它的上级目录，请另选一个输出目录。")
    found = scan_workbooks([in_path], outside=out)
    workbooks = found.workbooks
    if not workbooks:
        raise DocgenError(f"在 {in_path} 里没有找到任何 .xlsx / .xlsm 申报表。")
    out.mkdir(parents=True, exist_ok=True)
    work = out / WORK_FOLDER
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    previous = _previous_manifest(out) if resume else {}
    fingerprint = settings.fingerprint()
    jobs = [Job(i, str(p), _relative(p, in_path), str(work / str(i)), previous.get(_relative(p, in_path)), str(out))
            for i, p in enumerate(workbooks)]
    result = BatchResult(out, [], skipped=[(_relative(p, in_path), why) for p, why in found.skipped])
    placer = _Placer(out, previous)
    manifest = _ManifestWriter(out, in_path, settings)
    progress.start(len(jobs))
    # Placed in folder order whatever order the workers finish in, so that of two workbooks
    # giving one name the first in the folder keeps it and the other gets (2).
    waiting: dict[int, Outcome] = {}

    def place(outcome: Outcome) -> None:
        placer.place(outcome)
        result.outcomes.append(outcome)
        manifest.append(outcome)

    try:
        try:
            with _sigterm_as_interrupt(), _pool(settings, fingerprint, workers or default_workers()) as pool:
                for outcome in pool.run(jobs):
                    waiting[outcome.index] = outcome
                    while len(result.outcomes) in waiting:
                        place(waiting.pop(len(result.outcomes)))
                    progress.advance(outcome)  # reported once placed or waiting: an interruption keeps it
                _codes_across(result, placer)
                progress.stage("年度汇总报告、台账和荣誉证书合订本")
                _year_end(result, settings, pool, placer, work)
        except KeyboardInterrupt:
            for index in sorted(waiting):  # finished before the interruption: kept, in folder order
                place(waiting.pop(index))
            done = {o.source for o in result.outcomes}
            # Workbooks not reached keep their last entry: their files from the last run are still there.
            manifest.save(result, carried=[e for source, e in previous.items() if source not in done])
            shutil.rmtree(work, ignore_errors=True)
            raise BatchInterrupted(len(result.outcomes), len(jobs)) from None
        if make_zip:
            progress.stage("按支部打包")
            result.zips = _zip_branches(result)
        result.seconds = time.perf_counter() - started
        manifest.save(result, final=True)
        write_atomic(out / LISTING, listing(result))
        shutil.rmtree(work, ignore_errors=True)
        progress.finish()
    finally:
        manifest.close()
    return result


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A termination signal (a closed terminal, a stopped service) ends the run as Ctrl-C does."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _previous_manifest(out: Path) -> dict[str, dict[str, Any]]:
    """The last run's entries: manifest.json, then the journal of a run that was killed before it ended."""
    entries: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        entries.update((entry["source"], entry) for entry in data["workbooks"])
    with contextlib.suppress(OSError):
        with open(out / JOURNAL, encoding="utf-8") as journal:
            for text in journal:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    entry = json.loads(text)
                    entries[entry["source"]] = entry
    return entries


class _Placer:
    """Moves staged files to their final names; a name already taken in this run gets a number."""

    def __init__(self, out: Path, previous: dict[str, dict[str, Any]]) -> None:
        self.out = out
        self.claimed: dict[str, str] = {}  # relative path → the workbook holding it
        # Names the last run gave to other workbooks stay theirs, should those workbooks be unchanged.
        self.reserved = {d["path"]: source for source, entry in previous.items()
                         for d in entry.get("documents", [])}

    def free(self, relative: str, source: str) -> str:
        """`relative`, or `name(2).pdf`, `name(3).pdf` … when another workbook holds it."""
        if relative.endswith(ANNOTATED_SUFFIX):
            base, suffix = relative[: -len(ANNOTATED_SUFFIX)], ANNOTATED_SUFFIX
        else:
            base, suffix = os.path.splitext(relative)
        candidate, number = relative, 2
        while self.claimed.get(candidate, source) != source or self.reserved.get(candidate, source) != source:
            candidate = f"{base}({number}){suffix}"
            number += 1
        return candidate

    def place(self, outcome: Outcome) -> None:
        if outcome.status == "unchanged":
            for d in outcome.documents:
                self.claimed[d.path] = outcome.source
            return
        renamed: dict[str, str] = {}
        for relative, staged in outcome.staged.items():
            final = self.free(relative, outcome.source)
            self.claimed[final] = outcome.source
            target = self.out / final
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            renamed[relative] = final
            if relative.startswith(RETURNED + "/"):
                outcome.annotated = final
        for d in outcome.documents:
            d.path = renamed.get(d.path, d.path)
        outcome.staged.clear()

    def withdraw(self, outcome: Outcome) -> None:
        """Remove a workbook's documents again (its project code turned out to clash with another's)."""
        for d in outcome.documents:
            with contextlib.suppress(OSError):
                (self.out / d.path).unlink()
            self.claimed.pop(d.path, None)
        outcome.documents.clear()


class _ManifestWriter:
    """manifest.json at the end (or on Ctrl-C); meanwhile each finished workbook is appended to a journal.

    The journal costs one line per workbook however large the run; should the process be
    killed outright, the next --resume reads it next to the last manifest.json.
    """

    def __init__(self, out: Path, in_dir: Path, settings: Settings) -> None:
        self.out, self.in_dir, self.settings = out, in_dir, settings
        self.journal = open(out / JOURNAL, "a", encoding="utf-8")

    def append(self, outcome: Outcome) -> None:
        self.journal.write(json.dumps(outcome.record(), ensure_ascii=False) + "\n")
        self.journal.flush()

    def save(self, result: BatchResult, final: bool = False, carried: list[dict[str, Any]] | None = None) -> None:
        """Write manifest.json one workbook entry at a time (a large run's manifest never sits in memory whole)."""
        head = json.dumps(manifest(result, self.in_dir, self.settings, final), ensure_ascii=False, indent=1)
        entries = itertools.chain((o.record() for o in sorted(result.outcomes, key=lambda o: o.index)), carried or [])
        with atomic_file(self.out / MANIFEST, "w") as handle:
            handle.write(head[:-1].rstrip() + ',\n "workbooks": [\n')
            for number, entry in enumerate(entries):
                handle.write(("," if number else "") + json.dumps(entry, ensure_ascii=False) + "\n")
            handle.write("]}\n")
        self.close()
        with contextlib.suppress(OSError):
            (self.out / JOURNAL).unlink()

    def close(self) -> None:
        self.journal.close()


def manifest(result: BatchResult, in_dir: Path, settings: Settings, final: bool = True) -> dict[str, Any]:
    """What manifest.json holds besides the per-workbook entries (written after it, under "workbooks")."""
    return {
        "docgen": VERSION,
        "finished": final,
        "written_at": dt.datetime.now().isoformat(timespec="seconds"),
        "input": str(in_dir.resolve()),
        "kinds": list(settings.kinds),
        "formats": list(settings.formats),
        "date": settings.options.date.isoformat(),
        "summary": {
            "workbooks": len(result.outcomes),
            **{status: result.count(status) for status in STATUS_LABELS},
            "documents": result.documents,
            "seconds": round(result.seconds, 1),
        },
        "year_end": {"year": result.year, "projects": result.projects,
                     "documents": [asdict(d) for d in result.year_end],
                     "failures": [asdict(f) for f in result.year_end_failures]},
        "zips": result.zips,
        "skipped": [{"source": source, "reason": why} for source, why in result.skipped],
    }


def _codes_across(result: BatchResult, placer: _Placer) -> None:
    """A project code in two valid workbooks is an error in both: their documents are withdrawn."""
    valid = [o for o in result.outcomes if o.status in OK_STATUSES and o.report is not None]
    before = {id(o): len(o.report.errors) for o in valid}
    check_across([(o.report, o.locations) for o in valid])
    for o in valid:
        if len(o.report.errors) == before[id(o)]:
            continue
        placer.withdraw(o)
        o.status, o.key = "invalid", ""
        o.errors, o.warnings = len(o.report.errors), len(o.report.warnings)
        o.packed, o.certificates = b"", []
        with contextlib.suppress(OSError, DocgenError):
            target = f"{RETURNED}/{Path(o.source).stem}{ANNOTATED_SUFFIX}"
            final = placer.free(target, o.source)
            write_atomic(placer.out / final, annotated_copy(o.report))
            placer.claimed[final] = o.source
            o.annotated = final


def _annual(result: BatchResult, settings: Settings, placer: _Placer, valid: list[Outcome]) -> list[Document]:
    """Assess the year across every valid workbook; write the 台账 and return the 年度汇总报告 to render."""
    options = settings.options
    tasks: list[Document] = []
    unpacked = {o.source: o.assessments() for o in valid}
    assessed = [(a, Path(source).name) for source, items in unpacked.items() for a in items]
    if assessed:
        year = annual_report.run_year([a for a, _ in assessed], options)
        stale = {source for source, items in unpacked.items() for a in items if a.year != year}
        if stale:  # only when projects report different years and no --year was given
            assessed = [pair for o in valid if o.source not in stale for pair in
                        ((a, Path(o.source).name) for a in unpacked[o.source])]
            assessed += _assess_again([o for o in valid if o.source in stale], settings, year)
        data = annual_report.combine(assessed, len(valid), year, settings.config)
        result.year, result.projects = data.year, len(data.assessments)
        tasks.append(annual_report.document(data, settings.config, options))
        target, content = write_ledger(data, placer.out, settings.config, options)
        result.year_end.append(Written(target.name, ledger.KIND, "", "xlsx", _sha256(content), len(content)))
    return tasks


def _year_end(result: BatchResult, settings: Settings, pool: "_Pool", placer: _Placer, work: Path) -> None:
    valid = [o for o in result.outcomes if o.status in OK_STATUSES]
    # The assessments are unpacked only inside _annual(): gone again before the documents are rendered.
    tasks = _annual(result, settings, placer, valid)
    certificates = [c for o in valid for c in o.certificates]
    calls: list[tuple[Any, tuple]] = [(_render_document, (task, settings.formats, str(work / "year-end" / str(i))))
                                      for i, task in enumerate(tasks)]
    parts = []
    if certificates:
        combined = combined_document(certificates, settings.config.organization.name)
        if "docx" in settings.formats:
            calls.append((_render_document, (combined, ("docx",), str(work / "year-end" / "combined"))))
        if "pdf" in settings.formats:  # laid out in parts, side by side in the workers, then joined here
            parts = certificate.combined_parts(certificates)
            calls += [(_render_pdf, (certificate.KIND, part.model_dump(), combined.metadata)) for part in parts]
    results = pool.call_all(calls)
    pdf_parts = results[len(results) - len(parts):] if parts else []
    for outcome, (_, args) in zip(results[:len(results) - len(parts)], calls):
        if isinstance(outcome, BaseException):
            outcome = _failed(args[0], outcome)
        placer.place(outcome)
        result.year_end += outcome.documents
        result.year_end_failures += outcome.failures
    if parts:
        name = f"{certificate.COMBINED}.pdf"
        failed = next((p for p in pdf_parts if isinstance(p, BaseException)), None)
        if failed is not None:
            result.year_end_failures.append(Failure(name, "pdf", describe(failed)))
            return
        data = join_pdfs(pdf_parts)
        write_atomic(placer.out / name, data)
        placer.claimed[name] = ""
        result.year_end.append(Written(name, certificate.KIND, "", "pdf", _sha256(data), len(data)))


def _failed(document: Document, exc: BaseException) -> Outcome:
    outcome = Outcome(-1, "")
    outcome.failures.append(Failure(document.stem, "", describe(exc)))
    return outcome


def _assess_again(outcomes: list[Outcome], settings: Settings, year: int) -> list[tuple[Assessment, str]]:
    pairs = []
    for o in outcomes:
        assert o.report is not None
        intake, _ = load(o.report.path, settings.config)
        if intake is not None:
            assessed = annual_report.assess_workbook(intake, settings.config, year, settings.options.date)
            pairs += [(a, Path(o.source).name) for a in assessed]
    return pairs


def _zip_branches(result: BatchResult) -> list[str]:
    """One zip per branch holding its documents, in the folder 按支部打包."""
    by_branch: dict[str, list[str]] = {}
    for o in result.outcomes:
        if o.documents:
            by_branch.setdefault(o.branch or Path(o.source).stem, []).extend(d.path for d in o.documents)
    made = []
    for branch, paths in sorted(by_branch.items()):
        name = f"{ZIP_FOLDER}/{safe_name(branch)}.zip"
        with atomic_file(result.out_dir / name) as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                for path in sorted(set(paths)):
                    archive.write(result.out_dir / path, path)
        made.append(name)
    return made


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


def listing(result: BatchResult) -> bytes:
    """清单.xlsx: a sheet of workbooks (status, issue counts) and a sheet of every file written."""
    workbooks = []
    for o in result.outcomes:
        notes = [o.message] if o.message else []
        notes += [f"{f.document}：{f.message}" for f in o.failures]
        if o.status == "invalid" and o.report is not None:
            notes += [str(issue) for issue in o.report.errors[:3]]
            if len(o.report.errors) > 3:
                notes.append(f"……共 {len(o.report.errors)} 处错误，见退回副本")
        workbooks.append({"index": o.index + 1, "source": o.source, "branch": o.branch,
                          "status": STATUS_LABELS[o.status], "errors": o.errors, "warnings": o.warnings,
                          "count": len(o.documents), "annotated": o.annotated, "message": "\n".join(notes)})
    files = itertools.chain(((d, o.source) for o in result.outcomes for d in o.documents),
                            ((d, "（全部申报表）") for d in result.year_end))
    rows = ({"index": i, "path": d.path, "kind": KIND_TITLES.get(d.kind, d.kind), "project": d.project,
             "source": source, "sha256": d.sha256, "bytes": d.bytes} for i, (d, source) in enumerate(files, 1))
    return write_tables([
        Table("申报表处理情况", LISTING_WORKBOOKS, workbooks, {"errors": "positive_red"}, sheet="申报表"),
        Table("生成的文件", LISTING_DOCUMENTS, rows, sheet="文件"),
    ])


# ---------------------------------------------------------------- pools

class _Pool:
    """Runs jobs in worker processes, or in this process when one worker is asked for."""

    def __init__(self, settings: Settings, fingerprint: str, workers: int) -> None:
        self.settings, self.fingerprint, self.workers = settings, fingerprint, workers
        self.executor: ProcessPoolExecutor | None = None
        if workers <= 1:
            global _WORKER
            _WORKER = _Worker(settings, fingerprint)

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self.executor = ProcessPoolExecutor(self.workers, multiprocessing.get_context(method),
                                                initializer=_start_worker, initargs=(self.settings, self.fingerprint))
        return self.executor

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Yield each job's outcome as it finishes; a workbook that kills its worker costs only itself.

        When a worker dies, the pool cannot tell which of the jobs it held was the cause: each of
        them is run again alone, and the one that breaks the pool alone is reported as failed.
        """
        if self.workers <= 1:
            for job in jobs:
                yield _run_job(job)
            return
        pending = list(reversed(jobs))
        suspects: list[Job] = []
        running: dict[Future, tuple[Job, ProcessPoolExecutor, bool]] = {}
        limit = self.workers * 4  # a few queued per worker; the rest wait here, not in pipes
        while pending or running or suspects:
            if suspects:
                if not running:
                    job = suspects.pop()
                    executor = self._executor()
                    running[executor.submit(_run_job, job)] = (job, executor, True)
            else:
                while pending and len(running) < limit:
                    job = pending.pop()
                    executor = self._executor()
                    running[executor.submit(_run_job, job)] = (job, executor, False)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job, executor, alone = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    if alone:
                        yield Outcome(job.index, job.source, message="处理该申报表时工作进程意外退出")
                    else:
                        suspects.append(job)
                    if executor is self.executor:
                        self._reset()
                except Exception as exc:  # noqa: BLE001 - e.g. an outcome that cannot be sent back
                    yield Outcome(job.index, job.source, message=f"处理时出错：{describe(exc)}")

    def call_all(self, calls: list[tuple[Any, tuple]]) -> list[Any]:
        """Run every (function, arguments) side by side; each result in order, or the exception it raised."""
        if self.workers <= 1:
            results: list[Any] = []
            for function, args in calls:
                try:
                    results.append(function(*args))
                except Exception as exc:  # noqa: BLE001 - reported by the caller
                    results.append(exc)
            return results
        futures = [self._executor().submit(function, *args) for function, args in calls]
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                results.append(exc)
        return results

    def _reset(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    def close(self, interrupted: bool = False) -> None:
        if self.executor is None:
            return
        if interrupted:  # stop the workers now, and wait until they no longer write anything
            processes = list((getattr(self.executor, "_processes", None) or {}).values())
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(5)
                    if process.is_alive():
                        process.kill()
                        process.join(1)
        self.executor.shutdown(wait=not interrupted, cancel_futures=True)
        self.executor = None


@contextlib.contextmanager
def _pool(settings: Settings, fingerprint: str, workers: int) -> Iterator[_Pool]:
    pool = _Pool(settings, fingerprint, workers)
    try:
        yield pool
    except BaseException:
        pool.close(interrupted=True)
        raise
    pool.close()
