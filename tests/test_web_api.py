"""docgen serve: every route against every role, CSRF on every state-changing route, and the JSON API,
which does what the pages do through the same actions."""
from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook
from starlette.routing import Route
from starlette.testclient import TestClient

from builder import task_row, valid_book
from conftest import CONFIG
from docgen.config import Limits
from docgen.web import create_app
from docgen.web.security import Throttle
from webaccounts import PASSWORD, api_client, approved, check_id, client, csrf, data_folder, upload, workbook

# Who may use each route: "anyone"; "signed" (any account); "branch" (any branch account); "own" (the branch
# whose data the id names, not another branch, which gets 404); "own+admin" (that branch and the department);
# "admin". A route the app has and this table lacks fails the test: a new route is never left unchecked.
ACCESS = {
    ("GET", "/"): "signed",
    ("GET", "/login"): "anyone", ("POST", "/login"): "anyone",
    ("POST", "/logout"): "signed",
    ("GET", "/activate/{token}"): "anyone", ("POST", "/activate/{token}"): "anyone",
    ("GET", "/branch"): "branch",
    ("GET", "/branch/template"): "branch",
    ("POST", "/checks"): "branch",
    ("GET", "/checks/{id:int}"): "own+admin",
    ("GET", "/checks/{id:int}/annotated"): "own+admin",
    ("POST", "/checks/{id:int}/submit"): "own",
    ("GET", "/branch/preview"): "branch",
    ("GET", "/branch/preview/{path:path}"): "own",
    ("GET", "/admin"): "admin",
    ("POST", "/admin/accounts"): "admin",
    **{("POST", f"/admin/accounts/{{id:int}}/{change}"): "admin" for change in ("deactivate", "reactivate", "reset",
                                                                              "rename")},
    ("GET", "/admin/submissions/{id:int}"): "admin",
    ("POST", "/admin/submissions/{id:int}/review"): "admin",
    ("GET", "/admin/jobs"): "admin", ("POST", "/admin/jobs"): "admin",
    ("GET", "/admin/jobs/{id:int}"): "admin",
    ("GET", "/admin/jobs/{id:int}/progress"): "admin",
    ("POST", "/admin/jobs/{id:int}/resume"): "admin",
    ("GET", "/admin/jobs/{id:int}/files/{path:path}"): "admin",
    ("GET", "/admin/settings"): "admin", ("POST", "/admin/settings"): "admin",
    ("GET", "/admin/templates"): "admin", ("POST", "/admin/templates"): "admin",
    ("GET", "/admin/templates/export"): "admin", ("POST", "/admin/templates/{name}/delete"): "admin",
    ("GET", "/api/docs"): "anyone",
    ("POST", "/api/login"): "anyone",
    ("POST", "/api/logout"): "signed",
    ("GET", "/api/me"): "signed",
    ("GET", "/api/accounts"): "admin", ("POST", "/api/accounts"): "admin",
    **{("POST", f"/api/accounts/{{id:int}}/{change}"): "admin" for change in ("deactivate", "reactivate", "reset",
                                                                            "rename")},
    ("GET", "/api/template"): "branch",
    ("POST", "/api/checks"): "branch",
    ("GET", "/api/checks/{id:int}"): "own+admin",
    ("GET", "/api/checks/{id:int}/annotated"): "own+admin",
    ("POST", "/api/checks/{id:int}/submit"): "own",
    ("GET", "/api/submissions"): "signed",
    ("GET", "/api/submissions/{id:int}"): "own+admin",
    ("POST", "/api/submissions/{id:int}/review"): "admin",
    ("GET", "/api/overview"): "admin",
    ("GET", "/api/preview"): "branch",
    ("GET", "/api/preview/{path:path}"): "own",
    ("GET", "/api/jobs"): "admin", ("POST", "/api/jobs"): "admin",
    ("GET", "/api/jobs/{id:int}"): "admin",
    ("POST", "/api/jobs/{id:int}/resume"): "admin",
    ("GET", "/api/jobs/{id:int}/files/{path:path}"): "admin",
    ("GET", "/api/settings"): "admin", ("PUT", "/api/settings"): "admin",
    ("GET", "/api/templates"): "admin", ("POST", "/api/templates"): "admin",
    ("DELETE", "/api/templates/{name}"): "admin", ("GET", "/api/templates/export"): "admin",
}
ROLES = ("anonymous", "chengguan", "xigu", "admin")  # chengguan owns the data the ids name; xigu is another branch
CSRF_FREE = {("POST", "/api/login")}  # it starts the session; JSON only, which a foreign form cannot send


def routes(app) -> list[tuple[str, str]]:
    return [(method, route.path) for route in app.routes if isinstance(route, Route)
            for method in sorted(route.methods - {"HEAD"})]


def _world(app, store, tmp_path) -> dict[str, str]:
    """chengguan's handed-in and approved check, a finished job with a file, a preview, an unused activation."""
    branch = client(app, "chengguan")
    made = check_id(upload(branch, workbook(tmp_path)))
    branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}")})
    submission = store.submissions()[0]["id"]
    store.review(submission, "approved")
    job = store.add_job(store.account(name="admin"), {"kinds": ["proposal"], "formats": ["docx"],
                                                      "date": "2024-12-23", "period": None})
    store.update_job(job, status="done", total=1, done=1)
    out = app.state.site.jobs.folder(job) / "输出"
    out.mkdir(parents=True)
    (out / "清单.xlsx").write_bytes(b"x")
    preview = branch.get("/api/preview").json()["files"][0]["path"]
    return {"check": str(made), "submission": str(submission), "job": str(job), "job_file": "清单.xlsx",
            "preview": preview, "token": store.add_account("newbie", "branch", "新城党支部").activation,
            "account": str(store.account(name="admin").id)}  # its own: refused (409) or harmless for the admin


def _address(path: str, world: dict[str, str]) -> str:
    kind = ("check" if "/checks/" in path else "submission" if "/submissions/" in path
            else "account" if "/accounts/" in path else "job")
    path = path.replace("{id:int}", world[kind]).replace("{token}", world["token"]).replace("{name}", "proposal.docx")
    return path.replace("{path:path}", world["preview"] if "preview" in path else world["job_file"])


def _send(browser: TestClient, method: str, path: str, token: str | None):
    headers = {"X-CSRF-Token": token} if token else {}
    if path.startswith("/api/"):
        return browser.request(method, path, json={} if method != "GET" else None, headers=headers)
    return browser.request(method, path, data={"csrf": token} if token and method != "GET" else None)


def _expected(rule: str, who: str) -> str:
    """allowed, login (anonymous sent to sign in), forbidden (403) or absent (404)."""
    if rule == "anyone":
        return "allowed"
    if who == "anonymous":
        return "login"
    if rule == "signed":
        return "allowed"
    if rule == "admin":
        return "allowed" if who == "admin" else "forbidden"
    if who == "admin":
        return "allowed" if rule == "own+admin" else "forbidden"
    if rule in ("own", "own+admin"):
        return "allowed" if who == "chengguan" else "absent"
    return "allowed"  # branch


def _fits(expected: str, path: str, method: str, response) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if expected == "login":
        return status == 401 if path.startswith("/api/") else (
            status == 303 and response.headers["location"] == "/login")
    if expected == "forbidden":
        return status == 403 and ("此页面不属于您的账号" in response.text)
    if expected == "absent":
        return status == 404 and "找不到" in response.text
    if method == "GET":
        return status in (200, 303) and response.headers.get("location") != "/login"
    if path in ("/login", "/api/login"):
        return status == 401 and "账号或密码不正确" in response.text  # what an empty login gets
    if "{name}" in path:  # removing an own template there is none of
        return status == 404 and "没有这个自己的模板" in response.text
    return status in (200, 201, 202, 303, 400, 409)  # done, or refused for its empty body at most


def test_every_route_against_every_role(site):
    app, store, tmp_path = site
    assert sorted(set(routes(app)) - set(ACCESS)) == [], "a route without an entry in ACCESS"
    assert sorted(set(ACCESS) - set(routes(app))) == []
    world = _world(app, store, tmp_path)
    browsers = {who: client(app, None if who == "anonymous" else who) for who in ROLES}
    wrong = []
    for method, path in routes(app):
        for who in ROLES:
            app.state.site.throttle = Throttle()  # the empty logins must not lock the others out
            browser = browsers[who]
            if path in ("/logout", "/api/logout"):  # it ends the session: a session of its own
                browser = client(app, None if who == "anonymous" else who)
            response = _send(browser, method, _address(path, world), csrf(browser, "/login"))
            expected = _expected(ACCESS[(method, path)], who)
            if not _fits(expected, path, method, response):
                wrong.append(f"{who} {method} {path}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_every_state_changing_route_refuses_a_missing_or_forged_csrf_token(site):
    app, store, tmp_path = site
    world = _world(app, store, tmp_path)
    admin, branch = client(app, "admin"), client(app, "chengguan")
    before = (len(store.submissions()), len(store.jobs()), len(store.accounts()))
    for method, path in routes(app):
        if method == "GET" or (method, path) in CSRF_FREE:
            continue
        browser = branch if ACCESS[(method, path)] in ("branch", "own", "own+admin") else admin
        for token in (None, "forged"):
            address = _address(path, world)
            if path.startswith("/api/"):
                response = browser.request(method, address, json={}, headers={"X-CSRF-Token": token} if token else {})
            else:
                response = browser.request(method, address, data={"csrf": token} if token else {})
            assert response.status_code == 403 and "页面已过期或来源不明" in response.text, (method, path, token)
    assert (len(store.submissions()), len(store.jobs()), len(store.accounts())) == before
    assert browser.get("/api/me").status_code == 200  # still signed in: the refused logout did nothing


# --- the JSON API: the same flows as the pages ----------------------------------------------------

def test_the_api_login_refuses_in_chinese_and_needs_json(site):
    app, _, _ = site
    browser = TestClient(app)
    response = browser.post("/api/login", json={"name": "chengguan", "password": "wrong"})
    assert response.status_code == 401 and response.json() == {"error": "账号或密码不正确"}
    response = browser.post("/api/login", data={"name": "chengguan", "password": PASSWORD})
    assert response.status_code == 415 and "JSON" in response.json()["error"]
    assert browser.get("/api/me").status_code == 401
    assert "请先登录" in browser.get("/api/checks/1").json()["error"]


def test_a_branch_checks_and_hands_in_through_the_api_as_on_the_page(site):
    app, store, tmp_path = site
    branch = api_client(app, "chengguan")
    response = branch.post("/api/checks", files={"workbook": ("城关.xlsx", workbook(tmp_path, **{"项目负责人*": None}))})
    assert response.status_code == 201
    faulty = response.json()
    assert faulty["errors"] == 1 and faulty["original"] == "城关.xlsx"
    issue = next(i for i in faulty["issues"] if i["severity"] == "error")
    assert (issue["sheet"], issue["cell"]) == ("项目信息", "G2") and "必填项未填写" in issue["message"]
    page = client(app, "chengguan").get(f"/checks/{faulty['id']}").text
    assert issue["message"] in page  # the page shows the same check
    copy = branch.get(faulty["links"]["annotated"])
    assert "必填项未填写" in load_workbook(io.BytesIO(copy.content))["项目信息"]["G2"].comment.text
    refused = branch.post(f"/api/checks/{faulty['id']}/submit", json={})
    assert refused.status_code == 400 and refused.json()["error"] == "有错误的申报表不能提交，请改正后重新上传"
    clean = branch.post("/api/checks", files={"workbook": ("城关.xlsx", workbook(tmp_path))}).json()
    submitted = branch.post(f"/api/checks/{clean['id']}/submit", json={"confirm": True}).json()
    assert submitted["version"] == 1 and submitted["status_label"] == "待审核"
    assert [s["id"] for s in branch.get("/api/submissions").json()] == [submitted["id"]]

    admin = api_client(app, "admin")
    rows = {r["branch"]: r for r in admin.get("/api/overview").json()}
    assert rows["城关供电服务中心党支部"]["status"] == "pending" and rows["西固供电服务中心党支部"]["status_label"] == "未提交"
    assert [r["branch"] for r in admin.get("/api/overview?status=none").json()] == ["西固供电服务中心党支部"]
    response = admin.post(f"/api/submissions/{submitted['id']}/review", json={"decision": "returned"})
    assert response.status_code == 400 and "退回时请写明原因" in response.json()["error"]
    admin.post(f"/api/submissions/{submitted['id']}/review", json={"decision": "returned", "note": "请补充实施效果"})
    seen = branch.get(f"/api/submissions/{submitted['id']}").json()
    assert seen["status"] == "returned" and seen["note"] == "请补充实施效果" and seen["check"]["errors"] == 0
    assert "已退回" in client(app, "chengguan").get("/branch").text and "请补充实施效果" in client(
        app, "chengguan").get("/branch").text
    other = api_client(app, "xigu")
    for path in (f"/api/checks/{clean['id']}", f"/api/submissions/{submitted['id']}",
                 f"/api/checks/{clean['id']}/annotated"):
        assert other.get(path).status_code == 404, path
    assert other.get("/api/submissions").json() == []


def test_the_department_adds_accounts_and_edits_settings_through_the_api(site):
    app, store, _ = site
    admin = api_client(app, "admin")
    made = admin.post("/api/accounts", json={"name": "anning", "branch": "安宁供电服务中心党支部"})
    assert made.status_code == 201 and made.json()["activation_link"].endswith(store.account(name="anning").activation)
    again = admin.post("/api/accounts", json={"name": "anning", "branch": "x"})
    assert again.status_code == 400 and again.json()["error"] == "登录名“anning”已被使用"
    response = admin.put("/api/settings", json={"notice": {"days": "五天"}})
    assert response.status_code == 400 and "notice.days：应为整数" in response.json()["error"]
    response = admin.put("/api/settings", json={"calendar": {"holidays": []}})
    assert response.status_code == 400 and "不能在这里修改" in response.json()["error"]
    response = admin.put("/api/settings", json={"notice": {"days": 7}})
    assert response.status_code == 200 and response.json()["notice"]["days"] == 7
    assert "days = 7" in (store.folder / "docgen.toml").read_text(encoding="utf-8")
    assert 'value="7"' in client(app, "admin").get("/admin/settings").text  # the page shows the same setting


def test_a_job_is_started_watched_and_its_files_listed_through_the_api(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data, ("chengguan",))
    app = create_app(data, CONFIG, secret="s", workers=1)
    admin = api_client(app, "admin")
    response = admin.post("/api/jobs", json={"kinds": ["proposal"], "formats": ["docx"]})
    assert response.status_code == 409 and "还没有已通过审核的申报表" in response.json()["error"]
    approved(app, store, tmp_path)
    response = admin.post("/api/jobs", json={"kinds": ["proposal"], "formats": ["pdf"], "date": "2024-12-23"})
    assert response.status_code == 202
    job = response.json()["id"]
    app.state.site.jobs.wait(job, 120)
    done = admin.get(f"/api/jobs/{job}").json()
    assert done["status"] == "done" and done["share"] == 100 and done["settings"]["formats"] == ["pdf"]
    pdf = next(f for f in done["files"] if f["path"].endswith("立项表.pdf"))
    response = admin.get(pdf["url"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert admin.get(f"/api/jobs/{job}/files/../../secret.key").status_code == 404
    resumed = admin.post(f"/api/jobs/{job}/resume")
    assert resumed.status_code == 409 and "只有失败或已中断的任务可以继续" in resumed.json()["error"]


def test_the_api_docs_page_lists_every_endpoint_in_chinese(site):
    app, _, _ = site
    page = TestClient(app).get("/api/docs").text
    for method, path in routes(app):
        if path.startswith("/api/") and path != "/api/docs":
            shown = path.replace(":int", "").replace(":path", "")
            assert re.search(rf">{method}</code> <code>{re.escape(shown)}</code>", page), (method, path)
    assert "X-CSRF-Token" in page and "谁可以用" in page


# --- limits shown before upload, the department's view of a submission, htmx ----------------------

def test_the_daily_upload_count_is_shown_before_upload_and_enforced(site):
    _, store, tmp_path = site
    limited = create_app(tmp_path / "数据", CONFIG.model_copy(update={"limits": Limits(uploads_per_day=2)}),
                         secret="s", database=store.url)
    browser = client(limited, "chengguan")
    assert "每天最多上传 2 次，今天还可上传 <b>2</b> 次" in browser.get("/branch").text
    assert "不超过 20 MB" in browser.get("/branch").text
    for _ in range(2):
        check_id(upload(browser, workbook(tmp_path)))
    page = browser.get("/branch").text
    assert "今天还可上传 <b>0</b> 次" in page and re.search(r'<button class="primary" disabled>上传并校验', page)
    response = upload(browser, workbook(tmp_path))
    assert response.status_code == 429 and "今天已上传 2 次，达到每天的上限" in response.text
    assert len(list(store.uploads.iterdir())) == 2  # the refused one is not kept
    assert client(limited, "xigu").get("/api/me").json()["uploads_left"] == 2  # counted per branch
    limited.state.site.store.close()


def test_the_department_reviews_one_submission_on_its_own_page(site):
    app, store, tmp_path = site
    branch = client(app, "chengguan")
    early = valid_book(tasks=[task_row(**{"开始日期": dt.date(2024, 1, 1)})]).save(tmp_path / "早.xlsx").read_bytes()
    for _ in range(2):
        made = check_id(upload(branch, early))  # a warning: the task starts before its project
        response = branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}"),
                                                               "confirm": "yes"})
        assert response.status_code == 303, response.text
    newest = store.submissions()[0]
    admin = client(app, "admin")
    page = admin.get(f"/admin/submissions/{newest['id']}").text
    assert "城关供电服务中心党支部 · 第 2 版" in page and "本支部的提交记录" in page and "第 1 版" in page
    assert re.search(r'<td id="s1-E2"[^>]*class="warning"', page)  # the sheet drawn with its marked cell
    response = admin.post(f"/admin/submissions/{newest['id']}/review",
                          data={"csrf": csrf(admin, "/admin"), "decision": "returned",
                                "next": f"/admin/submissions/{newest['id']}"})
    assert response.status_code == 400 and "退回时请写明原因" in response.text and "第 2 版" in response.text
    response = admin.post(f"/admin/submissions/{newest['id']}/review",
                          data={"csrf": csrf(admin, "/admin"), "decision": "approved", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    assert store.submission(newest["id"])["status"] == "approved"
    assert admin.get("/admin/submissions/999").status_code == 404


def test_htmx_gets_the_overview_table_and_the_progress_box_alone(site):
    app, store, tmp_path = site
    admin = client(app, "admin")
    fragment = admin.get("/admin?status=none", headers={"HX-Request": "true"}).text
    assert fragment.startswith("{#") is False and "<html" not in fragment and 'id="overview"' in fragment
    assert "西固供电服务中心党支部" in fragment and "城关供电服务中心党支部" in fragment  # neither has sent anything
    job = store.add_job(store.account(name="admin"), {"kinds": ["proposal"], "formats": ["docx"],
                                                      "date": "2024-12-23", "period": None})
    store.update_job(job, total=4, done=1, started=store.job(job)["created"])
    running = admin.get(f"/admin/jobs/{job}/progress")
    assert 'hx-trigger="every 1s"' in running.text and '<progress class="bar" max="100" value="25">' in running.text
    assert "HX-Refresh" not in running.headers and "<html" not in running.text
    store.update_job(job, status="done", done=4)
    finished = admin.get(f"/admin/jobs/{job}/progress")
    assert finished.headers["HX-Refresh"] == "true" and "hx-trigger" not in finished.text
