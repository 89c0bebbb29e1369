"""One conversation: messages in order, the answers as a table, and staff's tags, notes and
review. Reading a transcript is logged."""

from __future__ import annotations

import re

from aiohttp import web

from bot.analytics import theme_data
from bot.appkeys import CATALOG, SESSIONS
from bot.web.access import PageError, allow, require_unit, staff_of
from bot.web.audit_log import log
from bot.web.pages import render
from storage import review

routes = web.RouteTableDef()

TAG = re.compile(r"^[\wåäöÅÄÖ][\w åäöÅÄÖ-]{0,63}$")
MAX_NOTE = 4000


async def _visible(session, request: web.Request):
    """The conversation of the path, or 404; 403 when it belongs to another unit."""
    conversation = await review.conversation(session, request.match_info["conversation_id"])
    if conversation is None:
        raise web.HTTPNotFound()
    require_unit(request, conversation.unit_id)
    return conversation


def _back(conversation_id: str, anchor: str = "") -> web.HTTPFound:
    return web.HTTPFound(f"/staff/conversations/{conversation_id}{anchor}")


async def _answer_rows(request, session, conversation, answers) -> list[dict]:
    definition = await request.app[CATALOG].version(session, conversation.version_id)
    known = {q.id: q for q in definition.questions}
    labels = {theme.id: theme.label["sv"] for theme in theme_data.shared_taxonomy()}
    rows = []
    for answer in answers:
        base = answer.question_id.removesuffix("-followup")
        question = known.get(base)
        text = question.text.sv if question else answer.question_id
        if question and base != answer.question_id:
            text = f"{text} (följdfråga)"
        rows.append({"question_id": answer.question_id, "question": text,
                     "value": answer.value, "answer_text": answer.answer_text,
                     "type": answer.question_type, "id": answer.id,
                     "themes": [labels.get(t, t) for t in (answer.themes or "").split(";") if t],
                     "themes_source": answer.themes_source})
    return rows


@routes.get("/staff/conversations/{conversation_id}")
@allow("staff")
async def transcript(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session, session.begin():
        conversation = await _visible(session, request)
        messages = await review.messages(session, conversation.id)
        answers = await _answer_rows(request, session, conversation,
                                     await review.answers(session, conversation.id))
        flags = await review.flags_of(session, conversation.id)
        context = {
            "conversation": conversation, "messages": messages, "answers": answers,
            "tags": await review.tags(session, conversation.id),
            "notes": await review.notes(session, conversation.id),
            "state": await review.review_state(session, conversation.id),
            "flags": flags,
            "history": await review.follow_up_history(session, [f.id for f in flags]),
            "statuses": review.FOLLOW_UP_STATUSES,
        }
        await log(session, request, "transcript_view", target=conversation.id)
    return render(request, "transcript.html", context)


@routes.post("/staff/conversations/{conversation_id}/tags")
@allow("staff")
async def add_tag(request: web.Request) -> web.Response:
    form = await request.post()
    tag = str(form.get("tag", "")).strip()
    remove = form.get("remove") == "1"
    if not TAG.match(tag):
        raise PageError(400, "En tagg är 1-64 bokstäver, siffror, mellanslag eller -.")
    async with request.app[SESSIONS]() as session, session.begin():
        conversation = await _visible(session, request)
        staff_email = staff_of(request).email
        if remove:
            changed = await review.remove_tag(session, conversation.id, tag)
        else:
            changed = await review.add_tag(session, conversation.id, tag, staff_email)
        if changed:
            await log(session, request, "tag_removed" if remove else "tag_added",
                      target=conversation.id, detail=tag)
    raise _back(conversation.id, "#taggar")


@routes.post("/staff/conversations/{conversation_id}/notes")
@allow("staff")
async def add_note(request: web.Request) -> web.Response:
    form = await request.post()
    text = str(form.get("note", "")).strip()
    if not text or len(text) > MAX_NOTE:
        raise PageError(400, f"En anteckning är 1-{MAX_NOTE} tecken.")
    async with request.app[SESSIONS]() as session, session.begin():
        conversation = await _visible(session, request)
        await review.add_note(session, conversation.id, text, staff_of(request).email)
        await log(session, request, "note_added", target=conversation.id)
    raise _back(conversation.id, "#anteckningar")


@routes.post("/staff/conversations/{conversation_id}/reviewed")
@allow("staff")
async def mark_reviewed(request: web.Request) -> web.Response:
    form = await request.post()
    reviewed = form.get("reviewed") != "0"
    async with request.app[SESSIONS]() as session, session.begin():
        conversation = await _visible(session, request)
        await review.set_reviewed(session, conversation.id, reviewed,
                                  staff_of(request).email)
        await log(session, request, "reviewed" if reviewed else "unreviewed",
                  target=conversation.id)
    raise _back(conversation.id)


@routes.post("/staff/conversations/{conversation_id}/follow-up")
@allow("staff")
async def follow_up(request: web.Request) -> web.Response:
    form = await request.post()
    status = str(form.get("status", ""))
    if status not in review.FOLLOW_UP_STATUSES:
        raise PageError(400, "Välj ny, kontaktad eller avslutad.")
    async with request.app[SESSIONS]() as session, session.begin():
        conversation = await _visible(session, request)
        flags = await review.flags_of(session, conversation.id)
        if not flags:
            raise PageError(400, "Samtalet är inte flaggat.")
        for flag in flags:
            await review.set_follow_up(session, flag, status, staff_of(request).email)
        await log(session, request, "follow_up", target=conversation.id, detail=status)
    target = str(form.get("back", ""))
    raise web.HTTPFound("/staff/crisis") if target == "crisis" else _back(conversation.id)
