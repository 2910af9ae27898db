"""Signing in and out under attack, second round: guesses sent together get no more tries than guesses sent one
after another, a burst of logins neither fills the server's memory nor holds up its files, names and file names
with more characters no one sees, common Chinese passwords (pinyin and digits), and a logout on a full disk
(against a live uvicorn where it takes parallel requests)."""
from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from conftest import CONFIG
from liveserver import live_server, served_here
from webaccounts import PASSWORD, XLSX, client, csrf, data_folder, workbook

from docgen.web import security
from docgen.web.store import sessions


@pytest.fixture
def live(web):
    """The app served by uvicorn in this process: its URL."""
    app, _, _ = web
    with served_here(app) as url:
        yield url


def burst(url: str, address: str, logins: list[tuple[str, str]]) -> list[int]:
    """`logins` (name, password) sent at once from `address` (a loopback address of the test's choosing): the
    status of each."""
    gate = threading.Barrier(len(logins))
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, transport=transport, timeout=120,
                      limits=httpx.Limits(max_connections=len(logins))) as browser:
        def one(login: tuple[str, str]) -> int:
            gate.wait()
            return browser.post("/api/login", json={"name": login[0], "password": login[1]}).status_code
        with ThreadPoolExecutor(len(logins)) as pool:
            return list(pool.map(one, logins))


# --- 1: parallel guesses get no more tries than guesses one after another ---------------------------

def test_thirty_parallel_guesses_get_the_free_tries_and_the_real_user_still_signs_in(live):
    statuses = burst(live, "127.0.0.4", [("xigu", f"guess{n}") for n in range(30)])
    assert statuses.count(401) <= security.FREE_FAILURES, statuses
    assert statuses.count(429) == 30 - statuses.count(401), statuses
    again = burst(live, "127.0.0.4", [("xigu", PASSWORD)])  # the right password too waits out the delay there
    assert again == [429]
    assert burst(live, "127.0.0.6", [("xigu", PASSWORD)]) == [200]  # the real user, elsewhere: at once


def test_several_right_logins_at_once_from_one_address_all_get_in(live):
    """Several tabs or a script signing one account in at the same moment: the tries go one after another,
    and each right password gets in (none is held for the others' tries)."""
    assert burst(live, "127.0.0.8", [("chengguan", PASSWORD)] * 6) == [200] * 6


def test_parallel_guesses_at_many_names_stop_at_the_addresss_ceiling(live, monkeypatch):
    monkeypatch.setattr(security, "ADDRESS_FAILURES", 5)
    statuses = burst(live, "127.0.0.5", [(f"nobody{n}", "guess-guess") for n in range(30)])
    assert statuses.count(401) <= 5 and statuses.count(429) == 30 - statuses.count(401), statuses
    assert burst(live, "127.0.0.7", [("chengguan", PASSWORD)]) == [200]


# --- 2: a burst of logins takes the memory of two password checks, and no thread of the files -------

def _kilobytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def test_forty_parallel_logins_keep_the_servers_memory_and_its_static_files(tmp_path):
    data_folder(tmp_path / "数据").close()
    with live_server(tmp_path / "数据", CONFIG) as server:
        burst(server.url, "127.0.0.1", [("nobody", "warm-up")])  # the dummy hash is made once
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # the peak starts again from here
        before = _kilobytes(server.pid, "VmHWM")
        waited: list[float] = []

        def static() -> None:
            time.sleep(1.0)  # the logins have reached their password checks
            begun = time.perf_counter()
            assert httpx.get(f"{server.url}/static/site.css", timeout=60).status_code == 200
            waited.append(time.perf_counter() - begun)
        asking = threading.Thread(target=static)
        asking.start()
        statuses = burst(server.url, "127.0.0.1", [(f"nobody{n}", "guess-guess") for n in range(40)])
        asking.join()
        grown = (_kilobytes(server.pid, "VmHWM") - before) / 1024
    assert statuses == [401] * 40
    assert grown < 400, f"the server grew by {grown:.0f} MB during 40 logins"
    assert waited and waited[0] < 3.0, f"the static file waited {waited[0]:.2f} s"


# --- 6: more characters no one sees ------------------------------------------------------------------

UNSEEN = ["\u034f", "\u3164", "\u115f", "\u1160", "\uffa0", "\u2800", *map(chr, range(0xFE00, 0xFE10)),
          *map(chr, range(0x180B, 0x1810)), "\u17b4", "\u17b5", *map(chr, range(0x2060, 0x2070)),
          *map(chr, (0xE0000, 0xE0001, 0xE0020, 0xE007F, 0xE0100, 0xE01EF, 0xE0FFF))]


def api_browser(app, name: str) -> tuple[TestClient, dict[str, str]]:
    browser = TestClient(app, follow_redirects=False)
    answer = browser.post("/api/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return browser, {"X-CSRF-Token": answer.json()["csrf"]}


def test_names_with_any_character_no_one_sees_are_refused_naming_it(web):
    app, store, _ = web
    admin, token = api_browser(app, "admin")
    target = store.account(name="xigu").id
    for ch in UNSEEN:
        shown = f"U+{ord(ch):04X}"
        for name, branch in ((f"cheng{ch}guan", "安宁供电服务中心党支部"), ("anning", f"城关供电服务中心党支部{ch}")):
            answer = admin.post("/api/accounts", json={"name": name, "branch": branch}, headers=token)
            assert answer.status_code == 400, (shown, answer.text)
            assert "看不见的字符" in answer.json()["error"] and shown in answer.json()["error"], shown
        renamed = admin.post(f"/api/accounts/{target}/rename", json={"name": f"xi{ch}gu"}, headers=token)
        assert renamed.status_code == 400 and shown in renamed.json()["error"], shown
    assert store.account(name="anning") is None and store.account(name="xigu").id == target
    assert len(admin.get("/api/overview").json()) == 2  # no second 城关 that looks the same


def test_an_uploads_file_name_and_photo_names_lose_every_character_no_one_sees(web):
    app, store, tmp_path = web
    branch, token = api_browser(app, "chengguan")
    hidden = "".join(UNSEEN)
    photos = [("photos", (f"照{ch}片{n}.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg")) for n, ch in enumerate(UNSEEN)]
    answer = branch.post("/api/checks", headers=token, files=[
        ("workbook", (f"申报{hidden}表.xlsx", workbook(tmp_path), XLSX)), *photos])
    assert answer.status_code == 201, answer.text
    assert answer.json()["original"] == "申报表.xlsx"
    stored = store.uploads / store.check(answer.json()["id"])["stored"]
    kept = {p.name for p in stored.parent.iterdir()} - {stored.name}
    assert kept == {f"照片{n}.jpg" for n in range(len(UNSEEN))}


# --- 7: common Chinese passwords -----------------------------------------------------------------------

PINYIN_PASSWORDS = ["woaini1314520", "zhangwei1990", "wangwei123456", "lanzhou2024", "dangjian2024", "Zhang.Wei@1990",
                    "xiaoming_2023!", "LiuYang19880808"]


def activate(app, store, name: str, passwords: list[str]) -> list[tuple[int, str]]:
    """A new account `name` and its activation link tried with each password in turn: status and page each."""
    link = f"/activate/{store.add_account(name, 'branch', '七里河供电服务中心党支部').activation}"
    browser = TestClient(app, follow_redirects=False)
    found = []
    for password in passwords:
        answer = browser.post(link, data={"password": password, "again": password, "csrf": csrf(browser, link)})
        found.append((answer.status_code, answer.text))
    return found


def test_pinyin_and_digits_are_refused_with_the_reason(web):
    app, store, _ = web
    for (status, page), password in zip(activate(app, store, "qilihe", PINYIN_PASSWORDS), PINYIN_PASSWORDS):
        assert status == 400 and "拼音加数字的密码容易被猜中" in page, password
    assert store.account(name="qilihe").password is None  # the link still waits for a good one


def test_strong_passwords_and_the_generated_ones_are_accepted(web):
    app, store, _ = web
    strong = ["Qk7#mVp2-Lx9w", "correct-horse-battery-9", "Tr0ub4dor&3xyz", *(security.new_password() for _ in range(3))]
    for n, password in enumerate(strong):
        [(status, page)] = activate(app, store, f"strong{n}", [password])
        assert status == 303, (password, page)
        assert TestClient(app).post("/api/login", json={"name": f"strong{n}", "password": password}).status_code == 200


# --- 8: a logout on a full disk still ends the session ------------------------------------------------

def _full_disk(key: str) -> None:
    raise OperationalError("DELETE FROM sessions", {}, sqlite3.OperationalError("database or disk is full"))


def _rows(store) -> int:
    with store.engine.connect() as db:
        return db.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()


def test_a_logout_on_a_full_disk_ends_the_session_and_its_copied_cookie(web, monkeypatch):
    app, store, _ = web
    page = client(app, "chengguan")
    api = TestClient(app, follow_redirects=False)
    token = api.post("/api/login", json={"name": "xigu", "password": PASSWORD}).json()["csrf"]
    copies = []
    for browser in (page, api):
        copy = TestClient(app, follow_redirects=False)
        copy.cookies.update(browser.cookies)
        assert copy.get("/api/me").status_code == 200
        copies.append(copy)
    held = _rows(store)
    monkeypatch.setattr(app.state.site.store, "end_session", _full_disk)

    response = page.post("/logout", data={"csrf": csrf(page, "/branch")})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    answer = api.post("/api/logout", headers={"X-CSRF-Token": token})
    assert answer.status_code == 200 and answer.json() == {}
    for browser in (page, api, *copies):
        assert browser.get("/branch").headers["location"] == "/login"
        assert browser.get("/api/me").status_code == 401
    assert _rows(store) == held  # the rows could not go

    monkeypatch.undo()  # the disk has room again: the next sign-in deletes them
    client(app, "chengguan")
    assert _rows(store) == 1
    for copy in copies:
        assert copy.get("/api/me").status_code == 401
