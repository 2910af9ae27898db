"""docgen serve under a stranger's or an unlucky clerk's load: bodies refused before they are read and counted as
they stream, the day's upload limit under parallel uploads, every error in Chinese, nothing left behind by a
failed upload or a killed server, and a failed generation job resumed from its page."""
from __future__ import annotations

import errno
import http.client
import os
import re
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import CONFIG
from docgen import batch as batch_module
from docgen.cli import main
from docgen.config import CONFIG_NAME
from docgen.web import create_app
from liveserver import Peak, cookie_header, folder_bytes, live_server, post_streamed, signed_in, temporary_bytes
from webaccounts import PASSWORD, XLSX, approved, check_id, client, csrf, data_folder, upload, workbook

MB = 1024 * 1024
SENT = 50 * MB  # what a stranger tries to send
ROOM = 2 * MB  # what the server may hold of it meanwhile, in its temporary folder and its data folder
SMALL = CONFIG.model_copy(update={"limits": CONFIG.limits.model_copy(update={"file_mb": 1, "photos_mb": 0.5})})


def _multipart(token: str | None, size: int, boundary: str = "docgenlimit"):
    """A multipart body of `size` bytes of workbook (with the CSRF field first when given), chunk by chunk."""
    if token:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'.encode()
    yield (f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="a.xlsx"\r\n'
           f"Content-Type: {XLSX}\r\n\r\n").encode()
    block = b"PK" + b"\0" * (64 * 1024 - 2)
    for _ in range(size // len(block)):
        yield block
    yield f"\r\n--{boundary}--\r\n".encode()


def _form(token: str | None, size: int):
    yield (f"csrf={token}&" if token else "").encode() + b"name=admin&password="
    block = b"a" * (64 * 1024)
    for _ in range(size // len(block)):
        yield block


MULTIPART = {"Content-Type": "multipart/form-data; boundary=docgenlimit"}
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def _sent(server, data: Path, path: str, headers: dict[str, str], chunks):
    """Send a streamed body; the answer and how much the temporary and the data folder grew meanwhile."""
    with Peak(lambda: temporary_bytes(server)) as temp, Peak(lambda: folder_bytes(data)) as stored:
        answer = post_streamed(server, path, headers, chunks)
        time.sleep(0.2)
    return answer, temp.grown, stored.grown


# --- finding 1: no body read before it is allowed, bytes counted while they stream -----------------

def test_a_streamed_body_is_refused_before_it_is_read_or_once_it_passes_its_limit(tmp_path):
    data = tmp_path / "数据"
    data_folder(data, ("chengguan",)).close()
    with live_server(data, SMALL) as server:
        stranger, token = signed_in(server, None, PASSWORD)  # a token from the login page, no account
        answer, temp, stored = _sent(server, data, "/checks", {**MULTIPART, **cookie_header(stranger)},
                                     _multipart(token, SENT))
        assert answer.status == 303 and answer.headers["location"] == "/login", answer
        assert temp < ROOM and stored < ROOM, (temp, stored)

        answer, temp, stored = _sent(server, data, "/api/checks", {**MULTIPART, **cookie_header(stranger),
                                                                   "X-CSRF-Token": token}, _multipart(None, SENT))
        assert answer.status == 401 and "请先登录" in answer.text()
        assert temp < ROOM and stored < ROOM, (temp, stored)

        answer, temp, stored = _sent(server, data, "/login", URLENCODED, _form(None, SENT))  # no cookie, no token
        assert answer.status == 403 and "页面已过期" in answer.text()
        assert temp < ROOM and stored < ROOM, (temp, stored)

        answer, temp, stored = _sent(server, data, "/login", {**URLENCODED, **cookie_header(stranger)},
                                     _form(token, SENT))  # the login's body: a form's room, no more
        assert answer.status == 413 and "提交的内容超过 64 KB 的上限" in answer.text()
        assert temp < ROOM and stored < ROOM, (temp, stored)

        branch, token = signed_in(server, "chengguan", PASSWORD)
        for path, headers, chunks in (("/checks", {}, _multipart(token, SENT)),
                                      ("/api/checks", {"X-CSRF-Token": token}, _multipart(None, SENT))):
            answer, temp, stored = _sent(server, data, path, {**MULTIPART, **cookie_header(branch), **headers}, chunks)
            assert answer.status == 413 and "上传的内容超过上限（申报表 1 MB，照片合计 0.5 MB）" in answer.text(), answer
            assert temp < ROOM and stored < ROOM, (path, temp, stored)
            assert answer.sent < 20 * MB, answer.sent  # nothing more was taken once the limit was passed
        declared = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        declared.putrequest("POST", "/checks")
        for key, value in {**MULTIPART, **cookie_header(branch), "Content-Length": str(SENT)}.items():
            declared.putheader(key, value)
        declared.endheaders()  # and not a byte of the body: refused before reading it
        assert declared.getresponse().status == 413
        declared.close()
        assert not list((data / "uploads").iterdir()) and not list(server.temp.iterdir())
        assert branch.get("/api/me").json()["uploads_left"] == SMALL.limits.uploads_per_day  # the server goes on
        stranger.close()
        branch.close()


# --- finding 7: the day's upload limit holds under parallel uploads -------------------------------

def test_parallel_uploads_never_pass_the_days_limit(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data, ("chengguan",))
    limited = CONFIG.model_copy(update={"limits": CONFIG.limits.model_copy(update={"uploads_per_day": 5})})
    book = workbook(tmp_path)
    with live_server(data, limited) as server:
        branch, token = signed_in(server, "chengguan", PASSWORD)
        cookies = dict(branch.cookies.items())
        branch.close()
        answers: list = []
        start = threading.Barrier(20)

        def send() -> None:
            import httpx2
            with httpx2.Client(base_url=server.url, cookies=cookies, timeout=120) as own:
                start.wait()
                answers.append(own.post("/api/checks", headers={"X-CSRF-Token": token},
                                        files={"workbook": ("申报表.xlsx", book, XLSX)}))

        threads = [threading.Thread(target=send) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 5 + [429] * 15, statuses
    assert all("达到每天的上限" in a.json()["error"] for a in answers if a.status_code == 429)
    with store.engine.connect() as db:
        assert db.execute(sa.text("select count(*) from checks")).scalar() == 5
    assert len(list((data / "uploads").iterdir())) == 5


# --- finding 8: every error in Chinese --------------------------------------------------------------

@pytest.fixture
def web(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data)
    app = create_app(data, CONFIG, secret="s", workers=1)
    yield app, store, data
    store.close()


def _quiet(app, name: str) -> TestClient:
    """A signed-in browser that gets the server's error answers instead of its exceptions."""
    browser = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    response = browser.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf(browser, "/login")})
    assert response.status_code == 303
    return browser


def test_ids_past_the_databases_range_are_absent_on_every_route(web):
    app, _, _ = web
    huge = "99999999999999999999999"
    for name in ("admin", "chengguan"):
        browser = _quiet(app, name)
        token = browser.get("/api/me").json()["csrf"]
        routes = [r for r in app.routes if "{id:int}" in getattr(r, "path", "")]
        assert len(routes) >= 12
        for route in routes:
            path = route.path.replace("{id:int}", huge).replace("{path:path}", "a.pdf")
            for method in route.methods - {"HEAD"}:
                response = browser.request(method, path, headers={"X-CSRF-Token": token})
                assert response.status_code == 404, (name, method, path, response.status_code)
                assert "找不到" in response.text and "Not Found" not in response.text, response.text


def test_unknown_routes_and_methods_and_unexpected_errors_are_answered_in_chinese(web, monkeypatch):
    app, store, _ = web
    browser = _quiet(app, "admin")
    for path in ("/api/nothing", "/nothing"):
        response = browser.get(path)
        assert response.status_code == 404 and "找不到这个地址" in response.text and "Not Found" not in response.text
    assert browser.get("/api/nothing").json() == {"error": "找不到这个地址，请检查链接是否完整"}
    response = browser.delete("/api/me")
    assert response.status_code == 405 and response.json()["error"] == "这个地址不支持这种请求方式"

    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret internals")
    monkeypatch.setattr(store, "submissions", broken)
    monkeypatch.setattr(app.state.site.store, "submissions", broken)
    for path, json in (("/admin", False), ("/api/submissions", True)):
        response = browser.get(path)
        assert response.status_code == 500 and "服务器内部出错" in response.text, response.text
        assert "secret internals" not in response.text and "Traceback" not in response.text
        assert response.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in \
            response.headers["content-security-policy"]  # answered outside the app's middleware, headers still on
        if json:
            assert response.json()["error"].startswith("服务器内部出错")


def test_a_full_disk_and_a_read_only_database_are_told_to_the_administrator_and_leave_nothing(web, tmp_path,
                                                                                           monkeypatch):
    app, _, data = web
    site = app.state.site
    admin, branch = _quiet(app, "admin"), _quiet(app, "chengguan")
    saved = (data / CONFIG_NAME).read_bytes() if (data / CONFIG_NAME).exists() else None
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    token = admin.get("/api/me").json()["csrf"]
    response = admin.put("/api/settings", json={"notice": {"days": 7}}, headers={"X-CSRF-Token": token})
    assert response.status_code == 503 and "磁盘已满" in response.json()["error"]
    response = admin.post("/admin/templates", data={"csrf": token},
                          files={"template": ("document.css", b"body {}", "text/css")})
    assert response.status_code == 503 and "磁盘已满" in response.text
    response = upload(branch, workbook(tmp_path))
    assert response.status_code == 503 and "磁盘已满" in response.text and "Traceback" not in response.text
    monkeypatch.setattr(os, "fsync", real_fsync)
    leftovers = [p for p in data.rglob(".~*")]
    assert leftovers == [] and list((data / "uploads").iterdir()) == []
    assert ((data / CONFIG_NAME).read_bytes() if (data / CONFIG_NAME).exists() else None) == saved

    database = data / "docgen.sqlite3"  # the same database, opened read-only (as root, too)
    site.store.engine = sa.create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
    response = upload(branch, workbook(tmp_path))
    assert response.status_code == 503 and "数据库是只读的" in response.text
    assert list((data / "uploads").iterdir()) == []  # the insert failed: the upload is not kept


def test_serve_on_a_read_only_database_or_an_unusable_data_folder_says_so_in_one_line(tmp_path):
    data = tmp_path / "数据"
    data_folder(data).close()
    url = f"sqlite:///file:{data / 'docgen.sqlite3'}?mode=ro&uri=true"
    result = CliRunner().invoke(main, ["serve", "--data", str(data), "--database", url, "--port", "8765"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert result.output.strip().count("\n") == 0 and "数据库是只读的" in result.output, result.output
    blocked = tmp_path / "文件"
    blocked.write_text("x")
    result = CliRunner().invoke(main, ["serve", "--data", str(blocked / "数据"), "--port", "8765"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.strip().count("\n") == 0 and "数据目录无法使用" in result.output, result.output


# --- finding 9: nothing left behind ----------------------------------------------------------------

def test_an_upload_that_cannot_be_checked_is_not_kept(web, tmp_path, monkeypatch):
    app, _, data = web
    branch = client(app, "chengguan")

    def crash(*args, **kwargs):
        raise RuntimeError("the checker died")
    monkeypatch.setattr("docgen.web.work.check", crash)
    response = upload(branch, workbook(tmp_path))
    assert response.status_code == 422 and "无法在时限内校验完成" in response.text
    photo = ("photos", ("照片.jpg", b"\xff\xd8\xff" + b"\0" * 100, "image/jpeg"))
    response = branch.post("/checks", data={"csrf": csrf(branch, "/branch")},
                           files=[("workbook", ("申报表.xlsx", workbook(tmp_path), XLSX)), photo])
    assert response.status_code == 422
    assert list((data / "uploads").iterdir()) == []


def test_a_new_server_sweeps_what_a_killed_one_left_and_keeps_every_named_upload(web, tmp_path):
    app, store, data = web
    made = check_id(upload(client(app, "chengguan"), workbook(tmp_path)))
    named = data / "uploads" / store.check(made)["stored"]
    orphan = data / "uploads" / "0123456789abcdef.xlsx"
    orphan.write_bytes(b"half")
    work = data / "uploads" / ".~x"
    work.mkdir()
    (work / "a.xlsx").write_bytes(b"half")
    config = data / f".~{CONFIG_NAME}"
    config.write_bytes(b"")
    young = data / "uploads" / "fedcba9876543210.xlsx"
    young.write_bytes(b"being checked")
    old = time.time() - 3600
    for path in (named, orphan, work, config):
        os.utime(path, (old, old))
    create_app(data, CONFIG, secret="s", workers=1)
    assert named.is_file() and young.is_file()
    assert not orphan.exists() and not work.exists() and not config.exists()


# --- finding 10: a failed job resumed from its page ---------------------------------------------

def test_a_failed_job_says_what_to_do_without_a_flag_or_a_path_and_resumes_from_its_page(web, tmp_path,
                                                                                       monkeypatch):
    app, store, data = web
    approved(app, store, tmp_path)
    real = batch_module.zip_branches
    failures = []

    def full_once(result):
        if not failures:
            failures.append(1)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(result)
    monkeypatch.setattr(batch_module, "zip_branches", full_once)
    admin = client(app, "admin")
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": ["proposal"],
                                               "format": ["docx"], "date": "2024-12-23"})
    job = check_id(response)
    app.state.site.jobs.wait(job, 120)
    failed = store.job(job)
    assert failed["status"] == "failed", failed
    message = failed["message"]
    assert "磁盘空间已满" in message and "继续生成" in message, message
    assert "--" not in message and str(data.resolve()) not in message and str(data) not in message, message
    assert re.search(r"(?<!\w)/", message) is None, message  # no path of the server's
    page = admin.get(f"/admin/jobs/{job}").text
    assert "继续生成" in page and str(data) not in page
    response = admin.post(f"/admin/jobs/{job}/resume", data={"csrf": csrf(admin, f"/admin/jobs/{job}")})
    assert response.status_code == 303
    app.state.site.jobs.wait(job, 120)
    done = store.job(job)
    assert done["status"] == "done" and done["done"] == done["total"] == 1, done
    assert any(p.endswith(".zip") for p in app.state.site.jobs.files(job))
