"""CJK fonts cut down to the GB 2312 repertoire once, and offered to WeasyPrint by @font-face.

A Noto CJK face holds about 65 000 glyphs in a 19–27 MB file. WeasyPrint copies
and subsets every face a PDF uses, for every PDF, and that font work was most
of the time of a one-page document. Here each Noto CJK SC face is subset once
with HarfBuzz to the characters of GB 2312 plus Latin, punctuation and symbols
(about 7 800 glyphs, 2–3 MB) and kept in a cache folder; the stylesheet names
these faces ("docgen Serif", "docgen Sans") just before Noto in every font
stack. A character outside the repertoire (a rare character in a name) falls
through to the full Noto face, so nothing is lost, it is only slower.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPERTOIRE_VERSION = "gb2312-1"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
KEPT_FEATURES = ("ccmp", "kern", "liga", "mark", "mkmk")


@dataclass(frozen=True)
class Face:
    family: str  # the name the stylesheet uses
    source_family: str  # the system face it is cut from
    weight: int
    file_names: tuple[str, ...]  # the file names the Debian and upstream packages use


FACES = (
    Face("docgen Serif", "Noto Serif CJK SC", 400, ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf")),
    Face("docgen Serif", "Noto Serif CJK SC", 700, ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf")),
    Face("docgen Sans", "Noto Sans CJK SC", 400, ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf")),
    Face("docgen Sans", "Noto Sans CJK SC", 700, ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf")),
)


def repertoire() -> set[int]:
    """The code points kept: GB 2312 (hanzi and its symbols) plus Latin, punctuation and common symbol blocks."""
    points: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                points.update(map(ord, bytes((high, low)).decode("gb2312")))
    blocks = ((0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2100, 0x21FF), (0x2200, 0x22FF),
              (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))
    for first, last in blocks:
        points.update(range(first, last + 1))
    return points


def cache_dir() -> Path:
    """DOCGEN_CACHE_DIR, else $XDG_CACHE_HOME/docgen, else ~/.cache/docgen."""
    explicit = os.environ.get("DOCGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "docgen"


@lru_cache(maxsize=1)
def _font_files() -> dict[str, list[Path]]:
    """Every file under the usual font folders, by file name (one walk per process)."""
    found: dict[str, list[Path]] = {}
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                found.setdefault(path.name, []).append(path)
    return found


def find_source(face: Face) -> tuple[Path, int] | None:
    """The system file holding the face and the face's index inside it, or None."""
    import uharfbuzz as hb

    files = _font_files()
    for path in (p for name in face.file_names for p in files.get(name, [])):
        blob = hb.Blob.from_file_path(str(path))
        index = 0
        while True:
            candidate = hb.Face(blob, index)
            if candidate.glyph_count == 0:
                break
            if candidate.get_name(hb.OTNameIdPredefined.FONT_FAMILY) == face.source_family:
                return path, index
            index += 1
    return None


def subset_face(source: Path, index: int, points: set[int]) -> bytes:
    """Cut one face of a font file down to `points`, keeping only the layout features Chinese text uses."""
    import uharfbuzz as hb

    font = hb.Face(hb.Blob.from_file_path(str(source)), index)
    request = hb.SubsetInput()
    request.unicode_set.update(points)
    features = request.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG)
    features.clear()
    features.update(int.from_bytes(tag.encode("ascii"), "big") for tag in KEPT_FEATURES)
    return hb.subset(font, request).blob.data


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def prepared_face(face: Face, folder: Path | None = None) -> Path | None:
    """The cached subset file of `face`, made now when missing; None when the system lacks the face."""
    found = find_source(face)
    if found is None:
        return None
    source, index = found
    stat = source.stat()
    key = hashlib.sha1(f"{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{REPERTOIRE_VERSION}".encode()).hexdigest()
    folder = folder or cache_dir() / "fonts"
    if not _writable(folder):
        folder = Path(tempfile.gettempdir()) / f"docgen-fonts-{os.getuid() if hasattr(os, 'getuid') else 0}"
        folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.stem}-{index}-{key[:12]}.otf"
    if not target.is_file():
        data = subset_face(source, index, repertoire())
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".~", suffix=".otf")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return target


@lru_cache(maxsize=None)
def font_face_css() -> str:
    """@font-face rules for every face found on this system ('' when none is, or HarfBuzz is missing)."""
    if importlib.util.find_spec("uharfbuzz") is None:
        return ""
    rules = []
    for face in FACES:
        try:
            path = prepared_face(face)
        except OSError:
            path = None
        if path is not None:
            rules.append(f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
                         f'src: url("{path.resolve().as_uri()}"); }}')
    return "\n".join(rules)
