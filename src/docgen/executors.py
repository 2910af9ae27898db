"""Where the pipeline's steps run: in this process, in a local pool of processes, or on a Dask cluster.

Every executor has the same small interface: map_unordered() yields each task with its
result as tasks finish, run_all() returns the results in order, close() ends it. A task
that fails gives its exception as its result; a task that runs past the time limit gives
TaskTimeout, one whose process died gives WorkerLost. Nothing here knows what a task is.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import re
import signal
import threading
import uuid
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from .errors import DocgenError

T = TypeVar("T")

ADDRESS = re.compile(r"^(?:[a-z]+://)?[^\s/:]+:\d+$")  # a scheduler: tcp://host:8786 (or host:8786)
DEFAULT_TIMEOUT = 1800.0  # seconds per task: generous, a workbook of a few hundred pages takes well under a minute


class TaskTimeout(BaseException):
    """A task ran past its time limit (a BaseException, so the task's own `except Exception` cannot swallow it)."""


class WorkerLost(Exception):
    """The process running a task died (a crash in a native library, the memory killer)."""

    def __init__(self, exitcode: Any = None) -> None:
        super().__init__(f"exit code {exitcode}")
        self.exitcode = exitcode


class Executor(Protocol):
    timeout: float | None

    def map_unordered(self, fn: Callable[[T], Any], tasks: Iterable[T]) -> Iterator[tuple[T, Any]]: ...

    def run_all(self, fn: Callable[[T], Any], tasks: list[T]) -> list[Any]: ...

    def close(self, interrupted: bool = False) -> None: ...


class _TimedOut:
    """What a limited call sends back instead of raising TaskTimeout across a process or a cluster."""


@contextlib.contextmanager
def time_limit(seconds: float | None, raising: type[BaseException] = TaskTimeout) -> Iterator[None]:
    """Raise `raising` in this thread once `seconds` have passed (checked between Python bytecodes).

    WeasyPrint's layout is Python, so a runaway render is stopped; a call blocked inside C
    code is stopped when it returns. Works in any thread, unlike an alarm signal.
    """
    if not seconds:
        yield
        return
    thread, lock, state = threading.get_ident(), threading.Lock(), {"done": False}
    finished = threading.Event()

    def watch() -> None:
        if not finished.wait(seconds):
            with lock:
                if not state["done"]:
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(raising))

    watcher = threading.Thread(target=watch, name="docgen-time-limit", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
        finished.set()


def limited(fn: Callable[[T], Any], seconds: float | None, task: T) -> Any:
    """fn(task) under time_limit; a timeout comes back as a value."""
    try:
        with time_limit(seconds):
            return fn(task)
    except TaskTimeout:
        return _TimedOut()


def in_order(finished: Iterator[tuple[T, Any]], tasks: list[T]) -> list[Any]:
    """The results of map_unordered() in the order of the tasks."""
    results = {id(task): result for task, result in finished}
    return [results[id(task)] for task in tasks]


def _settled(result: Any) -> Any:
    return TaskTimeout() if isinstance(result, _TimedOut) else result


class Inline:
    """Each task in this process, one after the other (--workers 1): templates and fonts loaded once."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout

    def map_unordered(self, fn: Callable[[T], Any], tasks: Iterable[T]) -> Iterator[tuple[T, Any]]:
        for task in tasks:
            try:
                yield task, _settled(limited(fn, self.timeout, task))
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                yield task, exc

    def run_all(self, fn: Callable[[T], Any], tasks: list[T]) -> list[Any]:
        return [result for _, result in self.map_unordered(fn, tasks)]

    def close(self, interrupted: bool = False) -> None:
        pass


def _started(pid: int) -> str | None:
    """When process `pid` started (Linux: its start time in /proc), None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _watch_parent(pid: int, started: str | None) -> None:
    """End this worker once the run's process is gone (a kill -9 runs none of its handlers)."""
    import os
    import time

    while True:
        time.sleep(1)
        if _started(pid) != started:
            os._exit(1)


def _worker_start(scratch: str | None, parent: tuple[int, str | None] | None = None) -> None:
    """Set up a pool worker: Ctrl-C is the parent's to handle; the worker ends when the run's
    process ends, however it ends (its fork server would otherwise keep it, and itself, alive);
    temporary files go to `scratch`, a folder the run removes at its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None and parent[1] is not None:
        threading.Thread(target=_watch_parent, args=parent, name="docgen-parent-watch", daemon=True).start()
    if scratch:
        import os
        import tempfile

        os.makedirs(scratch, exist_ok=True)
        os.environ["TMPDIR"] = tempfile.tempdir = scratch


class ProcessPool:
    """A local pool of worker processes (pebble): a task that hangs is killed at its time limit,
    one that kills its worker costs only itself, and the pool goes on with a fresh worker.

    Workers start from a fork server (clean, without the threads of the calling process),
    which has imported docgen's pipeline and WeasyPrint once.
    """

    PRELOAD = ("docgen.pipeline", "weasyprint")

    def __init__(self, workers: int, timeout: float | None = None, preload: tuple[str, ...] = PRELOAD,
                 scratch: str | None = None) -> None:
        from pebble import ProcessPool as Pebble

        self.timeout, self.workers = timeout, workers
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        import os

        parent = (os.getpid(), _started(os.getpid()))
        self.pool = Pebble(max_workers=workers, initializer=_worker_start, initargs=(scratch, parent),
                           context=context)

    def map_unordered(self, fn: Callable[[T], Any], tasks: Iterable[T]) -> Iterator[tuple[T, Any]]:
        from concurrent.futures import FIRST_COMPLETED, TimeoutError, wait

        from pebble import ProcessExpired

        pending = iter(tasks)
        running: dict[Any, T] = {}
        limit = self.workers * 4  # a few queued per worker; the rest wait here, not in pipes
        while True:
            for task in pending:
                running[self.pool.schedule(fn, args=(task,), timeout=self.timeout)] = task
                if len(running) >= limit:
                    break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                try:
                    yield task, future.result()
                except TimeoutError:
                    yield task, TaskTimeout()
                except ProcessExpired as exc:
                    yield task, WorkerLost(exc.exitcode)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                    yield task, exc

    def run_all(self, fn: Callable[[T], Any], tasks: list[T]) -> list[Any]:
        return in_order(self.map_unordered(fn, tasks), tasks)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """One call in a worker: a concurrent.futures Future (a timeout is TimeoutError, a lost worker
        pebble's ProcessExpired); for callers that wait on single calls, such as a web server."""
        return self.pool.schedule(fn, args=args, timeout=self.timeout)

    def close(self, interrupted: bool = False) -> None:
        if interrupted:
            self.pool.stop()
        else:
            self.pool.close()
        self.pool.join()


class Cluster:
    """Tasks on a Dask distributed cluster: docgen batch IN --out OUT --cluster tcp://HOST:8786.

    Workbooks and the output folder must be on storage every worker sees under the same
    path. The time limit is kept inside each task (time_limit); a worker that dies is
    replaced by Dask, and a task that keeps killing workers is reported as WorkerLost.
    """

    def __init__(self, address: Any, timeout: float | None = None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise DocgenError("使用 --cluster 需要安装 Dask：pip install 'docgen[cluster]'") from None
        self.timeout = timeout
        if not isinstance(address, Client) and not ADDRESS.match(str(address)):
            raise DocgenError(f"Dask 调度器地址“{address}”无法识别，请写成 tcp://主机:端口，如 tcp://192.168.1.10:8786")
        try:
            self.client = address if isinstance(address, Client) else Client(address, timeout="10s",
                                                                            set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise DocgenError(f"无法连接 Dask 调度器 {address}：{exc}") from None
        self.owned = not isinstance(address, Client)
        threads = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        if not threads:
            self.close()
            raise DocgenError(f"Dask 调度器 {address} 上还没有工作进程，请先启动 dask worker。")
        self.slots = threads

    def map_unordered(self, fn: Callable[[T], Any], tasks: Iterable[T]) -> Iterator[tuple[T, Any]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        call = partial(limited, fn, self.timeout)
        prefix = f"docgen-{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex[:12]}"  # a key Dask has never seen
        pending = iter(enumerate(tasks))
        running: dict[str, T] = {}

        def submit() -> list[Any]:
            submitted = []
            for number, task in pending:
                future = self.client.submit(call, task, key=f"{prefix}-{number}", pure=False)
                running[future.key] = task
                submitted.append(future)
                if len(running) >= self.slots * 4:
                    break
            return submitted

        first = submit()
        if not first:
            return
        queue = as_completed(first, loop=self.client.loop)  # this client's, not a default one
        for future in queue:
            task = running.pop(future.key)
            try:
                yield task, _settled(future.result())
            except KilledWorker as exc:
                yield task, WorkerLost(str(exc))
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                yield task, exc
            finally:
                future.release()
            for future in submit():
                queue.add(future)

    def run_all(self, fn: Callable[[T], Any], tasks: list[T]) -> list[Any]:
        return in_order(self.map_unordered(fn, tasks), tasks)

    def close(self, interrupted: bool = False) -> None:
        if self.owned:
            self.client.close()


def executor_for(workers: int, cluster: Any = None, timeout: float | None = DEFAULT_TIMEOUT,
                 scratch: str | None = None) -> Executor:
    """The executor a run asks for: a cluster address, else a pool of `workers` processes, else this process.

    A pool's workers keep their temporary files in `scratch` (when given), which the caller removes.
    """
    if cluster:
        return Cluster(cluster, timeout)
    if workers <= 1:
        return Inline(timeout)
    return ProcessPool(workers, timeout, scratch=scratch)
