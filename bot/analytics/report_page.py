"""GET /reports/{consultation}[?from=YYYY-MM-DD&to=YYYY-MM-DD]: the HTML report.

Access control seam: `report_response(request, units)` renders the report for the units a
signed-in analyst may see (`units=None`: every unit). `setup(app)` registers the open
route; the staff login wraps it by registering its own handler that calls
`report_response(request, allowed_units)` instead.
"""

from __future__ import annotations

from datetime import date
from typing import Collection

from aiohttp import web

from bot.analytics import report
from bot.appkeys import CATALOG, SESSIONS, SETTINGS

ROUTE = "/reports/{consultation}"


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


async def open_report(request: web.Request) -> web.Response:
    return await report_response(request, units=None)


def setup(app: web.Application) -> None:
    app.router.add_get(ROUTE, open_report, name="report")
