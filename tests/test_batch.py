"""`docgen batch`: a folder of workbooks in one run, nothing stopped by one bad file, resumable."""
from __future__ import annotations

import datetime as dt
import os
import signal
import time
import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from textof import docx_paragraphs
from processes import descendants, wait_gone
from builder import award_row, full_book, progress_row, project_row, result_row, task_row
from docgen import batch as batch_module
from docgen.batch import WORK_FOLDER, BatchInterrupted, batch
from docgen.cli import main
from docgen.documents import Options
from docgen.pipeline import Renderers, process_workbook

OPTIONS = Options(date=dt.date(2024, 12, 23))
DOCX = ("docx",)

from conftest import CONFIG


def branch_book(folder: Path, name: str, code: str, branch: str, **changes) -> Path:
    """A valid workbook of one project of `branch`, finished in 2024, with one certificate."""
    project = project_row(code, **{"申报党组织*": branch, "项目名称*": f"{branch}服务项目", **changes})
    tasks = [task_row(code, seq=1, **{"完成时限*": dt.date(2024, 11, 30)})]
    progress = [progress_row(code, period="2024年第4季度", task=1, percent=100, **{"统计日期*": dt.date(2024, 12, 20)})]
    awards = [award_row(f"ZS-{code}", recipient=branch, **{"项目编号": code})]
    return full_book([project], tasks, progress, [result_row(code)], awards).save(folder / name)


@pytest.fixture
def company(tmp_path):
    """Two valid branches, one workbook with an error, plus a lock file and an old annotated copy."""
    folder = tmp_path / "收件"
    folder.mkdir()
    branch_book(folder, "城关.xlsx", "DJ-2024-001", "城关供电服务中心党支部")
    branch_book(folder, "西固.xlsx", "DJ-2024-002", "西固供电服务中心党支部")
    branch_book(folder, "七里河.xlsx", "DJ-2024-003", "七里河供电服务中心党支部", **{"项目负责人*": None})
    (folder / "~$城关.xlsx").write_bytes(b"lock")
    (folder / "城关.校验.xlsx").write_bytes(b"older than its workbook: not read")
    os.utime(folder / "城关.校验.xlsx", (1_700_000_000, 1_700_000_000))
    return folder


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def entry(data: dict, source: str) -> dict:
    return next(w for w in data["workbooks"] if w["source"] == source)


def test_valid_workbooks_are_rendered_and_faulty_ones_returned(company, tmp_path):
    out = tmp_path / "输出"
    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)

    assert sorted(o.source for o in result.outcomes) == ["七里河.xlsx", "城关.xlsx", "西固.xlsx"]
    assert not result.ok
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"城关.xlsx": "rendered", "西固.xlsx": "rendered", "七里河.xlsx": "invalid"}
    assert (out / "城关供电服务中心党支部" / "DJ-2024-001_立项表.docx").is_file()
    assert not (out / "七里河供电服务中心党支部").exists()
    annotated = load_workbook(out / "退回" / "七里河.校验.xlsx")
    assert "必填" in annotated["项目信息"]["G2"].comment.text
    # the year end counts the two valid workbooks only
    assert (out / "2024年度党建项目汇总报告.docx").is_file()
    assert (out / "2024年度党建项目管理台账.xlsx").is_file()
    assert (out / "荣誉证书-合订.docx").is_file()
    assert result.projects == 2
    assert not (out / WORK_FOLDER).exists()


def test_manifest_and_listing_record_every_file_with_its_hash(company, tmp_path):
    out = tmp_path / "输出"
    batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    data = manifest_of(out)
    assert data["finished"] is True
    document = out / "城关供电服务中心党支部" / "DJ-2024-001_立项表.docx"
    for listed in ("manifest.json", "清单.xlsx"):  # as readable as the documents, not private temp files
        assert (out / listed).stat().st_mode & 0o777 == document.stat().st_mode & 0o777
    assert data["summary"]["rendered"] == 2 and data["summary"]["invalid"] == 1
    faulty = entry(data, "七里河.xlsx")
    assert faulty["status_label"] == "有错误，已退回"
    assert faulty["errors"] == 1 and faulty["annotated"] == "退回/七里河.校验.xlsx"
    assert faulty["issues"][0]["cell"] == "G2"
    documents = entry(data, "城关.xlsx")["documents"]
    assert {d["kind"] for d in documents} == {"proposal", "plan", "progress", "notice", "certificate", "closing_report"}
    for d in documents:
        assert hashlib.sha256((out / d["path"]).read_bytes()).hexdigest() == d["sha256"]
        assert d["project"] == "DJ-2024-001"  # a branch notice of one project names it too

    listing = load_workbook(out / "清单.xlsx")
    rows = {r[1]: r for r in listing["申报表"].iter_rows(min_row=3, values_only=True)}
    assert rows["七里河.xlsx"][3] == "有错误，已退回" and rows["七里河.xlsx"][4] == 1
    assert rows["城关.xlsx"][3] == "已生成"
    files = [r for r in listing["文件"].iter_rows(min_row=3, values_only=True)]
    plan = next(r for r in files if r[1] == "城关供电服务中心党支部/DJ-2024-001_计划书.docx")
    assert plan[2] == "计划书" and plan[3] == "DJ-2024-001" and plan[4] == "城关.xlsx"
    assert any(r[1] == "2024年度党建项目管理台账.xlsx" for r in files)


class PlanFailsFor城关(Renderers):
    """Renderers whose 计划书 of 城关 fails, as a broken template would."""

    def render(self, fmt, kind, context, metadata=None):
        if kind == "plan" and "城关" in context.get("branch", ""):
            raise RuntimeError("模板出错")
        return super().render(fmt, kind, context, metadata)


def with_a_failing_plan(job):
    """The pipeline's step, with renderers of its own (the seam a batch offers: its `step`)."""
    return process_workbook(job, PlanFailsFor城关(job.settings.formats))


def test_an_unreadable_workbook_and_a_failing_document_do_not_stop_the_others(company, tmp_path):
    (company / "坏文件.xlsx").write_bytes(b"this is not a zip")
    out = tmp_path / "输出"
    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, step=with_a_failing_plan)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses["坏文件.xlsx"] == "invalid"
    assert statuses["城关.xlsx"] == "incomplete"
    assert statuses["西固.xlsx"] == "rendered"
    chengguan = next(o for o in result.outcomes if o.source == "城关.xlsx")
    assert [f.document for f in chengguan.failures] == ["城关供电服务中心党支部/DJ-2024-001_计划书.docx"]
    assert (out / "城关供电服务中心党支部" / "DJ-2024-001_立项表.docx").is_file()
    assert not (out / "城关供电服务中心党支部" / "DJ-2024-001_计划书.docx").exists()
    assert (out / "西固供电服务中心党支部" / "DJ-2024-002_计划书.docx").is_file()


def test_resume_skips_what_did_not_change(company, tmp_path):
    out = tmp_path / "输出"
    batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    kept = out / "西固供电服务中心党支部" / "DJ-2024-002_立项表.docx"
    stamp = kept.stat().st_mtime_ns

    # a clerk corrects 城关's workbook; 西固 is unchanged
    branch_book(company, "城关.xlsx", "DJ-2024-001", "城关供电服务中心党支部", **{"项目口号": "新口号"})
    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, resume=True)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"城关.xlsx": "rendered", "西固.xlsx": "unchanged", "七里河.xlsx": "invalid"}
    assert kept.stat().st_mtime_ns == stamp
    assert entry(manifest_of(out), "西固.xlsx")["documents"]  # still listed
    assert result.projects == 2  # unchanged workbooks still count in the year end
    assert (out / "荣誉证书-合订.docx").is_file()
    again = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, resume=True)
    assert {o.source: o.status for o in again.outcomes}["城关.xlsx"] == "unchanged"
    combined = "\n".join(docx_paragraphs((out / "荣誉证书-合订.docx").read_bytes()))
    assert "ZS-DJ-2024-001" in combined and "ZS-DJ-2024-002" in combined  # unchanged workbooks' certificates too

    # other options: everything again
    later = Options(date=dt.date(2024, 12, 30))
    result = batch(company, out, formats=DOCX, config=CONFIG, options=later, workers=1, resume=True)
    assert {o.status for o in result.outcomes} == {"rendered", "invalid"}

    # a deleted output: that workbook again
    kept.unlink()
    result = batch(company, out, formats=DOCX, config=CONFIG, options=later, workers=1, resume=True)
    assert {o.source: o.status for o in result.outcomes}["西固.xlsx"] == "rendered"
    assert kept.is_file()


class StopsAfter:
    """A watcher that stops the run once `count` workbooks are done (Ctrl-C, or the process killed)."""

    def __init__(self, count, stop=KeyboardInterrupt):
        self.count, self.stop, self.done = count, stop, []

    def start(self, total): pass
    def stage(self, text): pass
    def finish(self): pass

    def advance(self, outcome):
        self.done.append(outcome.source)
        if len(self.done) == self.count:
            raise self.stop


def test_an_interrupted_run_leaves_only_whole_files_and_resumes(company, tmp_path):
    out = tmp_path / "输出"
    stops = StopsAfter(2)
    with pytest.raises(BatchInterrupted, match="--resume"):
        batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, watcher=stops)
    placed = stops.done
    assert not (out / WORK_FOLDER).exists()
    data = manifest_of(out)
    assert data["finished"] is False
    assert [w["source"] for w in data["workbooks"]] == placed
    written = [p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"]
    assert written and all(not p.name.startswith(".~") for p in written)
    assert not (out / "荣誉证书-合订.docx").exists()

    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, resume=True)
    assert placed == ["七里河.xlsx", "城关.xlsx"]
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"七里河.xlsx": "invalid", "城关.xlsx": "unchanged", "西固.xlsx": "rendered"}
    assert manifest_of(out)["finished"] is True


def test_a_project_code_in_two_workbooks_sends_both_back(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    branch_book(folder, "甲.xlsx", "DJ-2024-001", "甲党支部")
    branch_book(folder, "乙.xlsx", "DJ-2024-001", "乙党支部")
    branch_book(folder, "丙.xlsx", "DJ-2024-003", "丙党支部")
    out = tmp_path / "输出"
    result = batch(folder, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"甲.xlsx": "invalid", "乙.xlsx": "invalid", "丙.xlsx": "rendered"}
    assert not (out / "甲党支部" / "DJ-2024-001_立项表.docx").exists()
    assert not (out / "乙党支部").exists() or not any((out / "乙党支部").iterdir())
    first = next(o for o in result.outcomes if o.source == "甲.xlsx")
    assert "乙.xlsx" in str(first.report.errors[0]) and first.annotated == "退回/甲.校验.xlsx"
    assert result.projects == 1


def test_two_workbooks_of_one_branch_never_overwrite_each_other(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    branch_book(folder, "一.xlsx", "DJ-2024-001", "城关党支部")
    branch_book(folder, "二.xlsx", "DJ-2024-002", "城关党支部")
    out = tmp_path / "输出"
    result = batch(folder, out, kinds=["notice"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, make_zip=True)
    paths = sorted(d.path for o in result.outcomes for d in o.documents)
    assert paths == ["城关党支部/城关党支部_“四公开”公示(2).docx", "城关党支部/城关党支部_“四公开”公示.docx"]
    assert all((out / p).is_file() for p in paths)
    with zipfile.ZipFile(out / "按支部打包" / "城关党支部.zip") as archive:
        assert sorted(archive.namelist()) == paths
    with zipfile.ZipFile(out / "全部文书.zip") as archive:  # and the year end's files beside them
        names = archive.namelist()
        assert set(paths) < set(names) and any(n.endswith("台账.xlsx") for n in names), names


def test_the_first_workbook_in_the_folder_keeps_the_plain_name_however_the_workers_finish(tmp_path):
    """一.xlsx (slow: 24 projects) and 二.xlsx (fast) of one branch: 一 keeps the name with 1 worker and with 2."""
    folder = tmp_path / "收件"
    folder.mkdir()
    codes = [f"DJ-2024-{n:03d}" for n in range(1, 25)]
    projects = [project_row(c, **{"申报党组织*": "城关党支部"}) for c in codes]
    tasks = [task_row(c, seq=1) for c in codes]
    full_book(projects, tasks, [progress_row(c) for c in codes], [result_row(c) for c in codes], []).save(
        folder / "一.xlsx")
    branch_book(folder, "二.xlsx", "DJ-2024-099", "城关党支部")
    for workers in (1, 2):
        out = tmp_path / f"输出{workers}"
        result = batch(folder, out, kinds=["notice"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=workers)
        names = {o.source: [d.path for d in o.documents] for o in result.outcomes}
        assert names == {"一.xlsx": ["城关党支部/城关党支部_“四公开”公示.docx"],
                         "二.xlsx": ["城关党支部/城关党支部_“四公开”公示(2).docx"]}, workers


def test_worker_processes_write_the_same_files(company, tmp_path):
    one = batch(company, tmp_path / "一", config=CONFIG, options=OPTIONS, workers=1)
    two = batch(company, tmp_path / "二", config=CONFIG, options=OPTIONS, workers=2)
    names = lambda r: sorted(d.path for o in r.outcomes for d in o.documents) + sorted(d.path for d in r.year_end)
    assert names(one) == names(two)
    assert any(p.endswith(".pdf") for p in names(two))
    docx = [d for o in two.outcomes for d in o.documents if d.format == "docx"]
    same = {d.path: d.sha256 for o in one.outcomes for d in o.documents}
    assert all(same[d.path] == d.sha256 for d in docx)  # Word output is byte-for-byte reproducible


def test_the_command_prints_plain_progress_and_a_summary(company, tmp_path):
    out = tmp_path / "输出"
    run = CliRunner().invoke(main, ["batch", str(company), "--out", str(out), "--format", "docx",
                                    "--workers", "1", "--date", "2024-12-23"])
    assert run.exit_code == 1, run.output
    assert "共 3 个申报表，开始处理" in run.output
    assert re.search(r"\[\d/3\] 城关\.xlsx：已生成，文书 6 份", run.output)  # plain lines: not a terminal
    assert "] ✗ 七里河.xlsx：有错误，已退回，文书 0 份" in run.output
    assert "✗ 七里河.xlsx：有错误，已退回（错误 1 处，警告 0 处）" in run.output
    assert "退回副本：退回/七里河.校验.xlsx" in run.output
    assert "共 3 个申报表：已生成 2 个，有错误，已退回 1 个。" in run.output
    assert "未读取的文件（2 个" in run.output and "城关.校验.xlsx：同一申报表有较新的文件 城关.xlsx" in run.output
    assert [s["source"] for s in manifest_of(out)["skipped"]] == ["~$城关.xlsx", "城关.校验.xlsx"]
    assert "Traceback" not in run.output

    missing = CliRunner().invoke(main, ["batch", str(tmp_path / "没有"), "--out", str(out)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    (tmp_path / "空").mkdir()
    empty = CliRunner().invoke(main, ["batch", str(tmp_path / "空"), "--out", str(tmp_path / "空输出")])
    assert empty.exit_code == 1 and "没有找到任何" in empty.output and not (tmp_path / "空输出").exists()
    same = CliRunner().invoke(main, ["batch", str(company), "--out", str(company)])
    assert same.exit_code == 1 and "不能是申报表文件夹本身" in same.output


def test_the_output_folder_inside_the_input_folder_is_not_read_again(company):
    out = company / "输出"
    batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    assert len(result.outcomes) == 3  # not the annotated copy written into 输出/退回


def test_the_benchmark_set_is_valid(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from make_set import make_set

    from docgen import api

    paths = make_set(tmp_path, workbooks=3, certificates=4, processes=1)
    report = api.validate(paths)
    assert len(paths) == 3 and report.ok, [str(i) for f in report for i in f.issues]
    awards = sum(len(api.load(p)[0].awards) for p in paths)
    assert awards == 4


def test_a_killed_run_resumes_from_its_journal(company, tmp_path):
    """A run killed outright never writes manifest.json; --resume reads the journal it kept."""
    out = tmp_path / "输出"
    with pytest.raises(SystemExit):
        batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, watcher=StopsAfter(2, SystemExit(137)))
    assert not (out / "manifest.json").exists()
    assert len((out / batch_module.JOURNAL).read_text(encoding="utf-8").splitlines()) == 2

    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, resume=True)
    assert {o.source: o.status for o in result.outcomes} == {
        "七里河.xlsx": "invalid", "城关.xlsx": "unchanged", "西固.xlsx": "rendered"}
    assert not (out / batch_module.JOURNAL).exists() and not (out / WORK_FOLDER).exists()


def test_a_terminated_command_exits_cleanly_and_keeps_whole_files(tmp_path):
    """SIGTERM mid-run: exit status 130, no traceback, no half-written file, the work folder gone."""
    import signal
    import subprocess

    folder = tmp_path / "收件"
    folder.mkdir()
    for i in range(1, 7):
        branch_book(folder, f"{i}.xlsx", f"DJ-2024-00{i}", f"第{i}党支部")
    out = tmp_path / "输出"
    command = [sys.executable, "-m", "docgen.cli", "batch", str(folder), "--out", str(out),
               "--format", "pdf", "--kind", "proposal", "--kind", "plan", "--workers", "2", "--date", "2024-12-23"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for text in process.stderr:
        if text.startswith("[1/6]"):
            process.send_signal(signal.SIGTERM)
            break
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130, rest
    assert "已中断" in rest and "--resume" in rest and "Traceback" not in rest
    assert not (out / WORK_FOLDER).exists()
    data = manifest_of(out)
    assert data["finished"] is False and 1 <= len(data["workbooks"]) < 6
    for w in data["workbooks"]:
        for d in w["documents"]:
            assert hashlib.sha256((out / d["path"]).read_bytes()).hexdigest() == d["sha256"]
    files = {p.relative_to(out).as_posix() for p in out.rglob("*.pdf")}
    assert files == {d["path"] for w in data["workbooks"] for d in w["documents"]}


def dies_on_西固(job):
    if job.source == "西固.xlsx":
        os._exit(1)  # as a crash in a native library would
    return process_workbook(job)


def test_a_worker_that_dies_costs_only_its_workbook(company, tmp_path):
    """A workbook that kills its worker process is reported as such; the pool goes on with a fresh worker."""
    result = batch(company, tmp_path / "输出", formats=DOCX, config=CONFIG, options=OPTIONS, workers=2,
                   step=dies_on_西固)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"七里河.xlsx": "invalid", "城关.xlsx": "rendered", "西固.xlsx": "failed"}
    failed = next(o for o in result.outcomes if o.source == "西固.xlsx")
    assert "工作进程意外退出" in failed.message
    assert (tmp_path / "输出" / "城关供电服务中心党支部" / "DJ-2024-001_立项表.docx").is_file()
    assert (tmp_path / "输出" / "2024年度党建项目汇总报告.docx").is_file()


def hangs_on_城关(job):
    """A render that never ends, as WeasyPrint laying out 100,000 unbroken characters once did."""
    if job.source == "城关.xlsx":
        while True:
            time.sleep(0.01)
    return process_workbook(job)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hung_workbook_is_stopped_by_the_time_limit_and_the_rest_go_on(company, tmp_path, workers):
    out = tmp_path / "输出"
    result = batch(company, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=workers, timeout=3,
                   step=hangs_on_城关)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"七里河.xlsx": "invalid", "城关.xlsx": "failed", "西固.xlsx": "rendered"}
    hung = next(o for o in result.outcomes if o.source == "城关.xlsx")
    assert "处理超时：超过 3 秒" in hung.message and "--timeout" in hung.message
    assert entry(manifest_of(out), "城关.xlsx")["status_label"] == "处理失败"
    assert not (out / "城关供电服务中心党支部").exists()
    assert (out / "西固供电服务中心党支部" / "DJ-2024-002_立项表.docx").is_file()
    assert result.projects == 1


def test_a_notice_that_needs_an_unknown_years_calendar_is_named_with_its_reason_and_the_workbook_still_counts(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    code = "DJ-2026-001"
    full_book([project_row(code, **{"开始日期*": dt.date(2026, 3, 1), "结束日期*": dt.date(2026, 12, 31)})],
              [task_row(code, seq=1, **{"完成时限*": dt.date(2026, 11, 30)})],
              [progress_row(code, period="2026年第4季度", task=1, percent=100, **{"统计日期*": dt.date(2026, 12, 20)})],
              [result_row(code)], []).save(folder / "城关.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--kind", "notice", "--kind", "proposal",
                                       "--format", "docx", "--workers", "1", "--date", "2026-12-28"])
    assert result.exit_code == 1, result.output
    assert "2027" in result.output and "[calendar]" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["workbooks"][0]
    assert entry["status"] == "incomplete"
    assert [f["document"] for f in entry["failures"]] == ["城关供电服务中心党支部/城关供电服务中心党支部_“四公开”公示.docx"]
    assert "2027" in entry["failures"][0]["message"] and "[calendar]" in entry["failures"][0]["message"]
    assert [d["kind"] for d in entry["documents"]] == ["proposal"]
    assert manifest["year_end"]["year"] == 2026 and manifest["year_end"]["projects"] == 1  # it still counts


# Files of earlier runs: after a run the output folder holds what its manifest lists; docgen's own
# files of earlier runs that this run did not make again are moved to 旧文件/<date_time>/, unchanged.

def files_in(out: Path) -> dict[str, str]:
    """Every file under `out` (relative path → SHA-256)."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in out.rglob("*") if p.is_file()}


def listed_in(data: dict) -> set[str]:
    """What a manifest lists: every document, returned copy, year-end file and zip, and the two records."""
    files = {d["path"] for w in data["workbooks"] for d in w["documents"]}
    files |= {w["annotated"] for w in data["workbooks"] if w["annotated"]}
    files |= {d["path"] for d in data["year_end"]["documents"]} | set(data["zips"])
    return files | {"manifest.json", "清单.xlsx"}


def set_aside_in(data: dict) -> set[str]:
    """Where the manifest says the earlier files went, each under its old relative path."""
    folder = data["set_aside"]["folder"]
    return {f"{folder}/{f}" for f in data["set_aside"]["files"]}


def test_a_second_run_sets_aside_the_files_of_the_first_it_did_not_make_again(tmp_path):
    """The issue's case from the samples: one branch withdrew, another's workbook is now invalid, no --zip."""
    from conftest import SAMPLES

    inbox = tmp_path / "收件"
    inbox.mkdir()
    for name in ("城关供电服务中心党支部.xlsx", "变电运维中心.xlsx", "有错误的申报表.xlsx"):
        (inbox / name).write_bytes((SAMPLES / name).read_bytes())
    out = tmp_path / "输出"
    batch(inbox, out, formats=DOCX, config=CONFIG, options=OPTIONS, workers=1, make_zip=True)
    first = files_in(out)
    assert manifest_of(out)["set_aside"] == {"folder": None, "files": []}
    mine = {"说明.txt": b"clerk", "城关供电服务中心党支部/DJ-2024-001_立项表（签字盖章）.pdf": b"scan"}
    for name, data in mine.items():  # the clerk's own files: no manifest lists them, docgen leaves them
        (out / name).write_bytes(data)
    (inbox / "变电运维中心.xlsx").unlink()
    book = load_workbook(inbox / "城关供电服务中心党支部.xlsx")
    book["项目信息"]["G4"] = None  # 项目负责人* of its first project
    book.save(inbox / "城关供电服务中心党支部.xlsx")

    run = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(out), "--format", "docx", "--workers", "1",
                                    "--date", "2024-12-23"])
    assert run.exit_code == 1, run.output
    data = manifest_of(out)
    assert data["year_end"]["projects"] == 0 and data["zips"] == []
    folder = data["set_aside"]["folder"]
    assert re.fullmatch(r"旧文件/\d{4}-\d\d-\d\d_\d{6}", folder)
    moved = set(data["set_aside"]["files"])
    assert moved == set(first) - listed_in(data)  # every file of the first run not made again …
    assert {"全部文书.zip", "按支部打包/城关供电服务中心党支部.zip", "2024年度党建项目汇总报告.docx",
            "2024年度党建项目管理台账.xlsx", "荣誉证书-合订.docx",
            "城关供电服务中心党支部/DJ-2024-001_立项表.docx"} <= moved
    assert sum(f.startswith("荣誉证书/") for f in moved) == 7
    now = files_in(out)
    assert set(now) == listed_in(data) | set_aside_in(data) | set(mine)  # … and nothing else stays
    assert all(now[f"{folder}/{f}"] == first[f] for f in moved)  # moved unchanged
    assert all((out / name).read_bytes() == data for name, data in mine.items())
    assert not (out / "变电运维中心运维二站党支部").exists()  # emptied folders go too
    assert f"以前运行留下、这次没有再生成的 {len(moved)} 个文件已移到 {out / folder}（没有删除" in run.output


def test_resume_keeps_the_unchanged_files_and_sets_aside_a_copy_no_longer_returned(company, tmp_path):
    out = tmp_path / "输出"
    batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    first = files_in(out)
    assert "退回/七里河.校验.xlsx" in first
    branch_book(company, "七里河.xlsx", "DJ-2024-003", "七里河供电服务中心党支部")  # corrected and sent again

    result = batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1,
                   resume=True)
    statuses = {o.source: o.status for o in result.outcomes}
    assert statuses == {"城关.xlsx": "unchanged", "西固.xlsx": "unchanged", "七里河.xlsx": "rendered"}
    data = manifest_of(out)
    assert result.set_aside == ["退回/七里河.校验.xlsx"] and data["set_aside"]["files"] == result.set_aside
    now = files_in(out)
    assert set(now) == listed_in(data) | set_aside_in(data)
    kept = [d["path"] for source in ("城关.xlsx", "西固.xlsx") for d in entry(data, source)["documents"]]
    assert kept and all(now[p] == first[p] for p in kept)  # not redone, still listed, still there
    assert now[f"{result.set_aside_to}/退回/七里河.校验.xlsx"] == first["退回/七里河.校验.xlsx"]
    assert not (out / "退回").exists()


def test_an_interrupted_run_moves_nothing_and_the_next_finished_run_sets_aside_what_it_left(company, tmp_path):
    out = tmp_path / "输出"
    batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    first, withdrawn = files_in(out), [d["path"] for d in entry(manifest_of(out), "西固.xlsx")["documents"]]
    (company / "西固.xlsx").unlink()
    with pytest.raises(BatchInterrupted):
        batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1,
              watcher=StopsAfter(1))
    data = manifest_of(out)
    assert [w["source"] for w in data["workbooks"]] == ["七里河.xlsx"]  # the earlier files it did not reach …
    assert set(withdrawn) | {"2024年度党建项目汇总报告.docx"} <= set(data["earlier"])  # … are recorded, not moved
    assert set(files_in(out)) == set(first)

    result = batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1,
                   resume=True)
    data = manifest_of(out)
    assert set(withdrawn) <= set(result.set_aside) and data["earlier"] == []
    assert set(files_in(out)) == listed_in(data) | set_aside_in(data)


def test_documents_of_an_earlier_run_are_set_aside_not_deleted_when_a_clash_withdraws_them(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    branch_book(folder, "甲.xlsx", "DJ-2024-001", "甲党支部")
    branch_book(folder, "丙.xlsx", "DJ-2024-003", "丙党支部")
    out = tmp_path / "输出"
    batch(folder, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    first = files_in(out)
    branch_book(folder, "乙.xlsx", "DJ-2024-001", "乙党支部")  # a second workbook with 甲's project code

    result = batch(folder, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1,
                   resume=True)
    assert {o.source: o.status for o in result.outcomes} == {"甲.xlsx": "invalid", "乙.xlsx": "invalid",
                                                             "丙.xlsx": "unchanged"}
    now = files_in(out)
    assert f"{result.set_aside_to}/甲党支部/DJ-2024-001_立项表.docx" in now  # made by the first run: kept aside
    assert now[f"{result.set_aside_to}/甲党支部/DJ-2024-001_立项表.docx"] == first["甲党支部/DJ-2024-001_立项表.docx"]
    assert not [p for p in now if "乙党支部" in p]  # made by this run and withdrawn: never handed out
    assert set(now) == listed_in(manifest_of(out)) | set_aside_in(manifest_of(out))


class KilledAt(StopsAfter):
    """A watcher whose run is killed outright when it reaches a stage (a SystemExit runs no except clause of ours)."""

    def __init__(self, stage):
        super().__init__(0)
        self.at = stage

    def stage(self, text):
        if text == self.at:
            raise SystemExit(137)


def test_the_year_end_of_a_run_killed_before_its_manifest_is_known_to_the_next(company, tmp_path):
    out = tmp_path / "输出"
    with pytest.raises(SystemExit):
        batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1,
              make_zip=True, watcher=KilledAt("按支部打包"))
    assert not (out / "manifest.json").exists() and (out / "2024年度党建项目汇总报告.docx").is_file()
    for name in ("城关.xlsx", "西固.xlsx"):
        (company / name).unlink()  # only the faulty workbook is left: no year end this time

    result = batch(company, out, kinds=["proposal"], formats=DOCX, config=CONFIG, options=OPTIONS, workers=1)
    assert {"2024年度党建项目汇总报告.docx", "2024年度党建项目管理台账.xlsx"} <= set(result.set_aside)
    assert set(files_in(out)) == listed_in(manifest_of(out)) | set_aside_in(manifest_of(out))


# A killed worker or a killed run: the clerk's terminal shows docgen's Chinese lines only, and
# the system temporary folder (a private one here, so that the check is exact) is left empty.

def _killed_command(tmp_path: Path, at: str, kill) -> tuple[int, str, Path, Path, Path]:
    """docgen batch in a process of its own, `kill(process, out)` called at the first line starting with `at`;
    returns the exit status, everything it printed, the temporary folder, the input and the output folder."""
    import subprocess

    folder = tmp_path / "收件"
    folder.mkdir()
    for i in range(1, 7):
        branch_book(folder, f"{i}.xlsx", f"DJ-2024-00{i}", f"第{i}党支部")
    temporary, out = tmp_path / "系统临时", tmp_path / "输出"
    temporary.mkdir()
    command = [sys.executable, "-m", "docgen.cli", "batch", str(folder), "--out", str(out), "--format", "docx",
               "--kind", "proposal", "--kind", "plan", "--workers", "2", "--date", "2024-12-23"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(temporary)})
    seen, family = [], []
    for text in process.stderr:
        seen.append(text)
        if text.startswith(at):
            family = descendants(process.pid)
            kill(process, out)
            break
    output, rest = process.communicate(timeout=120)
    assert family, "".join(seen) + rest
    assert not wait_gone(family, 30)  # helpers and workers end with the run
    return process.returncode, "".join(seen) + rest + output, temporary, folder, out


def only_chinese_lines(text: str) -> bool:
    """Every line says something in Chinese (docgen's lines), none is a traceback or a warning of Python's."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(re.search(r"[\u4e00-\u9fff]", line) for line in lines)


def test_a_run_killed_outright_prints_nothing_more_and_leaves_nothing_in_the_temporary_folder(tmp_path):
    """kill -9 of the run: multiprocessing's helpers used to warn of leaked semaphores in English on the
    terminal, and its pymp-… folder stayed in the temporary folder. The run resumes as before."""
    def kill_once_recorded(process, out):
        journal = out / batch_module.JOURNAL  # a workbook reported done may still wait for one before it
        deadline = time.monotonic() + 60
        while not (journal.is_file() and b"\n" in journal.read_bytes()) and time.monotonic() < deadline:
            time.sleep(0.01)
        process.kill()

    code, text, temporary, folder, out = _killed_command(tmp_path, "[1/", kill_once_recorded)
    assert code == -signal.SIGKILL
    assert only_chinese_lines(text) and "resource_tracker" not in text, text
    assert list(temporary.iterdir()) == []
    again = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--format", "docx", "--kind", "proposal",
                                      "--kind", "plan", "--workers", "1", "--date", "2024-12-23", "--resume"])
    assert again.exit_code == 0, again.output
    assert "未变化，沿用上次结果" in {w["status_label"] for w in manifest_of(out)["workbooks"]}


def test_killed_workers_leave_the_terminal_clean_and_the_run_finishes(tmp_path):
    """The pool's workers killed between the workbooks and the year end (idle: pebble took that for a
    broken pool, and its traceback reached the terminal)."""
    import processes

    def kill_workers(process, out):
        for pid in processes.pool_workers(process.pid):
            os.kill(pid, signal.SIGKILL)

    code, text, temporary, folder, out = _killed_command(tmp_path, "正在生成年度汇总报告", kill_workers)
    assert code in (0, 1), text  # 1 when a year-end file's worker was the one killed: recorded as such
    assert only_chinese_lines(text) and "Traceback" not in text, text
    assert manifest_of(out)["finished"] is True and list(temporary.iterdir()) == []


def test_a_workbook_made_with_warnings_is_listed_with_them_in_the_summary_and_the_listing(tmp_path):
    from conftest import SAMPLES

    inbox = tmp_path / "收件"
    inbox.mkdir()
    book = load_workbook(SAMPLES / "城关供电服务中心党支部.xlsx")
    book["进度"].row_dimensions[6].hidden = True  # read, and said
    book.save(inbox / "城关.xlsx")
    out = tmp_path / "输出"
    run = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(out), "--kind", "proposal", "--format", "docx",
                                    "--workers", "1", "--date", "2024-12-23"])
    assert run.exit_code == 0, run.output
    assert "有警告需要核实的申报表（1 个）" in run.output
    assert "进度!第6行：第 6 行是隐藏的" in run.output
    sheet = load_workbook(out / "清单.xlsx")["申报表"]
    row = next(r for r in sheet.iter_rows(values_only=True) if "城关.xlsx" in r)
    assert "警告：进度!第6行" in row[-1]  # 说明
