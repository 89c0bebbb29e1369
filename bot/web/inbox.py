"""The inbox: the conversations of one's units, filtered and in pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlencode

from aiohttp import web

from bot.analytics import theme_data
from bot.appkeys import CATALOG, SESSIONS
from bot.web.access import PageError, allow, staff_of
from bot.web.pages import PAGE_SIZE, page_number, render
from storage import review

routes = web.RouteTableDef()

YES_NO = {"ja": True, "nej": False}
FILTER_KEYS = ("consultation", "unit", "from", "to", "completed", "flagged", "reviewed", "tag",
               "text", "theme")


def _day(text: str, field: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time.min, tzinfo=timezone.utc)
    except ValueError:
        raise PageError(400, f"{field}: skriv datumet som 2026-01-31.") from None


def _filter(request: web.Request) -> tuple[review.InboxFilter, dict[str, str]]:
    query = {key: request.query.get(key, "").strip()[:200] for key in FILTER_KEYS}
    staff = staff_of(request)
    until = _day(query["to"], "Till")
    found = review.InboxFilter(
        unit_ids=list(staff.unit_ids),
        consultation_id=query["consultation"] or None,
        unit_id=query["unit"] or None,
        started_from=_day(query["from"], "Från"),
        started_before=until + timedelta(days=1) if until else None,
        completed=YES_NO.get(query["completed"]),
        flagged=YES_NO.get(query["flagged"]),
        reviewed=YES_NO.get(query["reviewed"]),
        tag=query["tag"] or None,
        text=query["text"] or None,
        theme=query["theme"] if query["theme"] in _theme_ids() else None,
    )
    return found, query


def _theme_ids() -> set[str]:
    return {theme.id for theme in theme_data.shared_taxonomy()}


@routes.get("/staff/")
@allow("staff")
async def inbox(request: web.Request) -> web.Response:
    found, query = _filter(request)
    page = page_number(request)
    async with request.app[SESSIONS]() as session:
        rows, total = await review.inbox(session, found, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        tags = await review.all_tags(session, found.unit_ids)
    pages = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in query.items() if v}
    catalog = request.app[CATALOG]
    return render(request, "inbox.html", {
        "rows": rows, "total": total, "page": page, "pages": pages, "query": query,
        "consultations": catalog.consultation_ids,
        "units": [catalog.units[u] for u in staff_of(request).unit_ids if u in catalog.units],
        "unit_names": {u.id: u.name for u in catalog.units.values()},
        "tags": tags,
        "themes": theme_data.shared_taxonomy(),
        "previous": urlencode({**kept, "page": page - 1}) if page > 1 else None,
        "next": urlencode({**kept, "page": page + 1}) if page < pages else None,
    })
