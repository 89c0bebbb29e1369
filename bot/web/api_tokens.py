"""Analysts and admins make and revoke their own tokens for the read-only JSON API
(/api/v1). A new token is shown once, on the page that made it; only its hash is kept.
Logged like the CLI's `brukarrost token create|revoke`."""

from __future__ import annotations

from aiohttp import web

from bot.api import tokens
from bot.appkeys import SESSIONS
from bot.web.access import PageError, allow, staff_of
from bot.web.audit_log import log
from bot.web.pages import render
from storage import api_tokens

routes = web.RouteTableDef()


async def _page(request: web.Request, *, new_token: str | None = None,
                error: str | None = None, status: int = 200) -> web.Response:
    async with request.app[SESSIONS]() as session:
        found = await api_tokens.listed(session, staff_of(request).user_id)
    return render(request, "tokens.html", {
        "tokens": [token for token, _email in found], "new_token": new_token, "error": error,
        "max_name": tokens.MAX_NAME}, status=status)


@routes.get("/staff/tokens")
@allow(*tokens.ROLES)
async def token_page(request: web.Request) -> web.Response:
    return await _page(request)


@routes.post("/staff/tokens")
@allow(*tokens.ROLES)
async def create(request: web.Request) -> web.Response:
    form = await request.post()
    name = " ".join(str(form.get("name", "")).split()) or None
    if name and len(name) > tokens.MAX_NAME:
        return await _page(request, error=f"Namnet får vara högst {tokens.MAX_NAME} tecken.",
                           status=400)
    token = tokens.new_token()
    async with request.app[SESSIONS]() as session, session.begin():
        row = await api_tokens.create(session, staff_of(request).user_id,
                                      tokens.token_hash(token), name)
        await log(session, request, "api_token_created", target=staff_of(request).email,
                  detail=f"token={row.id}" + (f" name={name}" if name else ""))
    return await _page(request, new_token=token)


@routes.post("/staff/tokens/{token_id:\\d{1,9}}/revoke")
@allow(*tokens.ROLES)
async def revoke(request: web.Request) -> web.Response:
    token_id = int(request.match_info["token_id"])
    async with request.app[SESSIONS]() as session, session.begin():
        if await api_tokens.revoke(session, token_id, staff_of(request).user_id) is None:
            raise PageError(400, "Du har ingen sådan aktiv nyckel.")
        await log(session, request, "api_token_revoked", target=staff_of(request).email,
                  detail=f"token={token_id}")
    raise web.HTTPFound("/staff/tokens")
