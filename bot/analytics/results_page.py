"""GET /resultat/{consultation}[?lang=en]: the public results page, "Ni sa – vi gör".

No login. Shows what staff published and the headline figures over every answer so far,
with small groups suppressed as everywhere else. Swedish and English.
"""

from __future__ import annotations

from aiohttp import web

from bot.analytics import indicators
from bot.analytics.templating import render_template
from bot.appkeys import CATALOG, SESSIONS, SETTINGS
from storage import feedback as feedback_store

ROUTE = "/resultat/{consultation}"
LANGS = ("sv", "en")


async def results(request: web.Request) -> web.Response:
    consultation_id = request.match_info["consultation"]
    catalog = request.app[CATALOG]
    if consultation_id not in catalog:
        raise web.HTTPNotFound(text="Det finns ingen sådan undersökning. / No such survey.")
    lang = request.query.get("lang", "sv")
    lang = lang if lang in LANGS else "sv"
    _, definition = catalog.current(consultation_id)
    sessions = request.app[SESSIONS]
    minimum = request.app[SETTINGS].min_group_size
    result = await indicators.compute_result(sessions, definition, minimum)
    async with sessions() as session:
        messages = await feedback_store.listed(session, consultation_id)
    shown = [m for m in messages if m.lang == lang] or [m for m in messages if m.lang == "sv"]
    overall = [r for r in result.rows if r["dimension"] == indicators.ALL]
    html = render_template(
        "results.html", lang=lang, definition=definition, messages=shown,
        fell_back=bool(shown) and shown[0].lang != lang, minimum=minimum,
        respondents=result.respondents if result.respondents >= minimum else None,
        indices=[(result.labels[r["question_id"]].get(lang), r) for r in overall
                 if r["kind"] == indicators.INDEX],
        statements=[(result.labels[r["question_id"]].get(lang), r) for r in overall
                    if r["kind"] == indicators.QUESTION],
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def setup(app: web.Application) -> None:
    app.router.add_get(ROUTE, results, name="results")
