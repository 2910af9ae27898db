"""docgen serve after an attack on its error handling: settings that are no finite number, the connection kept
after a 500 or 503, a failed job's advice said for the page, and what a killed server left swept at once."""
from __future__ import annotations

import contextlib
import json
import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import CONFIG
from docgen.cli import main
from docgen.config import CONFIG_NAME, dump_config, load_config
from docgen.errors import ConfigError
from docgen.web import create_app
from webaccounts import PASSWORD, api_client, client, csrf, data_folder, settings_form

NOT_FINITE = ("1e999", "inf", "nan", "Infinity", "-inf")
FINITE = "应为有限的数字"


# --- 3. a setting that is no finite number ---------------------------------------------------------

def test_a_setting_that_is_no_finite_number_is_refused_on_the_page_and_in_the_api(web):
    app, store, tmp_path = web
    admin = client(app, "admin")
    for value in NOT_FINITE:
        for key in ("limits.file_mb", "limits.uploads_per_day", "assessment.tracking_share", "notice.days"):
            response = admin.post("/admin/settings", data=settings_form(admin, **{key: value}))
            assert response.status_code == 400 and f"{key}：" in response.text, (key, value)
            assert FINITE in response.text or "应为整数" in response.text, (key, value, response.text)
    assert not (store.folder / CONFIG_NAME).exists()  # nothing saved
    api = api_client(app, "admin")
    for raw in ("Infinity", "-Infinity", "NaN", "1e999"):
        for section, key in (("limits", "file_mb"), ("assessment", "satisfaction_min")):
            response = api.put("/api/settings", content=f'{{"{section}":{{"{key}":{raw}}}}}'.encode(),
                               headers={"Content-Type": "application/json"})
            assert response.status_code == 400, (key, raw, response.text)
            assert f"{section}.{key}：{FINITE}" in response.json()["error"]
    assert not (store.folder / CONFIG_NAME).exists()
    shown = api.get("/api/settings")
    assert shown.status_code == 200
    json.loads(shown.text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert shown.json()["limits"]["file_mb"] == CONFIG.limits.file_mb
    branch = client(app, "chengguan")
    assert branch.get("/branch").status_code == 200  # every upload still works


@pytest.mark.parametrize("written", ["file_mb = inf", "file_mb = nan", "file_mb = 1e999", "photos_mb = -inf",
                                     "render_seconds = +inf"])
def test_a_saved_docgen_toml_with_an_infinite_limit_is_refused_in_chinese(tmp_path, written):
    data = tmp_path / "数据"
    data.mkdir()
    text = dump_config(CONFIG)
    key = written.split(" =")[0]
    text = re.sub(rf"^{key} = .*$", written, text, flags=re.M)
    (data / CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"limits\.{key}：{FINITE}"):
        load_config(data / CONFIG_NAME)
    with pytest.raises(ConfigError, match=FINITE):
        create_app(data, CONFIG, secret="s")
    # the command line's own --config the same
    result = CliRunner().invoke(main, ["validate", "--config", str(data / CONFIG_NAME), str(tmp_path)])
    assert result.exit_code != 0 and FINITE in result.output, result.output
    # docgen serve over that data folder says so in one line and does not start
    result = CliRunner().invoke(main, ["serve", "--data", str(data), "--port", "1"])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"limits.{key}：{FINITE}" in lines[0] and "Traceback" not in result.output


# --- 9. the connection stays open after a 500 or 503 -------------------------------------------------

def _ask(connection, method: str, path: str, cookie: str, body: dict | None = None, token: str = ""):
    headers = {"Cookie": cookie, "Accept": "application/json", "X-CSRF-Token": token}
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8"), response


def test_an_unexpected_error_is_answered_and_the_same_connection_serves_the_next_request(web, monkeypatch, caplog):
    import errno
    import http.client
    import logging

    from liveserver import served_here

    app, _, _ = web
    site = app.state.site

    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret internals")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with served_here(app) as url, caplog.at_level(logging.ERROR, logger="docgen.web"):
        connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
        connection.request("POST", "/api/login", body=json.dumps({"name": "admin", "password": PASSWORD}),
                           headers={"Content-Type": "application/json"})
        signed = connection.getresponse()
        token = json.loads(signed.read())["csrf"]
        cookie = signed.getheader("set-cookie").split(";", 1)[0]
        assert signed.status == 200

        monkeypatch.setattr(site.store, "submissions", broken)
        status, text, response = _ask(connection, "GET", "/api/submissions", cookie)
        assert status == 500 and json.loads(text)["error"].startswith("服务器内部出错"), text
        assert "secret internals" not in text and "Traceback" not in text
        assert response.getheader("x-frame-options") == "DENY"
        status, text, _ = _ask(connection, "GET", "/api/me", cookie)  # the same connection, still open
        assert status == 200 and json.loads(text)["account"]["name"] == "admin", text

        monkeypatch.setattr(site.store, "add_account", full)
        status, text, _ = _ask(connection, "POST", "/api/accounts", cookie,
                               {"name": "anning", "branch": "安宁供电服务中心党支部"}, token)
        assert status == 503 and "磁盘已满" in json.loads(text)["error"], text
        status, text, _ = _ask(connection, "PUT", "/api/settings", cookie, {"notice": {"days": 7}}, token)
        assert status == 200 and json.loads(text)["notice"]["days"] == 7, text
        connection.close()
    logged = caplog.text  # the tracebacks are in the server's log, not in the answers
    assert "ZeroDivisionError: secret internals" in logged and "No space left on device" in logged, logged


# --- 10. a job's problems said for the page, not for the command line ---------------------------------

COMMAND_LINE = ("docgen.toml", "docgen init", "docgen templates", "docgen fonts", "--", "重新运行", "再运行", "[organization]",
                "party_committee", "name（")
UNSIGNED = CONFIG.model_copy(update={"organization": CONFIG.organization.model_copy(
    update={"name": "", "party_committee": ""})})


def _said_for_the_page(text: str) -> None:
    for advice in COMMAND_LINE:
        assert advice not in text, (advice, text)


def test_a_job_without_the_organisations_names_is_refused_at_start_naming_the_settings_page(tmp_path):
    import time

    from webaccounts import approved

    data = tmp_path / "数据"
    store = data_folder(data, ("chengguan",))
    app = create_app(data, UNSIGNED, secret="s", workers=1)
    approved(app, store, tmp_path)
    api = api_client(app, "admin")
    response = api.post("/api/jobs", json={"kinds": ["proposal"], "formats": ["docx"], "date": "2024-12-23"})
    assert response.status_code == 409, response.text
    said = response.json()["error"]
    assert "单位名称、党委名称" in said and "“设置”页" in said
    _said_for_the_page(said)
    admin = client(app, "admin")
    page = admin.post("/admin/jobs", data={"kind": "proposal", "format": "docx", "date": "2024-12-23",
                                           "csrf": csrf(admin, "/admin/jobs")})
    assert page.status_code == 409 and "“设置”页" in page.text
    assert store.jobs() == []  # nothing started

    # a job that failed on them anyway (its configuration emptied behind the page) says what to do on the page
    site = app.state.site
    job_id = site.jobs.start(store.account(name="admin"), {"kinds": ["proposal"], "formats": ["docx"],
                                                           "date": "2024-12-23", "period": None})
    deadline = time.monotonic() + 120
    while store.job(job_id)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    shown = api.get(f"/api/jobs/{job_id}").json()
    assert shown["status"] == "failed", shown
    assert "单位名称" in shown["message"] and "“设置”页" in shown["message"] and "继续生成" in shown["message"]
    _said_for_the_page(shown["message"])
    assert str(data) not in shown["message"]
    resumed = api.post(f"/api/jobs/{job_id}/resume")  # still unsigned: refused at once, the same way
    assert resumed.status_code == 409 and "“设置”页" in resumed.json()["error"]
    # once the 设置 page has them, the job resumes and makes the documents
    settings = api.put("/api/settings", json={"organization": {"name": CONFIG.organization.name,
                                                               "party_committee": CONFIG.organization.party_committee}})
    assert settings.status_code == 200
    assert api.post(f"/api/jobs/{job_id}/resume").status_code == 200
    while store.job(job_id)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.job(job_id)["status"] == "done", store.job(job_id)
    store.close()
    site.store.close()


def test_every_command_line_advice_a_job_can_carry_is_said_for_the_page(tmp_path):
    from docgen.messages import MESSAGES
    from docgen.pipeline import templates as pipeline_templates
    from docgen.web.jobs import Jobs
    from docgen.web.store import Store

    data = tmp_path / "数据"
    store = Store(data)
    jobs = Jobs(store, CONFIG)
    out = jobs.folder(1) / "输出"
    said = []
    for config in (UNSIGNED, UNSIGNED.model_copy(update={"source": str(data / CONFIG_NAME)})):
        with pytest.raises(ConfigError) as missing:
            config.require_organization()
        said.append(str(missing.value))
    broken = data / "模板"
    broken.mkdir()
    (broken / "proposal.docx").write_bytes(b"not a docx")
    with pytest.raises(Exception) as refused:
        pipeline_templates.require_templates(
            CONFIG.model_copy(update={"templates": CONFIG.templates.model_copy(update={"dir": str(broken)})}))
    said.append(str(refused.value))
    said += [
        MESSAGES["glyph_missing"],
        f"输出文件夹 {out} 正由另一个 docgen 任务使用；请等它结束，或换一个输出文件夹。",
        f"输出文件夹 {out} 在运行中被删除或移走，已停止；请重新运行。",
        f"“{out}/a.docx”所在的文件夹是指向输出文件夹以外的链接，docgen 不会经由链接写到输出文件夹之外，"
        f"请删除这个链接或换一个输出文件夹。",
        "排版超过 300 秒仍未完成，已停止这一份（多半是某个单元格中有极长的、不换行的文字）；"
        "可在 docgen.toml 的 [limits] render_seconds 中放宽时限",
        f"生成中断：磁盘已满。完成的文书完好保存在 {out}；解决后用相同命令加 --resume 继续，已完成的不会重做。",
    ]
    for message in said:
        shown = jobs.for_the_page(1, message)
        _said_for_the_page(shown)
        assert "“设置”页" in shown or "“模板”页" in shown or "继续生成" in shown or "服务器管理员" in shown, shown
    store.close()


# --- 11. what a killed server left is swept at once when no other server uses the folder ----------------

@pytest.fixture
def leftovers(tmp_path):
    """A data folder with what a server killed a second ago left: a stored upload no check names, a work file."""
    import os
    import time

    data = tmp_path / "数据"
    data_folder(data, ("chengguan",)).close()
    orphans = [data / "uploads" / "0123abcd.xlsx", data / "uploads" / ".~half", data / ".~docgen.toml"]
    for path in orphans:
        path.write_bytes(b"PK" + b"\0" * 1000)
        os.utime(path, (time.time() - 1, time.time() - 1))
    return data, orphans


@contextlib.contextmanager
def _held(data):
    """The data folder's serve lock, held as another server would hold it."""
    import fcntl
    import os

    fd = os.open(data / ".docgen-serve.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def test_a_server_alone_on_its_folder_sweeps_what_a_killed_one_left_a_second_ago(leftovers):
    data, orphans = leftovers
    with _held(data):  # another server runs: what it may be writing now is left alone
        app = create_app(data, CONFIG, secret="s")
        assert all(path.exists() for path in orphans)
        app.state.site.store.close()
    with TestClient(create_app(data, CONFIG, secret="s")) as browser:  # alone: all of it goes, whatever its age
        assert not any(path.exists() for path in orphans), [p for p in orphans if p.exists()]
        assert browser.get("/login").status_code == 200
        with pytest.raises(BlockingIOError):
            with _held(data):  # held while it runs
                pass
        browser.app.state.site.store.close()
    with _held(data):  # and let go when it stops
        pass


def test_docgen_serve_refuses_a_data_folder_another_server_uses(leftovers):
    import os
    import subprocess
    import sys

    from liveserver import SRC, free_port

    data, orphans = leftovers
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    with _held(data):
        try:
            done = subprocess.run([sys.executable, "-m", "docgen.cli", "serve", "--data", str(data), "--port",
                                   str(free_port())], env=environment, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("docgen serve started over a data folder another server uses")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert "这个数据目录已有一个 docgen 网页在运行" in lines[0] and "Traceback" not in done.stderr
    assert all(path.exists() for path in orphans)  # nothing of the other server's touched
