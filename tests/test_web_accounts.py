"""The web page's accounts as an attacker and an unlucky clerk meet them: login delays per name and address,
sessions that end, the department's account changes, the password policy, the browser's rules (headers, Secure
cookie, a proxy's header believed only when told), names that look alike, and password checks that neither
block the server nor tell which names exist (against a live uvicorn)."""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from conftest import CONFIG
from liveserver import served_here
from webaccounts import PASSWORD, XLSX, check_id, client, csrf, data_folder, upload, workbook

from docgen.web import create_app, security
from docgen.web.security import password_problem
from docgen.web.store import sample_accounts


def browser_at(app, host: str, headers: dict[str, str] | None = None) -> TestClient:
    return TestClient(app, follow_redirects=False, client=(host, 40000), headers=headers)


def login(browser: TestClient, name: str, password: str):
    return browser.post("/login", data={"name": name, "password": password, "csrf": csrf(browser, "/login")})


# --- 3: throttling that a stranger cannot turn against the real user -----------------------------

def test_wrong_passwords_from_one_address_never_stop_the_name_from_another_and_the_delays_grow(web):
    app, _, _ = web
    stranger, clerk = browser_at(app, "10.0.0.66"), browser_at(app, "10.0.0.7")
    for _ in range(3):
        assert login(stranger, "admin", "guess-guess").status_code == 401
    held = login(stranger, "admin", PASSWORD)  # even the right password waits out the delay from there
    assert held.status_code == 429 and "请 1 秒后再试" in held.text
    assert login(clerk, "admin", PASSWORD).status_code == 303  # the real user, elsewhere: at once
    assert login(browser_at(app, "10.0.0.66"), "chengguan", PASSWORD).status_code == 303  # another name from there
    time.sleep(1.1)
    assert login(stranger, "admin", "guess-again").status_code == 401
    longer = login(stranger, "admin", PASSWORD)
    assert longer.status_code == 429 and "请 2 秒后再试" in longer.text
    time.sleep(2.1)
    assert login(stranger, "admin", PASSWORD).status_code == 303  # after the delay the right password works


def test_a_proxys_forwarded_address_is_believed_only_when_the_proxy_is_named(tmp_path):
    store = data_folder(tmp_path / "数据")
    for proxy in (None, ["127.0.0.1"]):
        app = create_app(tmp_path / "数据", CONFIG, secret="test-secret", proxy=proxy)
        stranger = browser_at(app, "127.0.0.1", {"X-Forwarded-For": "10.9.9.9"})
        for _ in range(3):
            assert login(stranger, "xigu", "guess-guess").status_code == 401
        clerk = browser_at(app, "127.0.0.1", {"X-Forwarded-For": "10.1.1.1"})
        response = login(clerk, "xigu", PASSWORD)
        if proxy is None:  # the header is anyone's to write: both are the proxy's one address, held
            assert response.status_code == 429 and "秒后再试" in response.text
        else:  # two clients behind the proxy: the stranger's failures are the stranger's
            assert response.status_code == 303
            assert login(stranger, "xigu", PASSWORD).status_code == 429
        app.state.site.store.close()
    store.close()


# --- 4: server-side sessions, and accounts the department can end ----------------------------------

def test_a_copied_cookie_stops_working_at_logout(web):
    app, _, _ = web
    browser = client(app, "chengguan")
    copy = TestClient(app, follow_redirects=False, cookies={"docgen_session": browser.cookies["docgen_session"]})
    assert copy.get("/branch").status_code == 200
    browser.post("/logout", data={"csrf": csrf(browser, "/branch")})
    gone = copy.get("/branch")
    assert gone.status_code == 303 and gone.headers["location"] == "/login"
    assert copy.get("/api/me").status_code == 401
    api = TestClient(app, follow_redirects=False)
    token = api.post("/api/login", json={"name": "xigu", "password": PASSWORD}).json()["csrf"]
    copied = TestClient(app, cookies={"docgen_session": api.cookies["docgen_session"]})
    assert api.post("/api/logout", headers={"X-CSRF-Token": token}).status_code == 200
    assert copied.get("/api/me").status_code == 401


def test_a_deactivated_account_is_signed_out_cannot_sign_in_and_keeps_its_data(web):
    app, store, tmp_path = web
    branch = client(app, "chengguan")
    made = check_id(upload(branch, workbook(tmp_path)))
    copy = TestClient(app, follow_redirects=False, cookies={"docgen_session": branch.cookies["docgen_session"]})
    admin = client(app, "admin")
    target = store.account(name="chengguan").id
    response = admin.post(f"/admin/accounts/{target}/deactivate", data={"csrf": csrf(admin, "/admin")})
    assert response.status_code == 303
    assert "已停用" in admin.get("/admin").text
    assert branch.get("/branch").headers["location"] == "/login"
    refused = login(client(app), "chengguan", PASSWORD)
    assert refused.status_code == 403 and "已停用" in refused.text
    assert login(client(app), "chengguan", "not-the-password").text.count("账号或密码不正确") == 1  # no hint
    itself = admin.post(f"/admin/accounts/{store.account(name='admin').id}/deactivate",
                        data={"csrf": csrf(admin, "/admin")})
    assert itself.status_code == 409 and "不能停用自己" in itself.text
    assert admin.get(f"/checks/{made}").status_code == 200  # its check stays
    admin.post(f"/admin/accounts/{target}/reactivate", data={"csrf": csrf(admin, "/admin")})
    again = client(app, "chengguan")
    assert again.get(f"/checks/{made}").status_code == 200
    assert copy.get("/branch").headers["location"] == "/login"  # reactivated: its old sessions stay ended


def test_a_reset_ends_the_password_and_its_sessions_and_the_new_link_works_once(web):
    app, store, _ = web
    branch = client(app, "xigu")
    api = TestClient(app)
    token = api.post("/api/login", json={"name": "admin", "password": PASSWORD}).json()["csrf"]
    target = store.account(name="xigu").id
    found = api.post(f"/api/accounts/{target}/reset", headers={"X-CSRF-Token": token}).json()
    link = found["activation_link"].replace("http://testserver", "")
    assert branch.get("/branch").headers["location"] == "/login"
    assert login(client(app), "xigu", PASSWORD).status_code == 401  # the old password: gone at once
    fresh = client(app)
    response = fresh.post(link, data={"password": "huanghe-river-42", "again": "huanghe-river-42",
                                      "csrf": csrf(fresh, link)})
    assert response.status_code == 303 and fresh.get("/branch").status_code == 200
    assert client(app).get(link).status_code == 404  # once
    assert login(client(app), "xigu", "huanghe-river-42").status_code == 303


def test_a_rename_keeps_the_accounts_checks_and_refuses_a_name_in_use(web):
    app, store, tmp_path = web
    made = check_id(upload(client(app, "chengguan"), workbook(tmp_path)))
    admin = client(app, "admin")
    target = store.account(name="chengguan").id
    taken = admin.post(f"/admin/accounts/{target}/rename", data={"csrf": csrf(admin, "/admin"), "name": "xigu"})
    assert taken.status_code == 400 and "登录名“xigu”已被使用" in taken.text
    response = admin.post(f"/admin/accounts/{target}/rename",
                          data={"csrf": csrf(admin, "/admin"), "name": "ｃｈｅｎｇｇｕａｎ２"})  # fullwidth
    assert response.status_code == 303 and store.account(id=target).name == "chengguan2"
    renamed = client(app)
    assert login(renamed, "chengguan2", PASSWORD).status_code == 303
    assert renamed.get(f"/checks/{made}").status_code == 200
    assert login(client(app), "chengguan", PASSWORD).status_code == 401


# --- 11: the password policy -----------------------------------------------------------------------

@pytest.mark.parametrize("password, why", [
    ("password1", "至少 10 位"), ("password123", "太常见"), ("iloveyou2024", "太常见"), ("2024061812345", "不能只有数字"),
    ("qilihe-2024-xyz", "不能包含登录名"), ("qwertyuiop", "太常见"),
])
def test_an_activation_refuses_a_weak_password_saying_why(web, password, why):
    app, store, _ = web
    link = f"/activate/{store.add_account('qilihe', 'branch', '七里河供电服务中心党支部').activation}"
    browser = client(app)
    response = browser.post(link, data={"password": password, "again": password, "csrf": csrf(browser, link)})
    assert response.status_code == 400 and why in response.text
    assert store.account(name="qilihe").password is None


def test_the_sample_passwords_pass_the_sites_own_policy_and_sign_in(web):
    app, store, _ = web
    made = sample_accounts(store, ["安宁供电服务中心党支部", "七里河供电服务中心党支部"])
    assert len(made) == 2  # admin exists already
    for name, _, password in made:
        assert password_problem(password, password, name) is None
        assert login(client(app), name, password).status_code == 303


# --- 12: the browser's rules ----------------------------------------------------------------------

def test_every_kind_of_response_carries_the_browsers_rules(web):
    app, _, _ = web
    anonymous = client(app)
    signed = client(app, "chengguan")
    for response in (anonymous.get("/login"), signed.get("/branch"), signed.get("/api/me"),
                     anonymous.get("/api/me"), anonymous.get("/static/site.css"), signed.get("/checks/424242"),
                     anonymous.get("/no-such-page")):
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, response.url
        assert "unsafe-inline" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers
        if response.headers.get("content-type", "").startswith("text/html"):  # nothing inline the policy would stop
            assert "<script>" not in response.text and "style=" not in response.text and "<style" not in response.text


def test_the_cookie_is_secure_and_hsts_sent_only_over_https(tmp_path):
    store = data_folder(tmp_path / "数据")
    plain = create_app(tmp_path / "数据", CONFIG, secret="test-secret")
    cookie = client(plain).get("/login").headers["set-cookie"].lower()
    assert "docgen_session=" in cookie and "secure" not in cookie
    https = create_app(tmp_path / "数据", CONFIG, secret="test-secret", https=True)
    response = TestClient(https, base_url="https://testserver").get("/login")
    assert "; secure" in response.headers["set-cookie"].lower()
    assert response.headers["strict-transport-security"].startswith("max-age=")
    for app in (plain, https):
        app.state.site.store.close()
    store.close()


# --- 13: names that look the same -----------------------------------------------------------------

def test_names_with_unseen_characters_are_refused_at_the_form_and_fullwidth_is_normalised(web):
    app, store, _ = web
    admin = client(app, "admin")
    twin = admin.post("/admin/accounts", data={"csrf": csrf(admin, "/admin"), "name": "chengguan9",
                                               "branch": "城关供电服务中心党支部\u200b"})
    assert twin.status_code == 400 and "看不见的字符" in twin.text and "U+200B" in twin.text
    assert 'action="/admin/accounts"' in twin.text  # said at the form, on the department's page
    assert store.account(name="chengguan9") is None
    flipped = admin.post("/admin/accounts", data={"csrf": csrf(admin, "/admin"), "name": "an\u202eing",
                                                  "branch": "安宁供电服务中心党支部"})
    assert flipped.status_code == 400 and "U+202E" in flipped.text
    made = admin.post("/admin/accounts", data={"csrf": csrf(admin, "/admin"), "name": "ａｎｎｉｎｇ",
                                               "branch": "安宁供电服务中心党支部"})
    assert made.status_code == 303 and store.account(name="anning") is not None


def test_an_uploaded_file_name_loses_its_direction_override(web):
    app, store, tmp_path = web
    branch = client(app, "chengguan")
    made = check_id(upload(branch, workbook(tmp_path), name="申报表\u202excod.xlsx"))
    assert store.check(made)["original"] == "申报表xcod.xlsx"
    photo = ("照\u202ePNG.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg")
    response = branch.post("/checks", data={"csrf": csrf(branch, "/branch")},
                           files=[("workbook", ("申报表.xlsx", workbook(tmp_path), XLSX)), ("photos", photo)])
    stored = store.uploads / store.check(check_id(response))["stored"]
    assert {p.name for p in stored.parent.iterdir()} >= {"照PNG.jpg"}


# --- 6: password checks off the event loop, and no timing oracle (a live server) --------------------

@pytest.fixture
def live(tmp_path):
    """The app over a tmp data folder, served by uvicorn in this process (so that a test may patch it): its URL."""
    store = data_folder(tmp_path / "数据")
    app = create_app(tmp_path / "数据", CONFIG, secret="test-secret")
    with served_here(app) as url:
        yield url
    store.close()
    app.state.site.store.close()


def _api_login(base: str, name: str, password: str) -> float:
    start = time.perf_counter()
    httpx.post(f"{base}/api/login", json={"name": name, "password": password}, timeout=60)
    return time.perf_counter() - start


def test_password_checks_do_not_hold_up_the_server(live, monkeypatch):
    """Ten logins at once (no name more than its free tries), each password check made to last two seconds: a
    static file asked meanwhile is answered at once. On the event loop, the checks would run one after another and hold it for 20 s."""
    real = security.verify_password

    def slow(hashed, password):
        time.sleep(2.0)
        return real(hashed, password)
    monkeypatch.setattr(security, "verify_password", slow)
    with ThreadPoolExecutor(10) as pool, httpx.Client(base_url=live, timeout=60) as static:
        logins = [pool.submit(_api_login, live, name, PASSWORD) for name in ["admin", "chengguan", "xigu"] * 3 + ["nobody"]]
        time.sleep(0.5)  # every login has reached its password check
        begun = time.perf_counter()
        assert static.get("/static/site.css").status_code == 200
        waited = time.perf_counter() - begun
        assert not any(f.done() for f in logins)
    assert waited < 1.0, f"the static file waited {waited:.2f} s behind the password checks"


def test_a_known_name_and_an_unknown_name_take_as_long(live):
    _api_login(live, "admin", "warm-up-guess")
    known = [_api_login(live, name, "not-the-password") for name in ("admin", "chengguan", "xigu") for _ in range(2)]
    unknown = [_api_login(live, f"nobody{n}", "not-the-password") for n in range(6)]
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.5 < ratio < 2, f"known {statistics.median(known):.3f}s, unknown {statistics.median(unknown):.3f}s"
