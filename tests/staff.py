"""Helpers for the staff pages in tests: accounts, logging in, forms with their CSRF token,
and conversations written straight into the database."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from aiohttp import FormData

from bot.appkeys import CATALOG, SESSIONS
from bot.web import passwords
from storage import conversations as conversation_store
from storage import users
from storage.models import Flag, Message

PASSWORD = "ett-langt-losenord-2026"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SESSION_CSRF = re.compile(r'action="/staff/logout">\s*<input type="hidden" name="csrf" value="([^"]+)"')
_HASH = passwords.hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


async def add_user(client, email: str, role: str, units: list[str] | None = None) -> int:
    async with client.server.app[SESSIONS]() as session, session.begin():
        user = await users.create_user(session, email, _HASH, role, units or [])
        return user.id


async def login(client, email: str, password: str = PASSWORD, status: int = 302):
    """Log in through the login form; returns the response (redirects not followed)."""
    client.session.cookie_jar.clear()
    form = await client.get("/staff/login")
    token = CSRF.search(await form.text()).group(1)
    response = await client.post("/staff/login", data={"csrf": token, "email": email,
                                                        "password": password},
                                 allow_redirects=False)
    assert response.status == status, await response.text()
    return response


async def csrf_of(client) -> str:
    """The session's CSRF token, from the logout form that every page carries when logged in."""
    page = await client.get("/staff/login")
    return SESSION_CSRF.search(await page.text()).group(1)


async def post(client, path: str, data: dict, status: int | None = 302,
               token: str | None = None):
    """POST a staff form with the session's CSRF token (a list value: the field repeated)."""
    token = token or await csrf_of(client)
    fields = [("csrf", token)] + [(name, value) for name, values in data.items()
                                  for value in (values if isinstance(values, list) else [values])]
    response = await client.post(path, data=FormData(fields), allow_redirects=False)
    if status is not None:
        assert response.status == status, await response.text()
    return response


async def seed(client, unit: str, *, consultation: str = "brukarundersokning-ifo",
               days_ago: float = 0, status: str = "completed", flagged: bool = False,
               texts: tuple[str, ...] = ("hej",)) -> str:
    """A conversation written straight into the database, as the engine would have left it."""
    app = client.server.app
    version_id, _ = app[CATALOG].current(consultation)
    started = datetime.now(timezone.utc) - timedelta(days=days_ago)
    async with app[SESSIONS]() as session, session.begin():
        conversation = await conversation_store.create(
            session, sender_hash=f"seed-{started.timestamp()}-{unit}", channel="rest",
            consultation_id=consultation, version_id=version_id, unit_id=unit, lang="sv",
            status=status)
        conversation.started_at = started
        conversation.flagged = flagged
        for number, text in enumerate(texts):
            session.add(Message(conversation_id=conversation.id, direction="in", text=text,
                                created_at=started + timedelta(seconds=number)))
        if flagged:
            session.add(Flag(conversation_id=conversation.id, kind="crisis", status="new",
                             created_at=started))
        return conversation.id
