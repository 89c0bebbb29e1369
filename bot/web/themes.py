"""Themes of free text in the browser: the free-text answers and comments of a consultation
with their themes (the model's or staff's), and a form per text to correct them.

Staff see and correct the texts of their own units' conversations; analysts those of every
unit (the same redacted words analysts already get in the export's `answer_text`, never a
transcript). A correction is stored with storage/themes.py `correct()` (source "staff", the
model never overwrites it), is logged, and becomes training data through
`brukarrost themes corrections` (nlu/themes/corrections.yml, read by the next training).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from bot.analytics import theme_data
from bot.appkeys import CATALOG, SESSIONS
from bot.web.access import PageError, allow, require_unit, staff_of
from bot.web.audit_log import log
from bot.web.pages import PAGE_SIZE, page_number, render
from storage import themes as theme_store

routes = web.RouteTableDef()

ROLES = ("analyst", "staff")
KEPT = ("theme", "source", "item", "page")  # the page's query, kept across a correction
NONE = "inget"  # the theme filter for texts without a theme
SOURCES = {"model": "Modellen", "staff": "Personal"}


def _units(request: web.Request):
    """The units whose texts this person may see; None: every unit (analysts)."""
    staff = staff_of(request)
    return None if staff.role == "analyst" else list(staff.unit_ids)


def _consultation(request: web.Request) -> str:
    catalog = request.app[CATALOG]
    consultation_id = (request.match_info.get("consultation")
                       or request.query.get("consultation") or catalog.consultation_ids[0])
    if consultation_id not in catalog:
        raise PageError(404, "Det finns inget sådant samråd.")
    return consultation_id


def _matches(item: theme_store.ThemedText, theme: str, source: str, only: str) -> bool:
    if only and only != f"{item.kind}-{item.id}":
        return False
    ids = set(filter(None, (item.themes or "").split(theme_data.SEPARATOR)))
    if theme == NONE:
        if ids:
            return False
    elif theme and theme not in ids:
        return False
    return not source or item.source == source


def _questions(request: web.Request, consultation_id: str) -> dict[str, str]:
    _, definition = request.app[CATALOG].current(consultation_id)
    texts = {q.id: q.text.sv for q in definition.questions}
    texts.update({f"{q.id}-followup": f"{q.text.sv} (följdfråga)"
                  for q in definition.questions})
    return texts


async def _page(request: web.Request) -> web.Response:
    consultation_id = _consultation(request)
    query = {key: request.query.get(key, "").strip()[:64] for key in KEPT}
    taxonomy = theme_data.shared_taxonomy()
    theme = query["theme"] if query["theme"] in {t.id for t in taxonomy} | {NONE} else ""
    source = query["source"] if query["source"] in SOURCES else ""
    page = page_number(request)
    only = query["item"]  # one text, "answer-12" (the transcript links to it)
    async with request.app[SESSIONS]() as session, session.begin():
        items = await theme_store.texts(session, consultation_id, units=_units(request))
        await log(session, request, "themes_view", target=consultation_id,
                  detail=f"page={page} theme={theme} source={source} item={only}")
    shown = [item for item in items if _matches(item, theme, source, only)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    kept = {k: v for k, v in (("theme", theme), ("source", source), ("item", only)) if v}
    return render(request, "themes.html", {
        "consultation": consultation_id, "consultations": request.app[CATALOG].consultation_ids,
        "items": shown[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "total": len(shown),
        "page": page, "pages": pages, "taxonomy": taxonomy, "theme": theme, "source": source,
        "labels": {t.id: t.label["sv"] for t in taxonomy},
        "sources": SOURCES, "none": NONE, "only": only, "questions": _questions(request, consultation_id),
        "back": urlencode({**kept, "page": page}),
        "previous": urlencode({**kept, "page": page - 1}) if page > 1 else None,
        "next": urlencode({**kept, "page": page + 1}) if page < pages else None,
    })


@routes.get("/staff/themes")
@allow(*ROLES)
async def first_consultation(request: web.Request) -> web.Response:
    return await _page(request)


@routes.get("/staff/themes/{consultation}")
@allow(*ROLES)
async def themes_page(request: web.Request) -> web.Response:
    return await _page(request)


@routes.post("/staff/themes/{kind:answer|comment}/{item_id:\\d{1,9}}")
@allow(*ROLES)
async def correct(request: web.Request) -> web.Response:
    kind, item_id = request.match_info["kind"], int(request.match_info["item_id"])
    form = await request.post()
    known = [theme.id for theme in theme_data.shared_taxonomy()]
    try:
        chosen = theme_data.parse_themes(
            theme_data.SEPARATOR.join(str(v) for v in form.getall("theme", [])), known)
    except theme_data.ThemeDataError:
        raise PageError(400, "Välj bland temana i listan.") from None
    themes = theme_data.join(chosen)
    async with request.app[SESSIONS]() as session, session.begin():
        item = await theme_store.item(session, kind, item_id)
        if item is None:
            raise PageError(400, "Det finns ingen sådan text.")
        if _units(request) is not None:
            require_unit(request, item.unit_id)
        await theme_store.correct(session, kind, item_id, themes)
        await log(session, request, "themes_corrected", target=f"{kind}:{item_id}",
                  detail=f"{item.themes or '-'} -> {themes or '-'}")
    back = {k: v for k, v in parse_qsl(str(form.get("back", ""))) if k in KEPT}
    raise web.HTTPFound(f"/staff/themes/{item.consultation_id}?{urlencode(back)}"
                        f"#{kind}-{item_id}")
