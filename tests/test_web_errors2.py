"""docgen serve after an attack on its error handling: settings that are no finite number, the connection kept
after a 500 or 503, a failed job's advice said for the page, and what a killed server left swept at once."""
from __future__ import annotations

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
from webaccounts import PASSWORD, client, csrf, data_folder

NOT_FINITE = ("1e999", "inf", "nan", "Infinity", "-inf")
FINITE = "应为有限的数字"


@pytest.fixture
def web(tmp_path):
    store = data_folder(tmp_path / "数据")
    app = create_app(tmp_path / "数据", CONFIG, secret="test-secret")
    yield app, store, tmp_path
    store.close()
    app.state.site.store.close()


def _api(app, name: str) -> TestClient:
    browser = TestClient(app, follow_redirects=False)
    response = browser.post("/api/login", json={"name": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    browser.headers["X-CSRF-Token"] = response.json()["csrf"]
    return browser


def _settings_form(admin, **changes):
    page = admin.get("/admin/settings").text
    fields = dict(re.findall(r'<input name="([\w.]+)" value="([^"]*)"', page))
    fields["project.categories"] = re.search(r'<textarea name="project.categories"[^>]*>([^<]*)</textarea>', page)[1]
    fields.update(changes)
    fields["csrf"] = csrf(admin, "/admin/settings")
    return fields


# --- 3. a setting that is no finite number ---------------------------------------------------------

def test_a_setting_that_is_no_finite_number_is_refused_on_the_page_and_in_the_api(web):
    app, store, tmp_path = web
    admin = client(app, "admin")
    for value in NOT_FINITE:
        for key in ("limits.file_mb", "limits.uploads_per_day", "assessment.tracking_share", "notice.days"):
            response = admin.post("/admin/settings", data=_settings_form(admin, **{key: value}))
            assert response.status_code == 400 and f"{key}：" in response.text, (key, value)
            assert FINITE in response.text or "应为整数" in response.text, (key, value, response.text)
    assert not (store.folder / CONFIG_NAME).exists()  # nothing saved
    api = _api(app, "admin")
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
