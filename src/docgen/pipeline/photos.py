"""活动照片 made ready for print once, then fed to both renderers.

A phone photo is often 4 000 px wide, 3–8 MB, stored sideways with a note saying how to turn
it (EXIF orientation in a JPEG, irot/imir boxes in an iPhone's HEIC), which python-docx and
some PDF viewers ignore, and Word cannot show a HEIC at all. Each photo is decoded
(intake.images: turned upright once, cut to LONGEST px on its longest side, on white where it
was transparent, its colours in sRGB) and saved as a JPEG of QUALITY, once per file's content,
in the job's folder; the .docx and the PDF embed that copy. A large JPEG is decoded at a reduced scale straight away
(JPEG's own 1/2, 1/4 … decoding), which saves most of the time and memory of a 12-megapixel photo.
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ..intake.images import upright
from ..intake.reader import photo_bytes

LONGEST = 1800
QUALITY = 85
MAKING = 2  # how a copy is made (counted up when that changes, so that no older copy is taken for a new one)
FOLDER = ".photos"  # in a job's folder


def ready(source: str | Path, folder: Path) -> Path:
    """The print-ready copy of the photo at `source` (a file, or workbook::part when pasted into the sheet)
    in `folder` (made once per content)."""
    data = photo_bytes(str(source))
    key = hashlib.sha256(data + f"{LONGEST}:{QUALITY}:{MAKING}".encode()).hexdigest()[:32]
    target = folder / f"{key}.jpg"
    if target.is_file():
        return target
    buffer = io.BytesIO()
    upright(data, LONGEST).save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".~", delete=False) as handle:
        handle.write(buffer.getvalue())
    os.replace(handle.name, target)
    return target


def with_ready_photos(context: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A context whose 活动照片 point at their print-ready copies (image: the path, url: its file:// address)."""
    rows = context.get("photo_rows")
    if not rows:
        return context
    made = []
    for row in rows:
        cells = {}
        for side in ("left", "right"):
            cell = row.get(side)
            if cell is not None:
                copy = ready(cell["image"], folder / FOLDER)
                cell = {**cell, "image": str(copy), "url": copy.resolve().as_uri()}
            cells[side] = cell
        made.append({**row, **cells})
    return {**context, "photo_rows": made}
