"""The web page: branches check and hand in their workbooks, the department reviews them.

create_app() builds a Starlette application over one data folder (web/store.py). Every
page checks who is asking: a branch account sees only its own 申报党组织's checks and
submissions, whatever id is in the URL; an administrator sees every branch. Every
state-changing request carries the session's CSRF token. The checks are the library's
(api.load, api.annotate), run in a worker thread so that uploads never block each other.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import api
from ..config import Config
from ..documents import safe_name
from ..executors import ProcessPool
from . import security, sheets, work
from ..errors import DocgenError
from .jobs import Jobs
from .store import JOB_STATUS, SUBMISSION_STATUS, Account, Store
from .store import now as store_now

HERE = Path(__file__).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_COUNT = 1  # workbooks per upload
FORM_ROOM = 64 * 1024  # the bytes of a form beside its file
PREVIEWED = ".made"  # in a preview folder: its PDFs are complete
CHECK_SECONDS = 120.0  # one upload's check in a checking process
BRANCH_STATUS = {"none": "未提交", "errors": "有错误", **SUBMISSION_STATUS}


@dataclass
class Site:
    """What every request handler shares: the store, the configuration, the login throttle, the jobs,
    and the processes that check uploads (None: checks run in this process's threads)."""

    store: Store
    config: Config
    throttle: security.Throttle
    templates: Jinja2Templates
    jobs: Jobs
    checkers: ProcessPool | None = None

    async def work(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a checking process when there are several cores, else in a thread."""
        if self.checkers is None:
            return await run_in_threadpool(fn, *args)
        return await asyncio.wrap_future(self.checkers.submit(fn, *args))


def create_app(data: str | Path, config: Config | None = None, database: str | None = None,
               secret: str | None = None, workers: int | None = None, checkers: int = 1) -> Starlette:
    """The application over the data folder `data` (made when missing); `workers` for the generation jobs,
    `checkers` processes for the checks of uploads (1: in this process)."""
    folder = Path(data)
    folder.mkdir(parents=True, exist_ok=True)
    store, config = Store(folder, database), config or Config()
    site = Site(store, config, security.Throttle(), Jinja2Templates(directory=str(HERE / "templates")),
                Jobs(store, config, workers),
                ProcessPool(checkers, CHECK_SECONDS, preload=("docgen.web.work",)) if checkers > 1 else None)
    site.templates.env.globals.update(branch_status=BRANCH_STATUS, limits=site.config.limits, job_status=JOB_STATUS,
                                      titles=api.TITLES, kinds=api.WORKBOOK_KINDS)

    def page(handler: Callable[[Request, Site], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            form = await _require_csrf(request, site) if request.method == "POST" else None
            try:
                return await handler(request, site)
            finally:
                if form is not None:
                    await form.close()  # the upload's temporary file
        return endpoint

    routes = [
        Route("/", page(home)),
        Route("/login", page(login), methods=["GET", "POST"]),
        Route("/logout", page(logout), methods=["POST"]),
        Route("/activate/{token}", page(activate), methods=["GET", "POST"]),
        Route("/branch", page(branch_page)),
        Route("/branch/template", page(branch_template)),
        Route("/checks", page(upload_check), methods=["POST"]),
        Route("/checks/{id:int}", page(show_check)),
        Route("/checks/{id:int}/annotated", page(annotated_copy)),
        Route("/checks/{id:int}/submit", page(submit_check), methods=["POST"]),
        Route("/branch/preview", page(preview_page)),
        Route("/branch/preview/{path:path}", page(preview_file)),
        Route("/admin", page(admin_page)),
        Route("/admin/accounts", page(add_branch_account), methods=["POST"]),
        Route("/admin/submissions/{id:int}", page(review_submission), methods=["POST"]),
        Route("/admin/jobs", page(jobs_page), methods=["GET", "POST"]),
        Route("/admin/jobs/{id:int}", page(job_page)),
        Route("/admin/jobs/{id:int}/resume", page(resume_job), methods=["POST"]),
        Route("/admin/jobs/{id:int}/files/{path:path}", page(job_file)),
        Route("/api/jobs/{id:int}", page(job_progress)),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if site.checkers is not None:
            site.checkers.close()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[
        Middleware(SessionMiddleware, secret_key=secret or _secret(folder), max_age=security.SESSION_SECONDS,
                   same_site="strict", https_only=False, session_cookie="docgen_session"),
    ], exception_handlers={HTTPException: _http_error})
    app.state.site = site
    return app


def _secret(folder: Path) -> str:
    """The key that signs the login cookies: made once per data folder, kept private in it."""
    path = folder / "secret.key"
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# --- who is asking -------------------------------------------------------------------------------

def _account(request: Request, site: Site) -> Account | None:
    account_id = request.session.get("account")
    return site.store.account(id=account_id) if account_id else None


def _signed_in(request: Request, site: Site, role: str | None = None) -> Account:
    account = _account(request, site)
    if account is None or not account.password:
        raise HTTPException(303, headers={"Location": "/login"})
    if role is not None and account.role != role:
        raise HTTPException(403, "此页面不属于您的账号")
    return account


def _csrf(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = security.new_csrf_token()
    return token


async def _require_csrf(request: Request, site: Site) -> Any:
    """Refuse a state-changing request without the session's token; return the form, parsed once,
    here, within the upload limits (the handler's request.form() is the same one)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _limit_bytes(site) + FORM_ROOM:
        raise HTTPException(413, f"文件超过 {site.config.limits.file_mb:g} MB 的上限，请删除多余的内容后再上传")
    given, form = request.headers.get("x-csrf-token"), None
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form(max_files=UPLOAD_COUNT, max_fields=20, max_part_size=FORM_ROOM)
        except Exception:  # noqa: BLE001 - a malformed form is refused like a missing token
            raise HTTPException(400, "提交的内容无法读取，请刷新页面后重试") from None
        given = form.get("csrf")
    if not security.same_token(request.session.get("csrf"), given if isinstance(given, str) else None):
        if form is not None:
            await form.close()
        raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试")
    return form


def render(request: Request, site: Site, template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("account", _account(request, site))
    context["csrf"] = _csrf(request)
    return site.templates.TemplateResponse(request, template, context, status_code=status)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code in (301, 302, 303) and exc.headers:
        return RedirectResponse(exc.headers["Location"], status_code=303)
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    messages = {403: "没有权限", 404: "找不到页面", 400: "请求有误", 405: "不支持的操作", 413: "文件过大"}
    text = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Forbidden") else ""
    return Response(_error_page(messages.get(exc.status_code, "出错了"), text), status_code=exc.status_code,
                    media_type="text/html; charset=utf-8")


def _error_page(title: str, text: str) -> str:
    from html import escape

    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="/static/site.css"><main class="narrow"><h1>{escape(title)}</h1>'
            f'<p>{escape(text)}</p><p><a href="/">返回首页</a></p></main></html>')


# --- pages -------------------------------------------------------------------------------------

async def home(request: Request, site: Site) -> Response:
    account = _signed_in(request, site)
    return RedirectResponse("/admin" if account.admin else "/branch", status_code=303)


async def login(request: Request, site: Site) -> Response:
    if request.method == "GET":
        return render(request, site, "login.html")
    form = await request.form()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    address = request.client.host if request.client else "?"
    keys = (f"name:{name}", f"address:{address}")
    wait = site.throttle.wait(*keys)
    if wait:
        return render(request, site, "login.html", 429, name=name,
                      problem=f"登录失败次数过多，请 {int(wait // 60) + 1} 分钟后再试")
    account = site.store.account(name=name)
    if account is None or not security.verify_password(account.password, password):
        site.throttle.failed(*keys)
        return render(request, site, "login.html", 401, name=name, problem="账号或密码不正确")
    site.throttle.succeeded(*keys)
    request.session.clear()
    request.session.update(account=account.id, csrf=security.new_csrf_token())
    return RedirectResponse("/", status_code=303)


async def logout(request: Request, site: Site) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def activate(request: Request, site: Site) -> Response:
    account = site.store.account(activation=request.path_params["token"])
    if account is None:
        raise HTTPException(404, "激活链接无效或已使用；请向党建部索取新的链接")
    if request.method == "GET":
        return render(request, site, "activate.html", target=account)
    form = await request.form()
    problem = security.password_problem(str(form.get("password", "")), str(form.get("again", "")))
    if problem:
        return render(request, site, "activate.html", 400, target=account, problem=problem)
    site.store.set_password(account.id, security.hash_password(str(form["password"])))
    request.session.clear()
    request.session.update(account=account.id, csrf=security.new_csrf_token())
    return RedirectResponse("/", status_code=303)


async def branch_page(request: Request, site: Site) -> Response:
    account = _signed_in(request, site, "branch")
    return render(request, site, "branch.html", submissions=site.store.submissions(account.branch))


async def branch_template(request: Request, site: Site) -> Response:
    account = _signed_in(request, site, "branch")
    with tempfile.TemporaryDirectory() as folder:
        path = api.write_intake_template(Path(folder) / "申报表.xlsx", site.config, branch=account.branch)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers=_attachment(f"{account.branch}-申报表.xlsx"))


async def upload_check(request: Request, site: Site) -> Response:
    account = _signed_in(request, site, "branch")
    form = await request.form()
    upload = form.get("workbook")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, site, "branch.html", 400, submissions=site.store.submissions(account.branch),
                      problem="请选择要上传的申报表（.xlsx）")
    data = await upload.read(_limit_bytes(site) + 1)
    if len(data) > _limit_bytes(site):
        return render(request, site, "branch.html", 413, submissions=site.store.submissions(account.branch),
                      problem=f"文件超过 {site.config.limits.file_mb:g} MB 的上限，请删除多余的内容后再上传")
    stored = await run_in_threadpool(_keep, site, data)
    try:
        report, errors, warnings = await site.work(work.check, str(site.store.uploads / stored), site.config)
    except Exception:  # noqa: BLE001 - a workbook that hangs or crashes its checker: told, the server goes on
        return render(request, site, "branch.html", 422, submissions=site.store.submissions(account.branch),
                      problem="这个文件无法在时限内校验完成，请检查文件是否损坏，或另存为新的 .xlsx 后再上传")
    original = upload_name(upload.filename)
    report["path"] = original
    check_id = site.store.add_check(account, original, stored, hashlib.sha256(data).hexdigest(), len(data),
                                    report, errors, warnings)
    return RedirectResponse(f"/checks/{check_id}", status_code=303)


def upload_name(filename: str) -> str:
    """The name a branch gave its file, as a plain file name (no folders, no dot files, bounded)."""
    name = Path(filename.replace("\\", "/")).name.strip()
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        suffix = ".xlsx"
    stem = safe_name(stem) if stem and not stem.startswith(".") else "申报表"
    return f"{stem}{suffix}"


def _limit_bytes(site: Site) -> int:
    return int(site.config.limits.file_mb * 1024 * 1024)


def _keep(site: Site, data: bytes) -> str:
    """Keep an upload unchanged under a generated name (whole or not at all); return the name."""
    stored = f"{secrets.token_hex(16)}.xlsx"
    with tempfile.NamedTemporaryFile(dir=site.store.uploads, prefix=".~", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, site.store.uploads / stored)
    return stored


def _own_check(request: Request, site: Site) -> tuple[Account, dict[str, Any]]:
    """The check of the URL when this account may see it; 404 otherwise (another branch's looks absent)."""
    account = _signed_in(request, site)
    check = site.store.check(request.path_params["id"])
    if check is None or (not account.admin and check["branch"] != account.branch):
        raise HTTPException(404, "找不到这次校验")
    return account, check


async def show_check(request: Request, site: Site) -> Response:
    account, check = _own_check(request, site)
    path = site.store.uploads / check["stored"]
    readable = not any(i["code"].startswith("file_") for i in check["report"]["issues"])
    views = await site.work(work.draw, str(path), check["report"], site.config) if readable else []
    titles = [view.title for view in views]
    issues = [{**issue, "anchor": sheets.cell_anchor(titles, issue["sheet"], issue["cell"])
               if issue.get("sheet") in titles and issue.get("cell") else None} for issue in check["report"]["issues"]]
    submitted = next((s for s in site.store.submissions(check["branch"]) if s["check_id"] == check["id"]), None)
    return render(request, site, "check.html", check=check, issues=issues, views=views, submitted=submitted)


async def annotated_copy(request: Request, site: Site) -> Response:
    _, check = _own_check(request, site)
    data = await run_in_threadpool(_annotated, site, check)
    return Response(data, media_type=XLSX, headers=_attachment(f"{Path(check['original']).stem}.校验.xlsx"))


def _annotated(site: Site, check: dict[str, Any]) -> bytes:
    """The CLI's marked copy, made from the upload under the name the branch gave it (its 校验结果 sheet names it)."""
    with tempfile.TemporaryDirectory() as folder:
        named = Path(folder) / check["original"]
        shutil.copyfile(site.store.uploads / check["stored"], named)
        _, report = api.load(named, site.config)
        return api.annotate(report, Path(folder) / "out").read_bytes()


async def submit_check(request: Request, site: Site) -> Response:
    account, check = _own_check(request, site)
    if account.admin:
        raise HTTPException(403, "只有申报党组织的账号可以提交")
    form = await request.form()
    if check["errors"]:
        raise HTTPException(400, "有错误的申报表不能提交，请改正后重新上传")
    if check["warnings"] and form.get("confirm") != "yes":
        raise HTTPException(400, "这份申报表有警告，请勾选“已核实警告”后再提交")
    if any(s["check_id"] == check["id"] for s in site.store.submissions(account.branch)):
        return RedirectResponse(f"/checks/{check['id']}", status_code=303)
    site.store.submit(check["id"], account.branch)
    return RedirectResponse("/branch", status_code=303)


async def admin_page(request: Request, site: Site) -> Response:
    _signed_in(request, site, "admin")
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
    _signed_in(request, site, "admin")
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
    _signed_in(request, site, "admin")
    form = await request.form()
    decision, note = form.get("decision"), str(form.get("note", "")).strip()
    if decision not in ("approved", "returned"):
        raise HTTPException(400, "请选择通过或退回")
    if decision == "returned" and not note:
        raise HTTPException(400, "退回时请写明原因，支部会看到它")
    site.store.review(request.path_params["id"], str(decision), note or None)
    return RedirectResponse("/admin", status_code=303)


# --- the branch's own documents, previewed ---------------------------------------------------------

def _accepted(site: Site, account: Account) -> dict[str, Any] | None:
    return next((row for row in site.store.approved() if row["branch"] == account.branch), None)


def _previews(site: Site, account: Account) -> tuple[dict[str, Any] | None, Path | None]:
    """The branch's accepted submission and the folder of its PDFs, rendered once per submission."""
    accepted = _accepted(site, account)
    if accepted is None:
        return None, None
    folder = site.store.folder / "previews" / Path(accepted["stored"]).stem
    if not (folder / PREVIEWED).is_file():
        with tempfile.TemporaryDirectory() as scratch:
            named = Path(scratch) / f"{safe_name(account.branch)}.xlsx"
            shutil.copyfile(site.store.uploads / accepted["stored"], named)
            shutil.rmtree(folder, ignore_errors=True)
            api.render([named], folder, None, ["pdf"], site.config, api.Options())
        (folder / PREVIEWED).touch()
    return accepted, folder


async def preview_page(request: Request, site: Site) -> Response:
    account = _signed_in(request, site, "branch")
    accepted, folder = await run_in_threadpool(_previews, site, account)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")) if folder else []
    return render(request, site, "preview.html", accepted=accepted, files=files)


async def preview_file(request: Request, site: Site) -> Response:
    account = _signed_in(request, site, "branch")
    accepted, folder = await run_in_threadpool(_previews, site, account)
    relative = request.path_params["path"]
    target = (folder / relative).resolve() if folder else None
    if target is None or target.suffix != ".pdf" or not target.is_file() or not target.is_relative_to(folder.resolve()):
        raise HTTPException(404, "找不到这份文书")
    return FileResponse(target, filename=target.name, content_disposition_type="inline")


# --- document generation --------------------------------------------------------------------------

async def jobs_page(request: Request, site: Site) -> Response:
    account = _signed_in(request, site, "admin")
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
    _signed_in(request, site, "admin")
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


def _attachment(name: str) -> dict[str, str]:
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename=\"download.xlsx\"; filename*=UTF-8''{quote(name)}"}

