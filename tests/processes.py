"""The processes of a run, as Linux shows them in /proc: for tests that kill a worker or a run."""
from __future__ import annotations

import os
import time
from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    below = children(pid)
    return below + [d for child in below for d in descendants(child)]


def pool_workers(pid: int) -> list[int]:
    """The pool workers of process `pid`: the children of its fork server."""
    servers = [c for c in children(pid) if b"multiprocessing.forkserver" in Path(f"/proc/{c}/cmdline").read_bytes()]
    return [w for server in servers for w in children(server)]


def wait_gone(pids: list[int], seconds: float = 30) -> list[int]:
    """Wait until none of `pids` is alive (or `seconds` have passed); return those still alive."""
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in pids if alive(p)]
