"""What keeps one request from knocking the server over: a body counted as it streams and refused past its
limit, the day's uploads counted together with those still being checked, files kept whole or not at all,
and the storage's refusals (a full disk, a read-only database) said in Chinese.

It knows nothing of pages, accounts or checks: the site and the actions use it.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import threading
import weakref
from collections import Counter
from pathlib import Path
from typing import IO, Any, Awaitable, Callable, Iterator

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from ..errors import DocgenError, disk_problem

Receive = Callable[[], Awaitable[dict[str, Any]]]

DISK_FULL = "服务器磁盘已满，刚才的内容没有保存；请管理员清理服务器磁盘（数据目录所在的磁盘）后再试"
READ_ONLY = "服务器的数据库是只读的，刚才的内容没有保存；请管理员检查数据库文件及其文件夹的写入权限后再试"
UNWRITABLE = "服务器的数据目录无法写入，刚才的内容没有保存；请管理员检查数据目录的写入权限后再试"


class TooLarge(HTTPException):
    """A request body past its route's limit: answered 413, nothing more of it read."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


def counted(receive: Receive, limit: int, message: str) -> Receive:
    """`receive` that counts the body's bytes as they arrive and raises TooLarge once they pass `limit`."""
    seen = 0

    async def wrapped() -> dict[str, Any]:
        nonlocal seen
        event = await receive()
        if event["type"] == "http.request":
            seen += len(event.get("body", b""))
            if seen > limit:
                raise TooLarge(message)
        return event
    return wrapped


class InFlight:
    """Uploads of each branch accepted and not yet recorded (the server is one process): counted with the
    recorded ones, so that parallel uploads never pass the day's limit together."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()

    def running(self, branch: str) -> int:
        with self._lock:
            return self._running[branch]

    @contextlib.contextmanager
    def reserve(self, branch: str, stored: Callable[[], int], allowed: int) -> Iterator[bool]:
        """Hold one of the branch's `allowed` places while the upload is checked and recorded; yields False
        (nothing held) when `stored()` and those in flight already fill them."""
        with self._lock:
            free = stored() + self._running[branch] < allowed
            if free:
                self._running[branch] += 1
        try:
            yield free
        finally:
            if free:
                with self._lock:
                    self._running[branch] -= 1


class FolderInUse(DocgenError):
    """Another docgen serve holds the data folder."""


class FolderLock:
    """The data folder's serve lock (an exclusive flock on a file in it), held while one server runs: the server that
    holds it knows no other server uses the folder (the day's upload counts and the login throttle live in its
    memory; what is half written in the folder is no other server's work in progress). The kernel lets it go when
    the process ends, however it ends."""

    NAME = ".docgen-serve.lock"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME
        self._fd: int | None = None
        self._closing: weakref.finalize | None = None  # closes the descriptor when the lock is released or dropped

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self) -> bool:
        """Hold the lock unless another holds it (another server, or another application of this process): whether
        it is held now. The folder's refusal (read-only, no permission) is raised."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by the programs the server starts
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        self._fd, self._closing = fd, weakref.finalize(self, _close, fd)
        return True

    def release(self) -> None:
        if self._closing is not None:
            self._closing()
        self._fd = self._closing = None


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)  # closing the lock file's only descriptor releases the lock


def trouble(exc: BaseException) -> str | None:
    """What the administrator must fix when `exc` is the storage's refusal (a full disk, a read-only database or
    data folder), in Chinese; None for any other error."""
    if isinstance(exc, OperationalError):
        text = str(exc.orig if exc.orig is not None else exc).lower()
        if "readonly" in text or "read-only" in text or "read only" in text:
            return READ_ONLY
        if "disk is full" in text or "disk full" in text:
            return DISK_FULL
        return None
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DISK_FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return UNWRITABLE
    return None


def cannot_start(exc: BaseException) -> str | None:
    """Why `docgen serve` cannot start over its data folder and database, in one Chinese line; None when `exc`
    is not about them."""
    if isinstance(exc, OperationalError):
        text = str(exc.orig if exc.orig is not None else exc)
        if trouble(exc) == READ_ONLY:
            return ("数据库是只读的，网页无法保存账号、上传和审核结果；请检查数据库文件及其所在文件夹的写入权限"
                    "（或 --database 的地址）")
        return f"无法打开数据库：{text.splitlines()[0] if text else type(exc).__name__}；请检查 --data 或 --database"
    if isinstance(exc, OSError):
        why = disk_problem(exc) or {errno.ENOTDIR: "路径中有同名的文件", errno.EEXIST: "已有同名的文件"}.get(
            exc.errno or 0, exc.strerror or type(exc).__name__)
        return f"数据目录无法使用（{why}）：{exc.filename or ''}；请换一个数据目录，或检查它的写入权限".replace("：；", "；")
    return None


def write_whole(target: Path, data: bytes | IO[bytes]) -> None:
    """`data` (bytes, or a file read from where it stands in chunks) as the file `target`, whole or not at all:
    written beside it, flushed to the disk, then put in place; a failed write leaves neither a partial file nor
    its temporary."""
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".~", delete=False)
    try:
        with handle:
            if isinstance(data, (bytes, bytearray)):
                handle.write(data)
            else:
                shutil.copyfileobj(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
