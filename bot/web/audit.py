"""The audit log for admins: a page and a CSV export (the export is itself logged)."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.appkeys import SESSIONS
from bot.web.access import allow
from bot.web.audit_log import log
from bot.web.csv_stream import stream_csv
from bot.web.pages import page_number, render
from storage import audit

routes = web.RouteTableDef()

PAGE = 50


@routes.get("/staff/admin/audit")
@allow("admin")
async def audit_page(request: web.Request) -> web.Response:
    action = request.query.get("action", "").strip()[:64] or None
    actor = request.query.get("actor", "").strip()[:254] or None
    page = page_number(request)
    async with request.app[SESSIONS]() as session:
        entries, total = await audit.page(session, (page - 1) * PAGE, PAGE, action, actor)
    kept = {k: v for k, v in (("action", action), ("actor", actor)) if v}
    pages = max(1, -(-total // PAGE))
    return render(request, "audit.html", {
        "entries": entries, "total": total, "page": page, "pages": pages,
        "action": action or "", "actor": actor or "",
        "previous": urlencode({**kept, "page": page - 1}) if page > 1 else None,
        "next": urlencode({**kept, "page": page + 1}) if page < pages else None,
    })


@routes.get("/staff/admin/audit.csv")
@allow("admin")
async def audit_csv(request: web.Request) -> web.StreamResponse:
    async with request.app[SESSIONS]() as session, session.begin():
        await log(session, request, "audit_export")

    async def rows():
        async with request.app[SESSIONS]() as session:
            async for entry in audit.stream(session):
                yield [entry.at.isoformat(), entry.actor, entry.action, entry.target or "",
                       entry.detail or "", entry.ip or ""]

    return await stream_csv(request, "granskningslogg.csv", audit.COLUMNS, rows())
