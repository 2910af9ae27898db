"""Benchmark of the year-end batch: validation, docx, PDF, the whole run, memory, and the naive way.

    python bench/run.py [--workbooks 300] [--workers N] [--naive 10] [--set DIR] [--skip-naive]

A synthetic set is written by bench/make_set.py (kept in --set DIR when given,
else in a temporary folder). Every figure is printed as it is measured:

1. validation: every workbook read and checked, in the worker pool;
2. docx: `docgen batch --format docx` over the whole set;
3. rendering alone: the contexts of every document rendered in the worker pool,
   as docx (documents per second) and as PDF (documents and pages per second,
   bytes per page; one-page documents apart), and the combined certificate
   file of the whole set in one process;
4. the whole run: `docgen batch` with every kind in docx and PDF, its wall time
   and the peak memory of all its processes together;
5. the naive way on the first --naive workbooks, serial: per document a
   DocxTemplate loaded from disk, and a fresh WeasyPrint render with system fonts;
   compared with the batch on the same workbooks;
6. the PDF leg against LibreOffice on the documents of the first --office workbooks:
   their .docx converted by one `soffice --headless --convert-to pdf` call (a private
   profile, warmed by one conversion first) against docgen's PDF rendering of the same
   documents in one fresh process on one core (its start-up included); skipped with a
   message when soffice is missing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_set import make_set  # noqa: E402

from docgen import api  # noqa: E402
from docgen.batch import batch, default_workers  # noqa: E402
from docgen.config import load_config  # noqa: E402
from docgen.documents import KINDS, Options, certificate, documents  # noqa: E402
from docgen.render.environment import template_dir  # noqa: E402

DATE = dt.date(2024, 12, 23)
CONFIG = load_config(HERE.parent / "samples" / "docgen.toml")  # the organisation every document names
OPTIONS = Options(date=DATE)


class PeakMemory:
    """Samples the resident memory of this process and all its descendants; keeps the peak of the sum."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(self.every)


def tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def mib(value: float) -> str:
    return f"{value / 2**20:.0f} MB"


def line(label: str, value: str) -> None:
    print(f"{label:<34}{value}", flush=True)


# ---------------------------------------------------------------- validation

def _validate(path: str) -> bool:
    return api.load(path, CONFIG)[1].ok


def bench_validation(paths: list[Path], workers: int) -> None:
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        ok = sum(pool.map(_validate, map(str, paths), chunksize=4))
    seconds = time.perf_counter() - start
    line("validation", f"{len(paths)} workbooks in {seconds:.1f} s = {len(paths) / seconds:.0f} workbooks/s "
         f"({ok} valid)")


# ---------------------------------------------------------------- PDF

_RENDERERS = None


def _start() -> None:
    global _RENDERERS
    _RENDERERS = api.Renderers(api.FORMATS)


def _pdf(item: tuple[str, dict]) -> tuple[int, int]:
    from pypdf import PdfReader

    data = _RENDERERS.render("pdf", *item)
    return len(data), len(PdfReader(io.BytesIO(data)).pages)


def _docx(item: tuple[str, dict]) -> int:
    return len(_RENDERERS.render("docx", *item))


def contexts(paths: list[Path]) -> list[tuple[str, dict]]:
    items = []
    for path in paths:
        intake, report = api.load(path, CONFIG)
        if intake is not None and report.ok:
            items += [(d.kind, d.context.model_dump()) for d in documents(intake, list(KINDS), CONFIG, OPTIONS)]
    return items


def bench_render(paths: list[Path], workers: int) -> None:
    items = contexts(paths)
    with ProcessPoolExecutor(workers, initializer=_start) as pool:
        list(pool.map(_pdf, items[:workers * 2]))  # load fonts and templates in every worker first
        list(pool.map(_docx, items[:workers * 8]))
        start = time.perf_counter()
        list(pool.map(_docx, items, chunksize=16))
        seconds = time.perf_counter() - start
        line("docx (rendering only)", f"{len(items)} documents in {seconds:.1f} s = {len(items) / seconds:.0f} documents/s")
        start = time.perf_counter()
        sizes = list(pool.map(_pdf, items, chunksize=4))
        seconds = time.perf_counter() - start
        pages = sum(p for _, p in sizes)
        line("PDF (all kinds)", f"{len(items)} documents, {pages} pages in {seconds:.1f} s = "
             f"{len(items) / seconds:.1f} documents/s, {pages / seconds:.1f} pages/s")
        line("PDF size", f"{sum(b for b, _ in sizes) / pages / 1024:.0f} KB per page on average")
        single = [item for item, (_, p) in zip(items, sizes) if p == 1]
        start = time.perf_counter()
        one = list(pool.map(_pdf, single, chunksize=4))
        seconds = time.perf_counter() - start
        line("PDF one-page documents", f"{len(single)} in {seconds:.1f} s = {len(single) / seconds:.1f} documents/s, "
             f"{sum(b for b, _ in one) / len(one) / 1024:.0f} KB each (largest {max(b for b, _ in one) / 1024:.0f} KB)")
    certificates = [c for kind, c in items if kind == certificate.KIND]
    if certificates:
        from docgen.render import PdfRenderer

        renderer = PdfRenderer()
        combined = certificate.combined([certificate.CertificateContext.model_validate(c) for c in certificates])
        renderer.render(certificate.KIND, combined.model_dump())  # warm
        start = time.perf_counter()
        data = renderer.render(certificate.KIND, combined.model_dump())
        seconds = time.perf_counter() - start
        line("combined certificates (1 process)", f"{len(certificates)} pages in {seconds:.1f} s = "
             f"{len(certificates) / seconds:.0f} certificates/s, {len(data) / len(certificates) / 1024:.0f} KB per page")


# ---------------------------------------------------------------- batch runs

def run_batch(paths_dir: Path, out: Path, formats: tuple[str, ...], workers: int):
    shutil.rmtree(out, ignore_errors=True)
    with PeakMemory() as memory:
        start = time.perf_counter()
        result = batch(paths_dir, out, None, formats, CONFIG, OPTIONS, workers)
        seconds = time.perf_counter() - start
    return result, seconds, memory.peak


def count(result, fmt: str) -> int:
    return sum(d.format == fmt for o in result.outcomes for d in o.documents) + \
        sum(d.format == fmt for d in result.year_end)


# ---------------------------------------------------------------- the naive way

def naive(paths: list[Path], out: Path) -> tuple[int, float]:
    """Per document: the .docx template loaded from disk; a fresh WeasyPrint with system fonts. Serial."""
    import weasyprint
    from docxtpl import DocxTemplate
    from weasyprint.text.fonts import FontConfiguration

    from docgen.render.environment import html_environment

    folder = template_dir()
    css = (folder / "document.css").read_text(encoding="utf-8")
    css = css.replace('"docgen Serif", ', "").replace('"docgen Sans", ', "")  # system fonts only
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    start = time.perf_counter()
    for path in paths:
        intake, report = api.load(path, CONFIG)
        if intake is None or not report.ok:
            continue
        for document in documents(intake, list(KINDS), CONFIG, OPTIONS):
            context = document.context.model_dump()
            template = DocxTemplate(folder / f"{document.kind}.docx")
            template.render(context, autoescape=True)
            template.save(out / f"{written}.docx")
            html = html_environment(folder).get_template(f"{document.kind}.html").render(context)
            fonts = FontConfiguration()
            weasyprint.HTML(string=html, base_url=str(folder)).write_pdf(
                out / f"{written}.pdf", stylesheets=[weasyprint.CSS(string=css, font_config=fonts)], font_config=fonts)
            written += 2
    return written, time.perf_counter() - start


# ---------------------------------------------------------------- the PDF leg against LibreOffice

OFFICE_FONTS = HERE.parent / "tests" / "office" / "fonts.conf"  # the standard faces mapped to docgen's free ones


def _pdf_one_core(items: list[tuple[str, dict]]) -> tuple[float, float, int, float]:
    """In a fresh process: the renderer made, then every document rendered; (start-up s, rendering s, pages, CPU s)."""
    from pypdf import PdfReader

    cpu, start = time.process_time(), time.perf_counter()
    renderers = api.Renderers(("pdf",))
    ready = time.perf_counter()
    pages = 0
    for kind, context in items:
        pages += len(PdfReader(io.BytesIO(renderers.render("pdf", kind, context))).pages)
    return ready - start, time.perf_counter() - ready, pages, time.process_time() - cpu


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_office(paths: list[Path], scratch: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        line("PDF leg vs LibreOffice", "skipped: soffice is not installed")
        return
    from pypdf import PdfReader

    items = contexts(paths)
    renderers = api.Renderers(("docx",))
    folder = scratch / "office"
    sources = folder / "docx"
    sources.mkdir(parents=True)
    for number, (kind, context) in enumerate(items):
        (sources / f"{number:04d}-{kind}.docx").write_bytes(renderers.render("docx", kind, context))
    profile = Path(tempfile.mkdtemp(prefix="docgen-bench-lo-"))
    env = {**os.environ, "HOME": str(profile)}
    if OFFICE_FONTS.is_file():
        env["FONTCONFIG_FILE"] = str(OFFICE_FONTS)
    command = [soffice, "--headless", "--norestore", f"-env:UserInstallation={(profile / 'user').as_uri()}",
               "--convert-to", "pdf", "--outdir"]
    try:
        warm = folder / "warm"
        subprocess.run([*command, str(warm), str(next(sources.iterdir()))], check=True, capture_output=True,
                       env=env, timeout=600)  # the profile made once, as docgen's font cache is
        cpu, start = _cpu_children(), time.perf_counter()
        subprocess.run([*command, str(folder / "pdf"), *map(str, sorted(sources.iterdir()))], check=True,
                       capture_output=True, env=env, timeout=3600)
        office, office_cpu = time.perf_counter() - start, _cpu_children() - cpu
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    office_pages = sum(len(PdfReader(path).pages) for path in (folder / "pdf").glob("*.pdf"))
    line(f"LibreOffice docx → PDF ({len(paths)} wb)", f"{len(items)} documents, {office_pages} pages in {office:.1f} s "
         f"({office_cpu:.1f} s CPU), one soffice call")
    with ProcessPoolExecutor(1) as pool:
        start = time.perf_counter()
        ready, rendering, pages, cpu = pool.submit(_pdf_one_core, items).result()
        ours = time.perf_counter() - start
    line(f"docgen PDF, 1 core ({len(paths)} wb)", f"{len(items)} documents, {pages} pages in {ours:.1f} s "
         f"({cpu:.1f} s CPU; start-up {ready:.1f} s, rendering {rendering:.1f} s = "
         f"{rendering / pages * 1000:.0f} ms per page)")
    line("PDF leg vs LibreOffice", f"{office / ours:.1f}× faster per core ({office_cpu / cpu:.1f}× in CPU time; "
         f"start-up included)")


def main() -> None:
    parser = argparse.ArgumentParser(description="docgen 年终批量处理基准测试")
    parser.add_argument("--workbooks", type=int, default=300)
    parser.add_argument("--certificates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--naive", type=int, default=10, help="workbooks in the naive comparison")
    parser.add_argument("--office", type=int, default=10, help="workbooks in the comparison with LibreOffice")
    parser.add_argument("--skip-office", action="store_true")
    parser.add_argument("--set", type=Path, default=None, help="keep the synthetic set here (reused when present)")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--only-run", action="store_true", help="only the whole run (for the memory of large sets)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    try:
        folder = args.set or scratch / "set"
        if not folder.is_dir() or len(list(folder.glob("*.xlsx"))) != args.workbooks:
            shutil.rmtree(folder, ignore_errors=True)
            start = time.perf_counter()
            make_set(folder, args.workbooks, args.certificates)
            print(f"synthetic set: {args.workbooks} workbooks written in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
        paths = sorted(folder.glob("*.xlsx"))
        line("machine", f"{os.cpu_count()} cores, {args.workers} workers, {len(paths)} workbooks")
        from docgen.render.fonts import font_face_css

        start = time.perf_counter()
        font_face_css()
        line("font subsets ready", f"{time.perf_counter() - start:.2f} s (made once, then cached)")

        if not args.only_run:
            bench_validation(paths, args.workers)
            result, seconds, _ = run_batch(folder, scratch / "docx", ("docx",), args.workers)
            docx = count(result, "docx")
            line("docx (batch, all kinds)", f"{docx} documents in {seconds:.1f} s = {docx / seconds:.0f} documents/s "
                 "(validation included)")
            bench_render(paths, args.workers)
            if not args.skip_office:
                bench_office(paths[: args.office], scratch)

        result, seconds, peak = run_batch(folder, scratch / "all", ("docx", "pdf"), args.workers)
        pdf, docx = count(result, "pdf"), count(result, "docx")
        line("whole run (docx + PDF, all kinds)", f"{seconds:.1f} s: {len(result.outcomes)} workbooks, "
             f"{pdf} PDF + {docx} docx + {result.documents - pdf - docx} other files")
        line("peak memory (all processes)", mib(peak))
        if args.skip_naive or args.only_run:
            return
        subset = scratch / "subset"
        subset.mkdir()
        for path in paths[: args.naive]:
            shutil.copy(path, subset / path.name)
        result, ours, _ = run_batch(subset, scratch / "subset-out", ("docx", "pdf"), args.workers)
        written, slow = naive(sorted(subset.glob("*.xlsx")), scratch / "naive")
        line(f"naive way ({args.naive} workbooks)", f"{written} files in {slow:.1f} s = {written / slow:.1f} files/s")
        line(f"batch ({args.naive} workbooks)", f"{result.documents} files in {ours:.1f} s "
             f"(incl. year-end report and combined certificates)")
        line("speed-up over the naive way", f"{slow / ours:.1f}× on the subset; "
             f"{slow / written * (pdf + docx) / seconds:.1f}× for the whole run (naive time extrapolated)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
