"""One set of workbooks through every executor: this process, a local pool, a Dask cluster — the same files."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import distributed
import pytest
from click.testing import CliRunner

from conftest import CONFIG
from docgen.batch import WORK_FOLDER, batch
from docgen.cli import main
from docgen.errors import DocgenError
from docgen.executors import Inline, ProcessPool, TaskTimeout, WorkerLost, time_limit
from docgen.pipeline import process_workbook
from processes import pool_workers, wait_gone
from test_batch import DOCX, OPTIONS, branch_book


@pytest.fixture(scope="module")
def cluster():
    """A Dask scheduler with two single-threaded worker processes on this machine."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=50) as local:  # any free port: another cluster may hold 8787
        yield local


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("收件")
    for n, branch in enumerate(("城关", "西固", "七里河", "安宁"), 1):
        branch_book(folder, f"{branch}.xlsx", f"DJ-2024-00{n}", f"{branch}供电服务中心党支部")
    branch_book(folder, "有错误.xlsx", "DJ-2024-009", "榆中供电服务中心党支部", **{"项目负责人*": None})
    return folder


def _record(out: Path) -> dict:
    """What must not depend on the executor: every manifest entry, and every file but the 台账's stamp."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    year_end = [(d["path"], d["sha256"] if d["format"] != "xlsx" else "") for d in data["year_end"]["documents"]]
    files = {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in out.rglob("*.docx")}
    return {"workbooks": data["workbooks"], "summary": {k: v for k, v in data["summary"].items() if k != "seconds"},
            "year_end": year_end, "files": files}


def test_every_executor_writes_the_same_files_and_manifest(inbox, tmp_path, cluster):
    inline = batch(inbox, tmp_path / "本进程", formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    pool = batch(inbox, tmp_path / "进程池", formats=DOCX, config=CONFIG, options=OPTIONS, workers=2)
    command = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(tmp_path / "集群"), "--format", "docx",
                                        "--cluster", cluster.scheduler_address, "--date", "2024-12-23",
                                        "--config", str(CONFIG.source)])
    assert command.exit_code == 1, command.output  # one workbook has an error
    assert "共 5 个申报表：已生成 4 个，有错误，已退回 1 个。" in command.output
    expected = _record(tmp_path / "本进程")
    assert len(expected["files"]) == 4 * 6 + 2  # six kinds per workbook, the year-end report, the certificates
    assert _record(tmp_path / "进程池") == expected
    assert _record(tmp_path / "集群") == expected
    assert inline.projects == pool.projects == 4


def test_a_hung_workbook_on_the_cluster_is_stopped_by_the_time_limit(inbox, tmp_path, cluster):
    from test_batch import hangs_on_城关

    result = batch(inbox, tmp_path / "输出", formats=DOCX, config=CONFIG, options=OPTIONS, cluster=cluster.scheduler_address,
                   timeout=3, step=hangs_on_城关)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses["城关.xlsx"] == "failed" and statuses["西固.xlsx"] == "rendered"
    assert "处理超时" in next(o for o in result.outcomes if o.source == "城关.xlsx").message


def _spin(seconds: float) -> str:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def test_each_executor_gives_results_in_order_and_a_timeout_as_a_result():
    for executor in (Inline(timeout=1), ProcessPool(2, timeout=1)):
        try:
            results = executor.run_all(_spin, [0.0, 5.0, 0.1])
        finally:
            executor.close()
        assert results[0] == "done" and results[2] == "done", executor
        assert isinstance(results[1], TaskTimeout), executor


def test_the_time_limit_does_not_fire_after_the_block():
    import time

    with time_limit(0.2):
        pass
    time.sleep(0.4)  # a late TaskTimeout would be raised here


def test_a_batch_started_from_a_thread_beside_other_threads_finishes(inbox, tmp_path):
    """As a web server would start it: the pool's workers come from a fork server, not a fork of this threaded process."""
    import threading

    stop = threading.Event()
    busy = threading.Thread(target=lambda: stop.wait(120), daemon=True)
    busy.start()
    results = []
    run = threading.Thread(target=lambda: results.append(
        batch(inbox, tmp_path / "输出", formats=DOCX, config=CONFIG, options=OPTIONS, workers=2)), daemon=True)
    run.start()
    run.join(120)
    stop.set()
    assert not run.is_alive(), "the batch hung"
    assert results and results[0].count("rendered") == 4


def test_a_mistyped_cluster_address_is_a_clear_message(inbox, tmp_path):
    out = tmp_path / "输出"
    run = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(out), "--cluster", "192.168.1.10",
                                    "--config", str(CONFIG.source)])
    assert run.exit_code == 1 and "tcp://主机:端口" in run.output and "Traceback" not in run.output
    assert not out.exists()


# A cluster that runs nothing more stops the run (resumable) instead of waiting behind a frozen estimate.

@pytest.fixture
def lone_worker():
    """A scheduler with one single-threaded worker in this process, which a test may take away."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  dashboard_address=":0", silence_logs=50) as local:
        yield local


def _workers_become(local, count: int) -> None:
    with distributed.Client(local.scheduler_address, set_as_default=False) as client:
        for _ in range(100):
            if len(client.nthreads()) == count:
                return
            time.sleep(0.1)
    raise AssertionError(f"the cluster never had {count} workers")


class TakesTheWorkersAway:
    """A watcher that stops every worker of the cluster once the first workbook is done."""

    def __init__(self, local):
        self.local, self.done = local, []

    def start(self, total): pass
    def stage(self, text): pass
    def finish(self): pass

    def advance(self, outcome):
        self.done.append(outcome.source)
        if len(self.done) == 1:
            self.local.scale(0)
            _workers_become(self.local, 0)


def _within(seconds: float, call):
    """call() in a thread: what it returned or raised, or a failure when it has not ended after `seconds`."""
    results = []

    def run():
        try:
            results.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            results.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} seconds"
    return results[0]


def test_a_cluster_left_without_workers_stops_the_run_which_resumes_later(inbox, tmp_path, lone_worker):
    out = tmp_path / "输出"
    stopped = _within(30, lambda: batch(
        inbox, out, formats=DOCX, config=CONFIG, options=OPTIONS, cluster=lone_worker.scheduler_address,
        patience=2, watcher=TakesTheWorkersAway(lone_worker)))
    assert isinstance(stopped, DocgenError), stopped
    assert "上已经没有工作进程，等了 2 秒也没有新的工作进程加入，已停止：完成 1/5 个申报表" in str(stopped)
    assert "--resume" in str(stopped)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["finished"] is False and len(data["workbooks"]) == 1
    done = data["workbooks"][0]["source"]
    assert not (out / WORK_FOLDER).exists()

    lone_worker.scale(1)  # a worker is back
    _workers_become(lone_worker, 1)
    result = batch(inbox, out, formats=DOCX, config=CONFIG, options=OPTIONS, cluster=lone_worker.scheduler_address,
                   resume=True, patience=2)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses[done] in ("unchanged", "invalid") and len(statuses) == 5 and result.projects == 4
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["finished"] is True


RELEASE = threading.Event()


def stuck_on_城关(job):
    """A workbook whose step blocks inside one call, where the time limit cannot reach it."""
    if job.source == "城关.xlsx":
        RELEASE.wait()
    return process_workbook(job)


def test_a_cluster_whose_workers_finish_nothing_past_the_time_limit_stops_the_run(inbox, tmp_path, lone_worker):
    out = tmp_path / "输出"
    RELEASE.clear()
    try:
        stopped = _within(30, lambda: batch(
            inbox, out, formats=DOCX, config=CONFIG, options=OPTIONS, cluster=lone_worker.scheduler_address,
            timeout=1, patience=2, step=stuck_on_城关))
    finally:
        RELEASE.set()
    assert isinstance(stopped, DocgenError), stopped
    assert "秒内没有任何任务完成，超过了每个任务的时限（1 秒）" in str(stopped) and "--resume" in str(stopped)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["finished"] is False and "城关.xlsx" not in [w["source"] for w in data["workbooks"]]


class ClosesTheCluster(TakesTheWorkersAway):
    """A watcher that shuts the whole cluster down, scheduler and all, once the first workbook is done."""

    def advance(self, outcome):
        self.done.append(outcome.source)
        if len(self.done) == 1:
            self.local.close()


def test_a_scheduler_that_goes_away_stops_the_run_with_a_clear_message(inbox, tmp_path, lone_worker):
    out = tmp_path / "输出"
    stopped = _within(30, lambda: batch(
        inbox, out, formats=DOCX, config=CONFIG, options=OPTIONS, cluster=lone_worker.scheduler_address,
        patience=2, watcher=ClosesTheCluster(lone_worker)))
    assert isinstance(stopped, DocgenError), stopped
    assert f"与 Dask 调度器 {lone_worker.scheduler_address} 的连接已断开，已停止：完成 1/5 个申报表" in str(stopped)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["finished"] is False and len(data["workbooks"]) == 1


# What a killed worker leaves: no traceback, no English, the run goes on.

def test_a_pool_whose_idle_workers_are_killed_goes_on_with_fresh_ones():
    """pebble gives a whole pool up when a worker dies while no task runs (its next schedule raised
    "Unexpected error within the Pool" into the clerk's terminal); the next tasks run all the same."""
    pool = ProcessPool(2, timeout=30)
    try:
        assert pool.run_all(_spin, [0.0, 0.0]) == ["done", "done"]
        for calls in ("map", "submit"):  # a batch's map, and the single calls of the web's checks
            workers = pool_workers(os.getpid())
            assert len(workers) == 2
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            assert not wait_gone(workers, 10)
            time.sleep(0.5)  # pebble has looked at its workers meanwhile, and given the pool up
            if calls == "map":
                assert pool.run_all(_spin, [0.0] * 4) == ["done"] * 4
            else:
                assert pool.submit(_spin, 0.0).result(timeout=30) == "done"
    finally:
        pool.close()


class LosesEveryTask(Inline):
    """An executor each of whose tasks loses its worker (as the memory killer's victims do)."""

    def map_unordered(self, fn, tasks):
        for task in tasks:
            yield task, WorkerLost(-9)


def test_a_year_end_document_whose_worker_died_is_reported_in_chinese(inbox, tmp_path):
    from docgen.pipeline import Settings, year_end

    result = batch(inbox, tmp_path / "输出", formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    settings = Settings.of(None, DOCX, CONFIG, OPTIONS, annotate=True, year_end=True)
    finished = year_end(result.outcomes, settings, tmp_path / "年度", LosesEveryTask())
    assert [(f.document, f.message) for f in finished.failures] == [
        ("2024年度党建项目汇总报告.docx", "工作进程意外退出"), ("荣誉证书-合订.docx", "工作进程意外退出")]
