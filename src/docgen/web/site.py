"""What every page shares: the Site (store, configuration, throttle, jobs, checking processes),
who is asking, the CSRF token, rendering a page and the error pages.

Every page checks who is asking: a branch account sees only its own 申报党组织's checks and
submissions, whatever id is in the URL; an administrator sees every branch. Every
state-changing request carries the session's CSRF token.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO, Callable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from ..config import CONFIG_NAME, Config, dump_config
from ..executors import ProcessPool
from . import guards, security
from .jobs import Jobs
from .store import SUBMISSION_STATUS, Account, Store


log = logging.getLogger("docgen.web")
HERE = Path(__file__).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_COUNT = 1 + 100  # a workbook and its photos (at most 12 a project) per upload
FORM_ROOM = 64 * 1024  # the bytes of a form beside its file
CHECK_SECONDS = 120.0  # one upload's check in a checking process
BRANCH_STATUS = {"none": "未提交", "errors": "有错误", **SUBMISSION_STATUS}
DRAWINGS_KEPT = 32  # checks whose drawn sheets are kept in memory for their next view
LARGEST_ID = 2**63 - 1  # the database's integers: an id in a URL past it names nothing
PASSWORD_CHECKS = 2  # Argon2 checks and hashes at once (64 MiB each); the others queue for them


def password_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(PASSWORD_CHECKS, thread_name_prefix="password")


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
    drawings: OrderedDict[int, list[Any]] = field(default_factory=OrderedDict)  # by check id, newest last
    uploading: guards.InFlight = field(default_factory=guards.InFlight)  # uploads being checked, by branch
    lock: guards.FolderLock | None = None  # the data folder's, held when no other server uses the folder
    # Argon2 runs in threads of its own, a few at a time: a burst of logins neither takes the memory of one check
    # each nor the threads that serve files and pages
    passwords: ThreadPoolExecutor = field(default_factory=password_threads)
    ended: set[str] = field(default_factory=set)  # keys of sessions ended at logout whose row the store kept
    logins: security.Turns = field(default_factory=security.Turns)  # one try at a time per name and address

    def remember(self, check_id: int, views: list[Any]) -> None:
        """Keep a check's drawing (an upload and its report never change) for its next view; the oldest go."""
        self.drawings[check_id] = views
        self.drawings.move_to_end(check_id)
        while len(self.drawings) > DRAWINGS_KEPT:
            self.drawings.popitem(last=False)

    def save_config(self, config: Config) -> None:
        """Keep `config` as the data folder's docgen.toml (whole or not at all) and use it from now on."""
        guards.write_whole(self.store.folder / CONFIG_NAME, dump_config(config).encode("utf-8"))
        self.config = self.jobs.config = config
        self.templates.env.globals["limits"] = config.limits

    async def password_work(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) (a password's check or hash) in the password threads, after those before it."""
        return await asyncio.wrap_future(self.passwords.submit(fn, *args))

    def end_session(self, key: str) -> None:
        """End the session `key`; when the store cannot delete its row (a full disk), it is remembered as ended
        here (visit() refuses it) until a later write deletes it."""
        self.ended.add(key)
        self.forget_ended()

    def forget_ended(self) -> None:
        """Delete the rows of sessions ended while the store could not; those it still cannot stay remembered."""
        for key in list(self.ended):
            try:
                self.store.end_session(key)
            except Exception:  # noqa: BLE001 - a full disk or a locked database: refused by visit() meanwhile
                return
            self.ended.discard(key)

    async def work(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a checking process when there are several cores, else in a thread."""
        if self.checkers is None:
            return await run_in_threadpool(fn, *args)
        return await asyncio.wrap_future(self.checkers.submit(fn, *args))


def visit(request: Request, site: Site) -> tuple[Account, str] | None:
    """The signed-in account asking and its session's CSRF token, looked up once a request: None when the
    cookie holds no session token, or one whose session ended (logout, new password, deactivation) or expired."""
    found = getattr(request.state, "visit", False)
    if found is False:
        token = request.session.get("token")
        key = security.session_key(token) if isinstance(token, str) else None
        found = site.store.session(key) if key is not None and key not in site.ended else None
        if found is None and token is not None:
            del request.session["token"]
        request.state.visit = found
    return found


def account_of(request: Request, site: Site) -> Account | None:
    found = visit(request, site)
    return found[0] if found else None


def signed_in(request: Request, site: Site) -> Account:
    """The account asking; a page without one goes to the login page, the API answers 401."""
    account = account_of(request, site)
    if account is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "请先登录（POST /api/login）")
        raise HTTPException(303, headers={"Location": "/login"})
    return account


def expected_csrf(request: Request, site: Site) -> str | None:
    """The token a state-changing request must carry: the session's, or a visitor's (the login page's) in the cookie."""
    found = visit(request, site)
    return found[1] if found else request.session.get("csrf")


def csrf_token(request: Request, site: Site) -> str:
    token = expected_csrf(request, site)
    if not token:
        token = request.session["csrf"] = security.new_csrf_token()
    return token


async def require_csrf(request: Request, site: Site) -> Any:
    """Refuse a state-changing request without the session's token, before reading its body when the session
    has none or the header carries it; return the form, parsed once, here (the handler's request.form() is the
    same one). The body is counted as it streams (page() in app.py): past its limit it is refused, 413."""
    expected = expected_csrf(request, site)
    if not expected:  # no page of this site was opened in this browser: nothing to read
        raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试")
    given, form = request.headers.get("x-csrf-token"), None
    if given is not None and not security.same_token(expected, given):
        raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试")
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form(max_files=UPLOAD_COUNT, max_fields=20, max_part_size=FORM_ROOM)
        except guards.TooLarge:
            raise
        except Exception:  # noqa: BLE001 - a malformed form is refused like a missing token
            raise HTTPException(400, "提交的内容无法读取，请刷新页面后重试") from None
        if given is None:
            given = form.get("csrf")
    if not security.same_token(expected, given if isinstance(given, str) else None):
        if form is not None:
            await form.close()
        raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试")
    return form


def body_limit(site: Site, upload: bool) -> tuple[int, str]:
    """The bytes a state-changing request may send, and what a request past them is told: a workbook upload
    its file, its photos and the form around them; any other request a form's room."""
    if upload:
        limits = site.config.limits
        return (limit_bytes(site) + photo_bytes_limit(site) + FORM_ROOM,
                f"上传的内容超过上限（申报表 {limits.file_mb:g} MB，照片合计 {limits.photos_mb:g} MB），"
                f"请删除多余的内容后再上传")
    return FORM_ROOM, f"提交的内容超过 {FORM_ROOM // 1024} KB 的上限"


def render(request: Request, site: Site, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> Response:
    context.setdefault("account", account_of(request, site))
    context["csrf"] = csrf_token(request, site)
    return site.templates.TemplateResponse(request, template, context, status_code=status, headers=headers)


def address(request: Request) -> str:
    """The client's address, for the login throttle."""
    return request.client.host if request.client else "?"


UNKNOWN = {404: "找不到这个地址，请检查链接是否完整", 405: "这个地址不支持这种请求方式"}


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code in (301, 302, 303) and exc.headers:
        return RedirectResponse(exc.headers["Location"], status_code=303)
    chinese = isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
    detail = exc.detail if chinese else UNKNOWN.get(exc.status_code, "请求无法完成")
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": detail}, status_code=exc.status_code, headers=exc.headers)
    messages = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到页面", 405: "不支持的操作",
                409: "暂时无法进行", 413: "文件过大", 415: "请求格式不对", 422: "无法校验", 429: "次数超限"}
    return Response(error_page(messages.get(exc.status_code, "出错了"), detail), status_code=exc.status_code,
                    media_type="text/html; charset=utf-8", headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    """Any error no page expected: 503 saying what the administrator must fix when the storage refused (a full
    disk, a read-only database), else 500; in Chinese, never a traceback (the server's log has it)."""
    problem = guards.trouble(exc)
    status, detail = (503, problem) if problem else (500, "服务器内部出错，已记入服务器日志；请稍后再试，或告知党建部管理员")
    # answered by Unexpected, or outside the app's middleware (Starlette's outermost layer) for an error of a
    # middleware: the security headers are added here
    headers = security.response_headers(getattr(request.app.state, "https", False))
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": detail}, status_code=status, headers=headers)
    return Response(error_page("暂时无法使用" if problem else "服务器出错", detail), status_code=status,
                    media_type="text/html; charset=utf-8", headers=headers)


class Unexpected:
    """ASGI middleware: an error no page expected, raised before its response began, is answered here (server_error's
    Chinese 500 or 503) and its traceback goes to the server's log; nothing is raised further, so the connection
    stays open for the browser's next request. An error after the response began is raised on (Starlette's own
    handler and the server close what was half sent)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started:
                raise
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            await (await server_error(Request(scope, receive), exc))(scope, receive, send)


def error_page(title: str, text: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="/static/site.css"><main class="narrow"><h1>{escape(title)}</h1>'
            f'<p>{escape(text)}</p><p><a href="/">返回首页</a></p></main></html>')


def photo_bytes_limit(site: Site) -> int:
    """The photos sent with one workbook, together."""
    return int(site.config.limits.photos_mb * 1024 * 1024)


def limit_bytes(site: Site) -> int:
    return int(site.config.limits.file_mb * 1024 * 1024)


def served(target: Path) -> FileResponse:
    """A file from inside the data folder: a PDF opens in the browser, anything else downloads."""
    return FileResponse(target, filename=target.name,
                        content_disposition_type="inline" if target.suffix == ".pdf" else "attachment")


def attachment(name: str) -> dict[str, str]:
    """A download under its Chinese name (and a plain one for clients that cannot read it)."""
    plain = f"download{Path(name).suffix}"
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"}


def photos_of(form: Any) -> list[tuple[str, BinaryIO]]:
    """The 活动照片 sent with a workbook (the form's `photos` files): each name and the file the form spooled it
    to (on disk past a megabyte), read by no one yet."""
    return [(photo.filename, photo.file) for photo in form.getlist("photos")
            if isinstance(photo, UploadFile) and photo.filename]
