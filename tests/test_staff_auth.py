"""Staff accounts through HTTP and the CLI: login, sessions, cookies, CSRF, lockout, logout."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from bot import cli
from bot.appkeys import SESSIONS
from storage.models import AuditEntry, StaffSession, StaffUser, utcnow
from tests.staff import PASSWORD, add_user, csrf_of, login, post


async def _audit(client) -> list[tuple[str, str]]:
    async with client.server.app[SESSIONS]() as session:
        rows = await session.execute(select(AuditEntry.action, AuditEntry.actor)
                                     .order_by(AuditEntry.id))
        return [tuple(row) for row in rows]


async def test_user_create_on_the_command_line_then_log_in(client, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    loop = asyncio.get_running_loop()
    code = await loop.run_in_executor(None, cli.main, [
        "user", "create", "--email", "Anna@Example.se", "--role", "staff",
        "--unit", "barn-och-familj", "--unit", "arbetsmarknad", "--password-stdin"])
    assert code == 0
    async with client.server.app[SESSIONS]() as session:
        user = (await session.execute(select(StaffUser))).scalar_one()
    assert user.email == "anna@example.se" and user.role == "staff"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash

    response = await login(client, "anna@example.se")
    assert response.headers["Location"] == "/staff/"
    cookie = [v for k, v in response.headers.items() if k == "Set-Cookie"
              and v.startswith("brukarrost_staff=")][0]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    async with client.server.app[SESSIONS]() as session:
        stored = (await session.execute(select(StaffSession))).scalar_one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.expires_at is not None
    inbox = await client.get("/staff/", allow_redirects=False)
    assert inbox.status == 200 and "Inkorg" in await inbox.text()
    assert ("login", "anna@example.se") in await _audit(client)


def test_user_create_refuses_short_passwords_and_unknown_units(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert cli.main(["user", "create", "--email", "a@b.se", "--role", "admin",
                     "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "create", "--email", "a@b.se", "--role", "staff", "--unit",
                     "finns-inte", "--password-stdin"]) == 2


async def test_wrong_password_is_refused_and_logged(client):
    await add_user(client, "eva@example.se", "admin")
    response = await login(client, "eva@example.se", "fel-losenord-xyz", status=401)
    assert "Fel e-post eller lösenord." in await response.text()
    await login(client, "ingen@example.se", "fel-losenord-xyz", status=401)
    assert (await client.get("/staff/admin/audit", allow_redirects=False)).status == 302
    assert await _audit(client) == [("login_failed", "eva@example.se"),
                                    ("login_failed", "ingen@example.se")]


async def test_five_failures_lock_the_account_for_a_while(client, monkeypatch):
    await add_user(client, "lars@example.se", "staff", ["barn-och-familj"])
    for _ in range(5):
        await login(client, "lars@example.se", "fel-losenord-xyz", status=401)
    locked = await login(client, "lars@example.se", status=429)
    assert "Vänta 15 minuter" in await locked.text()
    assert (await _audit(client))[-1] == ("login_blocked", "lars@example.se")
    # the failures age out: 16 minutes later the right password works again
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr("bot.web.auth.utcnow", lambda: later)
    await login(client, "lars@example.se")


async def test_the_audit_log_is_append_only_in_the_database(client):
    await login(client, "nobody@example.se", "fel-losenord-xyz", status=401)
    for statement in (update(AuditEntry).values(actor="someone else"), delete(AuditEntry)):
        with pytest.raises(DBAPIError):
            async with client.server.app[SESSIONS]() as session, session.begin():
                await session.execute(statement)
    assert await _audit(client) == [("login_failed", "nobody@example.se")]


async def test_logout_ends_the_session_on_the_server(client):
    await add_user(client, "kim@example.se", "staff", ["barn-och-familj"])
    await login(client, "kim@example.se")
    cookies = {c.key: c.value for c in client.session.cookie_jar}
    await post(client, "/staff/logout", {})
    async with client.server.app[SESSIONS]() as session:
        assert (await session.execute(select(StaffSession))).first() is None
    # the old cookie, replayed, no longer opens anything
    client.session.cookie_jar.update_cookies(cookies)
    again = await client.get("/staff/", allow_redirects=False)
    assert again.status == 302 and again.headers["Location"].startswith("/staff/login")
    assert ("logout", "kim@example.se") in await _audit(client)


async def test_an_expired_session_sends_one_to_the_login_page(client):
    await add_user(client, "ola@example.se", "staff", ["barn-och-familj"])
    await login(client, "ola@example.se")
    async with client.server.app[SESSIONS]() as session, session.begin():
        await session.execute(update(StaffSession).values(expires_at=utcnow()))
    response = await client.get("/staff/crisis", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] in ("/staff/login?next=/staff/crisis",
                                            "/staff/login?next=%2Fstaff%2Fcrisis")


async def test_a_post_without_the_csrf_token_is_refused(client):
    conversation = await _seeded(client)
    await add_user(client, "per@example.se", "staff", ["barn-och-familj"])
    await login(client, "per@example.se")
    path = f"/staff/conversations/{conversation}/reviewed"
    missing = await client.post(path, data={"reviewed": "1"}, allow_redirects=False)
    wrong = await client.post(path, data={"reviewed": "1", "csrf": "gissat"},
                              allow_redirects=False)
    assert missing.status == wrong.status == 403
    assert "text/html" in missing.headers["Content-Type"]
    assert [a for a, _ in await _audit(client)] == ["login"]
    await post(client, path, {"reviewed": "1"}, token=await csrf_of(client))
    # the login form itself needs its token too
    client.session.cookie_jar.clear()
    bare = await client.post("/staff/login", data={"email": "per@example.se",
                                                   "password": PASSWORD})
    assert bare.status == 403


async def test_cookies_are_secure_when_the_setting_says_so(make_client, settings):
    client = await make_client(settings, cookie_secure=True)
    await add_user(client, "sara@example.se", "analyst")
    form = await client.get("/staff/login")
    assert "Secure" in form.headers["Set-Cookie"]


async def test_staff_errors_are_html_and_public_errors_stay_json(client):
    page = await client.get("/staff/finns-inte")
    assert page.status == 404 and "text/html" in page.headers["Content-Type"]
    assert 'lang="sv"' in await page.text()
    public = await client.get("/finns-inte")
    assert public.status == 404 and await public.json() == {"error": "Not Found"}


async def _seeded(client) -> str:
    from tests.staff import seed

    return await seed(client, "barn-och-familj")
