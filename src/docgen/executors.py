"""Where the pipeline's steps run: in this process, in a local pool of processes, or on a Dask cluster.

Every executor has the same small interface: map_unordered() yields each task with its
result as tasks finish, run_all() returns the results in order, close() ends it. A task
that fails gives its exception as its result; a task that runs past the time limit gives
TaskTimeout, one whose process died gives WorkerLost. An executor that can run nothing
more (a cluster left without workers) raises ExecutorStopped. Nothing here knows what a
task is.
"""
from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import re
import shutil
import signal
import threading
import time
import uuid
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from .errors import DocgenError

T = TypeVar("T")

ADDRESS = re.compile(r"^(?:[a-z]+://)?[^\s/:]+:\d+$")  # a scheduler: tcp://host:8786 (or host:8786)
DEFAULT_TIMEOUT = 1800.0  # seconds per task: generous, a workbook of a few hundred pages takes well under a minute
PATIENCE = 60.0  # seconds a cluster may stay without workers (or past its time limit without finishing anything)


class TaskTimeout(BaseException):
    """A task ran past its time limit (a BaseException, so the task's own `except Exception` cannot swallow it)."""


class WorkerLost(Exception):
    """The process running a task died (a crash in a native library, the memory killer)."""

    def __init__(self, exitcode: Any = None) -> None:
        super().__init__(f"exit code {exitcode}")
        self.exitcode = exitcode


class ExecutorStopped(DocgenError):
    """The executor can run nothing more (a cluster without workers, or whose tasks stopped finishing);
    the tasks finished so far have been yielded, the others never will be."""


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
    """When process `pid` started (Linux: its start time in /proc), None when there is no such process
    or it has ended (a zombie waiting to be reaped has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def _clean_after(pid: int, started: str | None, leftover: str) -> bool:
    """When the run's process has ended, remove what it would have removed at its exit (a kill -9 runs
    none of its handlers): `leftover`, its multiprocessing folder (pymp-…) in the system temporary
    folder, where the fork server's socket lies. Return whether it has ended."""
    if _started(pid) == started:
        return False
    if leftover:
        shutil.rmtree(leftover, ignore_errors=True)
    return True


def _watch_parent(pid: int, started: str | None, leftover: str) -> None:
    """End this worker once the run's process has ended, cleaning up after it."""
    while not _clean_after(pid, started, leftover):
        time.sleep(1)
    os._exit(1)


def _worker_start(scratch: str | None, parent: tuple[int, str | None, str] | None = None) -> None:
    """Set up a pool worker: Ctrl-C is the parent's to handle; the worker ends when the run's
    process ends, however it ends (its fork server would otherwise keep it, and itself, alive),
    and cleans up after it, whether it notices first or the closed pipe ends it first;
    temporary files go to `scratch`, a folder the run removes at its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None and parent[1] is not None:
        from multiprocessing import util

        util.Finalize(None, _clean_after, args=parent, exitpriority=0)  # run by every exit of a pool worker
        threading.Thread(target=_watch_parent, args=parent, name="docgen-parent-watch", daemon=True).start()
    if scratch:
        import tempfile

        os.makedirs(scratch, exist_ok=True)
        os.environ["TMPDIR"] = tempfile.tempdir = scratch


def _temporary_folder() -> str:
    """This process's multiprocessing folder in the system temporary folder (pymp-…: made on first use,
    removed by this process at its exit), or "" when it is not such a folder."""
    from multiprocessing import util

    folder = util.get_temp_dir()
    return folder if os.path.basename(folder).startswith("pymp-") else ""


_HELPERS = threading.Lock()


def _start_helpers() -> None:
    """Start multiprocessing's resource tracker and fork server (once per process) with stderr on the null device.

    Both inherit the stderr of the process that starts them, and outlive it for a moment when it
    is killed: the tracker then warns, in English, of the semaphores it cleans up ("leaked
    semaphore objects", KeyError tracebacks) on the clerk's terminal after the prompt came back.
    The pool's workers, forked by the fork server, inherit its stderr too. What became of a task
    reaches the run as its result; nothing these processes print is meant for the clerk.
    """
    from multiprocessing import forkserver, resource_tracker

    with _HELPERS:  # fd 2 is redirected for a moment: one thread at a time
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all
            saved = -1
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
            resource_tracker.ensure_running()
            forkserver.ensure_running()
        finally:
            if saved >= 0:
                os.dup2(saved, 2)
                os.close(saved)
            os.close(null)


class ProcessPool:
    """A local pool of worker processes (pebble): a task that hangs is killed at its time limit,
    one that kills its worker costs only itself, and the pool goes on with a fresh worker.

    Workers start from a fork server (clean, without the threads of the calling process),
    which has imported docgen's pipeline and WeasyPrint once. Should the pool break (pebble
    gives up when a worker dies while no task runs, e.g. one killed between two stages), a
    fresh pool takes its place and the tasks it held run once more.
    """

    PRELOAD = ("docgen.pipeline", "weasyprint")

    def __init__(self, workers: int, timeout: float | None = None, preload: tuple[str, ...] = PRELOAD,
                 scratch: str | None = None) -> None:
        self.timeout, self.workers, self.closed = timeout, workers, False
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(list(preload))
        _start_helpers()
        parent = (os.getpid(), _started(os.getpid()), _temporary_folder())
        self.initargs = (scratch, parent)
        self.pool = self._pool()

    def _pool(self) -> Any:
        from pebble import ProcessPool as Pebble

        return Pebble(max_workers=self.workers, initializer=_worker_start, initargs=self.initargs,
                      context=self.context)

    def _schedule(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """pebble's schedule, on a fresh pool when the current one has broken."""
        try:
            return self.pool.schedule(fn, args=args, timeout=self.timeout)
        except RuntimeError:  # pebble: "Unexpected error within the Pool"
            if self.closed:
                raise
            broken, self.pool = self.pool, self._pool()
            with contextlib.suppress(Exception):
                broken.stop()
                broken.join(10)
            return self.pool.schedule(fn, args=args, timeout=self.timeout)

    def map_unordered(self, fn: Callable[[T], Any], tasks: Iterable[T]) -> Iterator[tuple[T, Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        pending = iter(tasks)
        running: dict[Any, T] = {}
        again: set[int] = set()  # tasks already given a second chance after the pool broke
        limit = self.workers * 4  # a few queued per worker; the rest wait here, not in pipes
        while True:
            for task in pending:
                running[self._schedule(fn, (task,))] = task
                if len(running) >= limit:
                    break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                result = _outcome(future)
                if result is _BROKEN and id(task) not in again:
                    again.add(id(task))  # lost with the pool, not necessarily its fault: once more
                    running[self._schedule(fn, (task,))] = task
                    continue
                yield task, WorkerLost() if result is _BROKEN else result

    def run_all(self, fn: Callable[[T], Any], tasks: list[T]) -> list[Any]:
        return in_order(self.map_unordered(fn, tasks), tasks)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """One call in a worker: a concurrent.futures Future (a timeout is TimeoutError, a lost worker
        pebble's ProcessExpired); for callers that wait on single calls, such as a web server."""
        return self._schedule(fn, args)

    def close(self, interrupted: bool = False) -> None:
        self.closed = True
        if interrupted:
            self.pool.stop()
        else:
            self.pool.close()
        self.pool.join()


_BROKEN = object()  # what a task of a broken pool came to


def _outcome(future: Any) -> Any:
    """A finished pebble future's result, or what it came to instead (TaskTimeout, WorkerLost, _BROKEN, an exception)."""
    from concurrent.futures import TimeoutError
    from concurrent.futures.process import BrokenProcessPool

    from pebble import ProcessExpired

    try:
        return future.result()
    except TimeoutError:
        return TaskTimeout()
    except ProcessExpired as exc:
        return WorkerLost(exc.exitcode)
    except BrokenProcessPool:
        return _BROKEN
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
        return exc


class Cluster:
    """Tasks on a Dask distributed cluster: docgen batch IN --out OUT --cluster tcp://HOST:8786.

    Workbooks and the output folder must be on storage every worker sees under the same
    path. The time limit is kept inside each task (time_limit); a worker that dies is
    replaced by Dask, and a task that keeps killing workers is reported as WorkerLost.
    A cluster that runs nothing (no worker for `patience` seconds; or, workers unchanged,
    no task finished for the time limit plus `patience`, as when a task is stuck where the
    limit cannot reach it) stops the map with ExecutorStopped instead of waiting forever.
    """

    POLL = 1.0  # seconds between looks at the scheduler while no task finishes

    def __init__(self, address: Any, timeout: float | None = None, patience: float = PATIENCE) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise DocgenError("使用 --cluster 需要安装 Dask：pip install 'docgen[cluster]'") from None
        self.timeout, self.patience = timeout, patience
        if not isinstance(address, Client) and not ADDRESS.match(str(address)):
            raise DocgenError(f"Dask 调度器地址“{address}”无法识别，请写成 tcp://主机:端口，如 tcp://192.168.1.10:8786")
        self.owned = not isinstance(address, Client)
        # A client of our own logs a lost scheduler with English tracebacks; the run says it in Chinese.
        self.logged = _CLIENT_LOG.level
        if self.owned:
            _CLIENT_LOG.setLevel(logging.CRITICAL)
        try:
            self.client = address if isinstance(address, Client) else Client(address, timeout="10s",
                                                                            set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            _CLIENT_LOG.setLevel(self.logged)
            raise DocgenError(f"无法连接 Dask 调度器 {address}：{exc}") from None
        self.address = self.client.scheduler.address if not self.owned else str(address)
        threads = sum(self.client.nthreads().values())
        if not threads:
            self.close()
            raise DocgenError(f"Dask 调度器 {self.address} 上还没有工作进程，请先启动 dask worker。")
        self.slots = threads

    def map_unordered(self, fn: Callable[[T], Any], tasks: Iterable[T]) -> Iterator[tuple[T, Any]]:
        from concurrent.futures import CancelledError

        from distributed.scheduler import KilledWorker

        call = partial(limited, fn, self.timeout)
        prefix = f"docgen-{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex[:12]}"  # a key Dask has never seen
        pending = iter(enumerate(tasks))
        running: dict[Any, T] = {}
        finished: queue.SimpleQueue[Any] = queue.SimpleQueue()  # futures, as Dask reports them done
        watch = _Progress(self._workers())

        def submit() -> None:
            for number, task in pending:
                future = self.client.submit(call, task, key=f"{prefix}-{number}", pure=False)
                running[future] = task
                future.add_done_callback(finished.put)
                if len(running) >= self.slots * 4:
                    break

        try:
            submit()
            while running:
                try:
                    future = finished.get(timeout=self.POLL)
                except queue.Empty:
                    self._check(watch)
                    continue
                watch.finished = time.monotonic()
                task = running.pop(future)
                try:
                    result = _settled(future.result())
                except KilledWorker as exc:
                    result = WorkerLost(str(exc))
                except CancelledError:  # the scheduler dropped it: it is gone, or this client lost it
                    raise ExecutorStopped(f"与 Dask 调度器 {self.address} 的连接已断开") from None
                except Exception as exc:  # noqa: BLE001 - reported by the caller
                    result = exc
                finally:
                    future.release()
                yield task, result
                submit()
        finally:
            if running:  # stopped early: the scheduler need not keep them
                with contextlib.suppress(Exception):
                    self.client.cancel(list(running))

    def _workers(self) -> frozenset[str]:
        """The scheduler's workers now (none when the scheduler cannot be reached)."""
        try:
            return frozenset(self.client.nthreads())
        except Exception:  # noqa: BLE001 - unreachable, or this client closed: no workers for this run
            return frozenset()

    def _check(self, watch: "_Progress") -> None:
        """Raise ExecutorStopped when the cluster has been without workers, or has finished nothing, too long."""
        now, workers = time.monotonic(), self._workers()
        if workers != watch.workers:
            watch.workers, watch.changed = workers, now
        if not workers and now - watch.changed >= self.patience:
            raise ExecutorStopped(f"Dask 调度器 {self.address} 上已经没有工作进程，"
                                  f"等了 {self.patience:g} 秒也没有新的工作进程加入")
        quiet = now - max(watch.changed, watch.finished)
        if workers and self.timeout and quiet >= self.timeout + self.patience:
            raise ExecutorStopped(f"Dask 集群上 {quiet:.0f} 秒内没有任何任务完成，超过了每个任务的时限"
                                  f"（{self.timeout:g} 秒）：工作进程可能卡住了，请检查或重启各台工作机上的 dask worker")

    def run_all(self, fn: Callable[[T], Any], tasks: list[T]) -> list[Any]:
        return in_order(self.map_unordered(fn, tasks), tasks)

    def close(self, interrupted: bool = False) -> None:
        if self.owned:
            self.client.close()
            _CLIENT_LOG.setLevel(self.logged)


_CLIENT_LOG = logging.getLogger("distributed.client")


class _Progress:
    """When a map last saw a task finish, and the workers it last saw (and since when)."""

    def __init__(self, workers: frozenset[str]) -> None:
        self.workers = workers
        self.changed = self.finished = time.monotonic()


def executor_for(workers: int, cluster: Any = None, timeout: float | None = DEFAULT_TIMEOUT,
                 scratch: str | None = None, patience: float = PATIENCE) -> Executor:
    """The executor a run asks for: a cluster address, else a pool of `workers` processes, else this process.

    A pool's workers keep their temporary files in `scratch` (when given), which the caller removes;
    a cluster that runs nothing for `patience` seconds stops the run (see Cluster).
    """
    if cluster:
        return Cluster(cluster, timeout, patience)
    if workers <= 1:
        return Inline(timeout)
    return ProcessPool(workers, timeout, scratch=scratch)
