"""The crisis queue: flagged conversations of one's units, those not yet followed up first."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import SESSIONS
from bot.web.access import allow, staff_of
from bot.web.pages import render
from storage import review

routes = web.RouteTableDef()


@routes.get("/staff/crisis")
@allow("staff")
async def crisis_queue(request: web.Request) -> web.Response:
    include_closed = request.query.get("closed") == "ja"
    async with request.app[SESSIONS]() as session:
        rows = await review.crisis_queue(session, list(staff_of(request).unit_ids),
                                         include_closed)
    return render(request, "crisis.html", {"rows": rows, "include_closed": include_closed,
                                           "statuses": review.FOLLOW_UP_STATUSES})
