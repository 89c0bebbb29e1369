"""Server-side staff sessions: a random token in an HttpOnly cookie, its hash in the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.appkeys import SESSIONS, SETTINGS
from storage import users
from storage.models import utcnow

COOKIE = "brukarrost_staff"


@dataclass(frozen=True)
class Staff:
    """The logged-in person, as every staff handler sees them."""

    user_id: int
    email: str
    role: str
    unit_ids: tuple[str, ...]
    csrf_token: str
    token_hash: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cookie_options(request: web.Request) -> dict:
    secure = request.app[SETTINGS].cookie_secure or request.secure
    return {"httponly": True, "samesite": "Strict", "secure": secure, "path": "/staff"}


async def load(request: web.Request) -> Staff | None:
    """The staff member of this request's session cookie, if the session is live."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    hashed = token_hash(token)
    async with request.app[SESSIONS]() as session:
        found = await users.session_user(session, hashed, utcnow())
        if found is None:
            return None
        staff_session, user = found
        units = await users.unit_ids(session, user.id)
    return Staff(user.id, user.email, user.role, tuple(units), staff_session.csrf_token, hashed)


async def start(request: web.Request, response: web.StreamResponse, user_id: int) -> None:
    """Open a new session (a fresh token on every login) and set its cookie."""
    token = secrets.token_urlsafe(32)
    hours = request.app[SETTINGS].session_hours
    async with request.app[SESSIONS]() as session, session.begin():
        await users.drop_expired_sessions(session, utcnow())
        await users.open_session(session, token_hash(token), user_id, secrets.token_urlsafe(32),
                                 utcnow() + timedelta(hours=hours))
    response.set_cookie(COOKIE, token, max_age=hours * 3600, **cookie_options(request))


async def end(request: web.Request, response: web.StreamResponse, staff: Staff) -> None:
    async with request.app[SESSIONS]() as session, session.begin():
        await users.close_session(session, staff.token_hash)
    response.del_cookie(COOKIE, path="/staff")
