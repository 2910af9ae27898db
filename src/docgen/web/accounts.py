"""The pages of signing in and out, and of setting a password from a one-time activation link."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import actions
from .actions import Refused
from .site import Site, address, render, signed_in


async def home(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
    return RedirectResponse("/admin" if account.admin else "/branch", status_code=303)


async def login(request: Request, site: Site) -> Response:
    if request.method == "GET":
        return render(request, site, "login.html")
    form = await request.form()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    try:
        await actions.sign_in(site, request.session, address(request), name, password)
    except Refused as exc:
        return render(request, site, "login.html", exc.status_code, name=name, problem=exc.message)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request, site: Site) -> Response:
    actions.sign_out(site, request.session)
    return RedirectResponse("/login", status_code=303)


async def activate(request: Request, site: Site) -> Response:
    token = request.path_params["token"]
    target = actions.activation(site, token)
    if request.method == "GET":
        return render(request, site, "activate.html", target=target)
    form = await request.form()
    try:
        await actions.activate(site, request.session, token, str(form.get("password", "")), str(form.get("again", "")),
                               address(request))
    except Refused as exc:
        return render(request, site, "activate.html", exc.status_code, target=target, problem=exc.message)
    return RedirectResponse("/", status_code=303)
