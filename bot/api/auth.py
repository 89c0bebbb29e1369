"""Bearer tokens for /api/: who is asking, whether they may, and the audit entry.

Fails closed: every request under /api/ needs `Authorization: Bearer <token>` of a live
token of an active account. No, a malformed, unknown or revoked token: 401 with
`WWW-Authenticate: Bearer`. A valid token of an account whose role may not read the API
(staff): 403. Every authenticated request is written to the audit log (who, which route
and query) and sets the token's last_used_at, in one transaction, before the handler runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from bot.api.tokens import MAX_LENGTH, ROLES, token_hash
from bot.appkeys import SESSIONS
from bot.http_errors import json_error
from bot.limits import client_address
from storage import api_tokens, audit

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
CALLER_KEY = "brukarrost.api_caller"
MAX_TARGET, MAX_DETAIL = 128, 500


@dataclass(frozen=True)
class Caller:
    user_id: int
    email: str
    role: str
    token_id: int


def caller_of(request: web.Request) -> Caller:
    return request[CALLER_KEY]


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_LENGTH:
        return None
    return token


def unauthorized(message: str) -> web.Response:
    response = json_error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="brukarrost"'
    return response


async def _authenticate(request: web.Request) -> Caller | web.Response:
    token = _bearer(request)
    if token is None:
        return unauthorized("Send an API token: Authorization: Bearer <token>.")
    async with request.app[SESSIONS]() as session, session.begin():
        found = await api_tokens.owner(session, token_hash(token))
        if found is None:
            return unauthorized("The API token is unknown or revoked.")
        row, user = found
        allowed = user.role in ROLES
        await api_tokens.touch(session, row.id)
        await audit.record(
            session, "api_request" if allowed else "api_forbidden", user.email,
            user_id=user.id, target=request.path[:MAX_TARGET],
            detail=f"{request.method} {request.query_string}"[:MAX_DETAIL] if
            request.query_string else request.method, ip=client_address(request) or None)
    if not allowed:
        return json_error(403, "This account's role may not read the API "
                               f"(needs {' or '.join(ROLES)}).")
    return Caller(user.id, user.email, user.role, row.id)


@web.middleware
async def bearer_tokens(request: web.Request, handler) -> web.StreamResponse:
    if not request.path.startswith(API_PREFIX):
        return await handler(request)
    if request.match_info.http_exception is not None:
        # 404 or 405 for a route that does not exist: no token needed to learn that
        return await handler(request)
    found = await _authenticate(request)
    if isinstance(found, web.StreamResponse):
        return found
    request[CALLER_KEY] = found
    response = await handler(request)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
