"""Document generation as a background job: the batch over every branch's approved submission.

A job never runs inside a request: a thread of the server calls docgen.batch (whose pool of
worker processes does the work) and writes its progress to the job's row, which the page
reads. Its files live in data/jobs/<id>/: 收件/ (a copy of each approved workbook under its
branch's name) and 输出/ (the batch's output folder). A server that stops leaves its running
job interrupted; resuming it is the batch's --resume, so finished workbooks are not redone.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

from .. import api
from ..batch import MANIFEST, batch
from ..config import Config
from ..documents import safe_name
from ..errors import DocgenError, disk_problem
from .store import Account, Store, copy_upload, file_inside, now

log = logging.getLogger("docgen.web")
INBOX, OUTBOX = "收件", "输出"
BRANCHES = "branches.json"  # in a job's folder: each inbox folder's 申报党组织, as its account names it
RESUMABLE = ("failed", "interrupted")  # resumed, the batch redoes only what is unfinished


FLAGS = (  # the batch's advice for its command line, and what the job's page offers instead
    (re.compile(r"(解决后)?用相同命令加 --resume (再次运行|继续)"), "解决后在本页点“继续生成”"),
    (re.compile(r"加 --resume 再次运行"), "在本页点“继续生成”"),
    (re.compile(r"[（(]可用 --timeout 放宽时限[）)]"), "（请检查该申报表是否过大或损坏）"),
    (re.compile(r"[（(][^（()）]*--[a-z][a-z-]*[^（()）]*[）)]"), ""),  # any other flag: the page has none
    (re.compile(r"[，；]?[^，；。（）\n]*--[a-z][a-z-]*[^，；。（）\n]*"), ""),
)
ADVICE = (  # the library's advice for the configuration file and its commands, and where the page does it instead
    (re.compile(r"配置文件 \S+ 的 \[organization\] 中缺少|没有找到配置文件（[^）]*）[，,]?缺少 \[organization\] 中的"),
     "设置中缺少"),
    (re.compile(r"\b(?:name|party_committee)（([^）]+)）"), r"“\1”"),  # the setting as the 设置 page labels it
    (re.compile(r"请在 docgen\.toml 中填写[\s\S]*?运行 docgen init 可在当前目录生成带说明的 docgen\.toml。?"),
     "请在“设置”页填写后，在本页点“继续生成”"),
    (re.compile(r"\n?改正后再运行；docgen templates check 可单独检查模板。?"),
     "\n请在“模板”页查看并改正后，在本页点“继续生成”"),
    (re.compile(r"可在 docgen\.toml 的 \[limits\] render_seconds 中放宽时限"),
     "可在“设置”页放宽“生成一份文书的时限（秒）”"),
    (re.compile(r"在本机装上含这些字的字体[（(]docgen fonts 可查看各类文字所用的字体[）)]"),
     "请服务器管理员在服务器上装上含这些字的字体"),
    (re.compile(r"请等它结束，或换一个输出文件夹"), "请等它结束后在本页点“继续生成”"),
    (re.compile(r"请删除这个链接或换一个输出文件夹"), "请服务器管理员删除这个链接后在本页点“继续生成”"),
    (re.compile(r"请重新运行"), "解决后请在本页点“继续生成”"),
    (re.compile(r"(?:改正|修改)?后再运行"), "后在本页点“继续生成”"),
    # anything else said of the configuration file or a command: the page has the 设置 and 模板 pages instead
    (re.compile(r"[，；]?[^，；。（）\n]*docgen (?:init|templates|fonts|batch|validate|report|render|serve)\b[^，；。（）\n]*"),
     ""),
    # the holiday calendar is no setting of the page: the data folder's file, edited on the server
    (re.compile(r"请在 docgen\.toml 的 \[calendar\]"), "请服务器管理员在数据目录的 docgen.toml 的 [calendar]"),
)
PATH = re.compile(r"(?<![\w.])/(?:[^\s/：；，。、（）()“”]+/)*[^\s/：；，。、（）()“”]+")  # an absolute path left

SHOWN = 3  # documents named for one reason a run could not make them; the rest are counted


def unmade(outcomes: list[Any], year_end_failures: list[Any] = ()) -> list[str]:
    """Why workbooks or documents of a run were not made, in the clerk's words: each reason once, with the
    documents or workbooks it stopped (a 公示期 running into a year without a holiday calendar names that year)."""
    stopped: dict[str, list[str]] = {}
    for o in outcomes:
        if o.status == "invalid":
            errors = o.report.errors if o.report is not None else []
            stopped.setdefault("申报表有错误，未生成文书" + (f"（{errors[0]}）" if errors else ""), []).append(
                Path(o.source).name)
        elif o.status == "failed":
            stopped.setdefault(o.message or "处理失败", []).append(Path(o.source).name)
        for failure in o.failures:
            stopped.setdefault(failure.message, []).append(Path(failure.document).name)
    for failure in year_end_failures:
        stopped.setdefault(failure.message, []).append(Path(failure.document).name)
    lines = []
    for reason, names in stopped.items():
        shown = "、".join(names[:SHOWN]) + (f"等 {len(names)} 个" if len(names) > SHOWN else "")
        lines.append(f"{shown}：{reason}")
    return lines


def not_due(outcomes: list[Any]) -> list[str]:
    """The documents of a run not due as of its 成文日期, by reason (未到结题时间: 结题报告 of projects still
    running), each naming its projects: not a failure, but never left out silently."""
    waiting: dict[tuple[str, str], list[str]] = {}
    for o in outcomes:
        for n in o.not_due:
            waiting.setdefault((n.reason, n.kind), []).append(n.project or Path(n.document).name)
    lines = []
    for (reason, kind), names in waiting.items():
        shown = "、".join(names[:SHOWN]) + (f"等 {len(names)} 个" if len(names) > SHOWN else "")
        lines.append(f"{reason}，未生成{api.TITLES.get(kind, kind)}：{shown}")
    return lines


def _why(entry: dict[str, Any]) -> str:
    """Why a workbook of a run was not made, from its manifest entry: its first error where it lies, or the
    failure's message."""
    if entry.get("status") == "failed":
        return entry.get("message") or "处理失败"
    errors = [i for i in entry.get("issues") or [] if i.get("severity") == "error"]
    if not errors:
        return "申报表有错误"
    first = errors[0]
    where = f"{first['place']}：" if first.get("place") else ""
    more = f"等 {len(errors)} 处错误" if len(errors) > 1 else ""
    return f"申报表有错误：{where}{first['message']}{more}"


class Progress:
    """A batch Watcher that keeps the job's row up to date (at most every half second, and at the end)."""

    def __init__(self, store: Store, job_id: int) -> None:
        self.store, self.job_id = store, job_id
        self.done = self.documents = 0
        self.last = 0.0

    def start(self, total: int) -> None:
        self.store.update_job(self.job_id, total=total, done=0, documents=0, stage="处理申报表")

    def advance(self, outcome: Any) -> None:
        self.done += 1
        self.documents += len(outcome.documents)
        if time.monotonic() - self.last > 0.5:
            self.last = time.monotonic()
            self.store.update_job(self.job_id, done=self.done, documents=self.documents)

    def stage(self, text: str) -> None:
        self.store.update_job(self.job_id, done=self.done, documents=self.documents, stage=text)

    def finish(self) -> None:
        self.store.update_job(self.job_id, done=self.done, documents=self.documents)


class Jobs:
    """Starts, resumes and finds the generation jobs of one data folder (one running at a time)."""

    def __init__(self, store: Store, config: Config, workers: int | None = None) -> None:
        self.store, self.config, self.workers = store, config, workers
        self.root = store.folder / "jobs"
        self._lock = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}
        self._refused: dict[int, dict[str, dict[str, str]]] = {}  # of finished jobs, which never change
        store.interrupt_running()

    def folder(self, job_id: int) -> Path:
        return self.root / str(job_id)

    def start(self, account: Account, settings: dict[str, Any]) -> int:
        with self._lock:
            if any(thread.is_alive() for thread in self._threads.values()):
                raise DocgenError("已有一个生成任务正在进行，请等它完成后再开始新的任务")
            approved = self.store.approved()
            if not approved:
                raise DocgenError("还没有已通过审核的申报表，无法生成文书")
            job_id = self.store.add_job(account, settings)
            inbox = self.folder(job_id) / INBOX
            inbox.mkdir(parents=True)
            for row in approved:  # each branch in a folder of its own: its photos beside its workbook
                own = inbox / safe_name(row["branch"])
                own.mkdir()
                copy_upload(self.store.uploads / row["stored"], own / f"{safe_name(row['branch'])}.xlsx")
            (self.folder(job_id) / BRANCHES).write_text(json.dumps(
                {safe_name(row["branch"]): row["branch"] for row in approved}, ensure_ascii=False), encoding="utf-8")
            self._launch(job_id, resume=False)
        return job_id

    def resume(self, job_id: int) -> None:
        with self._lock:
            job = self.store.job(job_id)
            if job is None or job["status"] not in RESUMABLE:
                raise DocgenError("只有失败或已中断的任务可以继续")
            if any(thread.is_alive() for thread in self._threads.values()):
                raise DocgenError("已有一个生成任务正在进行，请等它完成后再继续")
            self.store.update_job(job_id, status="running", message=None, finished=None)
            self._launch(job_id, resume=True)

    def _launch(self, job_id: int, resume: bool) -> None:
        thread = threading.Thread(target=self._run, args=(job_id, resume), name=f"docgen-job-{job_id}", daemon=True)
        self._threads[job_id] = thread
        thread.start()

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Until the job's thread ends (tests, and a server stopping)."""
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def _run(self, job_id: int, resume: bool) -> None:
        job = self.store.job(job_id)
        settings = job["settings"]
        self.store.update_job(job_id, started=now())
        try:
            options = api.Options(date=dt.date.fromisoformat(settings["date"]),
                                  period=api.parse_period(settings["period"]) if settings.get("period") else None)
            result = batch(self.folder(job_id) / INBOX, self.folder(job_id) / OUTBOX, settings["kinds"],
                           settings["formats"], self.config, options, workers=self.workers, resume=resume,
                           make_zip=True, watcher=Progress(self.store, job_id))
        except Exception as exc:  # noqa: BLE001 - a job's failure is shown on its page, the server goes on
            if isinstance(exc, DocgenError):
                told = str(exc)
            else:
                told = f"生成时出错：{disk_problem(exc) or type(exc).__name__}"
                log.error("generation job %s failed", job_id, exc_info=exc)
            told = self.for_the_page(job_id, told)
            if "继续生成" not in told:
                told += "。解决后可在本页点“继续生成”，已完成的申报表不会重做"
            self.store.update_job(job_id, status="failed", message=told, stage=None, finished=now())
            return
        problems = len(result.problems)
        message = f"共 {len(result.outcomes)} 个申报表，生成文件 {result.documents} 个" + (
            f"；{problems} 个申报表有问题，见清单" if problems else "")
        if result.chosen is not None:
            message += f"；{result.chosen.year}年度汇总 {result.projects} 个项目" + (
                f"，起止日期不在该年度内、未计入的项目 {len(result.left_out)} 个（见 manifest.json）"
                if result.left_out else "")
        refused = self.refused(job_id)
        if refused:  # an approved branch of which nothing was made is named, never left out silently
            message += "。未生成文书的申报党组织：" + "；".join(f"{branch}（{r['reason']}）" for branch, r in refused.items())
        reasons = unmade([o for o in result.outcomes if o.status.valid], result.year_end_failures)
        if reasons:
            message += "。未生成：" + "；".join(reasons)
        waiting = not_due(result.outcomes)
        if waiting:
            message += "。" + "；".join(waiting)
        self.store.update_job(job_id, status="done", stage=None, message=self.for_the_page(job_id, message),
                              finished=now(),
                              done=len(result.outcomes), documents=result.documents)

    def refused(self, job_id: int) -> dict[str, dict[str, str]]:
        """The branches of a finished job whose workbook it refused or failed on (manifest.json), each with the
        workbook's sha256 and why, in the clerk's words: {branch: {"sha256", "reason"}}."""
        if job_id in self._refused:
            return self._refused[job_id]
        folder = self.folder(job_id)
        try:
            entries = json.loads((folder / OUTBOX / MANIFEST).read_text(encoding="utf-8"))["workbooks"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        try:
            named = json.loads((folder / BRANCHES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            named = {}  # a job started before branches were recorded: its folders' names
        found = {}
        for entry in entries:
            if entry.get("status") not in ("invalid", "failed"):
                continue
            source = Path(entry["source"])
            own = source.parts[0] if len(source.parts) > 1 else source.stem
            found[named.get(own, own)] = {"sha256": entry.get("sha256") or "", "reason": _why(entry)}
        job = self.store.job(job_id)
        if job is not None and job["status"] == "done":
            self._refused[job_id] = found
        return found

    def last_refused(self) -> dict[str, dict[str, str]]:
        """refused() of the newest job that finished its run (the documents the department has now)."""
        done = next((job for job in self.store.jobs() if job["status"] == "done"), None)
        return self.refused(done["id"]) if done is not None else {}

    def for_the_page(self, job_id: int, message: str) -> str:
        """A message of the batch (written for its command line) as the job's page says it: the job's folders
        named as the page shows them, no other server path, and what to do on the page (设置, 模板, 继续生成) instead of
        the configuration file, a command or a flag."""
        places = {self.folder(job_id) / OUTBOX: f"第 {job_id} 次生成的“{OUTBOX}”文件夹",
                  self.folder(job_id) / INBOX: f"第 {job_id} 次生成的“{INBOX}”文件夹",
                  self.folder(job_id): f"第 {job_id} 次生成的文件夹", self.store.folder: "数据目录"}
        for path, name in places.items():
            for spelled in dict.fromkeys((str(path.resolve()), str(path.absolute()), str(path))):
                message = message.replace(spelled, name)
        for advice, instead in (*ADVICE, *FLAGS):
            message = advice.sub(instead, message)
        return PATH.sub("服务器上的文件", message).rstrip("；。 ")

    def files(self, job_id: int) -> list[str]:
        """The job's output files, relative to its output folder (work files left out)."""
        out = self.folder(job_id) / OUTBOX
        if not out.is_dir():
            return []
        return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts))

    def file(self, job_id: int, relative: str) -> Path | None:
        """The output file `relative` of the job, or None when no such file lies inside its output folder."""
        return file_inside(self.folder(job_id) / OUTBOX, relative)
