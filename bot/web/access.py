"""Access control for every staff route, checked on the server.

Each staff handler declares who may use it with `@allow(...)`. The middleware fails closed:
a route under /staff without a declaration answers 403 to everyone. Not logged in means a
redirect to the login page; a wrong role 403; a conversation outside one's units 403
(`require_unit`). Every POST must carry the CSRF token. Errors are HTML pages here.
"""

from __future__ import annotations

import logging
from typing import Callable
from urllib.parse import quote

from aiohttp import web

from bot.web import csrf, sessions
from bot.web.errors import PageError
from bot.web.pages import render
from bot.web.paths import LOGIN_PATH, is_staff_path

log = logging.getLogger(__name__)

STAFF_KEY = "brukarrost.staff"
PUBLIC = "public"
ANYONE = ("admin", "staff", "analyst")


def allow(*roles: str) -> Callable:
    """Mark a handler with the roles that may use it (PUBLIC: no login needed)."""

    def mark(handler):
        handler.staff_roles = frozenset(roles)
        return handler

    return mark


def staff_of(request: web.Request) -> sessions.Staff:
    return request[STAFF_KEY]


def require_unit(request: web.Request, unit_id: str | None) -> None:
    """403 unless the logged-in person works in this unit."""
    if unit_id is None or unit_id not in staff_of(request).unit_ids:
        raise PageError(403, "Du har inte behörighet till den här enheten.")


def client_ip(request: web.Request) -> str:
    return request.remote or "-"


def _roles_of(request: web.Request) -> frozenset[str]:
    handler = request.match_info.handler
    return getattr(handler, "staff_roles", frozenset())


async def _guard(request: web.Request) -> None:
    """Raise the right answer unless this request may reach its handler."""
    exception = request.match_info.http_exception
    if exception is not None:
        raise exception
    roles = _roles_of(request)
    staff = await sessions.load(request)
    request[STAFF_KEY] = staff
    if PUBLIC in roles:
        if request.method == "POST":
            await csrf.check(request, request.cookies.get(csrf.LOGIN_COOKIE))
        return
    if staff is None:
        target = request.path_qs if request.method == "GET" else "/staff/"
        raise web.HTTPFound(f"{LOGIN_PATH}?next={quote(target, safe='')}")
    if staff.role not in roles:
        raise PageError(403, "Din roll har inte tillgång till den här sidan.")
    if request.method == "POST":
        await csrf.check(request, staff.csrf_token)


def _secure_headers(response: web.StreamResponse) -> None:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'",
    )


@web.middleware
async def staff_pages(request: web.Request, handler) -> web.StreamResponse:
    if not is_staff_path(request.path):
        return await handler(request)
    try:
        await _guard(request)
        response = await handler(request)
    except PageError as exc:
        response = _error_page(request, exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            _secure_headers(exc)
            raise
        response = _error_page(request, exc.status, None)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        response = _error_page(request, 500, "Något gick fel hos oss. Försök igen.")
    if not response.prepared:
        _secure_headers(response)
    return response


TITLES = {403: "Ingen behörighet", 404: "Sidan finns inte", 405: "Det går inte att göra så",
          429: "För många försök"}


def _error_page(request: web.Request, status: int, message: str | None) -> web.Response:
    title = TITLES.get(status, "Något gick fel")
    message = message or title + "."
    return render(request, "error.html", {"title": title, "message": message, "status": status},
                  status=status)
