"""Writing the pipeline's files: the renderers of a process, whole files only, and names that never collide.

Every file docgen writes goes through atomic_file: a half-written document never carries
its final name. Names are given once per run by Names, so of two workbooks that would
write one name the first keeps it and the other gets "(2)".
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import unicodedata
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from ..documents import Document, Unmade, safe_name
from ..errors import DiskError, DocgenError, disk_problem
from ..finding import ANNOTATED_SUFFIX
from ..intake.annotate import annotated_copy
from ..issues import FileReport
from ..render import DocxRenderer, PdfRenderer
from ..writing import clean_tree
from .records import FORMATS, Outcome

RETURNED = "退回"  # where a batch puts the annotated copies of faulty workbooks


class Renderers:
    """The backends of one process (or thread), each template prepared once and reused."""

    def __init__(self, formats: Iterable[str] = FORMATS, own: str | Path | None = None) -> None:
        """`own`: the organisation's template folder ([templates] dir), whose templates replace docgen's."""
        chosen = set(formats)
        self.formats = tuple(f for f in FORMATS if f in chosen)
        own = Path(own) if own else None
        self.docx = DocxRenderer(own=own) if "docx" in self.formats else None
        self.pdf = PdfRenderer(own=own) if "pdf" in self.formats else None

    def render(self, fmt: str, kind: str, context: dict, metadata: dict[str, str] | None = None) -> bytes:
        """One document's bytes; every string of its context and properties made XML-legal first
        (a control character from a cell or docgen.toml would make a .docx Word cannot open)."""
        backend = self.docx if fmt == "docx" else self.pdf
        return backend.render(kind, clean_tree(context), clean_tree(metadata))


_LOCAL = threading.local()


def renderers_for(formats: Iterable[str], own: str | Path | None = None) -> Renderers:
    """This thread's renderers for the formats (and the organisation's template folder `own`): loaded on
    first use, then kept for every later job."""
    key = (tuple(f for f in FORMATS if f in set(formats)), str(own) if own else "")
    cache = _LOCAL.__dict__.setdefault("renderers", {})
    if key not in cache:
        cache[key] = Renderers(*key)
    return cache[key]


def _file_mode() -> int:
    """The permissions a plain new file gets here (mkstemp alone would make it private)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_file(target: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside `target`; on success it takes the final name, on failure it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".~", suffix=target.suffix)
    try:
        with os.fdopen(fd, mode, encoding="utf-8" if "b" not in mode else None) as handle:
            yield handle
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` through a temporary file (atomic_file)."""
    with atomic_file(target) as handle:
        handle.write(data)


def relative_name(document: Document | Unmade, fmt: str) -> str:
    """Where a document goes under the output folder: <folder>/<stem>.<format>."""
    return "/".join(p for p in (document.folder, f"{document.stem}.{fmt}") if p)


def returned_name(source: str | Path) -> str:
    """退回/<name>.校验.xlsx: where a batch puts a faulty workbook's annotated copy."""
    return f"{RETURNED}/{annotated_name(source)}"


def annotated_name(source: str | Path) -> str:
    """<name>.校验.xlsx, the stem cut (safe_name) should the suffix take the name past the file system's limit."""
    return f"{safe_name(Path(source).stem)}{ANNOTATED_SUFFIX}"


def write_annotated(report: FileReport, target: Path) -> None:
    """The workbook of `report` with every located issue marked, written to `target`."""
    write_atomic(target, annotated_copy(report))


def _split(relative: str) -> tuple[str, str]:
    if relative.endswith(ANNOTATED_SUFFIX):
        return relative[: -len(ANNOTATED_SUFFIX)], ANNOTATED_SUFFIX
    return os.path.splitext(relative)


def name_key(relative: str) -> str:
    """When two output names are one file: on Windows and macOS file systems names differ by case only in
    looks (dj-2024-001_立项表.docx and DJ-2024-001_立项表.docx), and NFC/NFD forms are one name on macOS."""
    return unicodedata.normalize("NFKC", relative).casefold()


class Names:
    """The output names of one run, each held by one owner (a workbook's name in the run); two names that one
    file system would take for one file (name_key) are one name."""

    def __init__(self, reserved: dict[str, str] | None = None) -> None:
        self.claimed: dict[str, str] = {}  # name_key of a relative path → its owner
        self.reserved = {name_key(name): owner for name, owner in (reserved or {}).items()}  # the last run's

    def free(self, relative: str, owner: str) -> str:
        """`relative`, or `name(2).pdf`, `name(3).pdf` … when another owner holds it."""
        base, suffix = _split(relative)
        candidate, number = relative, 2
        while self.claimed.get(name_key(candidate), owner) != owner \
                or self.reserved.get(name_key(candidate), owner) != owner:
            candidate = f"{base}({number}){suffix}"
            number += 1
        return candidate

    def claim(self, relative: str, owner: str) -> str:
        """Take `relative` (or its numbered variant) for `owner`; return the name taken."""
        name = self.free(relative, owner)
        self.hold(name, owner)
        return name

    def hold(self, relative: str, owner: str) -> None:
        self.claimed[name_key(relative)] = owner

    def release(self, relative: str) -> None:
        self.claimed.pop(name_key(relative), None)


class Placer:
    """Moves the files a step staged to their final names in the output folder."""

    def __init__(self, out: Path, names: Names | None = None) -> None:
        self.out = out
        self.names = names or Names()
        self.placed: set[str] = set()  # the files this run has put in place (relative to out)

    def place(self, outcome: Outcome) -> None:
        """Give each staged file its name (numbered when taken) and move it there; the records follow."""
        renamed: dict[str, str] = {}
        for relative, staged in outcome.staged.items():
            final = self.names.claim(relative, outcome.source)
            target = self.out / final
            if target.parent.resolve() != (self.out.resolve() / final).parent:
                raise DocgenError(f"“{final}”所在的文件夹是指向输出文件夹以外的链接，docgen 不会写到那里。")
            if Path(staged) != target:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
            renamed[relative] = final
            self.placed.add(final)
            if relative.endswith(ANNOTATED_SUFFIX):
                outcome.annotated = final
        for d in outcome.documents:
            if d.path in renamed:
                d.path = renamed[d.path]
            else:  # kept from the last run: still this workbook's
                self.names.hold(d.path, outcome.source)
        outcome.staged.clear()

    def withdraw(self, outcome: Outcome) -> None:
        """Take a workbook's documents back (its project code turned out to clash with another's): those
        this run placed are removed; those kept from an earlier run are left for the run to set aside."""
        for d in outcome.documents:
            if d.path in self.placed:
                with contextlib.suppress(OSError):
                    (self.out / d.path).unlink()
                self.placed.discard(d.path)
            self.names.release(d.path)
        outcome.documents.clear()

    def return_copy(self, outcome: Outcome) -> None:
        """Write the annotated copy of a workbook that turned out to have errors, under 退回/."""
        if outcome.report is None:
            return
        final = self.names.claim(returned_name(outcome.source), outcome.source)
        write_annotated(outcome.report, self.out / final)
        outcome.annotated = final


LOCK = ".docgen-lock"  # the lock file, where a folder itself cannot be locked (some network file systems)


class FolderInUse(DocgenError):
    """Another docgen run writes into the same output folder."""


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for this run: a second run into it is refused while this one lasts.

    The lock is the kernel's (flock) on the folder itself, so it ends with the process however
    the process ends and leaves nothing behind; where the file system cannot lock a folder, a
    small hidden file in it (LOCK) is locked instead.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderInUse(f"输出文件夹 {out} 正由另一个 docgen 任务使用；请等它结束，或换一个输出文件夹。") from None
        except OSError:
            os.close(fd)
            fd = -1
            fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FolderInUse(f"输出文件夹 {out} 正由另一个 docgen 任务使用；请等它结束，或换一个输出文件夹。") from None
        yield
    finally:
        if fd >= 0:
            os.close(fd)


def refuse_links(out: Path) -> None:
    """Stop before writing when a folder or file inside `out` is a symbolic link: docgen writes
    only inside the output folder, and through a link a file would land wherever it points."""
    for folder, subfolders, files in os.walk(out):
        for name in (*subfolders, *files):
            path = Path(folder) / name
            if path.is_symlink():
                raise DocgenError(f"输出文件夹中的“{path.relative_to(out)}”是一个链接（指向 {os.readlink(path)}）；"
                                  f"docgen 不会经由链接写到输出文件夹之外，请删除这个链接或换一个输出文件夹。")


def check_writable(folder: Path) -> None:
    """Make `folder` (and its parents) and prove it takes a file, or say in Chinese why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        problem = disk_problem(exc) or "无法写入"
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            problem = "同名的文件已存在，不是文件夹"
        raise DiskError(f"无法写入输出文件夹 {folder}：{problem}。请换一个输出文件夹。") from None
