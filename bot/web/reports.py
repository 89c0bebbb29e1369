"""The HTML report behind the staff login: analysts see every unit, staff their own units.
Figures under MIN_GROUP_SIZE are suppressed in the report itself (bot/analytics/report.py)."""

from __future__ import annotations

from aiohttp import web

from bot.analytics.report_page import report_response
from bot.web.access import allow, staff_of

routes = web.RouteTableDef()


@routes.get("/staff/reports/{consultation}")
@allow("analyst", "staff")
async def report(request: web.Request) -> web.Response:
    staff = staff_of(request)
    units = None if staff.role == "analyst" else sorted(staff.unit_ids)
    response = await report_response(request, units)
    # The report is one self-contained page (the CLI writes the same file): its style sheet
    # is inline. Scripts stay forbidden, as on every staff page.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "script-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    return response
