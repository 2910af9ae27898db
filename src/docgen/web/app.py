"""The web page: branches check and hand in their workbooks, the department reviews them.

create_app() builds a Starlette application over one data folder (web/store.py) from the
pages of accounts.py, checks.py and admin.py; site.py holds what they share. The checks
are the library's (api.load, api.annotate), run in checking processes (work.py) so that
uploads from many branches use every core and never block each other.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .. import api
from ..config import CONFIG_NAME, Config, load_config
from ..executors import ProcessPool
from . import admin, accounts, checks, guards, rest, security
from .jobs import Jobs
from .site import (BRANCH_STATUS, CHECK_SECONDS, HERE, LARGEST_ID, Site, Unexpected, body_limit, http_error,
                   require_csrf, server_error, signed_in)
from .rest import Handler
from .store import JOB_STATUS, Store


LEFTOVER_SECONDS = 2 * CHECK_SECONDS  # longer than any upload is written and checked


def create_app(data: str | Path, config: Config | None = None, database: str | None = None,
               secret: str | None = None, workers: int | None = None, checkers: int = 1, https: bool = False,
               proxy: str | list[str] | None = None, exclusive: bool = False) -> Starlette:
    """The application over the data folder `data` (made when missing); `workers` for the generation jobs,
    `checkers` processes for the checks of uploads (1: in this process). `https`: browsers reach it over HTTPS
    (directly or through a proxy): the cookie is Secure and HSTS is sent. `proxy`: the addresses of reverse
    proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (the client's address for the login
    throttle); without it those headers are ignored. The application holds the data folder's lock while it lives
    when no other does; `exclusive` (docgen serve): refuse to start, FolderInUse, when another holds it."""
    folder = Path(data)
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / CONFIG_NAME  # the settings page's, when it has saved any
    lock = guards.FolderLock(folder)
    try:
        alone = lock.take()
    except OSError:
        if exclusive:
            raise
        alone = False
    if exclusive and not alone:
        raise guards.FolderInUse(f"这个数据目录已有一个 docgen 网页在运行（{folder.resolve()}）：同一个数据目录只能由一个"
                                 f" docgen serve 使用，请先停止它，或用 --data 换一个数据目录")
    store, config = Store(folder, database), load_config(saved) if saved.is_file() else (config or Config())
    # what a server killed mid-upload left: all of it when no other server can be writing there, else only the old
    store.sweep(older_than=0 if alone else LEFTOVER_SECONDS)
    site = Site(store, config, security.Throttle(), Jinja2Templates(directory=str(HERE / "templates")),
                Jobs(store, config, workers),
                ProcessPool(checkers, CHECK_SECONDS, preload=("docgen.web.work",)) if checkers > 1 else None, lock=lock)
    site.templates.env.globals.update(branch_status=BRANCH_STATUS, limits=site.config.limits, job_status=JOB_STATUS,
                                      titles=api.TITLES, kinds=api.WORKBOOK_KINDS,
                                      htmx=(HERE / "static" / "vendor" / "htmx.min.js").is_file())

    def page(handler: Handler, csrf: bool = True, upload: bool = False,
             anyone: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """The route's endpoint. A state-changing request is refused before its body is read when it needs a
        login (all but `anyone`'s, which start a session) and has none, or lacks the session's token; its body
        is counted as it streams, up to an upload's size (`upload`) or a form's."""
        async def endpoint(request: Request) -> Response:
            if any(isinstance(value, int) and value > LARGEST_ID for value in request.path_params.values()):
                raise HTTPException(404, "找不到这个地址，请检查链接是否完整")
            form = None
            if request.method in ("POST", "PUT", "DELETE"):
                limit, message = body_limit(site, upload)
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise HTTPException(413, message)
                request = Request(request.scope, guards.counted(request.receive, limit, message))
                if not anyone:
                    signed_in(request, site)
                form = await require_csrf(request, site) if csrf else None
            try:
                return await handler(request, site)
            finally:
                if form is not None:
                    await form.close()  # the upload's temporary file
        return endpoint

    routes = [
        Route("/", page(accounts.home)),
        Route("/login", page(accounts.login, anyone=True), methods=["GET", "POST"]),
        Route("/logout", page(accounts.logout), methods=["POST"]),
        Route("/activate/{token}", page(accounts.activate, anyone=True), methods=["GET", "POST"]),
        Route("/branch", page(checks.branch_page)),
        Route("/branch/template", page(checks.branch_template)),
        Route("/checks", page(checks.upload_check, upload=True), methods=["POST"]),
        Route("/checks/{id:int}", page(checks.show_check)),
        Route("/checks/{id:int}/annotated", page(checks.annotated_copy)),
        Route("/checks/{id:int}/submit", page(checks.submit_check), methods=["POST"]),
        Route("/branch/preview", page(checks.preview_page)),
        Route("/branch/preview/{path:path}", page(checks.preview_file)),
        Route("/admin", page(admin.admin_page)),
        Route("/admin/accounts", page(admin.add_branch_account), methods=["POST"]),
        *(Route(f"/admin/accounts/{{id:int}}/{change}", page(admin.change_account), methods=["POST"])
          for change in admin.ACCOUNT_CHANGES),
        Route("/admin/submissions/{id:int}", page(admin.submission_page)),
        Route("/admin/submissions/{id:int}/review", page(admin.review_submission), methods=["POST"]),
        Route("/admin/jobs", page(admin.jobs_page), methods=["GET", "POST"]),
        Route("/admin/jobs/{id:int}", page(admin.job_page)),
        Route("/admin/jobs/{id:int}/progress", page(admin.job_progress)),
        Route("/admin/jobs/{id:int}/resume", page(admin.resume_job), methods=["POST"]),
        Route("/admin/jobs/{id:int}/files/{path:path}", page(admin.job_file)),
        Route("/admin/settings", page(admin.settings_page), methods=["GET", "POST"]),
        Route("/admin/templates", page(admin.templates_page, upload=True), methods=["GET", "POST"]),
        Route("/admin/templates/export", page(admin.exported_templates)),
        Route("/admin/templates/{name}/delete", page(admin.remove_template), methods=["POST"]),
        Route("/api/docs", page(rest.docs)),
        *(Route(e.path, page(e.handler, e.csrf, e.upload, anyone=not e.csrf), methods=[e.method])
          for e in rest.ENDPOINTS),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if site.checkers is not None:
            site.checkers.close()
        if site.lock is not None:
            site.lock.release()
        site.passwords.shutdown(wait=False)

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[
        *([Middleware(ProxyHeadersMiddleware, trusted_hosts=proxy)] if proxy else []),
        Middleware(security.SecurityHeaders, https=https),
        Middleware(SessionMiddleware, secret_key=secret or _secret(folder), max_age=security.SESSION_SECONDS,
                   same_site="strict", https_only=https, session_cookie="docgen_session"),
        Middleware(Unexpected),  # answers an unexpected error itself: the connection stays open
    ], exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.site, app.state.https = site, https
    return app


def _secret(folder: Path) -> str:
    """The key that signs the login cookies: made once per data folder, kept private in it."""
    path = folder / "secret.key"
    if not path.is_file():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
