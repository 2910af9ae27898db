"""What the disk, the processes and the names do to a run: nothing lost, nothing outside --out, Chinese always."""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import project_row, task_row, valid_book
from conftest import CONFIG, OPTIONS
from docgen import api
from docgen.batch import JOURNAL, MANIFEST, batch
from docgen.cli import main
from docgen.errors import DiskError, DocgenError
from docgen.pipeline import FolderInUse, output_lock, process_workbook

HERE = Path(__file__).parent


def branch_book(folder: Path, name: str, code: str, branch: str) -> Path:
    project = project_row(code, **{"申报党组织*": branch})
    tasks = [task_row(code, seq=1), task_row(code, seq=2)]
    return valid_book(projects=[project], tasks=tasks, progress=[]).save(folder / name)


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    for n, branch in enumerate(("城关", "西固", "七里河", "安宁"), 1):
        branch_book(folder, f"{n}{branch}.xlsx", f"DJ-2024-00{n}", f"{branch}供电服务中心党支部")
    return folder


def run(inbox: Path, out: Path, **options):
    options.setdefault("workers", 1)
    return batch(inbox, out, ["proposal"], ["docx"], CONFIG, api.Options(), **options)


# --- names --------------------------------------------------------------------------------------

def test_a_project_code_over_32_characters_is_refused_at_its_cell(tmp_path):
    path = valid_book(projects=[project_row("DJ-" + "9" * 40)], tasks=[task_row("DJ-" + "9" * 40)]).save(
        tmp_path / "a.xlsx")
    _, report = api.load(path)
    found = report.flatten("sheet", "cell", "code")
    assert ("项目信息", "A2", "code_too_long") in found
    assert "有 43 个字符，最多 32 个" in next(i.message for i in report.issues if i.code == "code_too_long")


@pytest.mark.parametrize("branch", ["𠀀𠀁𠀂" * 40 + "党支部", "😀" * 90, "城关" * 60 + "党支部"])
def test_long_names_fit_the_file_system_and_stay_apart(tmp_path, branch):
    """Four-byte characters (CJK Extension B, emoji) counted in bytes; two names that begin alike never meet."""
    folder = tmp_path / "in"
    folder.mkdir()
    branch_book(folder, "a.xlsx", "DJ-2024-001", branch)
    branch_book(folder, "b.xlsx", "DJ-2024-002", branch[:-1] + "乙")
    result = batch(folder, tmp_path / "out", ["proposal", "plan"], ["docx"], CONFIG, api.Options(), workers=1,
                   make_zip=True)
    assert result.ok
    paths = [d.path for o in result.outcomes for d in o.documents] + result.zips
    assert len(paths) == 4 + 2 + 1  # two branches' zips and 全部文书.zip
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert all(len(part.encode("utf-8")) <= 200 for part in Path(path).parts), path
        assert (tmp_path / "out" / path).is_file()


def test_a_workbook_named_at_the_file_systems_limit_still_gets_its_marked_copy(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = "城" * 80 + ".xlsx"  # 245 bytes: with .校验 it would pass 255
    valid_book(projects=[project_row(**{"项目负责人*": None})]).save(folder / name)
    result = batch(folder, tmp_path / "out", ["proposal"], ["docx"], CONFIG, api.Options(), workers=1)
    marked = result.outcomes[0].annotated
    assert marked and (tmp_path / "out" / marked).is_file() and len(Path(marked).name.encode()) <= 255
    _, report = api.load(folder / name)
    assert len(api.annotate(report, tmp_path / "copies").name.encode()) <= 255


def test_windows_device_names_never_become_folders_or_zips(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    branch_book(folder, "a.xlsx", "DJ-2024-001", "CON")
    branch_book(folder, "b.xlsx", "DJ-2024-002", "nul.党支部")
    result = batch(folder, tmp_path / "out", ["proposal"], ["docx"], CONFIG, api.Options(), workers=1, make_zip=True)
    names = {part for o in result.outcomes for d in o.documents for part in Path(d.path).parts[:-1]}
    assert names == {"_CON", "_nul.党支部"}
    assert sorted(result.zips) == ["全部文书.zip", "按支部打包/_CON.zip", "按支部打包/_nul.党支部.zip"]


# --- the output folder --------------------------------------------------------------------------

def test_a_second_run_into_a_folder_in_use_is_refused(inbox, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with output_lock(out):
        with pytest.raises(FolderInUse, match="正由另一个 docgen 任务使用"):
            run(inbox, out)
        cli = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(out), "--workers", "1",
                                        "--config", str(CONFIG.source)])
        assert cli.exit_code == 1 and "正由另一个 docgen 任务使用" in cli.output and "Traceback" not in cli.output
        with pytest.raises(FolderInUse):
            api.render([inbox], out, ["proposal"], ["docx"], CONFIG)
    assert run(inbox, out).ok  # free again
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # the lock leaves nothing


def test_an_output_folder_that_cannot_be_written_is_told_before_anything_starts(inbox, tmp_path):
    out = Path("/sys/docgen-out")  # /sys refuses even root
    for command in (["batch", str(inbox), "--workers", "1"], ["render", str(inbox / "1城关.xlsx")]):
        cli = CliRunner().invoke(main, [*command, "--out", str(out), "--config", str(CONFIG.source)])
        assert cli.exit_code == 1 and "无法写入输出文件夹 /sys/docgen-out：没有写入权限" in cli.output
        assert "Traceback" not in cli.output
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cli = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(a_file), "--config", str(CONFIG.source)])
    assert cli.exit_code == 2 and "错误：'--out' 的值无效" in cli.output and "是文件，不是文件夹" in cli.output
    with pytest.raises(DiskError, match="同名的文件已存在"):
        run(inbox, a_file)
    cli = CliRunner().invoke(main, ["intake-template", "/sys/申报表.xlsx", "--config", str(CONFIG.source)])
    assert cli.exit_code == 1 and "没有写入权限" in cli.output and "Traceback" not in cli.output
    made = tmp_path / "新建" / "子文件夹" / "申报表.xlsx"
    cli = CliRunner().invoke(main, ["intake-template", str(made), "--config", str(CONFIG.source)])
    assert cli.exit_code == 0 and made.is_file()


def test_a_link_inside_the_output_folder_is_never_written_through(inbox, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "城关供电服务中心党支部").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(DocgenError, match="是一个链接"):
        run(inbox, out)
    with pytest.raises(DocgenError, match="是一个链接"):
        api.render([inbox], out, ["proposal"], ["docx"], CONFIG)
    assert list(elsewhere.iterdir()) == []


def test_report_never_reads_its_own_ledger(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    branch_book(folder, "a.xlsx", "DJ-2024-001", "城关供电服务中心党支部")
    for _ in range(2):
        result = api.year_end([folder], folder / "汇总", ["docx"], CONFIG, OPTIONS)  # the 2024 year end
        assert result.written  # its 台账 is there for the second run to leave alone
        assert [p.name for p in result.used] == ["a.xlsx"]
        assert not [f for f in result.report if "汇总" in f.path]


# --- the disk failing on the way -----------------------------------------------------------------

def _full_after(monkeypatch, count: int) -> None:
    """The disk fills up after `count` more files are put in place (os.replace is how every file lands)."""
    real = os.replace
    left = [count]

    def replace(source, target):
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        left[0] -= 1
        return real(source, target)

    monkeypatch.setattr(os, "replace", replace)


def test_a_full_disk_stops_the_run_in_chinese_keeps_what_is_whole_and_resume_finishes(inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run(inbox, out)
    clean = {d.path: d.sha256 for o in first.outcomes for d in o.documents}
    shutil.rmtree(out)
    _full_after(monkeypatch, 4)  # two workbooks' document and its placing
    with pytest.raises(DiskError) as stopped:
        run(inbox, out)
    done = int(re.search(r"磁盘空间已满，已停止：完成 (\d)/4 个申报表", str(stopped.value))[1])
    assert 0 < done < 4 and "--resume" in str(stopped.value)
    assert not (out / ".docgen-work").exists()
    whole = [p for p in out.rglob("*.docx")]
    assert len(whole) == done and not [p for p in out.rglob(".~*")]  # no half-written file
    monkeypatch.undo()
    again = run(inbox, out, resume=True)
    assert again.ok and again.count("unchanged") == done and again.count("rendered") == 4 - done
    assert {d.path: d.sha256 for o in again.outcomes for d in o.documents} == clean


def test_the_cli_says_the_disk_is_full_without_a_traceback(inbox, tmp_path, monkeypatch):
    _full_after(monkeypatch, 2)
    cli = CliRunner().invoke(main, ["batch", str(inbox), "--out", str(tmp_path / "out"), "--workers", "1",
                                    "--config", str(CONFIG.source)])
    assert cli.exit_code == 1 and "磁盘空间已满" in cli.output and "Traceback" not in cli.output


def test_a_journal_torn_inside_a_character_is_read_up_to_its_last_whole_line(inbox, tmp_path):
    out = tmp_path / "out"
    run(inbox, out)
    entries = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["workbooks"]
    (out / MANIFEST).unlink()  # killed before the manifest was written: only the journal
    lines = [json.dumps(e, ensure_ascii=False).encode("utf-8") + b"\n" for e in entries[:3]]
    torn = json.dumps(entries[3], ensure_ascii=False).encode("utf-8")
    first_wide = next(i for i, byte in enumerate(torn) if byte >= 0xE0)  # the first byte of a CJK character
    (out / JOURNAL).write_bytes(b"".join(lines) + torn[: first_wide + 1])
    again = run(inbox, out, resume=True)
    assert again.ok and again.count("unchanged") == 3 and again.count("rendered") == 1


def vanishing(job):
    """The output folder deleted by someone while the second workbook is processed."""
    if job.index == 1:
        shutil.rmtree(Path(job.folder).parent.parent)
    return process_workbook(job)


def test_an_output_folder_deleted_during_the_run_stops_it_in_chinese(inbox, tmp_path):
    with pytest.raises(DiskError, match="在运行中被删除或移走"):
        run(inbox, tmp_path / "out", step=vanishing)


# --- processes ---------------------------------------------------------------------------------

def test_a_pool_run_leaves_nothing_in_the_system_temporary_folder(inbox, tmp_path):
    before = set(Path(tempfile.gettempdir()).glob("weasyprint-*"))
    result = batch(inbox, tmp_path / "out", ["proposal"], ["pdf"], CONFIG, api.Options(), workers=2)
    assert result.ok
    assert set(Path(tempfile.gettempdir()).glob("weasyprint-*")) == before
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


KILLED_RUN = """
import sys
sys.path[:0] = [{tests!r}]
from conftest import CONFIG
from docgen import api
from docgen.batch import batch
import faultsteps
if __name__ == "__main__":
    batch({inbox!r}, {out!r}, ["proposal"], ["docx"], CONFIG, api.Options(), workers=2, step=faultsteps.hang_noting_pid)
"""


def test_workers_die_with_their_parent(inbox, tmp_path):
    """The parent killed outright (SIGKILL: no handler runs) takes its workers with it."""
    marks = tmp_path / "pids"
    marks.mkdir()
    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN.format(tests=str(HERE), inbox=str(inbox), out=str(tmp_path / "out")))
    env = {**os.environ, "DOCGEN_TEST_PIDS": str(marks)}
    parent = subprocess.Popen([sys.executable, str(script)], env=env, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = [int(p.name) for p in marks.iterdir()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- the command line's own words ----------------------------------------------------------------

CLICK_ENGLISH = re.compile(r"Usage|Options|Commands|Show this|Error|Missing|Invalid value|Try '|No such|"
                           r"is not a valid|does not exist|is a file|Got unexpected|requires an argument")


@pytest.mark.parametrize("arguments", [
    ["--help"], ["batch", "--help"], ["validate", "--help"], ["render", "--help"], ["report", "--help"],
    ["intake-template", "--help"], ["init", "--help"], ["demo", "--help"], ["fonts", "--help"],
    ["batch"], ["render", "x.xlsx"], ["validate"], ["nosuch"], ["batch", "/nonexistent", "--out", "o"],
    ["batch", ".", "--out", "o", "--workers", "两个"], ["validate", "x.xlsx", "--format", "xml"],
    ["render", "x.xlsx", "--out", "o", "--date", "明天"], ["validate", "x.xlsx", "--bogus"],
    ["batch", ".", "--out"],
])
def test_every_word_of_the_command_line_is_chinese(tmp_path, arguments):
    result = CliRunner().invoke(main, arguments)
    assert result.output.strip() and re.search(r"[\u4e00-\u9fa5]", result.output)
    assert not CLICK_ENGLISH.search(result.output), result.output
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output
