"""A branch submits only its own: its 申报党组织 at every cell, no project code another branch has handed in,
and no approved branch dropped silently by a generation job."""
from __future__ import annotations

import io
import json

from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import CONFIG
from docgen import api
from docgen.cli import main
from docgen.web import create_app
from docgen.web.security import hash_password
from webaccounts import PASSWORD, check_id, client, csrf, data_folder, upload, workbook

QILIHE = "七里河供电服务中心党支部"
CHENGGUAN = "城关供电服务中心党支部"
XIGU = "西固供电服务中心党支部"


def _qilihe(store) -> None:
    """A third branch account, 七里河."""
    store.add_account("qilihe", "branch", QILIHE, password=hash_password(PASSWORD))


def _issues(browser, made: int) -> list[tuple]:
    return [(i["sheet"], i["cell"], i["code"], i["message"]) for i in browser.get(f"/api/checks/{made}").json()["issues"]]


def _submit(browser, made: int):
    return browser.post(f"/checks/{made}/submit", data={"csrf": csrf(browser, f"/checks/{made}")})


def _review(admin, submission: int, decision: str, note: str = ""):
    page = f"/admin/submissions/{submission}"
    return admin.post(f"{page}/review", data={"csrf": csrf(admin, page), "decision": decision, "note": note,
                                              "next": page})


def test_the_check_expects_the_given_organisation_at_its_cell(tmp_path):
    path = tmp_path / "申报表.xlsx"
    path.write_bytes(workbook(tmp_path, branch=CHENGGUAN))
    for same in ("城关供电服务中心 党支部", " 城关供电服务中心党支部\u3000", "城关供电服务中心党支部"):
        _, report = api.load(path, CONFIG, api.Expected(organisation=same))
        assert report.ok and report.issues == [], (same, report.issues)
    _, report = api.load(path, CONFIG, api.Expected(organisation=QILIHE))
    assert report.flatten("sheet", "cell", "code") == [("项目信息", "C2", "branch_not_own")]
    assert QILIHE in report.errors[0].message and CHENGGUAN in report.errors[0].message
    _, report = api.load(path, CONFIG, api.Expected(CHENGGUAN, {"DJ-2024-001": XIGU}))
    assert report.flatten("sheet", "cell", "code") == [("项目信息", "A2", "project_code_taken")]
    assert XIGU in report.errors[0].message
    assert api.load(path, CONFIG)[1].ok  # without an expectation, the CLI's check as before


def test_validate_org_is_the_same_check_on_the_command_line(tmp_path):
    path = tmp_path / "申报表.xlsx"
    path.write_bytes(workbook(tmp_path, branch=CHENGGUAN))
    result = CliRunner().invoke(main, ["validate", str(path), "--org", QILIHE, "--format", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.output) == api.validate([path], None, api.Expected(QILIHE)).to_dict()
    assert CliRunner().invoke(main, ["validate", str(path), "--org", "城关供电服务中心 党支部"]).exit_code == 0


def test_a_branch_cannot_upload_another_branchs_workbook(site):
    app, store, tmp_path = site
    _qilihe(store)
    browser = client(app, "qilihe")
    made = check_id(upload(browser, workbook(tmp_path, branch=CHENGGUAN), "城关.xlsx"))
    issues = _issues(browser, made)
    assert [i[:3] for i in issues] == [("项目信息", "C2", "branch_not_own")], issues
    assert f"申报党组织应为“{QILIHE}”（本账号所属党组织）" in issues[0][3] and CHENGGUAN in issues[0][3]
    page = browser.get(f"/checks/{made}").text
    assert f"申报党组织应为“{QILIHE}”" in page and "错误 1 处" in page
    marked = load_workbook(io.BytesIO(browser.get(f"/checks/{made}/annotated").content))
    assert f"申报党组织应为“{QILIHE}”" in marked["项目信息"]["C2"].comment.text
    refused = _submit(browser, made)
    assert refused.status_code == 400 and "有错误的申报表不能提交" in refused.text
    assert store.submissions() == []
    own = check_id(upload(browser, workbook(tmp_path, branch=" 七里河供电服务中心 党支部 ")))
    assert _issues(browser, own) == []  # its own name, a stray space or two: accepted


def test_a_code_another_branch_handed_in_is_an_error_at_upload(site):
    app, store, tmp_path = site
    xigu = client(app, "xigu")
    first = check_id(upload(xigu, workbook(tmp_path, branch=XIGU)))
    assert _submit(xigu, first).status_code == 303
    chengguan = client(app, "chengguan")
    made = check_id(upload(chengguan, workbook(tmp_path, branch=CHENGGUAN)))
    issues = _issues(chengguan, made)
    assert [i[:3] for i in issues] == [("项目信息", "A2", "project_code_taken")], issues
    assert f"项目编号“DJ-2024-001”已由“{XIGU}”提交" in issues[0][3]
    assert f"已由“{XIGU}”提交" in chengguan.get(f"/checks/{made}").text
    marked = load_workbook(io.BytesIO(chengguan.get(f"/checks/{made}/annotated").content))
    assert f"已由“{XIGU}”提交" in marked["项目信息"]["A2"].comment.text
    assert chengguan.get(f"/api/checks/{made}").json()["errors"] == 1
    assert _submit(chengguan, made).status_code == 400
    assert [s["branch"] for s in store.submissions()] == [XIGU]
    # Returned, 西固's submission holds the code no more.
    admin = client(app, "admin")
    assert _review(admin, store.submissions()[0]["id"], "returned", "编号有误").status_code == 303
    again = check_id(upload(chengguan, workbook(tmp_path, branch=CHENGGUAN)))
    assert _issues(chengguan, again) == []
    assert _submit(chengguan, again).status_code == 303


def test_two_branches_that_checked_the_same_code_before_either_handed_in(site):
    app, store, tmp_path = site
    chengguan, xigu = client(app, "chengguan"), client(app, "xigu")
    ours = check_id(upload(chengguan, workbook(tmp_path, branch=CHENGGUAN)))
    theirs = check_id(upload(xigu, workbook(tmp_path, branch=XIGU)))
    assert _submit(chengguan, ours).status_code == 303
    late = _submit(xigu, theirs)  # handed in after 城关: refused, naming it
    assert late.status_code == 409 and f"项目编号“DJ-2024-001”已由“{CHENGGUAN}”提交" in late.text
    store.submit(theirs, XIGU)  # as when both hand in at the same moment
    submitted = {s["branch"]: s["id"] for s in store.submissions()}
    admin = client(app, "admin")
    page = admin.get(f"/admin/submissions/{submitted[XIGU]}").text
    assert f"项目编号“DJ-2024-001”已由“{CHENGGUAN}”提交" in page
    assert f"已由“{XIGU}”提交" in admin.get(f"/admin/submissions/{submitted[CHENGGUAN]}").text
    refused = _review(admin, submitted[XIGU], "approved")
    assert refused.status_code == 409 and "不能通过" in refused.text and CHENGGUAN in refused.text
    api_refused = admin.post(f"/api/submissions/{submitted[CHENGGUAN]}/review", json={"decision": "approved"},
                             headers={"X-CSRF-Token": csrf(admin, "/admin")})
    assert api_refused.status_code == 409 and XIGU in api_refused.json()["error"]
    assert {s["status"] for s in store.submissions()} == {"pending"}
    assert _review(admin, submitted[XIGU], "returned", "项目编号与城关重复").status_code == 303
    assert _review(admin, submitted[CHENGGUAN], "approved").status_code == 303
    assert store.submission(submitted[CHENGGUAN])["status"] == "approved"


def test_a_job_names_each_approved_branch_it_refused_and_the_overview_says_so(tmp_path):
    data = tmp_path / "数据"
    store = data_folder(data)
    app = create_app(data, CONFIG, secret="s", workers=1)
    for name, branch in (("chengguan", CHENGGUAN), ("xigu", XIGU)):  # one code in both, approved before this fix
        browser = client(app, name)
        made = check_id(upload(browser, workbook(tmp_path, branch=branch)))
        version = store.submit(made, branch)
        store.review(next(s["id"] for s in store.submissions(branch) if s["version"] == version), "approved")
    admin = client(app, "admin")
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": ["proposal"],
                                               "format": ["docx"], "date": "2024-12-23"})
    job = int(response.headers["location"].rsplit("/", 1)[1])
    app.state.site.jobs.wait(job, 120)
    progress = admin.get(f"/api/jobs/{job}").json()
    assert progress["status"] == "done", progress
    assert "未生成文书的申报党组织" in progress["message"], progress["message"]
    for branch in (CHENGGUAN, XIGU):
        assert f"{branch}（申报表有错误：项目信息!A2：项目编号“DJ-2024-001”" in progress["message"], progress["message"]
    overview = admin.get("/admin").text
    assert overview.count("已通过（上次生成未成功）") == 2 and "项目编号“DJ-2024-001”" in overview
    rows = {r["branch"]: r for r in admin.get("/api/overview").json()}
    assert rows[CHENGGUAN]["status"] == "approved" and rows[CHENGGUAN]["status_label"] == "已通过（上次生成未成功）"
    assert "DJ-2024-001" in rows[XIGU]["unmade"]
