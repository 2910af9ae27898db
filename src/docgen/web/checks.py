"""The branch's pages: its blank workbook, upload and check, the drawn result, the marked copy,
handing in, and the preview of its documents. The check pages serve the department too."""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from .. import api
from ..documents import safe_name
from ..issues import unreadable
from . import sheets, work
from .site import XLSX, Site, attachment, limit_bytes, render, signed_in
from .store import Account, file_inside


PREVIEWED = ".made"  # in a preview folder: its PDFs are complete


async def branch_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site, "branch")
    return render(request, site, "branch.html", submissions=site.store.submissions(account.branch))


async def branch_template(request: Request, site: Site) -> Response:
    account = signed_in(request, site, "branch")
    with tempfile.TemporaryDirectory() as folder:
        path = api.write_intake_template(Path(folder) / "申报表.xlsx", site.config, branch=account.branch)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers=attachment(f"{account.branch}-申报表.xlsx"))


async def upload_check(request: Request, site: Site) -> Response:
    account = signed_in(request, site, "branch")
    form = await request.form()
    upload = form.get("workbook")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, site, "branch.html", 400, submissions=site.store.submissions(account.branch),
                      problem="请选择要上传的申报表（.xlsx）")
    data = await upload.read(limit_bytes(site) + 1)
    if len(data) > limit_bytes(site):
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


def _keep(site: Site, data: bytes) -> str:
    """Keep an upload unchanged under a generated name (whole or not at all); return the name."""
    stored = f"{secrets.token_hex(16)}.xlsx"
    with tempfile.NamedTemporaryFile(dir=site.store.uploads, prefix=".~", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, site.store.uploads / stored)
    return stored


def own_check(request: Request, site: Site) -> tuple[Account, dict[str, Any]]:
    """The check of the URL when this account may see it; 404 otherwise (another branch's looks absent)."""
    account = signed_in(request, site)
    check = site.store.check(request.path_params["id"])
    if check is None or (not account.admin and check["branch"] != account.branch):
        raise HTTPException(404, "找不到这次校验")
    return account, check


def readable(check: dict[str, Any]) -> bool:
    """Whether the checked file could be read as a workbook (no file_… issue): it can be drawn and marked."""
    return not any(unreadable(issue["code"]) for issue in check["report"]["issues"])


async def show_check(request: Request, site: Site) -> Response:
    account, check = own_check(request, site)
    path = site.store.uploads / check["stored"]
    try:
        views = await site.work(work.draw, str(path), check["report"], site.config) if readable(check) else []
    except Exception:  # noqa: BLE001 - the issues are shown without the drawing rather than not at all
        views = []
    titles = [view.title for view in views]
    issues = [{**issue, "anchor": sheets.cell_anchor(titles, issue["sheet"], issue["cell"])
               if issue.get("sheet") in titles and issue.get("cell") else None} for issue in check["report"]["issues"]]
    submitted = next((s for s in site.store.submissions(check["branch"]) if s["check_id"] == check["id"]), None)
    return render(request, site, "check.html", check=check, issues=issues, views=views, submitted=submitted,
                  readable=readable(check))


async def annotated_copy(request: Request, site: Site) -> Response:
    _, check = own_check(request, site)
    if not readable(check):
        raise HTTPException(404, "这个文件不是可以读取的工作簿，没有标注副本；请按校验结果另存为 .xlsx 后重新上传")
    data = await site.work(work.annotated, str(site.store.uploads / check["stored"]), check["original"], site.config)
    return Response(data, media_type=XLSX, headers=attachment(f"{Path(check['original']).stem}.校验.xlsx"))


async def submit_check(request: Request, site: Site) -> Response:
    account, check = own_check(request, site)
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
    account = signed_in(request, site, "branch")
    accepted, folder = await run_in_threadpool(_previews, site, account)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")) if folder else []
    return render(request, site, "preview.html", accepted=accepted, files=files)


async def preview_file(request: Request, site: Site) -> Response:
    account = signed_in(request, site, "branch")
    accepted, folder = await run_in_threadpool(_previews, site, account)
    target = file_inside(folder, request.path_params["path"]) if folder else None
    if target is None or target.suffix != ".pdf":
        raise HTTPException(404, "找不到这份文书")
    return FileResponse(target, filename=target.name, content_disposition_type="inline")
