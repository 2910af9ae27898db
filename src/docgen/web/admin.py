"""The department's pages: every branch's status, accounts, reviews, and generating the documents."""
from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from pydantic import ValidationError

from .. import api
from ..config import Config, problems
from ..errors import DocgenError
from .site import Site, render, signed_in
from .store import JOB_STATUS
from .store import now as store_now


async def admin_page(request: Request, site: Site) -> Response:
    signed_in(request, site, "admin")
    branches = [a for a in site.store.accounts() if a.role == "branch"]
    latest = site.store.latest_checks()
    newest: dict[str, dict[str, Any]] = {}
    for submission in site.store.submissions():
        newest.setdefault(submission["branch"], submission)
    rows = []
    for branch in sorted({a.branch for a in branches if a.branch}):
        submission, check = newest.get(branch), latest.get(branch)
        status = submission["status"] if submission else ("errors" if check and check["errors"] else "none")
        rows.append({"branch": branch, "status": status, "submission": submission, "check": check,
                     "accounts": [a for a in branches if a.branch == branch]})
    wanted = request.query_params.get("status")
    shown = [r for r in rows if not wanted or r["status"] == wanted]
    return render(request, site, "admin.html", rows=shown, all_rows=rows, wanted=wanted,
                  made=request.query_params.get("made"))


async def add_branch_account(request: Request, site: Site) -> Response:
    signed_in(request, site, "admin")
    form = await request.form()
    name, branch = str(form.get("name", "")).strip(), str(form.get("branch", "")).strip()
    problem = None
    if not name or not branch:
        problem = "请填写登录名和申报党组织名称"
    elif site.store.account(name=name) is not None:
        problem = f"登录名“{name}”已被使用"
    if problem:
        raise HTTPException(400, problem)
    site.store.add_account(name, "branch", branch)
    return RedirectResponse(f"/admin?made={name}", status_code=303)


async def review_submission(request: Request, site: Site) -> Response:
    signed_in(request, site, "admin")
    form = await request.form()
    decision, note = form.get("decision"), str(form.get("note", "")).strip()
    if decision not in ("approved", "returned"):
        raise HTTPException(400, "请选择通过或退回")
    if decision == "returned" and not note:
        raise HTTPException(400, "退回时请写明原因，支部会看到它")
    site.store.review(request.path_params["id"], str(decision), note or None)
    return RedirectResponse("/admin", status_code=303)


async def jobs_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site, "admin")
    today = dt.date.today().isoformat()
    if request.method == "GET":
        return render(request, site, "jobs.html", jobs=site.store.jobs(), approved=site.store.approved(), today=today)
    form = await request.form()
    chosen = [k for k in form.getlist("kind") if k in api.WORKBOOK_KINDS]
    formats = [f for f in form.getlist("format") if f in ("docx", "pdf")]
    problem = None
    try:
        date = dt.date.fromisoformat(str(form.get("date") or today)).isoformat()
        period = str(form.get("period", "")).strip() or None
        if period:
            api.parse_period(period)
    except ValueError:
        problem = "成文日期或报告期无法识别（报告期如 2024年第2季度）"
    if not chosen or not formats:
        problem = "请至少选择一种文书和一种格式"
    if problem is None:
        try:
            job_id = site.jobs.start(account, {"kinds": chosen, "formats": formats, "date": date, "period": period})
        except DocgenError as exc:
            problem = str(exc)
        else:
            return RedirectResponse(f"/admin/jobs/{job_id}", status_code=303)
    return render(request, site, "jobs.html", 400, jobs=site.store.jobs(), approved=site.store.approved(),
                  today=today, problem=problem)


def _job(request: Request, site: Site) -> dict[str, Any]:
    signed_in(request, site, "admin")
    job = site.store.job(request.path_params["id"])
    if job is None:
        raise HTTPException(404, "找不到这个生成任务")
    return job


async def job_page(request: Request, site: Site) -> Response:
    job = _job(request, site)
    return render(request, site, "job.html", job=job, files=site.jobs.files(job["id"]) if job["status"] != "running"
                  else [])


async def job_progress(request: Request, site: Site) -> Response:
    job = _job(request, site)
    elapsed = ((job["finished"] or store_now()) - job["started"]).total_seconds() if job["started"] else 0
    rate = job["done"] / elapsed if elapsed > 0 and job["done"] else 0
    left = (job["total"] - job["done"]) / rate if rate and job["status"] == "running" else None
    return JSONResponse({"status": job["status"], "status_label": JOB_STATUS[job["status"]], "total": job["total"],
                         "done": job["done"], "documents": job["documents"], "stage": job["stage"],
                         "message": job["message"], "rate": round(rate, 2), "seconds_left": left and round(left)})


async def resume_job(request: Request, site: Site) -> Response:
    job = _job(request, site)
    try:
        site.jobs.resume(job["id"])
    except DocgenError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/admin/jobs/{job['id']}", status_code=303)


async def job_file(request: Request, site: Site) -> Response:
    job = _job(request, site)
    relative = request.path_params["path"]
    target = site.jobs.file(job["id"], relative)
    if target is None:
        raise HTTPException(404, "找不到这个文件")
    inline = target.suffix == ".pdf"
    return FileResponse(target, filename=target.name, content_disposition_type="inline" if inline else "attachment")


# --- the organisation's settings -------------------------------------------------------------------

SETTINGS = (  # (section, key, label, kind): what the page edits of docgen.toml
    ("organization", "name", "单位名称（落款）", "text"),
    ("organization", "party_committee", "党委名称（立项表审批栏）", "text"),
    ("organization", "department", "部门名称", "text"),
    ("organization", "main_recipient", "主送", "text"),
    ("project", "categories", "项目类别（每行一个）", "lines"),
    ("project", "practice_units_min", "“1+X”重点实践单位下限", "number"),
    ("project", "practice_units_max", "“1+X”重点实践单位上限", "number"),
    ("notice", "days", "“四公开”公示期（工作日）", "number"),
    ("notice", "contact", "公示联系人", "text"),
    ("notice", "phone", "公示联系电话", "text"),
    ("notice", "address", "公示地址", "text"),
    ("assessment", "satisfaction_min", "评优所需的群众满意率（%）", "number"),
    ("assessment", "tracking_share", "进入跟踪实施名单的比例", "number"),
    ("assessment", "outstanding_share", "评为突出贡献项目的比例", "number"),
)


async def settings_page(request: Request, site: Site) -> Response:
    signed_in(request, site, "admin")
    values = {(section, key): _shown(getattr(getattr(site.config, section), key)) for section, key, _, _ in SETTINGS}
    if request.method == "GET":
        return render(request, site, "settings.html", fields=SETTINGS, values=values,
                      saved=request.query_params.get("saved"))
    form = await request.form()
    data = site.config.model_dump(exclude={"source"})
    for section, key, _, kind in SETTINGS:
        raw = str(form.get(f"{section}.{key}", ""))
        data[section][key] = [line.strip() for line in raw.splitlines() if line.strip()] if kind == "lines" \
            else raw.strip()
        values[(section, key)] = data[section][key]
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        return render(request, site, "settings.html", 400, fields=SETTINGS, values=values,
                      problem="设置有误：" + "；".join(problems(exc)))
    if not config.organization.name.strip() or not config.organization.party_committee.strip():
        return render(request, site, "settings.html", 400, fields=SETTINGS, values=values,
                      problem="单位名称和党委名称必须填写：文书的落款和立项表审批栏要用到它们")
    site.save_config(config)
    return RedirectResponse("/admin/settings?saved=1", status_code=303)


def _shown(value: object) -> object:
    """A setting as the form shows it: a share to four digits (1/3 as 0.3333)."""
    return f"{value:.4g}" if isinstance(value, float) else value
