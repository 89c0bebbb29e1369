"""CSRF protection: every POST under /staff carries a token that a third-party page cannot know.

Logged in, the token belongs to the server-side session. On the login form (no session yet)
it is a random value in a short-lived cookie that the form must repeat (double submit).
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from bot.web.errors import PageError

FIELD = "csrf"
LOGIN_COOKIE = "brukarrost_login_csrf"


def login_token(request: web.Request) -> str:
    """The login form's token: the one in the cookie, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)


def set_login_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    from bot.web.sessions import cookie_options

    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **cookie_options(request))


async def check(request: web.Request, expected: str | None) -> None:
    """Raise 403 unless the form's token equals the expected one."""
    form = await request.post()
    given = form.get(FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise PageError(403, "Formuläret har gått ut. Ladda om sidan och försök igen.")
