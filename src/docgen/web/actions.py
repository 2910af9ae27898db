"""What the web page does, once: the pages (pages.py) and the JSON API (rest.py) both call these.

Each action takes the Site, the account asking and plain values (a file's bytes or its spooled file, a decision,
a settings dict) and returns plain data. A request the clerk can correct raises Refused with
its Chinese message: a page shows it where the clerk asked, the API returns it as
{"error": …} with the same status. Who may see what is decided here: a branch account reaches
only its own 申报党组织's checks, submissions and documents, whatever id it asks for (another
branch's are reported as absent, 404); an administrator reaches every branch.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import secrets
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, MutableMapping

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .. import api
from ..config import Config, problems
from ..documents import safe_name
from ..errors import DocgenError
from ..intake.images import SUFFIXES as PHOTO_SUFFIXES
from ..issues import unreadable
from . import guards, security, sheets, work
from ..validate.rules import PHOTO_MB
from .site import BRANCH_STATUS, Site, limit_bytes, photo_bytes_limit
from .jobs import unmade
from .store import JOB_STATUS, SUBMISSION_STATUS, Account, copy_upload, file_inside, now

PREVIEWED = ".made"  # in a preview folder: its PDFs are complete
UNMADE = ".unmade"  # in a preview folder: why a document was not made, a line each
FORMATS = ("docx", "pdf")


class Refused(HTTPException):
    """A request refused with a Chinese message the clerk can act on (400 unless said otherwise)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(status, message)

    @property
    def message(self) -> str:
        return str(self.detail)


def need(account: Account, role: str) -> Account:
    if account.role != role:
        raise Refused("此页面不属于您的账号", 403)
    return account


# --- accounts ----------------------------------------------------------------------------------

async def sign_in(site: Site, session: MutableMapping[str, Any], address: str, name: str,
                  password: str) -> tuple[Account, str]:
    """Check the password (throttled per name and address; in a thread, as long for a name that cannot sign in)
    and start a new session for the account: the account and the session's CSRF token."""
    name = unicodedata.normalize("NFKC", name).strip()
    async with site.logins.turn((name, address)):  # the tries of a name from an address: one after another
        wait = site.throttle.attempt(name, address)  # counted as a failure until the password proves right
        if wait:
            raise Refused(f"登录失败次数过多，请 {math.ceil(wait)} 秒后再试", 429)
        right = False
        try:
            account = site.store.account(name=name)
            right = await site.password_work(security.verify_password, account.password if account else None,
                                             password)
        finally:
            if right:
                site.throttle.succeeded(name, address)
            else:
                site.throttle.failed(name, address)
    if not right:
        raise Refused("账号或密码不正确", 401)
    if not account.active:  # told only to whoever knows its password
        raise Refused("这个账号已停用；如需继续使用，请联系党建部", 403)
    return account, start_session(site, session, account, address)


def start_session(site: Site, session: MutableMapping[str, Any], account: Account, address: str | None) -> str:
    """A new server-side session for the account, its token alone in the cookie; its CSRF token."""
    token, key = security.new_session_token()
    csrf = security.new_csrf_token()
    site.store.start_session(account.id, key, csrf, security.SESSION_SECONDS, address)
    session.clear()
    session["token"] = token
    if site.ended:  # the store writes again: the rows of sessions ended while it could not go now
        site.forget_ended()
    return csrf


def sign_out(site: Site, session: MutableMapping[str, Any]) -> None:
    """End the browser's session: its cookie is cleared first, then the session itself, so that its cookie, copied
    or not, no longer signs anyone in (on a full disk too: Site.end_session())."""
    token = session.get("token")
    session.clear()
    if isinstance(token, str):
        site.end_session(security.session_key(token))


def activation(site: Site, token: str) -> Account:
    account = site.store.account(activation=token)
    if account is None:
        raise Refused("激活链接无效或已使用；请向党建部索取新的链接", 404)
    return account


async def activate(site: Site, session: MutableMapping[str, Any], token: str, password: str, again: str,
                   address: str | None = None) -> Account:
    """Set the password of the account the one-time link names (every session it had ends), and sign it in;
    the link is used up. The policy and the hash run in a thread."""
    account = activation(site, token)
    organization = site.config.organization
    words = (account.branch or "", organization.name, organization.party_committee, organization.department)
    problem = await run_in_threadpool(security.password_problem, password, again, account.name, words)
    if problem:
        raise Refused(problem)
    site.store.set_password(account.id, await site.password_work(security.hash_password, password))
    start_session(site, session, account, address)
    return account


def plain_name(text: str, what: str, limit: int) -> str:
    """A name as typed, NFKC-normalised (fullwidth letters are letters); refused when it holds characters no one
    sees or that turn the text around, so two names that look the same are the same name."""
    name = unicodedata.normalize("NFKC", text).strip()
    hidden = sorted({*api.unseen(text), *api.unseen(name)})  # as typed (NFKC turns U+FFA0 into U+3164) and as kept
    if hidden:
        raise Refused(f"{what}中含有看不见的字符（{api.unseen_names(hidden)}），两个看起来相同的名称会被当作不同的；"
                      f"请删去后重新输入（最好直接键入，不要从网页或聊天中复制）")
    if not name:
        raise Refused(f"请填写{what}")
    if len(name) > limit:
        raise Refused(f"{what}不超过 {limit} 个字符")
    return name


def add_branch_account(site: Site, account: Account, name: str, branch: str) -> Account:
    """A new 申报党组织 account, with the one-time link that sets its password."""
    need(account, "admin")
    name, branch = plain_name(name, "登录名", 64), plain_name(branch, "申报党组织名称", 200)
    if site.store.account(name=name) is not None:
        raise Refused(f"登录名“{name}”已被使用")
    return site.store.add_account(name, "branch", branch)


def branch_accounts(site: Site, account: Account) -> list[Account]:
    need(account, "admin")
    return [a for a in site.store.accounts() if a.role == "branch"]


def managed_account(site: Site, account: Account, account_id: int) -> Account:
    """An account the department changes; 404 when there is none."""
    need(account, "admin")
    found = site.store.account(id=account_id)
    if found is None:
        raise Refused("找不到这个账号", 404)
    return found


def set_active(site: Site, account: Account, account_id: int, active: bool) -> Account:
    """停用 (it cannot sign in, its sessions end, its checks and submissions stay) or 启用 an account."""
    target = managed_account(site, account, account_id)
    if target.id == account.id and not active:
        raise Refused("不能停用自己正在使用的账号", 409)
    site.store.set_active(target.id, active)
    return site.store.account(id=target.id)


def reset_password(site: Site, account: Account, account_id: int) -> Account:
    """The account's password stops working and its sessions end; a new one-time activation link sets the next."""
    target = managed_account(site, account, account_id)
    if target.id == account.id:
        raise Refused("不能重置自己正在使用的账号的密码；请由另一位管理员重置", 409)
    site.store.reset_password(target.id)
    return site.store.account(id=target.id)


def rename_account(site: Site, account: Account, account_id: int, name: str) -> Account:
    """A new login name for an account (unique); its checks and submissions stay with it."""
    target = managed_account(site, account, account_id)
    name = plain_name(name, "登录名", 64)
    if name != target.name and not site.store.rename(target.id, name):
        raise Refused(f"登录名“{name}”已被使用")
    return site.store.account(id=target.id)


# --- the branch's checks -------------------------------------------------------------------------

def blank_workbook(site: Site, account: Account) -> tuple[str, bytes]:
    """The branch's own blank workbook (its name and the configured categories filled in): name and bytes."""
    need(account, "branch")
    with tempfile.TemporaryDirectory() as folder:
        path = api.write_intake_template(Path(folder) / "申报表.xlsx", site.config, branch=account.branch)
        return f"{account.branch}-申报表.xlsx", path.read_bytes()


def uploads_left(site: Site, account: Account) -> int:
    """How many more workbooks the branch may upload today (those being checked now count)."""
    return max(0, site.config.limits.uploads_per_day - _uploaded_today(site, account.branch)
               - site.uploading.running(account.branch))


def _uploaded_today(site: Site, branch: str) -> int:
    midnight = dt.datetime.combine(now().date(), dt.time())
    return site.store.checks_since(branch, midnight)


async def check_upload(site: Site, account: Account, filename: str, data: bytes | BinaryIO,
                       photos: list[tuple[str, bytes | BinaryIO]] = ()) -> int:
    """Keep an upload unchanged under a generated name (with its 活动照片 beside it), check it as the CLI
    does, record it; the check's id. An upload that cannot be checked or recorded is not kept.

    `data` and each photo are bytes or a seekable file (the form's spooled upload): a file is measured by
    seeking, refused past its limit before anything is copied, and copied in chunks, never held whole."""
    need(account, "branch")
    if not filename:
        raise Refused("请选择要上传的申报表（.xlsx）")
    source = _opened(data)
    size = _size(source)
    if size > limit_bytes(site):
        raise Refused(f"文件超过 {site.config.limits.file_mb:g} MB 的上限，请删除多余的内容后再上传", 413)
    # an .xls, .et, .ods, .csv, a zip …: what `docgen validate` says of it (its head and zip directory only)
    refused = await run_in_threadpool(api.file_refusal, filename, source)
    if refused:
        sent = Path(filename.replace("\\", "/")).name
        raise Refused(f"“{sent}”无法作为申报表读取：{refused}", 415)
    named = photo_names(photos)
    if sum(_size(content) for _, content in named) > photo_bytes_limit(site):
        raise Refused(f"照片合计超过 {site.config.limits.photos_mb:g} MB 的上限；请压缩照片，或只保留最能说明情况的几张", 413)
    allowed = site.config.limits.uploads_per_day
    with site.uploading.reserve(account.branch, lambda: _uploaded_today(site, account.branch), allowed) as free:
        if not free:
            raise Refused(f"今天已上传 {allowed} 次，达到每天的上限；请明天再上传，或请党建部调整上限", 429)
        stored, sha256 = await run_in_threadpool(_keep, site, source, named)
        expected = api.Expected(account.branch, {held["code"]: held["branch"] for held in site.store.held_codes(
            account.branch).values()}, written=dt.date.today())  # its own 申报党组织 only, no code another branch
        # has handed in; a 统计日期 after today is reported by no document generated today
        try:
            try:
                report, errors, warnings, codes = await site.work(
                    work.check, str(site.store.uploads / stored), site.config, expected)
            except Exception:  # noqa: BLE001 - a workbook that hangs or crashes its checker: told, the server goes on
                raise Refused("这个文件无法在时限内校验完成，请检查文件是否损坏，或另存为新的 .xlsx 后再上传",
                              422) from None
            original = upload_name(filename)
            report["path"] = original
            return site.store.add_check(account, original, stored, sha256, size, report, errors, warnings, codes)
        except BaseException:
            site.store.discard(stored)
            raise


def _opened(content: bytes | BinaryIO) -> BinaryIO:
    """An upload's content as a seekable file (bytes given by a caller that already holds them)."""
    return io.BytesIO(content) if isinstance(content, (bytes, bytearray)) else content


def _size(handle: BinaryIO) -> int:
    """The bytes of a seekable file, taken from its end; it is left at its start."""
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    return size


class _Digesting:
    """A file read through in chunks, the SHA-256 of what was read taken on the way."""

    def __init__(self, source: BinaryIO) -> None:
        self.source, self.sha256 = source, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.sha256.update(chunk)
        return chunk


def upload_name(filename: str) -> str:
    """The name a branch gave its file, as a plain file name (no folders, no dot files, bounded)."""
    name = api.without_unseen(Path(filename.replace("\\", "/")).name).strip()
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        suffix = ".xlsx"
    stem = safe_name(stem) if stem and not stem.startswith(".") else "申报表"
    return f"{stem}{suffix}"


def photo_names(photos: list[tuple[str, bytes | BinaryIO]]) -> list[tuple[str, BinaryIO]]:
    """The photos sent with a workbook under plain file names (no folders), each named as a picture and within the
    limit (what is inside is checked with the workbook)."""
    named: dict[str, BinaryIO] = {}
    for filename, content in photos:
        name = api.without_unseen(Path(filename.replace("\\", "/")).name).strip()
        stem, suffix = Path(name).stem, Path(name).suffix  # kept as sent, less what no one sees: the sheet names it so
        if suffix.lower() not in PHOTO_SUFFIXES:
            raise Refused(f"“{name}”不是照片文件；活动照片可以是 JPG、PNG、HEIC（苹果手机的照片）、WebP、GIF、BMP、TIFF 或 AVIF")
        source = _opened(content)
        if _size(source) > PHOTO_MB * 1024 * 1024:
            raise Refused(f"照片“{name}”超过 {PHOTO_MB} MB 的上限，请压缩后再上传", 413)
        named[f"{safe_name(stem) if stem and not stem.startswith('.') else '照片'}{suffix}"] = source
    return list(named.items())


def _keep(site: Site, data: BinaryIO, photos: list[tuple[str, BinaryIO]] = ()) -> tuple[str, str]:
    """Keep an upload unchanged under a generated name, and its photos under their names in a folder of their
    own beside it (whole or not at all: a failed write leaves nothing), each copied in chunks from its file;
    return the workbook's name within uploads/ and its SHA-256, taken while it was copied."""
    token = secrets.token_hex(16)
    data.seek(0)
    workbook = _Digesting(data)
    if not photos:
        stored = f"{token}.xlsx"
        guards.write_whole(site.store.uploads / stored, workbook)
        return stored, workbook.sha256.hexdigest()
    token = token[:24]  # uploads/<token>/<token>.xlsx within the stored name's 64 characters
    building = Path(tempfile.mkdtemp(dir=site.store.uploads, prefix=".~"))
    try:
        with (building / f"{token}.xlsx").open("wb") as out:
            shutil.copyfileobj(workbook, out)
        for name, content in photos:
            content.seek(0)
            with (building / name).open("wb") as out:
                shutil.copyfileobj(content, out)
        os.replace(building, site.store.uploads / token)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return f"{token}/{token}.xlsx", workbook.sha256.hexdigest()


def own_check(site: Site, account: Account, check_id: int) -> dict[str, Any]:
    """The check when this account may see it; 404 otherwise (another branch's looks absent)."""
    check = site.store.check(check_id)
    if check is None or (not account.admin and check["branch"] != account.branch):
        raise Refused("找不到这次校验", 404)
    return check


def readable(check: dict[str, Any]) -> bool:
    """Whether the checked file could be read as a workbook (no file_… issue): it can be drawn and marked."""
    return not any(unreadable(issue["code"]) for issue in check["report"]["issues"])


async def drawing(site: Site, check: dict[str, Any]) -> tuple[list[dict[str, Any]], list[sheets.SheetView]]:
    """The check's issues, each with the anchor of its drawn cell, and its workbook drawn sheet by sheet."""
    path = site.store.uploads / check["stored"]
    views = site.drawings.get(check["id"])
    if views is None:
        try:
            views = await site.work(work.draw, str(path), check["report"], site.config) if readable(check) else []
        except Exception:  # noqa: BLE001 - the issues are shown without the drawing rather than not at all
            views = []
        else:
            site.remember(check["id"], views)
    titles = [view.title for view in views]
    issues = [{**issue, "anchor": sheets.issue_anchor(titles, issue)} for issue in check["report"]["issues"]]
    return issues, views


async def marked_copy(site: Site, check: dict[str, Any]) -> tuple[str, bytes]:
    """The CLI's *.校验.xlsx of the check: name and bytes."""
    if not readable(check):
        raise Refused("这个文件不是可以读取的工作簿，没有标注副本；请按校验结果另存为 .xlsx 后重新上传", 404)
    data = await site.work(work.annotated, str(site.store.uploads / check["stored"]), check["original"], site.config,
                           work.expected_of(check["report"]))
    return f"{Path(check['original']).stem}.校验.xlsx", data


def submission_of(site: Site, check: dict[str, Any]) -> dict[str, Any] | None:
    """The submission made from this check, if it was handed in."""
    return next((s for s in site.store.submissions(check["branch"]) if s["check_id"] == check["id"]), None)


def submit(site: Site, account: Account, check_id: int, confirmed: bool) -> dict[str, Any]:
    """Hand in a check without errors as the branch's next version (warnings need `confirmed`); the submission.
    Handing in the same check again gives the submission it already made."""
    need(account, "branch")
    check = own_check(site, account, check_id)
    if check["errors"]:
        raise Refused("有错误的申报表不能提交，请改正后重新上传")
    done = submission_of(site, check)
    if done is not None:
        return done
    if check["warnings"] and not confirmed:
        raise Refused("这份申报表有警告，请勾选“已核实警告”后再提交")
    clash = conflicts(site, check)  # handed in by another branch since this check
    if clash:
        raise Refused(f"不能提交：{clash_text(clash)}；请核对项目编号后重新上传", 409)
    site.store.submit(check["id"], account.branch)
    return submission_of(site, check)


def conflicts(site: Site, check: dict[str, Any]) -> list[dict[str, Any]]:
    """The project codes of a check that another branch holds (Store.held_codes), each with that branch and
    its submission: [{code, branch, submission, version, status}]."""
    held = site.store.held_codes(check["branch"])
    return [{**held[api.code_key(code)], "code": code, "held_as": held[api.code_key(code)]["code"]}
            for code in site.store.codes(check["id"]) if api.code_key(code) in held]


def clash_text(clash: list[dict[str, Any]]) -> str:
    """The conflicts of a check in the department's and the branch's words."""
    return "；".join(f"项目编号“{c['code']}”已由“{c['branch']}”提交{_written(c)}（第 {c['version']} 版，"
                    f"{SUBMISSION_STATUS[c['status']]}）" for c in clash)


def _written(clash: dict[str, Any]) -> str:
    """How the other branch wrote a code it holds, when only case or width set it apart."""
    return f"（写作“{clash['held_as']}”）" if clash.get("held_as", clash["code"]) != clash["code"] else ""


def in_effect(site: Site, branch: str) -> dict[str, Any] | None:
    """The branch's submission a generation job takes (its newest approved one, Store.approved), or None."""
    return next((row for row in site.store.approved() if row["branch"] == branch), None)


def still_in_effect(newest: dict[str, Any] | None, effective: dict[str, Any] | None) -> int | None:
    """The version of an older approved submission (`effective`, in_effect()) still in effect while the branch's
    `newest` submission is returned (the job takes that one): said beside 已退回, so that no one reads it as
    "nothing of this branch"."""
    if newest is None or newest["status"] != "returned" or effective is None:
        return None
    return effective["version"]


def comes_back(site: Site, submission: dict[str, Any]) -> dict[str, Any] | None:
    """The approved submission that returning `submission` would bring back into effect: the one approved before
    it, when it is the branch's submission in effect; else None."""
    if submission["status"] != "approved":
        return None
    approved = [s for s in site.store.submissions(submission["branch"]) if s["status"] == "approved"]
    if not approved or approved[0]["id"] != submission["id"]:
        return None
    return approved[1] if len(approved) > 1 else None


def submissions(site: Site, account: Account, branch: str | None = None) -> list[dict[str, Any]]:
    """A branch's own submissions, newest first; an administrator's view of every branch's (or one's)."""
    return site.store.submissions(account.branch if not account.admin else branch)


def own_submission(site: Site, account: Account, submission_id: int) -> dict[str, Any]:
    submission = site.store.submission(submission_id)
    if submission is None or (not account.admin and submission["branch"] != account.branch):
        raise Refused("找不到这次提交", 404)
    return submission


# --- the branch's preview ------------------------------------------------------------------------

def previews(site: Site, account: Account) -> tuple[dict[str, Any] | None, Path | None]:
    """The branch's accepted submission and the folder of its PDFs, rendered once per submission (slow: a thread)."""
    need(account, "branch")
    accepted = in_effect(site, account.branch)
    if accepted is None:
        return None, None
    folder = site.store.folder / "previews" / Path(accepted["stored"]).stem
    if not (folder / PREVIEWED).is_file():
        with tempfile.TemporaryDirectory() as scratch:
            named = Path(scratch) / f"{safe_name(account.branch)}.xlsx"
            copy_upload(site.store.uploads / accepted["stored"], named)
            shutil.rmtree(folder, ignore_errors=True)
            try:
                run = api.render([named], folder, None, ["pdf"], site.config, api.Options())
            except DocgenError as exc:  # the organisation's templates have errors: said, nothing half made kept
                shutil.rmtree(folder, ignore_errors=True)
                raise Refused(f"暂时无法预览：{exc}", 409) from None
        folder.mkdir(parents=True, exist_ok=True)
        reasons = unmade(run.outcomes)
        if reasons:  # shown beside what was made, as long as this preview is kept
            (folder / UNMADE).write_text("\n".join(reasons), encoding="utf-8")
        (folder / PREVIEWED).touch()
    return accepted, folder


def preview_unmade(folder: Path | None) -> list[str]:
    """Why documents of the preview were not made, a line each (nothing when all were)."""
    target = folder / UNMADE if folder else None
    return target.read_text(encoding="utf-8").splitlines() if target and target.is_file() else []


def preview_files(folder: Path | None) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")) if folder else []


def preview_file(site: Site, account: Account, relative: str) -> Path:
    _, folder = previews(site, account)
    target = file_inside(folder, relative) if folder else None
    if target is None or target.suffix != ".pdf":
        raise Refused("找不到这份文书", 404)
    return target


# --- the department's review ---------------------------------------------------------------------

def overview(site: Site, account: Account) -> list[dict[str, Any]]:
    """Every branch that has an account, with its status (未提交 / 有错误 / 待审核 / 已退回 / 已通过) and its
    label, its newest submission and its last check; branches that sent nothing are listed too. An approved
    branch whose workbook the last generation job refused says so (label, and `unmade`: why)."""
    branches = branch_accounts(site, account)
    latest = site.store.latest_checks()
    newest: dict[str, dict[str, Any]] = {}
    for submission in site.store.submissions():
        newest.setdefault(submission["branch"], submission)
    approved = {row["branch"]: row for row in site.store.approved()}
    refused = site.jobs.last_refused()
    rows = []
    for branch in sorted({a.branch for a in branches if a.branch}):
        submission, check = newest.get(branch), latest.get(branch)
        status = submission["status"] if submission else ("errors" if check and check["errors"] else "none")
        label = BRANCH_STATUS[status]
        effective = approved.get(branch) if status in ("approved", "returned") else None
        still = still_in_effect(submission, effective)
        if still is not None:  # its newest returned, an older approved one stands
            label = f"{label}（第 {still} 版仍有效）"
        unmade = refused.get(branch) if effective is not None else None
        if unmade and unmade["sha256"] != effective["sha256"]:
            unmade = None  # the last job refused an earlier workbook: this one has not been generated yet
        if unmade:
            label = f"{label}（上次生成未成功）"
        rows.append({"branch": branch, "status": status, "label": label, "submission": submission, "check": check,
                     "unmade": unmade["reason"] if unmade else None,
                     "accounts": [a for a in branches if a.branch == branch]})
    return rows


def review(site: Site, account: Account, submission_id: int, decision: str, note: str) -> dict[str, Any]:
    """通过 (approved) or 退回 (returned, with a note the branch sees) a submission; the submission after it."""
    need(account, "admin")
    note = note.strip()
    if decision not in ("approved", "returned"):
        raise Refused("请选择通过或退回")
    if decision == "returned" and not note:
        raise Refused("退回时请写明原因，支部会看到它")
    submission = own_submission(site, account, submission_id)
    clash = conflicts(site, own_check(site, account, submission["check_id"])) if decision == "approved" else []
    if clash:
        raise Refused(f"不能通过：{clash_text(clash)}。同一项目编号只能属于一个申报党组织；请核对后退回其中一份，"
                      f"再通过另一份", 409)
    back = comes_back(site, submission) if decision == "returned" else None
    clash = conflicts(site, own_check(site, account, back["check_id"])) if back is not None else []
    if clash:  # the older version would come back into effect and knock out the branch that took its code since
        raise Refused(f"不能退回第 {submission['version']} 版：退回后，{submission['branch']}已通过的"
                      f"第 {back['version']} 版将重新生效，而其中{clash_text(clash)}。如第 {back['version']} 版"
                      f"也不应再用，请先退回第 {back['version']} 版，再退回第 {submission['version']} 版", 409)
    if not site.store.review(submission_id, decision, note or None):
        raise Refused("找不到这次提交", 404)
    return site.store.submission(submission_id)


# --- generating the documents --------------------------------------------------------------------

def start_job(site: Site, account: Account, kinds: list[str], formats: list[str], date: str | None,
              period: str | None) -> int:
    """A background generation job over every approved submission; its id."""
    need(account, "admin")
    chosen = [k for k in kinds if k in api.WORKBOOK_KINDS]
    formats = [f for f in formats if f in FORMATS]
    if not chosen or not formats:
        raise Refused("请至少选择一种文书和一种格式")
    period = (period or "").strip() or None
    try:
        day = dt.date.fromisoformat(date or dt.date.today().isoformat()).isoformat()
        if period:
            api.parse_period(period)
    except ValueError:
        raise Refused("成文日期或报告期无法识别（成文日期如 2024-12-20，报告期如 2024年第2季度）") from None
    ready_to_sign(site)
    folder = site.config.template_folder()
    errors = [p for p in api.check_templates(folder)[1] if p.error] if folder is not None else []
    if errors:
        raise Refused(f"本单位的模板有 {len(errors)} 处错误，没有开始生成：{errors[0]}"
                      f"{'……' if len(errors) > 1 else ''}；请在“模板”页查看并改正")
    try:
        return site.jobs.start(account, {"kinds": chosen, "formats": formats, "date": day, "period": period})
    except DocgenError as exc:
        raise Refused(str(exc), 409) from None


def jobs(site: Site, account: Account) -> list[dict[str, Any]]:
    """Every generation job, newest first."""
    need(account, "admin")
    return site.store.jobs()


def job(site: Site, account: Account, job_id: int) -> dict[str, Any]:
    need(account, "admin")
    found = site.store.job(job_id)
    if found is None:
        raise Refused("找不到这个生成任务", 404)
    return found


def progress(found: dict[str, Any]) -> dict[str, Any]:
    """A job's progress as the page's bar shows it: workbooks and documents done, rate, time left."""
    elapsed = ((found["finished"] or now()) - found["started"]).total_seconds() if found["started"] else 0
    rate = found["done"] / elapsed if elapsed > 0 and found["done"] else 0
    left = (found["total"] - found["done"]) / rate if rate and found["status"] == "running" else None
    return {"id": found["id"], "status": found["status"], "status_label": JOB_STATUS[found["status"]],
            "total": found["total"], "done": found["done"], "documents": found["documents"],
            "share": round(100 * found["done"] / found["total"]) if found["total"] else 0,
            "stage": found["stage"], "message": found["message"], "rate": round(rate, 2),
            "seconds_left": round(left) if left is not None else None, "settings": found["settings"]}


def ready_to_sign(site: Site) -> None:
    """Refuse a generation before it starts when the settings every document is signed with are empty (the batch
    would stop on them, with advice for the configuration file)."""
    missing = list(site.config.missing_organization().values())
    if missing:
        raise Refused(f"还没有填写{'、'.join(missing)}，没有开始生成：文书的落款和立项表审批栏要用到它们，"
                      f"docgen 不会用占位名称代替；请先在“设置”页填写", 409)


def resume_job(site: Site, account: Account, job_id: int) -> dict[str, Any]:
    found = job(site, account, job_id)
    ready_to_sign(site)
    try:
        site.jobs.resume(found["id"])
    except DocgenError as exc:
        raise Refused(str(exc), 409) from None
    return site.store.job(job_id)


def job_files(site: Site, found: dict[str, Any]) -> list[str]:
    """The files of a job the account was allowed (job()); none while it runs."""
    return site.jobs.files(found["id"]) if found["status"] != "running" else []


def job_file(site: Site, account: Account, job_id: int, relative: str) -> Path:
    found = job(site, account, job_id)
    target = site.jobs.file(found["id"], relative)
    if target is None:
        raise Refused("找不到这个文件", 404)
    return target


# --- the organisation's settings -------------------------------------------------------------------

SETTINGS = (  # (section, key, label, kind): what the department edits of docgen.toml
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
    ("limits", "file_mb", "上传文件大小上限（MB）", "number"),
    ("limits", "uploads_per_day", "每个申报党组织每天最多上传次数", "number"),
    ("limits", "render_seconds", "生成一份文书的时限（秒）", "number"),
)


def settings(site: Site, account: Account) -> dict[str, dict[str, Any]]:
    """The settings the department edits, by section and key."""
    need(account, "admin")
    found: dict[str, dict[str, Any]] = {}
    for section, key, _, _ in SETTINGS:
        found.setdefault(section, {})[key] = getattr(getattr(site.config, section), key)
    return found


def save_settings(site: Site, account: Account, given: dict[str, dict[str, Any]]) -> Config:
    """Check the edited settings with the configuration file's Chinese messages; keep and use them.
    Keys not given stay as they are; keys the page does not edit are refused."""
    need(account, "admin")
    editable = {(section, key) for section, key, _, _ in SETTINGS}
    data = site.config.model_dump(exclude={"source"})
    for section, values in given.items():
        if not isinstance(values, dict):
            raise Refused(f"设置“{section}”应是一组键和值")
        for key, value in values.items():
            if (section, key) not in editable:
                raise Refused(f"不能在这里修改设置“{section}.{key}”")
            data[section][key] = value
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise Refused("设置有误：" + "；".join(problems(exc))) from None
    if not config.organization.name.strip() or not config.organization.party_committee.strip():
        raise Refused("单位名称和党委名称必须填写：文书的落款和立项表审批栏要用到它们")
    site.save_config(config)
    return config


# --- the organisation's own templates ------------------------------------------------------------

TEMPLATE_FOLDER = "模板"  # in the data folder: the templates the department uploads


def template_names() -> dict[str, str]:
    """Every file name an organisation's template may have, with what it is."""
    names = {}
    for kind, title in api.TITLES.items():
        if kind in api.TEMPLATE_KINDS:
            names[f"{kind}.docx"] = f"{title}（Word）"
            names[f"{kind}.html"] = f"{title}（PDF）"
    names["document.css"] = "PDF 文书的样式表"
    return names


def own_templates(site: Site) -> Path:
    """The organisation's template folder: the configuration's [templates] dir, else the data folder's 模板."""
    return site.config.template_folder() or (site.store.folder / TEMPLATE_FOLDER).resolve()


def templates_state(site: Site, account: Account) -> dict[str, Any]:
    """Which templates are the organisation's own, and every problem the check finds in them."""
    need(account, "admin")
    folder = own_templates(site)
    mine = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    problems = api.check_templates(folder)[1] if mine else []
    return {"files": [{"name": name, "what": what, "own": name in mine} for name, what in template_names().items()],
            "problems": problems, "errors": sum(1 for p in problems if p.error), "folder": str(folder)}


def upload_template(site: Site, account: Account, filename: str, data: bytes) -> str:
    """Keep an uploaded template (its name must be one docgen uses) in the organisation's template folder and
    use that folder from now on; the name it is kept under (templates_state() then holds its problems)."""
    need(account, "admin")
    name = Path(filename.replace("\\", "/")).name.strip()
    if name not in template_names():
        raise Refused(f"“{name}”不是模板的文件名：模板按文书种类命名，如 proposal.docx（立项表）、plan.html（计划书）；"
                      f"可用的文件名见下方列表")
    if len(data) > limit_bytes(site):
        raise Refused(f"文件超过 {site.config.limits.file_mb:g} MB 的上限", 413)
    if name.endswith(".docx") and not (data.startswith(b"PK") and b"word/document.xml" in data):
        raise Refused("这个文件不是 Word 文档（.docx）；请在 Word 或 WPS 中另存为 .docx 后再上传")
    if not name.endswith(".docx"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("这个文件不是 UTF-8 编码的文本；请用记事本“另存为”UTF-8 后再上传") from None
    folder = own_templates(site)
    folder.mkdir(parents=True, exist_ok=True)
    guards.write_whole(folder / name, data)
    if site.config.template_folder() is None:  # from now on the runs use the folder
        site.save_config(site.config.model_copy(update={"templates": site.config.templates.model_copy(
            update={"dir": str(folder)})}))
    return name


def remove_template(site: Site, account: Account, name: str) -> None:
    """Go back to docgen's own template of this name."""
    need(account, "admin")
    target = own_templates(site) / name
    if name not in template_names() or not target.is_file():
        raise Refused("没有这个自己的模板", 404)
    target.unlink()


def exported_templates(site: Site, account: Account) -> bytes:
    """docgen's own templates and 说明.md as one zip, the start of the organisation's."""
    need(account, "admin")
    with tempfile.TemporaryDirectory() as scratch:
        written = api.export_templates(Path(scratch) / "模板")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, f"模板/{path.name}")
    return buffer.getvalue()
