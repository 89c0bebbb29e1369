"""The HTML report over HTTP: `report_response(request, units)` renders the report of
`/staff/reports/{consultation}[?from=YYYY-MM-DD&to=YYYY-MM-DD]` for the units the signed-in
person may see (`units=None`: every unit). The route and its access check live in
bot/web/reports.py, behind the staff login.
"""

from __future__ import annotations

from datetime import date
from typing import Collection

from aiohttp import web

from bot.analytics import report
from bot.appkeys import CATALOG, SESSIONS, SETTINGS


def _day(request: web.Request, name: str) -> date | None:
    text = request.query.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a date like 2026-01-31.") from None


async def report_response(request: web.Request, units: Collection[str] | None) -> web.Response:
    consultation_id = request.match_info["consultation"]
    catalog = request.app[CATALOG]
    if consultation_id not in catalog:
        raise web.HTTPNotFound(text=f"There is no consultation called {consultation_id!r}.")
    date_from, date_to = _day(request, "from"), _day(request, "to")
    if bool(date_from) != bool(date_to) or (date_from and date_from > date_to):
        raise web.HTTPBadRequest(text="Give both from and to, with from before to.")
    _, definition = catalog.current(consultation_id)
    html = await report.render(request.app[SESSIONS], definition,
                               request.app[SETTINGS].min_group_size, date_from, date_to,
                               units=units)
    return web.Response(text=html, content_type="text/html", charset="utf-8")
