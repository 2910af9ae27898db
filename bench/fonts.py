"""PDF time and size per page with docgen's cut-down faces, against the same faces whole, in one run.

    python bench/fonts.py [--rounds 3]

Every document of the bundled valid samples is rendered to PDF (after one warm-up
document) in two set-ups that differ only in the fonts: (a) as docgen renders, the
GB 2312 cut-down faces of FandolFang, AR PL KaitiM GB and Noto CJK first in each
role's stack; (b) the stacks without the cut-down faces, so WeasyPrint subsets the
whole system fonts for every PDF. The best of --rounds is printed for each, with ratios.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import time
from pathlib import Path

from pypdf import PdfReader

from docgen import api
from docgen.config import load_config
from docgen.documents import KINDS, Options, documents
from docgen.render import PdfRenderer

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample_documents():
    config = load_config(SAMPLES / "docgen.toml")
    options = Options(date=dt.date(2024, 12, 23))
    found = []
    for path in api.find_workbooks([SAMPLES]):
        intake, report = api.load(path, config)
        if report.ok:
            found += list(documents(intake, list(KINDS), config, options))
    return found


def measure(renderer: PdfRenderer, docs, rounds: int) -> tuple[float, int, int]:
    renderer.render(docs[0].kind, docs[0].context.model_dump(), docs[0].metadata)  # warm-up
    best = None
    for _ in range(rounds):
        started, pages, size = time.perf_counter(), 0, 0
        for d in docs:
            pdf = renderer.render(d.kind, d.context.model_dump(), d.metadata)
            pages += len(PdfReader(io.BytesIO(pdf)).pages)
            size += len(pdf)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None or elapsed < best else best
    return best, pages, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    docs = sample_documents()
    cut = measure(PdfRenderer(), docs, args.rounds)
    whole = measure(PdfRenderer(cut_down_fonts=False), docs, args.rounds)
    print(f"{len(docs)} PDFs, {cut[1]} pages; best of {args.rounds} rounds")
    for label, (seconds, pages, size) in (("cut-down faces (docgen)", cut), ("whole faces", whole)):
        print(f"  {label:<24} {seconds:6.2f} s  {seconds / pages * 1000:5.0f} ms/page  {size / pages / 1024:5.0f} KB/page")
    print(f"  whole / cut-down: time {whole[0] / cut[0]:.2f}×, size {whole[2] / cut[2]:.2f}×")


if __name__ == "__main__":
    main()
