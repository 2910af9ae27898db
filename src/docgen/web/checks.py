"""The branch's pages: its blank workbook, upload and check, the drawn result, the marked copy,
handing in, and the preview of its documents. The check pages serve the department too."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import api
from . import actions
from .actions import Refused
from .site import XLSX, Site, attachment, photos_of, render, served, signed_in


def _branch_page(request: Request, site: Site, status: int = 200, problem: str | None = None) -> Response:
    account = signed_in(request, site)
    handed = actions.submissions(site, account)
    return render(request, site, "branch.html", status, submissions=handed,
                  still=actions.still_in_effect(handed[0] if handed else None, actions.in_effect(site, account.branch)),
                  left=actions.uploads_left(site, account), problem=problem,
                  photo_accept=",".join(actions.PHOTO_SUFFIXES))


async def branch_page(request: Request, site: Site) -> Response:
    actions.need(signed_in(request, site), "branch")
    return _branch_page(request, site)


async def branch_template(request: Request, site: Site) -> Response:
    name, data = actions.blank_workbook(site, signed_in(request, site))
    return Response(data, media_type=XLSX, headers=attachment(name))


async def upload_check(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    actions.need(account, "branch")
    form = await request.form()
    upload = form.get("workbook")
    try:
        if not isinstance(upload, UploadFile):
            raise Refused("请选择要上传的申报表（.xlsx）")
        check_id = await actions.check_upload(site, account, upload.filename or "", upload.file, photos_of(form))
    except Refused as exc:
        return _branch_page(request, site, exc.status_code, exc.message)
    return RedirectResponse(f"/checks/{check_id}", status_code=303)


async def show_check(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    check = actions.own_check(site, account, request.path_params["id"])
    issues, views = await actions.drawing(site, check)
    return render(request, site, "check.html", check=check, issues=issues, views=views,
                  submitted=actions.submission_of(site, check), readable=actions.readable(check))


async def annotated_copy(request: Request, site: Site) -> Response:
    check = actions.own_check(site, signed_in(request, site), request.path_params["id"])
    name, data = await actions.marked_copy(site, check)
    return Response(data, media_type=XLSX, headers=attachment(name))


async def submit_check(request: Request, site: Site) -> Response:
    form = await request.form()
    actions.submit(site, signed_in(request, site), request.path_params["id"], form.get("confirm") == "yes")
    return RedirectResponse("/branch", status_code=303)


async def preview_page(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    accepted, folder = await run_in_threadpool(actions.previews, site, account)
    return render(request, site, "preview.html", accepted=accepted, documents=_documents(actions.preview_files(folder)),
                  unmade=actions.preview_unmade(folder))


def _documents(files: list[str]) -> list[dict[str, str]]:
    """The preview's PDFs as the page lists them, in the order of the documents' kinds: each with its kind's
    title and the rest of its name (the project code, the 报告期)."""
    titles = list(api.TITLES.values())
    found = []
    for path in files:
        stem = path.rsplit("/", 1)[-1].removesuffix(".pdf")
        title = next((t for t in titles if t in stem), stem)
        about = stem.replace(title, "").replace("__", "_").strip("_").replace("_", " ")
        found.append({"path": path, "title": title, "about": about, "order": titles.index(title)
                      if title in titles else len(titles)})
    return sorted(found, key=lambda d: (d["order"], d["about"]))


async def preview_file(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    target = await run_in_threadpool(actions.preview_file, site, account, request.path_params["path"])
    return served(target)
