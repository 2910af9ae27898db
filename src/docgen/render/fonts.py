"""The faces of each typographic role, and CJK fonts cut down to GB 2312 once for WeasyPrint.

GB/T 9704 names four faces: 仿宋 for the body, 小标宋 for the title, 黑体 for 一、
headings and 楷体 for （一） headings (and 宋体 for page numbers). Each role's font
stack lists the faces of a Chinese office PC first (a clerk who installs 仿宋_GB2312
gets it), then the free face docgen installs for the role, then Noto CJK, which has
nearly every character. The stacks reach the stylesheet as CSS
variables (--font-fang, …), written once here.

A CJK face holds 10 000–65 000 glyphs in a 5–27 MB file. WeasyPrint copies and subsets
every face a PDF uses, for every PDF, and that font work was most of the time of a
one-page document. So each free face is subset once with HarfBuzz to the characters
of GB 2312 plus Latin, punctuation and symbols (about 7 800 glyphs) and kept in a cache
folder; the stacks name these cut-down faces ("docgen Fang", …) just before the face
they are cut from. A character outside the repertoire (a rare character in a name)
falls through to the full face, so nothing is lost, it is only slower.

A character no installed face has (an Extension B character in a name, say) would print as
a box. coverage() says which code points some face of this machine has, as fontconfig,
which WeasyPrint's text layout asks for a fallback, knows them; the checks warn before a
document is made (validate/glyphs.py).
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import bisect
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .cff import identity_font

REPERTOIRE_VERSION = "gb2312-3"  # 2: glyph n is CID n (cff.py); 3: no hints
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
KEPT_FEATURES = ("ccmp", "kern", "liga", "mark", "mkmk")


@dataclass(frozen=True)
class Face:
    family: str  # the name the stylesheet uses
    source_family: str  # the system face it is cut from (its name table's family)
    weight: int
    file_names: tuple[str, ...]  # the file names the Debian and upstream packages use


FACES = (
    Face("docgen Serif", "Noto Serif CJK SC", 400, ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf")),
    Face("docgen Serif", "Noto Serif CJK SC", 700, ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf")),
    Face("docgen Sans", "Noto Sans CJK SC", 400, ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf")),
    Face("docgen Sans", "Noto Sans CJK SC", 700, ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf")),
    Face("docgen Fang", "FandolFang R", 400, ("FandolFang-Regular.otf",)),
    Face("docgen Kai", "AR PL KaitiM GB", 400, ("gkai00mp.ttf",)),
)

SERIF_FALLBACK = ("docgen Serif", "Noto Serif CJK SC")
SANS_FALLBACK = ("docgen Sans", "Noto Sans CJK SC")
# The style a fallback face draws in, for a character the role's own faces lack.
FALLBACK_STYLE = {name: "宋体" for name in SERIF_FALLBACK} | {name: "黑体" for name in SANS_FALLBACK}


@dataclass(frozen=True)
class Role:
    """One face the standard names, and how a PDF finds a stand-in for it."""

    key: str  # the CSS variable: var(--font-<key>)
    label: str  # what a clerk calls it
    style: str  # the style its faces draw: 仿宋, 楷体 …
    office: tuple[str, ...]  # the standard face under the names Chinese Windows, WPS and macOS use
    free: tuple[str, ...]  # the free faces of the same style docgen installs (a cut-down name before its source)
    fallback: tuple[str, ...]  # faces of another style, for the characters none of the above has
    generic: str
    install: str  # how a clerk gets the standard face

    def stack(self) -> str:
        names = ", ".join(f'"{name}"' for name in (*self.office, *self.free, *self.fallback))
        return f"{names}, {self.generic}"

    @property
    def own(self) -> tuple[str, ...]:
        """The faces that draw in the role's style."""
        return (*self.office, *self.free)


_COPY = "复制到 ~/.local/share/fonts/（或 /usr/local/share/fonts/）后运行 fc-cache -f"
ROLES = (
    Role("fang", "正文仿宋", "仿宋", ("仿宋_GB2312", "仿宋", "FangSong", "STFangsong"),
         ("docgen Fang", "FandolFang"), SERIF_FALLBACK, "serif",
         f"把“仿宋_GB2312”或 Windows 的“仿宋”（simfang.ttf）{_COPY}"),
    Role("title", "标题小标宋", "小标宋", ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong"),
         SERIF_FALLBACK, (), "serif", f"把“方正小标宋简体”（需向方正字库取得授权）{_COPY}"),
    Role("hei", "一级标题黑体", "黑体", ("黑体", "SimHei", "STHeiti"), SANS_FALLBACK, (), "sans-serif",
         f"把 Windows 的“黑体”（simhei.ttf）{_COPY}"),
    # AR PL KaitiM GB has GB 2312 only; AR PL UKai CN, from the same foundry, has the 〇 of every date and
    # the rarer characters of names (堃, 赟 …), so they stay 楷 instead of turning 宋.
    Role("kai", "二级标题楷体", "楷体", ("楷体_GB2312", "楷体", "KaiTi", "STKaiti"),
         ("docgen Kai", "AR PL KaitiM GB", "AR PL UKai CN"), SERIF_FALLBACK, "serif",
         f"把“楷体_GB2312”或 Windows 的“楷体”（simkai.ttf）{_COPY}"),
    Role("song", "页码宋体", "宋体", ("宋体", "SimSun", "STSong"), SERIF_FALLBACK, (), "serif",
         f"把 Windows 的“宋体”（simsun.ttc）{_COPY}"),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}


def stacks_css() -> str:
    """The font stack of every role as a CSS variable on :root."""
    lines = "".join(f"  --font-{role.key}: {role.stack()};\n" for role in ROLES)
    return f":root {{\n{lines}}}"


def gb2312() -> set[int]:
    """The characters of GB 2312: its hanzi and its symbols."""
    points: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                points.update(map(ord, bytes((high, low)).decode("gb2312")))
    return points


def repertoire() -> set[int]:
    """The code points kept: GB 2312 plus Latin, punctuation and common symbol blocks."""
    points = gb2312()
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
    """Cut one face of a font file down to `points` for the cache: no hints, glyph n as CID n."""
    return identity_font(_subset(source, index, points, identity=True))


def subset_face_keeping_cids(source: Path, index: int, points: set[int]) -> bytes:
    """The same cut, but a CID-keyed face keeps its CIDs (what a plain subsetter makes; for tests)."""
    return _subset(source, index, points, identity=False)


def _subset(source: Path, index: int, points: set[int], identity: bool) -> bytes:
    import uharfbuzz as hb

    font = hb.Face(hb.Blob.from_file_path(str(source)), index)
    request = hb.SubsetInput()
    request.unicode_set.update(points)
    # PDFs embed fonts without hints (WeasyPrint's own subset drops them), so the cache keeps none.
    flags = hb.SubsetFlags.NO_HINTING
    if identity and hasattr(hb.SubsetFlags, "CFF_IDENTITY_CHARSET"):
        flags |= hb.SubsetFlags.CFF_IDENTITY_CHARSET
    request.flags = flags
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
    """The role stacks, and @font-face rules for every cut-down face this system can make."""
    rules = [stacks_css()]
    if importlib.util.find_spec("uharfbuzz") is None:
        return rules[0]
    for face in FACES:
        try:
            path = prepared_face(face)
        except OSError:
            path = None
        if path is not None:
            rules.append(f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
                         f'src: url("{path.resolve().as_uri()}"); }}')
    return "\n".join(rules)


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Every family name (in any language of the name table) of the fonts under the usual folders."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    names: set[str] = set()
    for paths in _font_files().values():
        for path in paths:
            if path.suffix.lower() not in (".ttf", ".otf", ".ttc", ".otc"):
                continue
            try:
                opened = (TTCollection(str(path), lazy=True) if path.suffix.lower() in (".ttc", ".otc")
                          else TTFont(str(path), lazy=True))
            except (TTLibError, OSError, ValueError):
                continue
            with opened:
                for font in getattr(opened, "fonts", [opened]):
                    if "name" in font:
                        names.update(str(r).strip() for r in font["name"].names if r.nameID in (1, 16))
    return frozenset(names)


@dataclass(frozen=True)
class RoleFace:
    role: Role
    face: str  # the face PDF output uses on this machine
    standard: bool  # it is one of the standard (office) faces
    cut_down: bool  # docgen's GB 2312 cut of it is used


def role_faces() -> list[RoleFace]:
    """For each role, the first face of its stack this machine has."""
    installed = installed_families()
    cut = {face.family: face.source_family for face in FACES} if font_face_css().count("@font-face") else {}
    found = []
    for role in ROLES:
        stack = (*role.office, *role.free, *role.fallback)
        for i, name in enumerate(stack):
            if name in cut and cut[name] in installed:  # shown by the name the stack gives next: FandolFang
                found.append(RoleFace(role, stack[i + 1], False, True))
                break
            if name in installed:
                found.append(RoleFace(role, name, name in role.office, False))
                break
        else:
            found.append(RoleFace(role, "", False, False))
    return found


@dataclass(frozen=True)
class Coverage:
    """The code points some installed face has: sorted, merged ranges [first, last]."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, point: int) -> bool:
        at = bisect.bisect_right(self.starts, point) - 1
        return at >= 0 and point <= self.ends[at]

    @property
    def size(self) -> int:
        return sum(end - start + 1 for start, end in zip(self.starts, self.ends))


@lru_cache(maxsize=1)
def coverage() -> Coverage | None:
    """What this machine's faces cover, as fontconfig reports their character sets (once per process);
    None when fontconfig's fc-list is not there to ask."""
    listed = _fc_list("%{charset}\n")
    return None if listed is None else parse_charsets(listed)


def _fc_list(fields: str) -> str | None:
    """fontconfig's list of this machine's faces, one line per face in the format `fields`; None without fc-list
    or when it fails."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        return subprocess.run([program, "--format", fields], capture_output=True, text=True, timeout=60,
                              check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def parse_charsets(text: str) -> Coverage:
    """fontconfig's character sets ("20-7e a0-17f 4e00 …", one font per line), merged."""
    ranges = []
    for item in text.split():
        first, _, last = item.partition("-")
        with contextlib.suppress(ValueError):
            ranges.append((int(first, 16), int(last or first, 16)))
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for first, last in ranges:
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return Coverage(tuple(starts), tuple(ends))


BLOCKS = (  # the sets of Chinese characters `docgen fonts` reports on: (label, code points)
    ("GB 2312 字符集", None),
    ("基本汉字 U+4E00–9FFF", range(0x4E00, 0xA000)),
    ("扩展 A U+3400–4DBF", range(0x3400, 0x4DC0)),
    ("扩展 B U+20000–2A6DF", range(0x20000, 0x2A6E0)),
    ("扩展 C–F U+2A700–2EBEF", range(0x2A700, 0x2EBF0)),
)


def block_gaps(covered: Coverage) -> list[tuple[str, int, int]]:
    """For each block: its label, how many code points it has, and how many of them no face of this machine has."""
    found = []
    for label, points in BLOCKS:
        chosen = sorted(gb2312()) if points is None else points
        found.append((label, len(chosen), sum(1 for p in chosen if p not in covered)))
    return found


@dataclass(frozen=True)
class StyleChange:
    """A character a role's installed faces lack, so the PDF draws it in a face of another style."""

    character: str
    role: Role
    own_face: str  # the role's face on this machine (FandolFang …)
    face: str  # the face that draws the character instead ("" when fontconfig picks one outside the stack)
    style: str  # that face's style: 宋体, 黑体, or 其他字体


class Faces:
    """Which face of a role's stack draws each character, as WeasyPrint picks it: the first family of the
    stack whose character set has it; the cut-down faces stand for the faces they are cut from."""

    def __init__(self, charsets: dict[str, Coverage]):
        self.charsets = charsets
        self._sources = {face.family: face.source_family for face in FACES}

    def _set(self, name: str) -> Coverage | None:
        return self.charsets.get(self._sources.get(name, name))

    def installed(self, role: Role) -> list[str]:
        """The faces of the role's own style this machine has, by the names a clerk knows (no cut-down names)."""
        return [name for name in role.own if name not in self._sources and name in self.charsets]

    def face_of(self, role: Role, character: str) -> str | None:
        """The face of the role's stack that draws `character` here; None when none of them has it."""
        point = ord(character)
        for name in (*role.own, *role.fallback):
            covered = self._set(name)
            if covered is not None and point in covered:
                return self._source_name(name)
        return None

    def style_changes(self, text: str, keys: tuple[str, ...] | None = None) -> list[StyleChange]:
        """Each character of `text`, per role (all, or those of `keys`), that the role's installed faces lack
        but another face has. A role with no face of its own here draws everything in its fallback: `docgen
        fonts` says that once, it is not repeated per character."""
        anywhere = list(self.charsets.values())
        changes = []
        for role in (ROLE_BY_KEY[key] for key in keys) if keys else ROLES:
            own = self.installed(role)
            if not own:
                continue
            seen: set[str] = set()
            for character in text:
                if character in seen or character.isascii() or not _drawn(character):
                    continue
                seen.add(character)
                point = ord(character)
                if any(point in self.charsets[name] for name in own):
                    continue
                if not any(point in covered for covered in anywhere):
                    continue  # no face has it: a box, which the glyph check reports on its own
                face = next((self._source_name(n) for n in role.fallback if (s := self._set(n)) and point in s), "")
                changes.append(StyleChange(character, role, own[0], face, FALLBACK_STYLE.get(face, "其他字体")))
        return changes

    def _source_name(self, name: str) -> str:
        return next((f.source_family for f in FACES if f.family == name), name) if name in self._sources else name


def _drawn(character: str) -> bool:
    import unicodedata

    point = ord(character)
    if 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF:
        return False
    return unicodedata.category(character) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


@lru_cache(maxsize=1)
def faces() -> Faces | None:
    """The character set of every family of this machine, as fontconfig knows them (once per process);
    None without fc-list."""
    listed = _fc_list("%{family}\t%{charset}\n")
    if listed is None:
        return None
    texts: dict[str, list[str]] = {}
    for line in listed.splitlines():
        families, _, charset = line.partition("\t")
        for family in families.split(","):
            texts.setdefault(family.strip().replace("\\", ""), []).append(charset)
    return Faces({family: parse_charsets(" ".join(sets)) for family, sets in texts.items()})


ALIASES_MARK = "docgen 字体映射"  # in an XML comment: no "--" (the option's name cannot stand there)
ALIASES_NAME = "60-docgen-aliases.conf"


def aliases_path() -> Path:
    """Where the user's fontconfig reads extra files: $XDG_CONFIG_HOME/fontconfig/conf.d (50-user.conf)."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "fontconfig" / "conf.d" / ALIASES_NAME


def aliases_conf() -> str:
    """A fontconfig file that gives every standard face name of the Word documents (仿宋_GB2312, 楷体_GB2312,
    方正小标宋简体, 黑体, 宋体 and their other names) the substitute faces PDF output uses, after the name
    itself: a machine that has the standard face keeps it, one without it draws 仿宋 and 楷 instead of the
    sans-serif face fontconfig would pick (LibreOffice on a Linux desktop, UOS or Kylin)."""
    cut = {face.family for face in FACES}
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
             f"<!-- {ALIASES_MARK}：把 Word 文书中的标准字体名映射到本机的代用字体（由 docgen fonts 的 install-aliases"
             " 选项写出，再次运行会更新本文件；不需要时可删除）。 -->",
             "<fontconfig>"]
    for role in ROLES:
        substitutes = [name for name in (*role.free, *role.fallback) if name not in cut]
        accept = "".join(f"<family>{name}</family>" for name in substitutes)
        lines.append(f"  <!-- {role.label} -->")
        for name in role.office:
            lines.append(f'  <alias binding="same"><family>{name}</family><accept>{accept}</accept></alias>')
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def aliases_written_by_us(path: Path) -> bool:
    try:
        return ALIASES_MARK in path.read_text(encoding="utf-8", errors="replace")[:1000]
    except OSError:
        return False
