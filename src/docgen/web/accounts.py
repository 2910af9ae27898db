"""Signing in and out, and setting a password from a one-time activation link."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import security
from .site import Site, render, signed_in


async def home(request: Request, site: Site) -> Response:
    account = signed_in(request, site)
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
