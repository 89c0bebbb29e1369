"""Publishing "Ni sa – vi gör" in the browser: what brukare said and what is done about it,
per consultation and language, and taking a message back.

Who: staff and admins. A message belongs to a whole consultation, not to a unit (the bot
tells it to everyone who completes the consultation and /resultat/{consultation} shows it),
so any staff member may publish one; every publish and retraction is in the audit log with
who did it. Analysts read the messages in the report but do not publish. The texts are
redacted as in the CLI (bot/analytics/feedback_text.py).
"""

from __future__ import annotations

from aiohttp import web

from bot.analytics.feedback_text import LANGS, MAX_CHARS, clean
from bot.appkeys import CATALOG, SESSIONS
from bot.web.access import PageError, allow
from bot.web.audit_log import log
from bot.web.pages import render
from storage import feedback as feedback_store

routes = web.RouteTableDef()

LANG_NAMES = {"sv": "Svenska", "en": "Engelska", "sv-lattlast": "Lättläst svenska"}
PROBLEMS = {"empty": "Skriv något i båda rutorna.",
            "too_long": f"Varje text får vara högst {MAX_CHARS} tecken."}


def _consultation(request: web.Request) -> str:
    catalog = request.app[CATALOG]
    consultation_id = request.match_info.get("consultation") or catalog.consultation_ids[0]
    if consultation_id not in catalog:
        raise PageError(404, "Det finns inget sådant samråd.")
    return consultation_id


async def _page(request: web.Request, consultation_id: str, *, error: str | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> web.Response:
    async with request.app[SESSIONS]() as session:
        messages = await feedback_store.listed(session, consultation_id, include_retracted=True)
    return render(request, "feedback.html", {
        "consultation": consultation_id, "consultations": request.app[CATALOG].consultation_ids,
        "messages": messages, "langs": LANG_NAMES, "error": error, "form": form or {},
        "max_chars": MAX_CHARS, "published": request.query.get("published", ""),
        "redacted": request.query.get("redacted") == "1",
    }, status=status)


@routes.get("/staff/feedback")
@allow("admin", "staff")
async def first_consultation(request: web.Request) -> web.Response:
    chosen = request.query.get("consultation", "")
    if chosen and chosen in request.app[CATALOG]:
        raise web.HTTPFound(f"/staff/feedback/{chosen}")
    return await _page(request, _consultation(request))


@routes.get("/staff/feedback/{consultation}")
@allow("admin", "staff")
async def feedback_page(request: web.Request) -> web.Response:
    return await _page(request, _consultation(request))


@routes.post("/staff/feedback/{consultation}")
@allow("admin", "staff")
async def publish(request: web.Request) -> web.Response:
    consultation_id = _consultation(request)
    form = await request.post()
    said, doing = clean(str(form.get("said", ""))), clean(str(form.get("doing", "")))
    lang = str(form.get("lang", "sv"))
    problem = said.problem or doing.problem
    if problem or lang not in LANGS:
        return await _page(request, consultation_id, status=400,
                           error=PROBLEMS.get(problem, "Välj ett språk."),
                           form={"said": str(form.get("said", ""))[:MAX_CHARS * 2],
                                 "doing": str(form.get("doing", ""))[:MAX_CHARS * 2],
                                 "lang": lang})
    async with request.app[SESSIONS]() as session, session.begin():
        message = await feedback_store.publish(session, consultation_id, lang, said.text,
                                               doing.text)
        await log(session, request, "feedback_published", target=consultation_id,
                  detail=f"id={message.id} lang={lang}")
    redacted = "&redacted=1" if said.redacted or doing.redacted else ""
    raise web.HTTPFound(f"/staff/feedback/{consultation_id}?published={message.id}{redacted}")


@routes.post("/staff/feedback/{consultation}/{message_id:\\d{1,9}}/retract")
@allow("admin", "staff")
async def retract(request: web.Request) -> web.Response:
    consultation_id = _consultation(request)
    message_id = int(request.match_info["message_id"])
    async with request.app[SESSIONS]() as session, session.begin():
        if not await feedback_store.retract(session, consultation_id, message_id):
            raise PageError(400, "Det finns inget sådant publicerat meddelande.")
        await log(session, request, "feedback_retracted", target=consultation_id,
                  detail=f"id={message_id}")
    raise web.HTTPFound(f"/staff/feedback/{consultation_id}")
