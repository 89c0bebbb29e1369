"""Logging in and out, with rate limiting and a temporary lockout after failed attempts."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.appkeys import SESSIONS
from bot.web import csrf, passwords, sessions
from bot.web.access import ANYONE, PUBLIC, allow, client_ip, staff_of
from bot.web.audit_log import log
from bot.web.pages import render
from storage import audit, users
from storage.models import utcnow

routes = web.RouteTableDef()

MAX_FAILURES = 5  # per e-mail within LOCKOUT, then locked until LOCKOUT after the last one
LOCKOUT = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 20  # per client address and minute, whatever the e-mail
HOME = {"admin": "/staff/admin/audit", "staff": "/staff/", "analyst": "/staff/export"}
WRONG = "Fel e-post eller lösenord."
LOCKED = "För många misslyckade försök. Vänta 15 minuter och försök igen."


def _next(request: web.Request, role: str | None = None) -> str:
    target = request.query.get("next", "")
    if target.startswith("/staff/") and not target.startswith("//"):
        return target
    return HOME.get(role or "", "/staff/")


def _login_page(request: web.Request, error: str | None = None, email: str = "",
                status: int = 200) -> web.Response:
    token = csrf.login_token(request)
    response = render(request, "login.html", {"error": error, "email": email, "csrf": token,
                                              "next": request.query.get("next", "")},
                      status=status)
    csrf.set_login_cookie(request, response, token)
    return response


@routes.get("/staff")
@allow(PUBLIC)
async def staff_root(request: web.Request) -> web.Response:
    raise web.HTTPFound("/staff/")


@routes.get("/staff/login")
@allow(PUBLIC)
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


async def _blocked(session, email: str, ip: str) -> bool:
    now = utcnow()
    per_address, _ = await audit.failures_since(session, now - timedelta(minutes=1), ip=ip)
    if per_address >= MAX_FAILURES_PER_ADDRESS:
        return True
    since = now - LOCKOUT
    success = await audit.last_success(session, email)
    if success is not None and success > since:
        since = success
    failures, _ = await audit.failures_since(session, since, actor=email)
    return failures >= MAX_FAILURES


@routes.post("/staff/login")
@allow(PUBLIC)
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:254]
    password = str(form.get("password", ""))[:1024]
    ip = client_ip(request)
    async with request.app[SESSIONS]() as session, session.begin():
        if await _blocked(session, email, ip):
            await audit.record(session, "login_blocked", email or "-", ip=ip)
            return _login_page(request, LOCKED, email, status=429)
        user = await users.by_email(session, email)
    ok = await passwords.verify(user.password_hash if user else None, password)
    ok = ok and user is not None and user.active
    async with request.app[SESSIONS]() as session, session.begin():
        if not ok:
            await audit.record(session, "login_failed", email or "-", ip=ip)
        else:
            await audit.record(session, "login", email, user_id=user.id, ip=ip)
    if not ok:
        return _login_page(request, WRONG, email, status=401)
    response = web.HTTPFound(_next(request, user.role))
    await sessions.start(request, response, user.id)
    response.del_cookie(csrf.LOGIN_COOKIE, path="/staff")
    raise response


@routes.post("/staff/logout")
@allow(*ANYONE)
async def logout(request: web.Request) -> web.Response:
    staff = staff_of(request)
    async with request.app[SESSIONS]() as session, session.begin():
        await log(session, request, "logout")
    response = web.HTTPFound("/staff/login")
    await sessions.end(request, response, staff)
    raise response


@routes.get("/staff/style.css")
@allow(PUBLIC)
async def style(request: web.Request) -> web.FileResponse:
    from pathlib import Path

    return web.FileResponse(Path(__file__).resolve().parent / "static" / "staff.css")
