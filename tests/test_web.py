"""docgen serve over HTTP: who may do what, CSRF, uploads, and the branch's and department's flows."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from builder import project_row, valid_book
from conftest import CONFIG
from docgen.config import Limits
from docgen.web import Store, create_app
from webaccounts import PASSWORD, approved, check_id, client, csrf, data_folder, settings_form, upload, workbook


# --- accounts and sessions ----------------------------------------------------------------------

def test_pages_need_a_login_and_the_login_page_is_chinese(site):
    app, _, _ = site
    anonymous = client(app)
    for path in ("/", "/branch", "/admin", "/checks/1", "/branch/template"):
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/login", path
    page = anonymous.get("/login").text
    assert "登录名" in page and "密码" in page and 'lang="zh-CN"' in page


def test_a_wrong_password_is_refused_and_repeated_failures_wait(site):
    app, _, _ = site
    browser = client(app)
    for _ in range(3):
        response = browser.post("/login", data={"name": "xigu", "password": "wrong", "csrf": csrf(browser, "/login")})
        assert response.status_code == 401 and "账号或密码不正确" in response.text
    response = browser.post("/login", data={"name": "xigu", "password": PASSWORD, "csrf": csrf(browser, "/login")})
    assert response.status_code == 429 and "登录失败次数过多，请 1 秒后再试" in response.text


def test_an_activation_link_sets_the_password_once(site):
    app, store, _ = site
    account = store.add_account("qilihe", "branch", "七里河供电服务中心党支部")
    browser = client(app)
    page = f"/activate/{account.activation}"
    response = browser.post(page, data={"password": "short", "again": "short", "csrf": csrf(browser, page)})
    assert response.status_code == 400 and "至少 10 位" in response.text
    response = browser.post(page, data={"password": "Huanghe-Qk7#2024", "again": "Huanghe-Qk7#2024", "csrf": csrf(browser, page)})
    assert response.status_code == 303
    assert browser.get("/branch").status_code == 200  # signed in
    assert client(app).get(page).status_code == 404  # used up
    assert store.account(name="qilihe").password.startswith("$argon2")


def test_every_state_changing_request_needs_the_csrf_token(site):
    app, store, tmp_path = site
    browser = client(app, "chengguan")
    made = check_id(upload(browser, workbook(tmp_path)))
    admin = client(app, "admin")
    for who, path, data in ((browser, "/checks", {}), (browser, f"/checks/{made}/submit", {}),
                            (admin, "/admin/accounts", {"name": "x", "branch": "y"}), (browser, "/logout", {}),
                            (client(app), "/login", {"name": "admin", "password": PASSWORD})):
        for token in (None, "forged"):
            sent = dict(data, **({"csrf": token} if token else {}))
            response = who.post(path, data=sent)
            assert response.status_code == 403 and "页面已过期或来源不明" in response.text, (path, token)
    assert store.account(name="x") is None and store.submissions() == []


# --- the branch's page ----------------------------------------------------------------------------

def test_a_faulty_workbook_shows_its_issues_and_the_marked_cell(site):
    app, _, tmp_path = site
    browser = client(app, "chengguan")
    shown = browser.get(f"/checks/{check_id(upload(browser, workbook(tmp_path, **{'项目负责人*': None})))}")
    assert shown.status_code == 200
    page = shown.text
    assert "错误 1 处" in page and "必填项未填写" in page
    assert 'href="#s0-G2"' in page  # the issue links to its cell
    cell = re.search(r'<td id="s0-G2" class="(\w+)"', page)
    assert cell and cell[1] == "error"
    assert "提交给党建部" not in page and "不能提交" in page


def test_an_issue_of_a_row_or_a_sheet_links_to_where_it_is(site):
    app, _, tmp_path = site
    path = valid_book().save(tmp_path / "行.xlsx")
    book = load_workbook(path)
    book["任务分解"].row_dimensions[3].hidden = True
    book["进度"].title = "项目进度"
    book.save(path)
    browser = client(app, "chengguan")
    page = browser.get(f"/checks/{check_id(upload(browser, path.read_bytes()))}").text
    tasks, progress = (re.search(rf'<section class="card sheet" id="(s\d+)">\s*<h2>工作表：{title}', page)[1]
                       for title in ("任务分解", "项目进度"))
    assert f'href="#{tasks}-A3">任务分解!第3行</a>' in page  # the row, marked on its first cell
    assert re.search(rf'<td id="{tasks}-A3" class="warning"', page)
    assert f'href="#{progress}">项目进度</a>' in page  # the sheet recognised by its headers


def test_the_marked_copy_is_the_clis(site):
    app, _, tmp_path = site
    browser = client(app, "chengguan")
    made = check_id(upload(browser, workbook(tmp_path, **{"项目负责人*": None}), "城关.xlsx"))
    response = browser.get(f"/checks/{made}/annotated")
    assert response.status_code == 200 and "%E5%9F%8E%E5%85%B3.%E6%A0%A1%E9%AA%8C.xlsx" in response.headers[
        "content-disposition"]  # 城关.校验.xlsx
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "校验结果" and "城关.xlsx" in book["校验结果"]["A2"].value
    assert "必填项未填写" in book["项目信息"]["G2"].comment.text


def test_a_clean_workbook_is_handed_in_as_a_new_version_each_time(site):
    app, store, tmp_path = site
    browser = client(app, "chengguan")
    for expected in (1, 2):
        made = check_id(upload(browser, workbook(tmp_path)))
        token = csrf(browser, f"/checks/{made}")
        assert browser.post(f"/checks/{made}/submit", data={"csrf": token}).status_code == 303
        assert [s["version"] for s in store.submissions("城关供电服务中心党支部")][0] == expected
    page = browser.get("/branch").text
    assert "第 2 版" in page and "第 1 版" in page and "待审核" in page


def test_a_workbook_with_errors_cannot_be_handed_in(site):
    app, store, tmp_path = site
    browser = client(app, "chengguan")
    made = check_id(upload(browser, workbook(tmp_path, **{"项目负责人*": None})))
    response = browser.post(f"/checks/{made}/submit", data={"csrf": csrf(browser, f"/checks/{made}")})
    assert response.status_code == 400 and "有错误的申报表不能提交" in response.text
    assert store.submissions() == []


@pytest.mark.parametrize("data, words", [
    (b"just text", "不是 Excel 工作簿"),
    (b"PK\x03\x04broken", "文件已损坏"),
])
def test_a_bad_upload_gets_the_clis_message_and_never_a_500(site, data, words):
    app, _, _ = site
    browser = client(app, "chengguan")
    made = check_id(upload(browser, data, "x.xlsx"))
    page = browser.get(f"/checks/{made}")
    assert page.status_code == 200 and words in page.text and "下载标注副本" not in page.text
    copy = browser.get(f"/checks/{made}/annotated")
    assert copy.status_code == 404 and "没有标注副本" in copy.text
    assert browser.get("/branch").status_code == 200  # still serving


def test_an_upload_of_another_format_is_refused_with_the_clis_reason(site):
    """An .ods, .et, .xls or .csv is told what `docgen validate` tells of it; it is not kept and no upload is counted."""
    from test_folders import CSV, ODS, XLS, ole

    app, store, _ = site
    browser = client(app, "chengguan")
    for name, data, words in (("西固.ods", ODS, "这是 OpenDocument 表格（.ods），请在 WPS 或 Excel 中“另存为”"),
                              ("红古.et", ole(), "这是 WPS 表格文件（.et），请在 WPS 中“另存为”"),
                              ("七里河.xlsx", XLS, "这是旧版 Excel 97-2003 文件（.xls）"),
                              ("安宁.csv", CSV, "这是 CSV 文本文件：CSV 只能存一张表，不可能是完整的申报表")):
        response = upload(browser, data, name)
        assert response.status_code == 415, name
        assert f"“{name}”无法作为申报表读取：{words}" in response.text, name
    assert store.checks_since("城关供电服务中心党支部", dt.datetime(2000, 1, 1)) == 0
    assert not any(store.uploads.iterdir())
    api = TestClient(app, follow_redirects=False)
    token = api.post("/api/login", json={"name": "chengguan", "password": PASSWORD}).json()["csrf"]
    response = api.post("/api/checks", files={"workbook": ("西固.ods", ODS)}, headers={"X-CSRF-Token": token})
    assert response.status_code == 415 and "这是 OpenDocument 表格（.ods）" in response.json()["error"]


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(site):
    _, store, tmp_path = site
    small = create_app(tmp_path / "数据", CONFIG.model_copy(update={"limits": Limits(file_mb=0.001)}), secret="s",
                       database=store.url)
    browser = client(small, "chengguan")
    response = upload(browser, workbook(tmp_path))
    assert response.status_code == 413 and "超过 0.001 MB 的上限" in response.text
    small.state.site.store.close()


def test_the_blank_workbook_is_the_branchs_own(site):
    app, _, _ = site
    response = client(app, "chengguan").get("/branch/template")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    choices = [dv.formula1 for dv in book["项目信息"].data_validations.dataValidation]
    assert '"城关供电服务中心党支部"' in choices


def test_stored_uploads_keep_their_bytes_under_generated_names(site):
    app, store, tmp_path = site
    data = workbook(tmp_path)
    made = check_id(upload(client(app, "chengguan"), data, "../../etc/passwd.xlsx"))
    check = store.check(made)
    assert check["original"] == "passwd.xlsx" and re.fullmatch(r"[0-9a-f]{32}\.xlsx", check["stored"])
    assert (store.uploads / check["stored"]).read_bytes() == data
    assert [p.name for p in store.uploads.iterdir()] == [check["stored"]]


# --- who sees what ---------------------------------------------------------------------------

def test_a_branch_never_sees_another_branchs_check_or_copy(site):
    app, store, tmp_path = site
    mine = check_id(upload(client(app, "chengguan"), workbook(tmp_path)))
    other = client(app, "xigu")
    for path in (f"/checks/{mine}", f"/checks/{mine}/annotated"):
        assert other.get(path).status_code == 404, path
    response = other.post(f"/checks/{mine}/submit", data={"csrf": csrf(other, "/branch")})
    assert response.status_code == 404 and store.submissions() == []
    assert client(app, "admin").get(f"/checks/{mine}").status_code == 200


# --- the department's page -----------------------------------------------------------------------

def test_the_department_sees_every_branch_returns_and_approves(site):
    app, store, tmp_path = site
    branch = client(app, "chengguan")
    made = check_id(upload(branch, workbook(tmp_path)))
    branch.post(f"/checks/{made}/submit", data={"csrf": csrf(branch, f"/checks/{made}")})
    admin = client(app, "admin")
    page = admin.get("/admin").text
    assert "城关供电服务中心党支部" in page and "西固供电服务中心党支部" in page  # 西固 has not submitted: listed
    assert "待审核" in page and "未提交" in page
    overview = admin.get("/admin?status=none").text.split("</table>")[0]  # the first table: the branches
    assert "西固供电服务中心党支部" in overview and "城关供电服务中心党支部" not in overview
    submission = store.submissions()[0]["id"]
    token = csrf(admin, "/admin")
    response = admin.post(f"/admin/submissions/{submission}/review", data={"csrf": token, "decision": "returned"})
    assert response.status_code == 400 and "退回时请写明原因" in response.text
    admin.post(f"/admin/submissions/{submission}/review", data={"csrf": token, "decision": "returned",
                                                         "note": "请补充实施效果"})
    page = branch.get("/branch").text
    assert "已退回" in page and "请补充实施效果" in page
    admin.post(f"/admin/submissions/{submission}/review", data={"csrf": token, "decision": "approved"})
    assert "已通过" in branch.get("/branch").text


def test_the_department_adds_a_branch_account_with_an_activation_link(site):
    app, store, _ = site
    admin = client(app, "admin")
    response = admin.post("/admin/accounts", data={"csrf": csrf(admin, "/admin"), "name": "anning",
                                                   "branch": "安宁供电服务中心党支部"})
    assert response.status_code == 303
    account = store.account(name="anning")
    assert account.branch == "安宁供电服务中心党支部" and account.password is None
    assert f"/activate/{account.activation}" in admin.get("/admin").text
    again = admin.post("/admin/accounts", data={"csrf": csrf(admin, "/admin"), "name": "anning", "branch": "x"})
    assert again.status_code == 400 and "已被使用" in again.text


def test_the_store_is_made_by_its_migrations(tmp_path, database):
    import sqlalchemy as sa
    store = Store(tmp_path / "d", database)
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"accounts", "checks", "submissions", "jobs", "alembic_version"} <= names
    store.add_account("admin", "admin")
    again = Store(tmp_path / "d", database)  # a second start upgrades nothing and loses nothing
    assert again.account(name="admin").activation
    store.close()
    again.close()


def test_the_drawn_workbook_keeps_its_merged_title_rows(site):
    app, _, tmp_path = site
    path = valid_book(projects=[project_row(**{"项目负责人*": None})]).save(tmp_path / "merged.xlsx")
    book = load_workbook(path)
    sheet = book["项目信息"]
    sheet.insert_rows(1)
    sheet["A1"] = "2024年度党建项目申报表"
    sheet.merge_cells("A1:F1")
    book.save(path)
    browser = client(app, "chengguan")
    page = browser.get(f"/checks/{check_id(upload(browser, path.read_bytes()))}").text
    assert re.search(r'<td id="s0-A1" colspan="6"', page)
    assert 'id="s0-B1"' not in page  # covered by the merge
    assert re.search(r'<td id="s0-G3"[^>]*class="error"', page)  # the issue's cell, a row lower now


# --- generating the documents ------------------------------------------------------------------

def _start(admin, **fields) -> int:
    data = {"csrf": csrf(admin, "/admin/jobs"), "kind": ["proposal", "certificate"], "format": ["docx"],
            "date": "2024-12-23", **fields}
    response = admin.post("/admin/jobs", data=data)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_a_generation_job_runs_in_the_background_and_its_files_can_be_downloaded(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data, ("chengguan",))
    app = create_app(data, CONFIG, secret="s", workers=1)
    admin = client(app, "admin")
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": "proposal",
                                               "format": "docx", "date": "2024-12-23"})
    assert response.status_code == 409 and "还没有已通过审核的申报表" in response.text
    approved(app, store, tmp_path)
    job = _start(admin)
    app.state.site.jobs.wait(job, 120)
    progress = admin.get(f"/api/jobs/{job}").json()
    assert progress["status"] == "done" and progress["done"] == progress["total"] == 1, progress
    page = admin.get(f"/admin/jobs/{job}").text
    assert "已完成" in page and "按支部打包/城关供电服务中心党支部.zip" in page and "清单.xlsx" in page
    proposal = next(p for p in app.state.site.jobs.files(job) if p.endswith("立项表.docx"))
    assert admin.get(f"/admin/jobs/{job}/files/{proposal}").status_code == 200
    for hostile in ("../../secret.key", "..%2F..%2Fsecret.key", "/etc/passwd", "../收件/城关供电服务中心党支部.xlsx",
                    ".docgen-work/x", "manifest.json/../../../docgen.sqlite3"):
        assert admin.get(f"/admin/jobs/{job}/files/{hostile}").status_code == 404, hostile
    branch = client(app, "chengguan")
    for path in ("/admin/jobs", f"/admin/jobs/{job}", f"/api/jobs/{job}", f"/admin/jobs/{job}/files/{proposal}"):
        assert branch.get(path).status_code == 403, path


def test_a_job_left_running_by_a_stopped_server_is_interrupted_and_resumes(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data, ("chengguan",))
    admin_account = store.account(name="admin")
    app = create_app(data, CONFIG, secret="s", workers=1)
    approved(app, store, tmp_path)
    job = store.add_job(admin_account, {"kinds": ["proposal"], "formats": ["docx"], "date": "2024-12-23",
                                        "period": None})
    inbox = app.state.site.jobs.folder(job) / "收件"
    inbox.mkdir(parents=True)
    (inbox / "城关供电服务中心党支部.xlsx").write_bytes(workbook(tmp_path))
    restarted = create_app(data, CONFIG, secret="s", workers=1)  # the server starts again
    assert store.job(job)["status"] == "interrupted"
    admin = client(restarted, "admin")
    assert "继续生成" in admin.get(f"/admin/jobs/{job}").text
    response = admin.post(f"/admin/jobs/{job}/resume", data={"csrf": csrf(admin, f"/admin/jobs/{job}")})
    assert response.status_code == 303
    restarted.state.site.jobs.wait(job, 120)
    assert store.job(job)["status"] == "done"


def test_serve_creates_the_first_administrator_and_the_sample_accounts(tmp_path):
    from click.testing import CliRunner
    from docgen.cli import main
    from docgen.web.store import sample_accounts
    data = tmp_path / "数据"
    result = CliRunner().invoke(main, ["serve", "--data", str(data), "--create-admin", "管理员"])
    assert result.exit_code == 0 and "/activate/" in result.output
    token = re.search(r"/activate/(\S+)", result.output)[1]
    assert Store(data).account(activation=token).name == "管理员"
    again = CliRunner().invoke(main, ["serve", "--data", str(data), "--create-admin", "管理员"])
    assert again.exit_code == 1 and "已存在" in again.output
    made = sample_accounts(Store(data), ["城关供电服务中心党支部"])
    assert [(n, b) for n, b, _ in made] == [("admin", "党建部管理员"), ("branch1", "城关供电服务中心党支部")]
    assert sample_accounts(Store(data), ["城关供电服务中心党支部"]) == []  # made once
    app = create_app(data, CONFIG, secret="s")
    browser = TestClient(app, follow_redirects=False)
    response = browser.post("/login", data={"name": "branch1", "password": made[1][2], "csrf": csrf(browser, "/login")})
    assert response.status_code == 303


def test_a_branch_previews_the_pdfs_of_its_accepted_submission_only(site):
    app, store, tmp_path = site
    branch = client(app, "chengguan")
    assert "审核通过您的申报表后" in branch.get("/branch/preview").text
    approved(app, store, tmp_path)
    page = branch.get("/branch/preview").text
    link = re.search(r'href="(/branch/preview/[^"]+立项表\.pdf)"', page)
    assert link, page
    response = branch.get(link[1])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline")
    other = client(app, "xigu")
    assert other.get(link[1]).status_code == 404  # another branch: none of its own, never this one
    for hostile in ("../uploads/x.xlsx", "../../secret.key", "../../docgen.sqlite3"):
        assert branch.get(f"/branch/preview/{hostile}").status_code == 404, hostile


def test_a_document_the_preview_could_not_make_is_listed_with_its_reason(site, monkeypatch):
    """The built-in holiday schedule not knowing the 公示期's year (whatever today is): the notice is not made,
    the page says why and names [calendar]; the other documents are there."""
    import chinese_calendar

    def unknown(day):
        raise NotImplementedError(f"no data for {day.year}")

    monkeypatch.setattr(chinese_calendar, "is_workday", unknown)
    app, store, tmp_path = site
    approved(app, store, tmp_path)
    branch = client(app, "chengguan")
    page = branch.get("/branch/preview").text
    assert "以下文书未能生成" in page and "“四公开”公示.pdf" in page and "[calendar]" in page
    assert re.search(r'href="/branch/preview/[^"]+立项表\.pdf"', page)
    unmade = branch.get("/api/preview").json()["unmade"]
    assert len(unmade) == 1 and "[calendar]" in unmade[0]


def test_a_job_names_the_documents_it_could_not_make_and_why(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data, ("chengguan",))
    app = create_app(data, CONFIG, secret="s", workers=1)
    approved(app, store, tmp_path)
    admin = client(app, "admin")
    job = _start(admin, kind=["proposal", "notice"], date="2026-12-28")  # its 公示期 runs into 2027
    app.state.site.jobs.wait(job, 120)
    progress = admin.get(f"/api/jobs/{job}").json()
    assert progress["status"] == "done", progress
    assert "2027" in progress["message"] and "[calendar]" in progress["message"], progress["message"]
    assert "城关供电服务中心党支部_“四公开”公示.docx" in progress["message"]
    assert "2026年度汇总 0 个项目" in progress["message"]  # the 2024 project is not of 2026, and it says so
    assert "未计入的项目 1 个" in progress["message"]
    assert "[calendar]" in admin.get(f"/admin/jobs/{job}").text


def test_checks_run_in_checking_processes_when_there_are_several(tmp_path):
    data = tmp_path / "数据"
    data_folder(data, ("chengguan",), admin=False)
    app = create_app(data, CONFIG, secret="s", checkers=2)
    with TestClient(app, follow_redirects=False) as browser:  # the lifespan closes the processes
        browser.post("/login", data={"name": "chengguan", "password": PASSWORD, "csrf": csrf(browser, "/login")})
        made = check_id(upload(browser, workbook(tmp_path, **{"项目负责人*": None})))
        page = browser.get(f"/checks/{made}").text
        assert "必填项未填写" in page and re.search(r'<td id="s0-G2"[^>]*class="error"', page)
        assert app.state.site.checkers is not None


# --- settings --------------------------------------------------------------------------------

def test_the_department_edits_the_settings_with_the_same_chinese_checks(site):
    app, store, tmp_path = site
    admin = client(app, "admin")
    page = admin.get("/admin/settings").text
    assert CONFIG.organization.name in page and "服务关怀项目" in page
    for changes, words in (({"project.practice_units_min": "5", "project.practice_units_max": "2"}, "不能大于"),
                           ({"notice.days": "五天"}, "notice.days：应为整数"),
                           ({"project.categories": "甲,乙"}, "不能含逗号"),
                           ({"organization.name": ""}, "单位名称和党委名称必须填写")):
        response = admin.post("/admin/settings", data=settings_form(admin, **changes))
        assert response.status_code == 400 and words in response.text, changes
    assert not (store.folder / "docgen.toml").exists()  # nothing saved
    response = admin.post("/admin/settings", data=settings_form(
        admin, **{"project.categories": "基础规范项目\n红色先锋项目", "notice.days": "7"}))
    assert response.status_code == 303 and "已保存" in admin.get(response.headers["location"]).text
    again = create_app(store.folder, None, secret="s")  # a restarted server keeps them
    assert again.state.site.config.project.categories == ("基础规范项目", "红色先锋项目")
    assert again.state.site.config.notice.days == 7
    template = client(app, "chengguan").get("/branch/template")
    choices = [dv.formula1 for dv in load_workbook(io.BytesIO(template.content))["项目信息"].data_validations.dataValidation]
    assert '"基础规范项目,红色先锋项目"' in choices  # the blank workbook follows at once
    assert client(app, "chengguan").get("/admin/settings").status_code == 403


def test_a_checks_drawing_is_made_once_for_its_views(site, monkeypatch):
    from docgen.web import work
    app, _, tmp_path = site
    browser = client(app, "chengguan")
    made = check_id(upload(browser, workbook(tmp_path, **{"项目负责人*": None})))
    drawn = []
    real = work.draw
    monkeypatch.setattr(work, "draw", lambda *args: drawn.append(args) or real(*args))
    pages = [browser.get(f"/checks/{made}").text for _ in range(3)]
    assert len(drawn) == 1 and all(re.search(r'<td id="s0-G2" class="error"', p) for p in pages)
    assert client(app, "admin").get(f"/checks/{made}").status_code == 200 and len(drawn) == 1
