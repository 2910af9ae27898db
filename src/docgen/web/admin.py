"""The department's pages: every branch's status, accounts, one submission's review, generating the
documents and the organisation's settings."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import actions
from .actions import SETTINGS, Refused
from .site import Site, attachment, limit_bytes, render, served, signed_in


async def admin_page(request: Request, site: Site) -> Response:
    rows = actions.overview(site, signed_in(request, site))
    wanted = request.query_params.get("status")
    shown = [r for r in rows if not wanted or r["status"] == wanted]
    template = "overview_rows.html" if request.headers.get("hx-request") else "admin.html"
    return render(request, site, template, rows=shown, all_rows=rows, wanted=wanted,
                  made=request.query_params.get("made"))


async def _admin_refused(request: Request, site: Site, account: Any, refused: Refused) -> Response:
    """The department's page again, with why its account form was refused."""
    rows = actions.overview(site, account)
    return render(request, site, "admin.html", refused.status_code, rows=rows, all_rows=rows, wanted=None,
                  problem=refused.message)


async def add_branch_account(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    form = await request.form()
    try:
        made = actions.add_branch_account(site, account, str(form.get("name", "")), str(form.get("branch", "")))
    except Refused as exc:
        return await _admin_refused(request, site, account, exc)
    return RedirectResponse(f"/admin?made={quote(made.name)}", status_code=303)


ACCOUNT_CHANGES = ("deactivate", "reactivate", "reset", "rename")  # /admin/accounts/{id}/…, the last part of the path


async def change_account(request: Request, site: Site) -> Response:
    """停用, 启用, 重置密码 or 改登录名 of one account, from the account list."""
    account = signed_in(request, site)
    account_id, change = request.path_params["id"], request.url.path.rsplit("/", 1)[1]
    try:
        if change == "rename":
            changed = actions.rename_account(site, account, account_id, str((await request.form()).get("name", "")))
        elif change == "reset":
            changed = actions.reset_password(site, account, account_id)
        else:
            changed = actions.set_active(site, account, account_id, change == "reactivate")
    except Refused as exc:
        if exc.status_code == 404:
            raise
        return await _admin_refused(request, site, account, exc)
    return RedirectResponse(f"/admin?made={quote(changed.name)}#accounts", status_code=303)


async def submission_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    actions.need(account, "admin")
    return await _submission_page(request, site, account)


async def _submission_page(request: Request, site: Site, account: Any, status: int = 200,
                           problem: str | None = None) -> Response:
    submission = actions.own_submission(site, account, request.path_params["id"])
    check = actions.own_check(site, account, submission["check_id"])
    issues, views = await actions.drawing(site, check)
    return render(request, site, "submission.html", status, submission=submission, check=check, issues=issues,
                  views=views, readable=actions.readable(check), problem=problem,
                  conflicts=actions.conflicts(site, check),
                  history=actions.submissions(site, account, submission["branch"]))


async def review_submission(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    form = await request.form()
    try:
        actions.review(site, account, request.path_params["id"], str(form.get("decision", "")),
                       str(form.get("note", "")))
    except Refused as exc:
        if exc.status_code not in (400, 409):
            raise
        return await _submission_page(request, site, account, exc.status_code, exc.message)
    back = str(form.get("next", ""))  # the page the review was made on: the overview or the submission's own
    return RedirectResponse(back if back.startswith("/admin") else "/admin", status_code=303)


async def jobs_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    today = dt.date.today().isoformat()
    if request.method == "GET":
        return render(request, site, "jobs.html", jobs=actions.jobs(site, account), approved=site.store.approved(),
                      today=today)
    form = await request.form()
    try:
        job_id = actions.start_job(site, account, form.getlist("kind"), form.getlist("format"),
                                   str(form.get("date") or ""), str(form.get("period") or ""))
    except Refused as exc:
        return render(request, site, "jobs.html", exc.status_code, jobs=actions.jobs(site, account),
                      approved=site.store.approved(), today=today, problem=exc.message)
    return RedirectResponse(f"/admin/jobs/{job_id}", status_code=303)


async def job_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    job = actions.job(site, account, request.path_params["id"])
    return render(request, site, "job.html", job=job, progress=actions.progress(job),
                  groups=_grouped(actions.job_files(site, job)))


def _grouped(files: list[str]) -> list[tuple[str, list[str]]]:
    """A job's files as the page lists them: the zips, the year end's, the returned copies, then each branch's."""
    groups: dict[str, list[str]] = {"打包下载": [], "年度汇总": [], "退回的申报表（标注副本）": []}
    for path in files:
        folder, _, _ = path.rpartition("/")
        if path.endswith(".zip"):
            groups["打包下载"].append(path)
        elif not folder:
            if path != "manifest.json":  # the machine-readable listing: for the API, 清单.xlsx is the clerk's
                groups["年度汇总"].append(path)
        elif folder == "退回":
            groups["退回的申报表（标注副本）"].append(path)
        else:
            groups.setdefault(folder, []).append(path)
    groups["打包下载"].sort(key=lambda p: (p.startswith("按支部打包/"), p))  # 全部文书.zip first
    return [(title, paths) for title, paths in groups.items() if paths]


async def job_progress(request: Request, site: Site) -> Response:
    """The progress box alone, polled by the job page while the job runs (htmx); a finished job reloads the page."""
    job = actions.job(site, signed_in(request, site), request.path_params["id"])
    headers = {"HX-Refresh": "true"} if job["status"] != "running" else {}
    return render(request, site, "job_progress.html", job=job, progress=actions.progress(job), headers=headers)


async def resume_job(request: Request, site: Site) -> Response:
    job = actions.resume_job(site, signed_in(request, site), request.path_params["id"])
    return RedirectResponse(f"/admin/jobs/{job['id']}", status_code=303)


async def job_file(request: Request, site: Site) -> Response:
    return served(actions.job_file(site, signed_in(request, site), request.path_params["id"],
                                   request.path_params["path"]))


async def settings_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    current = actions.settings(site, account)
    values = {(section, key): _shown(current[section][key]) for section, key, _, _ in SETTINGS}
    if request.method == "GET":
        return render(request, site, "settings.html", fields=SETTINGS, values=values,
                      saved=request.query_params.get("saved"))
    form = await request.form()
    given: dict[str, dict[str, Any]] = {}
    for section, key, _, kind in SETTINGS:
        raw = str(form.get(f"{section}.{key}", ""))
        value = [line.strip() for line in raw.splitlines() if line.strip()] if kind == "lines" else raw.strip()
        given.setdefault(section, {})[key] = values[(section, key)] = value
    try:
        actions.save_settings(site, account, given)
    except Refused as exc:
        return render(request, site, "settings.html", exc.status_code, fields=SETTINGS, values=values,
                      problem=exc.message)
    return RedirectResponse("/admin/settings?saved=1", status_code=303)


def _shown(value: object) -> object:
    """A setting as the form shows it: a share to four digits (1/3 as 0.3333)."""
    return f"{value:.4g}" if isinstance(value, float) else value


async def templates_page(request: Request, site: Site) -> Response:
    account = actions.need(signed_in(request, site), "admin")
    problem, name = None, None
    status = 200
    if request.method == "POST":
        given = (await request.form()).get("template")
        try:
            if not isinstance(given, UploadFile) or not given.filename:
                raise Refused("请选择要上传的模板文件")
            name = actions.upload_template(site, account, given.filename, await given.read(limit_bytes(site) + 1))
        except Refused as exc:
            problem, status = exc.message, exc.status_code
    state = actions.templates_state(site, account)
    uploaded = (name, [p for p in state["problems"] if p.file == name]) if name else None
    return render(request, site, "templates.html", status, state=state, problem=problem, uploaded=uploaded)


async def remove_template(request: Request, site: Site) -> Response:
    actions.remove_template(site, signed_in(request, site), request.path_params["name"])
    return RedirectResponse("/admin/templates", status_code=303)


async def exported_templates(request: Request, site: Site) -> Response:
    data = await run_in_threadpool(actions.exported_templates, site, signed_in(request, site))
    return Response(data, media_type="application/zip", headers=attachment("docgen-模板.zip"))
