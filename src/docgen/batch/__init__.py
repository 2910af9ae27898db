"""docgen batch: a company's whole year-end run over a folder of workbooks.

Orchestration only: find the workbooks, schedule the pipeline's per-workbook step on an
executor (this process, a local pool, a Dask cluster), place each workbook's files in
folder order, record them (journal, manifest.json, 清单.xlsx), set aside what earlier runs
left that this one did not make (earlier.py), resume, and summarise. It never reads or
validates a workbook itself. One bad workbook, one failing document, one hung render or
one dead worker is recorded and the run goes on; a cluster that runs nothing more stops
the run, resumable, as a full disk does.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..api import NoWorkbooks, Skipped, scan_workbooks
from ..config import Config
from ..documents import Options
from ..errors import DiskError, DocgenError, disk_problem
from ..executors import DEFAULT_TIMEOUT, PATIENCE, ExecutorStopped, TaskTimeout, WorkerLost, executor_for
from ..pipeline import (FORMATS, WORK_FOLDER, Job, Names, Outcome, Placer, Settings, Status, check_writable, clashes,
                        describe, output_lock, process_workbook, refuse_links, require_templates, write_atomic,
                        year_end)
from .earlier import EARLIER_FOLDER, earlier_files, listed, set_aside, still_there
from .journal import (JOURNAL, LISTING, MANIFEST, BatchResult, ManifestWriter, previous_entries, reserved_names,
                      reusable)
from .outputs import ZIP_FOLDER, listing, zip_branches

__all__ = ["EARLIER_FOLDER", "JOURNAL", "LISTING", "MANIFEST", "WORK_FOLDER", "ZIP_FOLDER", "BatchInterrupted",
           "BatchResult", "Watcher", "Status", "batch", "default_workers"]


class Watcher(Protocol):
    """Told how a run advances: the number of workbooks, each one done, each later stage, the end."""

    def start(self, total: int) -> None: ...
    def advance(self, outcome: Outcome) -> None: ...
    def stage(self, text: str) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    """A watcher that shows nothing."""

    def start(self, total: int) -> None: pass
    def advance(self, outcome: Outcome) -> None: pass
    def stage(self, text: str) -> None: pass
    def finish(self) -> None: pass


class BatchInterrupted(DocgenError):
    """Ctrl-C or a termination signal: the finished workbooks are kept and recorded."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"已中断：完成 {done}/{total} 个申报表，已完成的文书和清单均已保存；"
                         f"加 --resume 再次运行可跳过已完成的申报表。")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def batch(
    in_dir: str | Path,
    out_dir: str | Path,
    kinds: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    config: Config | None = None,
    options: Options | None = None,
    workers: int | None = None,
    resume: bool = False,
    make_zip: bool = False,
    watcher: Watcher | None = None,
    cluster: Any = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    step: Callable[[Job], Outcome] = process_workbook,
    patience: float = PATIENCE,
) -> BatchResult:
    """Run a whole folder of workbooks; see the module docstring.

    `cluster` is a Dask scheduler's address (or a distributed.Client); `timeout` is the
    time limit per workbook in seconds; `step` is the per-workbook step (the pipeline's);
    `patience` is how long a cluster may run nothing before the run stops (executors.Cluster).
    """
    started = time.perf_counter()
    out, in_path = Path(out_dir), Path(in_dir)
    if not in_path.is_dir():
        raise DocgenError(f"找不到申报表文件夹：{in_path}")
    settings = Settings.of(kinds, formats, config, options, annotate=True, year_end=True)
    settings.config.require_organization()
    require_templates(settings.config)
    watcher = watcher or _Silent()
    if _inside(in_path, out):
        raise DocgenError(f"输出目录 {out} 不能是申报表文件夹本身或它的上级目录，请另选一个输出目录。")
    found = scan_workbooks([in_path], outside=out)
    if not found.workbooks:
        raise DocgenError(str(NoWorkbooks(_left_out(found, in_path), where=f"在 {in_path} 里")))
    settings = settings.fingerprinted()
    scratch = str((out / WORK_FOLDER / "tmp").resolve())  # the workers' temporary files, removed with the work folder
    executor = executor_for(workers or default_workers(), cluster, timeout, scratch, patience)  # a bad address: nothing written
    try:
        check_writable(out)
        with output_lock(out):
            refuse_links(out)
            return _run(found, in_path, out, settings, watcher, resume, make_zip, started, executor, timeout, step)
    except BaseException:
        executor.close(interrupted=True)
        raise


def _run(found: Any, in_path: Path, out: Path, settings: Settings, watcher: Watcher, resume: bool, make_zip: bool,
         started: float, executor: Any, timeout: float | None, step: Callable[[Job], Outcome]) -> BatchResult:
    """The run itself, the output folder held (batch() has checked everything it can beforehand)."""
    work = out / WORK_FOLDER
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    earlier = earlier_files(out)  # read before this run's journal adds to it
    previous = previous_entries(out) if resume else {}
    jobs = []
    for index, path in enumerate(found.workbooks):
        source = _relative(path, in_path)
        jobs.append(Job(index, str(path.resolve()), source, str((work / str(index)).resolve()), settings,
                        *reusable(previous.get(source), out)))
    result = BatchResult(out, [], skipped=_left_out(found, in_path))
    placer = Placer(out, Names(reserved_names(previous)))
    watcher.start(len(jobs))
    # Placed in folder order whatever order the workers finish in, so that of two workbooks
    # giving one name the first in the folder keeps it and the other gets (2).
    waiting: dict[int, Outcome] = {}
    manifest = ManifestWriter(out, in_path, settings)
    here = out.stat()

    def gone() -> bool:
        """The output folder was deleted or moved (one made again by a worker's write is not ours)."""
        now = out.stat() if out.is_dir() else None
        return now is None or (now.st_dev, now.st_ino) != (here.st_dev, here.st_ino)

    def place(outcome: Outcome) -> None:
        if gone():
            raise DiskError("输出文件夹已被删除或移走")
        placer.place(outcome)
        result.outcomes.append(outcome)
        manifest.append(outcome)

    def stop() -> list[dict[str, Any]]:
        """End the run early, keeping what is whole: the outcomes finished so far placed, in folder order."""
        for index in sorted(waiting):
            with contextlib.suppress(OSError):
                place(waiting.pop(index))
        executor.close(interrupted=True)
        done = {o.source for o in result.outcomes}
        # Workbooks not reached keep their last entry: their files from the last run are still there.
        return [e for source, e in previous.items() if source not in done]

    def save_unfinished(carried: list[dict[str, Any]]) -> None:
        """manifest.json of a run that stopped early: what it did, what it carried, what earlier runs left."""
        manifest.save(result, carried=carried, earlier=still_there(out, earlier, listed(result, carried)))

    interrupted = True
    try:
        try:
            with _sigterm_as_interrupt():
                for job, outcome in executor.map_unordered(step, jobs):
                    outcome = _settled(job, outcome, timeout)
                    if outcome.stop:  # the storage failed, not the workbook: not recorded, redone on resume
                        raise DiskError(outcome.stop)
                    waiting[outcome.index] = outcome
                    while len(result.outcomes) in waiting:
                        place(waiting.pop(len(result.outcomes)))
                    watcher.advance(outcome)  # reported once placed or waiting: an interruption keeps it
                for turned in clashes(result.outcomes):
                    placer.withdraw(turned)
                    with contextlib.suppress(OSError, DocgenError):
                        placer.return_copy(turned)
                watcher.stage("年度汇总报告、台账和荣誉证书合订本")
                finished = year_end(result.outcomes, settings, work / "year-end", executor)
                placer.place(finished)
                manifest.note([d.path for d in finished.documents])
                result.year, result.projects = finished.year, finished.projects
                result.chosen, result.left_out = finished.chosen, finished.left_out
                result.year_end, result.year_end_failures = finished.documents, finished.failures
                interrupted = False
                executor.close()
                if make_zip:
                    watcher.stage("按支部打包")
                    result.zips = zip_branches(result)
                    manifest.note(result.zips)
                result.set_aside = still_there(out, earlier, listed(result))
                result.set_aside_to = set_aside(out, result.set_aside)
                result.seconds = time.perf_counter() - started
                manifest.save(result, final=True)
                write_atomic(out / LISTING, listing(result))
        except KeyboardInterrupt:
            carried = stop()
            save_unfinished(carried)
            shutil.rmtree(work, ignore_errors=True)
            raise BatchInterrupted(len(result.outcomes), len(jobs)) from None
        except (DiskError, ExecutorStopped, OSError) as exc:
            # The storage refused, or the cluster runs nothing more: every later workbook would meet the same.
            problem = str(exc) if isinstance(exc, DocgenError) else disk_problem(exc)
            if problem is None:
                raise
            carried = stop() if interrupted else []
            shutil.rmtree(work, ignore_errors=True)  # frees the space of what was not finished
            if gone():
                raise DiskError(f"输出文件夹 {out} 在运行中被删除或移走，已停止；请重新运行。") from None
            with contextlib.suppress(OSError):
                save_unfinished(carried)
            stopped = DiskError if isinstance(exc, (DiskError, OSError)) else ExecutorStopped
            raise stopped(f"{problem}，已停止：完成 {len(result.outcomes)}/{len(jobs)} 个申报表，"
                          f"完成的文书完好保存在 {out}；解决后用相同命令加 --resume 继续，已完成的不会重做。") from None
        shutil.rmtree(work, ignore_errors=True)
        watcher.finish()
    finally:
        manifest.close()
        if interrupted:
            executor.close(interrupted=True)
    return result


def _settled(job: Job, outcome: Any, timeout: float | None) -> Outcome:
    """A job's outcome, or a failed one saying in Chinese why the executor gave none."""
    if isinstance(outcome, Outcome):
        return outcome
    failed = Outcome(job.index, job.source, Status.FAILED, path=job.path)
    if isinstance(outcome, TaskTimeout):
        failed.message = (f"处理超时：超过 {timeout:g} 秒仍未完成，已停止处理该申报表"
                          f"（可用 --timeout 放宽时限）")
    elif isinstance(outcome, WorkerLost):
        failed.message = "处理该申报表时工作进程意外退出"
    else:
        failed.message = f"处理时出错：{describe(outcome)}"
    return failed


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A termination signal (a closed terminal, a stopped service) ends the run as Ctrl-C does."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _left_out(found: Any, root: Path) -> list[Skipped]:
    """The files of the input folder not read, named relative to it."""
    return [replace(s, path=_relative(Path(s.path), root)) for s in found.skipped]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
