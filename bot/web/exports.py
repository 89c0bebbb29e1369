"""Analysts' exports: the answers of a consultation in the long format, as CSV. Logged."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.analytics import export
from bot.appkeys import CATALOG, SESSIONS
from bot.web.access import PageError, allow
from bot.web.audit_log import log
from bot.web.csv_stream import stream_csv
from bot.web.pages import render

routes = web.RouteTableDef()


@routes.get("/staff/export")
@allow("analyst")
async def export_form(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    return render(request, "export.html", {"consultations": catalog.consultation_ids,
                                           "units": list(catalog.units.values())})


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise PageError(400, "Skriv datumet som 2026-01-31.") from None


@routes.get("/staff/export/answers.csv")
@allow("analyst")
async def export_answers(request: web.Request) -> web.StreamResponse:
    consultation_id = request.query.get("consultation", "")
    unit_id = request.query.get("unit") or None
    if consultation_id not in request.app[CATALOG]:
        raise PageError(400, "Välj ett samråd som finns.")
    date_from, date_to = _day(request.query.get("from", "")), _day(request.query.get("to", ""))
    async with request.app[SESSIONS]() as session, session.begin():
        await log(session, request, "export", target=consultation_id,
                  detail=f"unit={unit_id or 'alla'} from={date_from or ''} to={date_to or ''}")

    async def rows():
        async for row in export.rows(request.app[SESSIONS], consultation_id, unit_id,
                                     date_from, date_to):
            yield [row[column] for column in export.COLUMNS]

    return await stream_csv(request, f"{consultation_id}.csv", export.COLUMNS, rows())
