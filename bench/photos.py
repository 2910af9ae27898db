"""Benchmark of 活动照片: document sizes with six phone photos, and a batch's memory with and without photos.

    python bench/photos.py [--workbooks 20] [--workers 2]

1. one 12-megapixel photo stored sideways, as a JPEG and as an iPhone's HEIC of the same
   picture, each made ready (decoded, turned upright, cut to 1800 px, saved as JPEG) in a
   fresh process: the time (best of three) and the memory it takes above the process at rest;
2. one 结题报告 with six 12-megapixel phone photos (4032 × 3024, 1.6 MB each, one stored
   sideways): its PDF and .docx sizes, against the same report without photos;
3. a batch of --workbooks workbooks (结题报告 and 进度报告, PDF and Word), each with six
   such photos, against the same batch without photos: time, and the peak memory of all
   its processes together (sampled). Each batch runs in a fresh process.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "src")]

from builder import full_book, progress_row, project_row, result_row, task_row  # noqa: E402
from photos import phone_photo  # noqa: E402

CAPTIONS = ["开班仪式", "上门走访", "技能比武", "先锋岗挂牌", "集中服务日", "总结表彰会"]
HEADERS = ["项目编号*", "照片*", "说明*", "拍摄日期"]

ONE = """
import io, json, sys, time
sys.path[:0] = {paths!r}
from docgen.intake import images
from docgen.pipeline.photos import LONGEST, QUALITY

def kb(field):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(field))

images.upright(open({small!r}, "rb").read(), LONGEST)  # the decoders loaded before measuring
data = open({path!r}, "rb").read()
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")  # the peak memory starts again from now
rest = kb("VmRSS:")
start = time.perf_counter()
picture = images.upright(data, LONGEST)
picture.save(io.BytesIO(), "JPEG", quality=QUALITY, optimize=True, progressive=True)
times, extra = [time.perf_counter() - start], (kb("VmHWM:") - rest) / 1024
for _ in range(2):
    start = time.perf_counter()
    images.upright(data, LONGEST).save(io.BytesIO(), "JPEG", quality=QUALITY, optimize=True, progressive=True)
    times.append(time.perf_counter() - start)
print(json.dumps({{"seconds": min(times), "size": picture.size, "extra_mb": extra}}))
"""

BATCH = """
import datetime, json, sys, time
sys.path[:0] = {paths!r}
from conftest import CONFIG
from docgen import api
from docgen.batch import batch
from run import PeakMemory
if __name__ == "__main__":
    start = time.perf_counter()
    with PeakMemory() as memory:
        result = batch({inbox!r}, {out!r}, ["closing_report", "progress"], ["pdf", "docx"], CONFIG,
                       api.Options(date=datetime.date(2024, 12, 23)), workers={workers})
    print(json.dumps({{"seconds": time.perf_counter() - start, "documents": result.documents,
                      "peak_mb": memory.peak / 1024 / 1024, "problems": len(result.problems)}}))
"""


def workbook(folder: Path, name: str, code: str, photos: list[Path] | None) -> Path:
    """A full workbook of one project of its own branch (its photos copied beside it when given)."""
    branch = f"{folder.name}党支部"
    book = full_book([project_row(code, **{"申报党组织*": branch})], [task_row(code, seq=1)], [progress_row(code)],
                     [result_row(code)], [])
    if photos:
        for photo in photos:
            shutil.copyfile(photo, folder / photo.name)
        book = book.sheet("活动照片", HEADERS, [[code, p.name, c, dt.date(2024, 3 + n, 10)]
                                              for n, (p, c) in enumerate(zip(photos, CAPTIONS))])
    return book.save(folder / name)


def one_photo(scratch: Path, jpeg: Path) -> None:
    """The same picture as JPEG and as HEIC (x265 at its default preset and quality, as a phone encodes it), each
    made ready in a fresh process."""
    import pillow_heif
    from PIL import Image

    with Image.open(jpeg) as image:  # its pixels as stored, and its EXIF note: libheif writes the turn as irot
        stored = Image.new("RGB", image.size)
        stored.paste(image)
        heic = scratch / "照片.heic"
        pillow_heif.from_pillow(stored).save(heic, exif=image.getexif().tobytes())
    small = scratch / "小.heic"
    pillow_heif.from_pillow(Image.new("RGB", (64, 48))).save(small)
    for label, path in (("JPEG", jpeg), ("HEIC", heic)):
        script = ONE.format(paths=sys.path[:2], small=str(small), path=str(path))
        result = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                           check=True).stdout.strip().splitlines()[-1])
        print(f"one 12-megapixel photo as {label} ({path.stat().st_size / 1024 / 1024:.1f} MB): made ready "
              f"({result['size'][0]} × {result['size'][1]}) in {result['seconds']:.2f} s, "
              f"{result['extra_mb']:.0f} MB above the process at rest", flush=True)


def sizes(scratch: Path, photos: list[Path]) -> None:
    from conftest import CONFIG
    from docgen import api

    for label, chosen in (("without photos", None), ("with six phone photos", photos)):
        folder = scratch / label.replace(" ", "-")
        folder.mkdir()
        path = workbook(folder, "城关.xlsx", "DJ-2024-001", chosen)
        run = api.render([path], folder / "out", ["closing_report"], ["pdf", "docx"], CONFIG,
                         api.Options(date=dt.date(2024, 12, 23)))
        found = {d.format: d.bytes for d in run.outcomes[0].documents}
        print(f"结题报告 {label:24s} PDF {found['pdf'] / 1024:7.0f} KB   docx {found['docx'] / 1024:7.0f} KB", flush=True)


def batches(scratch: Path, photos: list[Path], count: int, workers: int) -> None:
    figures = {}
    for label, chosen in (("without photos", None), ("with photos", photos)):
        inbox = scratch / f"in-{label.replace(' ', '-')}"
        for n in range(count):
            own = inbox / f"支部{n:03d}"
            own.mkdir(parents=True)
            workbook(own, f"支部{n:03d}.xlsx", f"DJ-2024-{n + 1:03d}", chosen)
        script = BATCH.format(paths=[*sys.path[:2], str(HERE)], inbox=str(inbox), out=str(scratch / f"out-{label}"), workers=workers)
        result = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                           check=True).stdout.strip().splitlines()[-1])
        figures[label] = result
        print(f"batch of {count} {label:15s} {result['seconds']:6.1f} s, {result['documents']} documents, "
              f"{result['problems']} with problems; peak memory of all its processes {result['peak_mb']:.0f} MB",
              flush=True)
    a, b = figures["without photos"], figures["with photos"]
    print(f"photos cost {b['seconds'] / a['seconds']:.2f}× the time and {b['peak_mb'] / a['peak_mb']:.2f}× the peak memory")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        photos = [phone_photo(scratch / f"照片{n + 1}.jpg", seed=n, orientation=6 if n == 1 else None)
                  for n in range(6)]
        print(f"six phone photos of 4032 × 3024, {sum(p.stat().st_size for p in photos) / 1024 / 1024:.1f} MB together")
        one_photo(scratch, photos[1])
        sizes(scratch, photos)
        batches(scratch, photos, args.workbooks, args.workers)


if __name__ == "__main__":
    main()
