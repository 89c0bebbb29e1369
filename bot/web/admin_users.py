"""Admins' users page: who has an account, with which role and units; add and deactivate."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.appkeys import CATALOG, SESSIONS
from bot.web import passwords
from bot.web.access import allow
from bot.web.audit_log import log
from bot.web.pages import render
from storage import users

routes = web.RouteTableDef()


async def _page(request: web.Request, error: str | None = None, status: int = 200):
    async with request.app[SESSIONS]() as session:
        accounts = await users.all_users(session)
    return render(request, "admin_users.html", {
        "accounts": accounts, "roles": users.ROLES, "error": error,
        "units": list(request.app[CATALOG].units.values()),
    }, status=status)


@routes.get("/staff/admin/users")
@allow("admin")
async def user_list(request: web.Request) -> web.Response:
    return await _page(request)


def _problem(email: str, role: str, unit_ids: list[str], password: str, known: set) -> str | None:
    if "@" not in email or len(email) > 254:
        return "Skriv en giltig e-postadress."
    if role not in users.ROLES:
        return "Välj en roll."
    if role == "staff" and not unit_ids:
        return "Personal behöver minst en enhet."
    if set(unit_ids) - known:
        return "Okänd enhet."
    if passwords.problem(password):
        return f"Lösenordet måste ha minst {passwords.MIN_LENGTH} tecken."
    return None


@routes.post("/staff/admin/users")
@allow("admin")
async def create(request: web.Request) -> web.Response:
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()
    role = str(form.get("role", ""))
    unit_ids = [str(u) for u in form.getall("unit", [])]
    password = str(form.get("password", ""))
    problem = _problem(email, role, unit_ids, password, set(request.app[CATALOG].units))
    if problem:
        return await _page(request, problem, status=400)
    hashed = await asyncio.get_running_loop().run_in_executor(
        None, passwords.hash_password, password)
    try:
        async with request.app[SESSIONS]() as session, session.begin():
            await users.create_user(session, email, hashed, role, unit_ids)
            await log(session, request, "user_created", target=email,
                      detail=f"role={role} units={','.join(unit_ids)}")
    except IntegrityError:
        return await _page(request, "Det finns redan ett konto med den e-postadressen.", 400)
    raise web.HTTPFound("/staff/admin/users")


@routes.post("/staff/admin/users/{user_id:\\d+}/active")
@allow("admin")
async def set_active(request: web.Request) -> web.Response:
    form = await request.post()
    active = form.get("active") == "1"
    async with request.app[SESSIONS]() as session, session.begin():
        user = await users.set_active(session, int(request.match_info["user_id"]), active)
        if user is None:
            raise web.HTTPNotFound()
        await log(session, request, "user_activated" if active else "user_deactivated",
                  target=user.email)
    raise web.HTTPFound("/staff/admin/users")
