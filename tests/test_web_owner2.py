"""Codes held across branches, once more: a returned version brings no older one back over another branch's
codes, and a code written in another case is the same code."""
from __future__ import annotations

from pathlib import Path

from builder import progress_row, project_row, task_row, valid_book
from docgen.web.security import hash_password
from webaccounts import PASSWORD, check_id, client, csrf, upload

QILIHE = "七里河供电服务中心党支部"
ANNING = "安宁供电服务中心党支部"
CHENGGUAN = "城关供电服务中心党支部"
XIGU = "西固供电服务中心党支部"


def _book(tmp_path: Path, branch: str, codes: list[str], name: str = "申报表.xlsx") -> bytes:
    path = valid_book(projects=[project_row(code, **{"申报党组织*": branch, "项目名称*": f"项目{n}"})
                                for n, code in enumerate(codes, 1)],
                      tasks=[task_row(code, seq=1) for code in codes],
                      progress=[progress_row(code) for code in codes]).save(tmp_path / name)
    return path.read_bytes()


def _handed_in(browser, tmp_path: Path, branch: str, codes: list[str]) -> int:
    """Upload a workbook without issues and submit it; the submission's id."""
    made = check_id(upload(browser, _book(tmp_path, branch, codes)))
    issues = browser.get(f"/api/checks/{made}").json()["issues"]
    assert issues == [], issues
    response = browser.post(f"/checks/{made}/submit", data={"csrf": csrf(browser, f"/checks/{made}")})
    assert response.status_code == 303, response.text
    return next(s["id"] for s in browser.get("/api/submissions").json() if s["check_id"] == made)


def _review(admin, submission: int, decision: str, note: str = ""):
    page = f"/admin/submissions/{submission}"
    return admin.post(f"{page}/review", data={"csrf": csrf(admin, page), "decision": decision, "note": note,
                                              "next": page})


def _status(admin) -> dict[str, str]:
    return {row["branch"]: row["status_label"] for row in admin.get("/api/overview").json()}


def test_returning_a_version_cannot_bring_back_one_whose_code_another_branch_holds(site):
    app, store, tmp_path = site
    store.add_account("qilihe", "branch", QILIHE, password=hash_password(PASSWORD))
    store.add_account("anning", "branch", ANNING, password=hash_password(PASSWORD))
    qilihe, anning, admin = client(app, "qilihe"), client(app, "anning"), client(app, "admin")
    first = _handed_in(qilihe, tmp_path, QILIHE, ["QLH-1", "QLH-2", "QLH-3"])
    assert _review(admin, first, "approved").status_code == 303
    second = _handed_in(qilihe, tmp_path, QILIHE, ["QLH-7", "QLH-8", "QLH-9"])
    assert _review(admin, second, "approved").status_code == 303
    theirs = _handed_in(anning, tmp_path, ANNING, ["QLH-1", "AN-2", "AN-3"])  # v1 of 七里河 is in effect no more
    assert _review(admin, theirs, "approved").status_code == 303

    refused = _review(admin, second, "returned", "第 2 版数据有误")
    assert refused.status_code == 409, refused.text
    said = (f"不能退回第 2 版：退回后，{QILIHE}已通过的第 1 版将重新生效，而其中项目编号“QLH-1”已由“{ANNING}”提交"
            f"（第 1 版，已通过）")
    assert said in refused.text, refused.text
    by_api = admin.post(f"/api/submissions/{second}/review", json={"decision": "returned", "note": "有误"},
                        headers={"X-CSRF-Token": csrf(admin, "/admin")})
    assert by_api.status_code == 409 and said in by_api.json()["error"]
    assert store.submission(second)["status"] == "approved"
    assert _status(admin) == {CHENGGUAN: "未提交", XIGU: "未提交", QILIHE: "已通过", ANNING: "已通过"}

    # The way the message points to: first the older version, then the newer; 七里河 then has none in effect.
    assert _review(admin, first, "returned", "第 1 版也不再使用").status_code == 303
    assert _review(admin, second, "returned", "第 2 版数据有误").status_code == 303
    assert _status(admin)[QILIHE] == "已退回" and _status(admin)[ANNING] == "已通过"
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": ["proposal"],
                                               "format": ["docx"], "date": "2024-12-23"})
    job = int(response.headers["location"].rsplit("/", 1)[1])
    app.state.site.jobs.wait(job, 120)
    progress = admin.get(f"/api/jobs/{job}").json()
    assert progress["status"] == "done" and "未生成文书" not in (progress["message"] or ""), progress
    files = admin.get(f"/admin/jobs/{job}").text
    assert "AN-2_立项表.docx" in files and "QLH-1_立项表.docx" in files and "QLH-7" not in files


def test_a_returned_version_that_leaves_an_older_one_in_effect_says_so(site):
    app, store, tmp_path = site
    store.add_account("qilihe", "branch", QILIHE, password=hash_password(PASSWORD))
    qilihe, admin = client(app, "qilihe"), client(app, "admin")
    first = _handed_in(qilihe, tmp_path, QILIHE, ["QLH-1"])
    assert _review(admin, first, "approved").status_code == 303
    second = _handed_in(qilihe, tmp_path, QILIHE, ["QLH-7"])
    assert _review(admin, second, "approved").status_code == 303
    assert _review(admin, second, "returned", "第 2 版数据有误").status_code == 303  # nothing clashes: allowed
    assert _status(admin)[QILIHE] == "已退回（第 1 版仍有效）"
    assert "已退回（第 1 版仍有效）" in admin.get("/admin").text
    page = qilihe.get("/branch").text
    assert "已退回（第 1 版仍有效）" in page and "已通过（仍有效：生成文书时用这一版）" in page
    response = admin.post("/admin/jobs", data={"csrf": csrf(admin, "/admin/jobs"), "kind": ["proposal"],
                                               "format": ["docx"], "date": "2024-12-23"})
    job = int(response.headers["location"].rsplit("/", 1)[1])
    app.state.site.jobs.wait(job, 120)
    files = admin.get(f"/admin/jobs/{job}").text
    assert "QLH-1_立项表.docx" in files and "QLH-7" not in files  # what the labels say went into the job


def test_a_code_held_in_another_case_is_taken(site):
    app, store, tmp_path = site
    chengguan, xigu, admin = client(app, "chengguan"), client(app, "xigu"), client(app, "admin")
    held = _handed_in(chengguan, tmp_path, CHENGGUAN, ["DJ-2024-001"])
    assert _review(admin, held, "approved").status_code == 303
    made = check_id(upload(xigu, _book(tmp_path, XIGU, ["dj-2024-001"])))
    issues = xigu.get(f"/api/checks/{made}").json()["issues"]
    assert [(i["sheet"], i["cell"], i["code"]) for i in issues] == [("项目信息", "A2", "project_code_taken")]
    assert f"项目编号“dj-2024-001”已由“{CHENGGUAN}”提交" in issues[0]["message"]
    refused = xigu.post(f"/checks/{made}/submit", data={"csrf": csrf(xigu, f"/checks/{made}")})
    assert refused.status_code == 400 and [s["branch"] for s in store.submissions()] == [CHENGGUAN]


def test_two_branches_that_checked_one_code_in_two_cases_before_either_handed_in(site):
    app, store, tmp_path = site
    chengguan, xigu, admin = client(app, "chengguan"), client(app, "xigu"), client(app, "admin")
    ours = check_id(upload(chengguan, _book(tmp_path, CHENGGUAN, ["DJ-2024-001"])))
    theirs = check_id(upload(xigu, _book(tmp_path, XIGU, ["ｄｊ-2024-001"])))
    assert chengguan.post(f"/checks/{ours}/submit", data={"csrf": csrf(chengguan, f"/checks/{ours}")}).status_code \
        == 303
    late = xigu.post(f"/checks/{theirs}/submit", data={"csrf": csrf(xigu, f"/checks/{theirs}")})
    assert late.status_code == 409, late.text
    assert f"项目编号“dj-2024-001”已由“{CHENGGUAN}”提交（写作“DJ-2024-001”）" in late.text
    store.submit(theirs, XIGU)  # as when both hand in at the same moment
    submitted = {s["branch"]: s["id"] for s in store.submissions()}
    refused = _review(admin, submitted[XIGU], "approved")
    assert refused.status_code == 409 and CHENGGUAN in refused.text
    assert _review(admin, submitted[CHENGGUAN], "approved").status_code == 409  # 西固's pending one holds it too
