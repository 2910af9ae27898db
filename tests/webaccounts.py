"""The web page's tests' accounts (an administrator and branches, all with one password) and their browser."""
from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from builder import project_row, valid_book

from docgen.web import Store
from docgen.web.security import hash_password

PASSWORD = "dangjian2024"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BRANCHES = {"chengguan": "城关供电服务中心党支部", "xigu": "西固供电服务中心党支部"}


def data_folder(folder: Path, branches: tuple[str, ...] = tuple(BRANCHES), admin: bool = True,
                database: str | None = None) -> Store:
    """A data folder (its database at `database` when given) with the administrator "admin" (when
    `admin`) and the named branch accounts."""
    store = Store(folder, database)
    if admin:
        store.add_account("admin", "admin", password=hash_password(PASSWORD))
    for name in branches:
        store.add_account(name, "branch", BRANCHES[name], password=hash_password(PASSWORD))
    return store


def client(app, name: str | None = None) -> TestClient:
    """A browser; signed in as `name` when given."""
    browser = TestClient(app, follow_redirects=False)
    if name:
        response = browser.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf(browser, "/login")})
        assert response.status_code == 303, response.text
    return browser


def csrf(browser: TestClient, page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', browser.get(page).text)[1]


def workbook(tmp_path: Path, name: str = "申报表.xlsx", **changes) -> bytes:
    branch = changes.pop("branch", "城关供电服务中心党支部")
    path = valid_book(projects=[project_row(**{"申报党组织*": branch, **changes})]).save(tmp_path / name)
    return path.read_bytes()


def upload(browser: TestClient, data: bytes, name: str = "申报表.xlsx"):
    token = csrf(browser, "/branch")
    return browser.post("/checks", data={"csrf": token}, files={"workbook": (name, data, XLSX)})


def check_id(response) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def approved(app, store, tmp_path) -> None:
    branch = client(app, "chengguan")
    made = check_id(upload(branch, workbook(tmp_path)))
    branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}")})
    store.review(store.submissions()[0]["id"], "approved")


def api_client(app, name: str) -> TestClient:
    """A client of the JSON API signed in as `name`, sending its CSRF token with every request."""
    browser = TestClient(app, follow_redirects=False)
    response = browser.post("/api/login", json={"name": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    browser.headers["X-CSRF-Token"] = response.json()["csrf"]
    return browser


def settings_form(admin: TestClient, **changes) -> dict[str, str]:
    """The settings page's form as it stands, with `changes`, ready to post."""
    page = admin.get("/admin/settings").text
    fields = dict(re.findall(r'<input name="([\w.]+)" value="([^"]*)"', page))
    fields["project.categories"] = re.search(r'<textarea name="project.categories"[^>]*>([^<]*)</textarea>', page)[1]
    fields.update(changes)
    fields["csrf"] = csrf(admin, "/admin/settings")
    return fields
