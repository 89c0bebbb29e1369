"""Analysts' aggregates: indicators per scale question, overall and per unit, with groups
under MIN_GROUP_SIZE suppressed (bot/analytics/indicators.py). No transcripts here."""

from __future__ import annotations

from aiohttp import web

from bot.analytics import indicators
from bot.appkeys import CATALOG, SESSIONS, SETTINGS
from bot.web.access import PageError, allow
from bot.web.pages import render

routes = web.RouteTableDef()


@routes.get("/staff/aggregates")
@allow("analyst")
async def aggregates(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    consultation_id = request.query.get("consultation") or catalog.consultation_ids[0]
    if consultation_id not in catalog:
        raise PageError(400, "Välj ett samråd som finns.")
    _, definition = catalog.current(consultation_id)
    rows = await indicators.compute(request.app[SESSIONS], definition,
                                    request.app[SETTINGS].min_group_size)
    texts = {q.id: q.text.sv for q in definition.questions}
    shown = [{**row, "question": texts.get(row["question_id"], row["question_id"])}
             for row in rows if row["dimension"] in ("all", "unit")]
    return render(request, "aggregates.html", {
        "rows": shown, "consultation": consultation_id,
        "consultations": catalog.consultation_ids,
        "min_group_size": request.app[SETTINGS].min_group_size,
    })
