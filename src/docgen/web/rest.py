"""The JSON API under /api/: everything the pages do, through the same actions (actions.py).

A client signs in with POST /api/login (JSON name and password), keeps the session cookie it
gets, and sends the CSRF token the login returns as the X-CSRF-Token header on every other
POST or PUT. Errors are {"error": "中文说明"} with the status a page would give. Each endpoint
is declared once, with its Chinese description; /api/docs is drawn from that table.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import actions
from .actions import Refused
from .site import (XLSX, Site, address, attachment, csrf_token, limit_bytes, photos_of, render,
                   served, signed_in)
from .store import SUBMISSION_STATUS, Account

Handler = Callable[[Request, Site], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """One route of the API and what /api/docs says of it."""

    method: str
    path: str
    who: str  # 任何人, 已登录, 申报党组织, 管理员
    summary: str
    handler: Handler
    body: str = ""
    returns: str = ""
    csrf: bool = True  # a POST or PUT must carry the session's token (not the login, which starts the session)
    upload: bool = False  # its body carries a workbook and its photos, or a template: an upload's size


ENDPOINTS: list[Endpoint] = []


def endpoint(method: str, path: str, who: str, summary: str, body: str = "", returns: str = "",
             csrf: bool = True, upload: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ENDPOINTS.append(Endpoint(method, path, who, summary, handler, body, returns, csrf, upload))
        return handler
    return register


class Json(JSONResponse):
    """JSON in UTF-8 with the Chinese as it is; times as ISO 8601."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_plain, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


async def body(request: Request) -> dict[str, Any]:
    """The request's JSON object; a Chinese 400 when it is none."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise Refused("请求体应为 JSON（Content-Type: application/json）", 415)
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise Refused("请求体不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise Refused("请求体应为一个 JSON 对象")
    return data


def text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(f"“{key}”应为文字")
    return value


def texts(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Refused(f"“{key}”应为文字的列表")
    return value


# --- what the API returns -------------------------------------------------------------------------

def account_json(request: Request, account: Account) -> dict[str, Any]:
    found = {"id": account.id, "name": account.name, "role": account.role, "branch": account.branch,
             "activated": account.activation is None, "active": account.active}
    if account.activation:
        found["activation_link"] = f"{request.base_url}activate/{account.activation}"
    return found


def submission_json(submission: dict[str, Any] | None) -> dict[str, Any] | None:
    if submission is None:
        return None
    return {**submission, "status_label": SUBMISSION_STATUS[submission["status"]]}


def check_json(site: Site, check: dict[str, Any], full: bool = True) -> dict[str, Any]:
    found = {key: check[key] for key in ("id", "branch", "original", "size", "sha256", "errors", "warnings",
                                         "created")}
    found["links"] = {"self": f"/api/checks/{check['id']}", "page": f"/checks/{check['id']}"}
    if actions.readable(check):
        found["links"]["annotated"] = f"/api/checks/{check['id']}/annotated"
    if full:
        found["issues"] = check["report"]["issues"]
        found["submission"] = submission_json(actions.submission_of(site, check))
    return found


def job_json(site: Site, account: Account, job: dict[str, Any]) -> dict[str, Any]:
    files = actions.job_files(site, job)
    return {**actions.progress(job), "created": job["created"], "started": job["started"],
            "finished": job["finished"], "page": f"/admin/jobs/{job['id']}",
            "files": [{"path": path, "url": f"/api/jobs/{job['id']}/files/{path}"} for path in files]}


# --- accounts -------------------------------------------------------------------------------------

@endpoint("POST", "/api/login", "任何人", "登录。之后的请求带上返回的会话 Cookie，POST/PUT 另带 X-CSRF-Token 头。",
          body='{"name": "登录名", "password": "密码"}', returns='{"account": 账号, "csrf": "令牌"}', csrf=False)
async def login(request: Request, site: Site) -> Response:
    data = await body(request)
    account, csrf = await actions.sign_in(site, request.session, address(request), text(data, "name"),
                                          text(data, "password"))
    return Json({"account": account_json(request, account), "csrf": csrf})


@endpoint("POST", "/api/logout", "已登录", "退出登录；这个会话的 Cookie（包括被复制的）随即失效。", returns="{}")
async def logout(request: Request, site: Site) -> Response:
    signed_in(request, site)
    actions.sign_out(site, request.session)
    return Json({})


@endpoint("GET", "/api/me", "已登录", "当前账号；申报党组织另有今天还可上传的次数。",
          returns='{"account": 账号, "csrf": "令牌", "uploads_left": 次数}')
async def me(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    found: dict[str, Any] = {"account": account_json(request, account), "csrf": csrf_token(request, site)}
    if not account.admin:
        found["uploads_left"] = actions.uploads_left(site, account)
    return Json(found)


@endpoint("GET", "/api/accounts", "管理员", "全部申报党组织账号，未激活的带一次性激活链接。", returns="[账号, …]")
async def list_accounts(request: Request, site: Site) -> Response:
    return Json([account_json(request, a) for a in actions.branch_accounts(site, signed_in(request, site))])


@endpoint("POST", "/api/accounts", "管理员", "添加申报党组织账号；把返回的激活链接发给该支部，由其设置密码。",
          body='{"name": "登录名", "branch": "申报党组织全称"}', returns="账号（201）")
async def add_account(request: Request, site: Site) -> Response:
    data = await body(request)
    made = actions.add_branch_account(site, signed_in(request, site), text(data, "name"), text(data, "branch"))
    return Json(account_json(request, made), status_code=201)


@endpoint("POST", "/api/accounts/{id:int}/deactivate", "管理员", "停用账号：不能再登录，已登录的会话立即失效；"
          "它的校验和提交都保留。不能停用自己。", returns="账号")
async def deactivate_account(request: Request, site: Site) -> Response:
    changed = actions.set_active(site, signed_in(request, site), request.path_params["id"], False)
    return Json(account_json(request, changed))


@endpoint("POST", "/api/accounts/{id:int}/reactivate", "管理员", "重新启用停用的账号。", returns="账号")
async def reactivate_account(request: Request, site: Site) -> Response:
    changed = actions.set_active(site, signed_in(request, site), request.path_params["id"], True)
    return Json(account_json(request, changed))


@endpoint("POST", "/api/accounts/{id:int}/reset", "管理员", "重置密码：原密码立即失效，已登录的会话结束；"
          "把返回的新激活链接（只能使用一次）发给该支部。", returns="账号，带 activation_link")
async def reset_account(request: Request, site: Site) -> Response:
    changed = actions.reset_password(site, signed_in(request, site), request.path_params["id"])
    return Json(account_json(request, changed))


@endpoint("POST", "/api/accounts/{id:int}/rename", "管理员", "修改登录名（不能与其他账号相同）；账号的校验和提交不变。",
          body='{"name": "新登录名"}', returns="账号")
async def rename_account(request: Request, site: Site) -> Response:
    data = await body(request)
    changed = actions.rename_account(site, signed_in(request, site), request.path_params["id"], text(data, "name"))
    return Json(account_json(request, changed))


# --- the branch's checks and submissions ----------------------------------------------------------

@endpoint("GET", "/api/template", "申报党组织", "本支部的空白申报表（.xlsx，已填好申报党组织和项目类别）。",
          returns="xlsx 文件")
async def template(request: Request, site: Site) -> Response:
    name, data = actions.blank_workbook(site, signed_in(request, site))
    return Response(data, media_type=XLSX, headers=attachment(name))


@endpoint("POST", "/api/checks", "申报党组织", "上传并校验一个申报表（multipart/form-data，字段 workbook；"
          "活动照片放在字段 photos 中，可多个）。",
          body="workbook=文件，photos=照片…", returns="校验（201）：错误数、警告数、问题列表（工作表、单元格、中文说明）",
          upload=True)
async def upload(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    actions.need(account, "branch")
    form = await request.form()
    given = form.get("workbook")
    if not isinstance(given, UploadFile):
        raise Refused("请在字段 workbook 中上传申报表（.xlsx）")
    check_id = await actions.check_upload(site, account, given.filename or "", given.file, photos_of(form))
    return Json(check_json(site, site.store.check(check_id)), status_code=201)


@endpoint("GET", "/api/checks/{id:int}", "本支部或管理员", "一次校验的结果。", returns="校验")
async def show_check(request: Request, site: Site) -> Response:
    return Json(check_json(site, actions.own_check(site, signed_in(request, site), request.path_params["id"])))


@endpoint("GET", "/api/checks/{id:int}/annotated", "本支部或管理员", "标注副本（与命令行的 *.校验.xlsx 相同）。",
          returns="xlsx 文件")
async def annotated(request: Request, site: Site) -> Response:
    check = actions.own_check(site, signed_in(request, site), request.path_params["id"])
    name, data = await actions.marked_copy(site, check)
    return Response(data, media_type=XLSX, headers=attachment(name))


@endpoint("POST", "/api/checks/{id:int}/submit", "申报党组织", "把没有错误的校验提交给党建部，成为新的一版；"
          "有警告时须 confirm 为 true。", body='{"confirm": true}', returns="提交")
async def submit(request: Request, site: Site) -> Response:
    data = await body(request)
    found = actions.submit(site, signed_in(request, site), request.path_params["id"], data.get("confirm") is True)
    return Json(submission_json(found))


@endpoint("GET", "/api/submissions", "已登录", "提交记录，新的在前：支部看本支部的；管理员看全部，或用 ?branch= 选一个。",
          returns="[提交, …]")
async def list_submissions(request: Request, site: Site) -> Response:
    found = actions.submissions(site, signed_in(request, site), request.query_params.get("branch"))
    return Json([submission_json(s) for s in found])


@endpoint("GET", "/api/submissions/{id:int}", "本支部或管理员", "一次提交，带它的校验。", returns="提交，check 为校验")
async def show_submission(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    submission = actions.own_submission(site, account, request.path_params["id"])
    check = actions.own_check(site, account, submission["check_id"])
    return Json({**submission_json(submission), "check": check_json(site, check)})


@endpoint("POST", "/api/submissions/{id:int}/review", "管理员", "审核一次提交：通过（approved），或退回（returned，"
          "须写明原因，支部可见）。", body='{"decision": "approved 或 returned", "note": "退回原因"}', returns="提交")
async def review(request: Request, site: Site) -> Response:
    data = await body(request)
    found = actions.review(site, signed_in(request, site), request.path_params["id"], text(data, "decision"),
                           text(data, "note"))
    return Json(submission_json(found))


@endpoint("GET", "/api/overview", "管理员", "每个申报党组织的状态（未提交 / 有错误 / 待审核 / 已退回 / 已通过），"
          "可用 ?status= 筛选。", returns="[{branch, status, status_label, unmade（上次生成未生成其文书的原因）, submission, check, accounts}, …]")
async def overview(request: Request, site: Site) -> Response:
    wanted = request.query_params.get("status")
    rows = actions.overview(site, signed_in(request, site))
    return Json([{"branch": r["branch"], "status": r["status"], "status_label": r["label"], "unmade": r["unmade"],
                  "submission": submission_json(r["submission"]),
                  "check": check_json(site, r["check"], full=False) if r["check"] else None,
                  "accounts": [a.name for a in r["accounts"]]}
                 for r in rows if not wanted or r["status"] == wanted])


@endpoint("GET", "/api/preview", "申报党组织", "本支部已通过的申报表生成的 PDF 文书（第一次请求时生成）。",
          returns='{"accepted": 提交或 null, "files": [{"path", "url"}, …], "unmade": [未能生成的文书及原因, …]}')
async def preview(request: Request, site: Site) -> Response:
    accepted, folder = await run_in_threadpool(actions.previews, site, signed_in(request, site))
    shown = {key: accepted[key] for key in ("branch", "version", "original")} if accepted else None
    return Json({"accepted": shown, "files": [{"path": p, "url": f"/api/preview/{p}"}
                                                 for p in actions.preview_files(folder)],
                 "unmade": actions.preview_unmade(folder)})


@endpoint("GET", "/api/preview/{path:path}", "申报党组织", "一份预览 PDF。", returns="PDF 文件")
async def preview_file(request: Request, site: Site) -> Response:
    target = await run_in_threadpool(actions.preview_file, site, signed_in(request, site), request.path_params["path"])
    return served(target)


# --- generating the documents ---------------------------------------------------------------------

@endpoint("GET", "/api/jobs", "管理员", "全部生成任务，新的在前。", returns="[任务, …]")
async def list_jobs(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    return Json([job_json(site, account, job) for job in actions.jobs(site, account)])


@endpoint("POST", "/api/jobs", "管理员", "用每个申报党组织最近一次已通过的申报表开始一个后台生成任务。",
          body='{"kinds": ["proposal", "plan", …], "formats": ["docx", "pdf"], "date": "2024-12-20", '
               '"period": "2024年第4季度"}', returns="任务（202）；已有任务在运行时 409")
async def start_job(request: Request, site: Site) -> Response:
    data = await body(request)
    account = signed_in(request, site)
    job_id = actions.start_job(site, account, texts(data, "kinds"), texts(data, "formats"), text(data, "date"),
                               text(data, "period"))
    return Json(job_json(site, account, site.store.job(job_id)), status_code=202)


@endpoint("GET", "/api/jobs/{id:int}", "管理员", "任务的进度：已完成的申报表和文件数、速度、预计剩余时间；完成后有文件列表。",
          returns="任务")
async def show_job(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    return Json(job_json(site, account, actions.job(site, account, request.path_params["id"])))


@endpoint("POST", "/api/jobs/{id:int}/resume", "管理员", "继续一个失败或因服务停止而中断的任务；已完成的申报表不会重做。",
          returns="任务")
async def resume_job(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    return Json(job_json(site, account, actions.resume_job(site, account, request.path_params["id"])))


@endpoint("GET", "/api/jobs/{id:int}/files/{path:path}", "管理员", "任务的一个结果文件（各支部 zip、全部 zip、"
          "年度汇总报告、台账……）。", returns="文件")
async def job_file(request: Request, site: Site) -> Response:
    return served(actions.job_file(site, signed_in(request, site), request.path_params["id"],
                                   request.path_params["path"]))


# --- settings -------------------------------------------------------------------------------------

@endpoint("GET", "/api/settings", "管理员", "单位的设置（docgen.toml 中网页可改的部分），按节和键。",
          returns='{"organization": {"name": …}, "project": {…}, …}')
async def show_settings(request: Request, site: Site) -> Response:
    return Json(actions.settings(site, signed_in(request, site)))


@endpoint("PUT", "/api/settings", "管理员", "修改设置：只给要改的键；用与配置文件相同的中文说明校验。",
          body='{"notice": {"days": 7}}', returns="修改后的设置")
async def save_settings(request: Request, site: Site) -> Response:
    data = await body(request)
    account = signed_in(request, site)
    actions.save_settings(site, account, data)
    return Json(actions.settings(site, account))


# --- the organisation's own templates -------------------------------------------------------------

def problem_json(problem: Any) -> dict[str, Any]:
    return {"file": problem.file, "place": problem.place, "message": problem.message, "error": problem.error}


@endpoint("GET", "/api/templates", "管理员", "模板文件及其来源（本单位的或自带的），和检查发现的问题（文件、位置、说明）。",
          returns='{"folder": "保存模板的文件夹", "files": [{"name", "what", "own"}, …], '
                  '"problems": [{"file", "place", "message", "error"}, …]}')
async def list_templates(request: Request, site: Site) -> Response:
    state = actions.templates_state(site, signed_in(request, site))
    return Json({"folder": state["folder"], "files": state["files"],
                 "problems": [problem_json(p) for p in state["problems"]]})


@endpoint("POST", "/api/templates", "管理员", "上传一个模板（multipart/form-data，字段 template；文件名如 proposal.docx），"
          "立即检查；之后的预览和生成都用它。", body="template=文件", returns='{"problems": [这个文件的问题, …]}（201）',
          upload=True)
async def add_template(request: Request, site: Site) -> Response:
    account = actions.need(signed_in(request, site), "admin")
    given = (await request.form()).get("template")
    if not isinstance(given, UploadFile):
        raise Refused("请在字段 template 中上传模板文件")
    name = actions.upload_template(site, account, given.filename or "", await given.read(limit_bytes(site) + 1))
    found = [p for p in actions.templates_state(site, account)["problems"] if p.file == name]
    return Json({"problems": [problem_json(p) for p in found]}, status_code=201)


@endpoint("DELETE", "/api/templates/{name}", "管理员", "删除本单位的一个模板，恢复用自带的。", returns="{}")
async def delete_template(request: Request, site: Site) -> Response:
    actions.remove_template(site, signed_in(request, site), request.path_params["name"])
    return Json({})


@endpoint("GET", "/api/templates/export", "管理员", "自带的模板和说明.md（每个变量的写法、含义和示例），打成一个 zip。",
          returns="zip 文件")
async def export_templates(request: Request, site: Site) -> Response:
    data = await run_in_threadpool(actions.exported_templates, site, signed_in(request, site))
    return Response(data, media_type="application/zip", headers=attachment("docgen-模板.zip"))


# --- the documentation ----------------------------------------------------------------------------

async def docs(request: Request, site: Site) -> Response:
    """/api/docs: the table above, in Chinese, for the department's IT."""
    return render(request, site, "api_docs.html", endpoints=ENDPOINTS)
