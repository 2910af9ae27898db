"""Who may reach what: every route of docgen serve, asked by someone logged out, by the branch that owns
the objects in its URL, by another branch, and by the department.

The table below declares, for each route, who it is for. A route the app has and the table does not
declare fails the test, so a new page cannot be added without saying who may use it.
"""
from __future__ import annotations

import json

import pytest
from starlette.routing import Mount

from conftest import CONFIG
from docgen.web import create_app
from webaccounts import PASSWORD, XLSX, check_id, client, csrf, data_folder, upload, workbook

ROLES = ("nobody", "own", "other", "admin")

# who a route is for:
#   anyone  - no login needed (the login, the activation, the API's description)
#   signed  - every signed-in account
#   branch  - a branch account (the department is refused: 403)
#   owner   - the branch whose object is named in the URL, and the department; another branch gets 404
#   mine    - only the branch whose object is named (the department 403, another branch 404)
#   admin   - the department only (a branch is refused: 403)
ROUTES = {
    ("GET", "/"): "signed",
    ("GET", "/login"): "anyone",
    ("POST", "/login"): "anyone",
    ("POST", "/logout"): "signed",
    ("GET", "/activate/{token}"): "anyone",
    ("POST", "/activate/{token}"): "anyone",
    ("GET", "/branch"): "branch",
    ("GET", "/branch/template"): "branch",
    ("POST", "/checks"): "branch",
    ("GET", "/checks/{id:int}"): "owner",
    ("GET", "/checks/{id:int}/annotated"): "owner",
    ("POST", "/checks/{id:int}/submit"): "mine",
    ("GET", "/branch/preview"): "branch",
    ("GET", "/branch/preview/{path:path}"): "mine",
    ("GET", "/admin"): "admin",
    ("POST", "/admin/accounts"): "admin",
    **{("POST", f"/admin/accounts/{{id:int}}/{change}"): "admin"
       for change in ("deactivate", "reactivate", "reset", "rename")},
    ("GET", "/admin/submissions/{id:int}"): "admin",
    ("POST", "/admin/submissions/{id:int}/review"): "admin",
    ("GET", "/admin/jobs"): "admin",
    ("POST", "/admin/jobs"): "admin",
    ("GET", "/admin/jobs/{id:int}"): "admin",
    ("GET", "/admin/jobs/{id:int}/progress"): "admin",
    ("POST", "/admin/jobs/{id:int}/resume"): "admin",
    ("GET", "/admin/jobs/{id:int}/files/{path:path}"): "admin",
    ("GET", "/admin/settings"): "admin",
    ("POST", "/admin/settings"): "admin",
    ("GET", "/admin/templates"): "admin",
    ("POST", "/admin/templates"): "admin",
    ("GET", "/admin/templates/export"): "admin",
    ("POST", "/admin/templates/{name}/delete"): "admin",
    ("GET", "/api/docs"): "anyone",
    ("POST", "/api/login"): "anyone",
    ("POST", "/api/logout"): "signed",
    ("GET", "/api/me"): "signed",
    ("GET", "/api/accounts"): "admin",
    ("POST", "/api/accounts"): "admin",
    **{("POST", f"/api/accounts/{{id:int}}/{change}"): "admin"
       for change in ("deactivate", "reactivate", "reset", "rename")},
    ("GET", "/api/template"): "branch",
    ("POST", "/api/checks"): "branch",
    ("GET", "/api/checks/{id:int}"): "owner",
    ("GET", "/api/checks/{id:int}/annotated"): "owner",
    ("POST", "/api/checks/{id:int}/submit"): "mine",
    ("GET", "/api/submissions"): "signed",
    ("GET", "/api/submissions/{id:int}"): "owner",
    ("POST", "/api/submissions/{id:int}/review"): "admin",
    ("GET", "/api/overview"): "admin",
    ("GET", "/api/preview"): "branch",
    ("GET", "/api/preview/{path:path}"): "mine",
    ("GET", "/api/jobs"): "admin",
    ("POST", "/api/jobs"): "admin",
    ("GET", "/api/jobs/{id:int}"): "admin",
    ("POST", "/api/jobs/{id:int}/resume"): "admin",
    ("GET", "/api/jobs/{id:int}/files/{path:path}"): "admin",
    ("GET", "/api/settings"): "admin",
    ("PUT", "/api/settings"): "admin",
    ("GET", "/api/templates"): "admin",
    ("POST", "/api/templates"): "admin",
    ("DELETE", "/api/templates/{name}"): "admin",
    ("GET", "/api/templates/export"): "admin",
}

# what a route's own request holds beside the URL (forms are sent with the session's CSRF token)
FORMS = {
    ("POST", "/login"): {"name": "nobody-here", "password": "x"},
    ("POST", "/activate/{token}"): {"password": "x", "again": "y"},
    ("POST", "/admin/accounts"): {"name": "", "branch": ""},
    ("POST", "/admin/submissions/{id:int}/review"): {"decision": "returned", "note": ""},
    ("POST", "/admin/jobs"): {"kind": "none"},
    ("POST", "/admin/settings"): {},
    ("POST", "/checks/{id:int}/submit"): {"confirm": "yes"},
    ("POST", "/admin/accounts/{id:int}/rename"): {"name": "qilihe-page"},
}
JSON = {
    ("POST", "/api/login"): {"name": "nobody-here", "password": "x"},
    ("POST", "/api/accounts"): {"name": "", "branch": ""},
    ("POST", "/api/submissions/{id:int}/review"): {"decision": "none"},
    ("POST", "/api/jobs"): {"kinds": []},
    ("PUT", "/api/settings"): {},
    ("POST", "/api/checks/{id:int}/submit"): {"confirm": True},
    ("POST", "/api/accounts/{id:int}/rename"): {"name": "qilihe-api"},
}
UPLOADS = {("POST", "/checks"): "workbook", ("POST", "/api/checks"): "workbook",
           ("POST", "/admin/templates"): "template", ("POST", "/api/templates"): "template"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """城关 (chengguan) owns a check, its approved submission, its preview; 西固 (xigu) owns nothing; the department
    has a finished job with a file, an account waiting for activation (七里河, which the account routes change),
    and two templates of its own."""
    tmp_path = tmp_path_factory.mktemp("matrix")
    data = tmp_path / "数据"
    store = data_folder(data)
    app = create_app(data, CONFIG, secret="matrix")
    own = client(app, "chengguan")
    made = check_id(upload(own, workbook(tmp_path)))
    assert own.post(f"/checks/{made}/submit", data={"csrf": csrf(own, f"/checks/{made}")}).status_code == 303
    submission = store.submissions()[0]["id"]
    store.review(submission, "approved")
    preview = own.get("/api/preview").json()
    pdf = preview["documents"][0]["path"] if "documents" in preview else preview["files"][0]["path"]
    job = store.add_job(store.account(name="admin"), {"kinds": ["proposal"], "formats": ["docx"],
                                                      "date": "2024-12-23", "period": None})
    out = app.state.site.jobs.folder(job) / "输出"
    out.mkdir(parents=True)
    (out / "清单.xlsx").write_bytes(b"list")
    store.update_job(job, status="done")
    own_templates = data / "模板"  # the department's own: one for the page to delete, one for the API
    own_templates.mkdir()
    for name in ("document.css", "proposal.html"):
        (own_templates / name).write_text("/* 本单位 */", encoding="utf-8")
    waiting = store.add_account("qilihe", "branch", "七里河供电服务中心党支部")
    values = {"id": {"check": made, "submission": submission, "job": job, "account": waiting.id}, "token": waiting.activation,
              "name": {"api": "proposal.html", "page": "document.css"}, "path": {"preview": pdf, "job": "清单.xlsx"}}
    return app, store, tmp_path, values


def _concrete(path: str, values: dict) -> str:
    kind = next((k for k in ("submission", "job", "account") if f"{k}s/" in path), "check")
    where = "job" if "jobs" in path else "preview"
    return (path.replace("{id:int}", str(values["id"][kind])).replace("{token}", values["token"])
            .replace("{name}", values["name"]["api" if path.startswith("/api/") else "page"]).replace("{path:path}", values["path"][where]))


def _browser(app, role: str):
    return client(app, {"nobody": None, "own": "chengguan", "other": "xigu", "admin": "admin"}[role])


def _ask(browser, method: str, route: str, url: str):
    token = csrf(browser, "/login")  # the session's token, signed in or not
    if method == "GET":
        return browser.get(url)
    if route in JSON:
        return browser.request(method, url, content=json.dumps(JSON[route]),
                               headers={"content-type": "application/json", "x-csrf-token": token})
    if route in UPLOADS:
        field = UPLOADS[route]
        return browser.request(method, url, data={"csrf": token}, headers={"x-csrf-token": token},
                               files={field: ("x.xlsx" if field == "workbook" else "x.txt", b"not a file", XLSX)})
    return browser.request(method, url, data={"csrf": token, **FORMS.get(route, {})}, headers={"x-csrf-token": token})


def _outcome(response, url: str) -> str:
    """login: sent to sign in; refused: 403/404; allowed: anything else a handler answers (even a 400 about the
    form: the request was let through to its work)."""
    status = response.status_code
    assert status < 500, (url, status, response.text[:300])
    if (status == 303 and response.headers["location"] == "/login") or status == 401:
        return "login"
    if status in (403, 404):
        return "refused"
    return "allowed"


def _expected(who: str, role: str) -> str:
    if who == "anyone":
        return "allowed"
    if role == "nobody":
        return "login"
    return {"signed": "allowed",
            "branch": "refused" if role == "admin" else "allowed",
            "owner": "refused" if role == "other" else "allowed",
            "mine": "allowed" if role == "own" else "refused",
            "admin": "allowed" if role == "admin" else "refused"}[who]


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        for method in route.methods - {"HEAD"}:
            found.add((method, route.path))
    return found


def test_every_route_declares_who_it_is_for(world):
    app = world[0]
    assert _routes(app) == set(ROUTES), "routes the table does not declare, or declares but the app lacks"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_lets_in_only_whom_it_is_for(world, role):
    app, _, _, values = world
    wrong, browser = [], _browser(app, role)
    for (method, path), who in sorted(ROUTES.items()):
        if role != "nobody" and path in ("/logout", "/api/logout"):
            continue  # ends the browser's login: asked by a browser of its own below
        url = _concrete(path, values)
        got = _outcome(_ask(browser, method, (method, path), url), url)
        if got != _expected(who, role) and not (who == "anyone" and got == "login"):  # a wrong password: 401
            wrong.append(f"{method} {url}: {got}, expected {_expected(who, role)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", ["/logout", "/api/logout"])
@pytest.mark.parametrize("role", ROLES[1:])
def test_logging_out_is_for_the_signed_in(world, role, path):
    app = world[0]
    browser = _browser(app, role)
    assert _ask(browser, "POST", ("POST", path), path).status_code in (200, 303)
    assert _outcome(browser.get("/api/me"), "/api/me") == "login"
