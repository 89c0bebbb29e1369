"""The read-only analyst API, /api/v1 (described in bot/openapi.yaml).

Every figure comes from the same functions as the CLI, the exports and the report
(bot/analytics/indicators.py, export.py, report.theme_counts), so small groups are
suppressed exactly as there. Who may call it is checked in bot/api/auth.py.

    GET /api/v1/consultations
    GET /api/v1/consultations/{id}/indicators?from=&to=&unit=&compare=&dimension=
    GET /api/v1/consultations/{id}/answers?from=&to=&unit=&limit=&offset=
    GET /api/v1/consultations/{id}/themes?from=&to=&unit=
"""

from __future__ import annotations

from contextlib import aclosing
from datetime import date
from typing import Any

from aiohttp import web

from bot.analytics import export, indicators, report, theme_data
from bot.appkeys import CATALOG, SESSIONS, SETTINGS
from bot.engine.definitions import Definition, Localized
from bot.http_errors import HttpError

PREFIX = "/api/v1"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
FIRST_YEAR, LAST_YEAR = 1900, 2999  # a period and the one before it stay valid dates
BOOLEAN = {"true": True, "1": True, "false": False, "0": False, "": False}

routes = web.RouteTableDef()


def _json(payload: Any) -> web.Response:
    import json

    return web.json_response(payload, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))


def _texts(value: Localized | None) -> dict[str, str] | None:
    return None if value is None else value.dict(by_alias=True, exclude_none=True)


def _definition(request: web.Request) -> Definition:
    consultation_id = request.match_info["consultation"]
    catalog = request.app[CATALOG]
    if consultation_id not in catalog:
        raise HttpError(404, f"There is no consultation called {consultation_id!r}.")
    return catalog.current(consultation_id)[1]


def _day(request: web.Request, name: str) -> date | None:
    text = request.query.get(name, "")
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise HttpError(400, f"{name} must be a date like 2026-01-31 "
                             f"(years {FIRST_YEAR}-{LAST_YEAR}).")
    return day


def _scope(request: web.Request) -> dict[str, Any]:
    """from, to (inclusive days of the conversation's start) and unit, checked."""
    date_from, date_to = _day(request, "from"), _day(request, "to")
    if date_from and date_to and date_from > date_to:
        raise HttpError(400, "from is after to.")
    unit = request.query.get("unit") or None
    if unit is not None and unit not in request.app[CATALOG].units:
        raise HttpError(400, f"There is no unit called {unit!r}.")
    return {"date_from": date_from, "date_to": date_to, "unit_id": unit}


def _echo(scope: dict[str, Any]) -> dict[str, Any]:
    return {"from": scope["date_from"] and scope["date_from"].isoformat(),
            "to": scope["date_to"] and scope["date_to"].isoformat(), "unit": scope["unit_id"]}


def _number(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query.get(name, "")
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise HttpError(400, f"{name} must be a whole number from {low} to {high}.")
    return int(text)


@routes.get(f"{PREFIX}/consultations")
async def consultations(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    found = []
    for consultation_id in catalog.consultation_ids:
        version_id, definition = catalog.current(consultation_id)
        found.append({
            "id": definition.id, "title": _texts(definition.title), "version": version_id,
            "participation_level": int(definition.participation_level),
            "questions": [{"id": q.id, "type": q.type.value, "text": _texts(q.text),
                           "background": q.background} for q in definition.questions],
            "indices": [{"id": i.id, "label": _texts(i.label), "questions": list(i.questions)}
                        for i in definition.indices],
        })
    return _json({"consultations": found,
                  "units": [{"id": u.id, "name": u.name} for u in catalog.units.values()],
                  "min_group_size": request.app[SETTINGS].min_group_size})


@routes.get(f"{PREFIX}/consultations/{{consultation}}/indicators")
async def indicator_rows(request: web.Request) -> web.Response:
    definition = _definition(request)
    scope = _scope(request)
    compare = request.query.get("compare", "").lower()
    if compare not in BOOLEAN:
        raise HttpError(400, "compare must be true or false.")
    if BOOLEAN[compare] and not (scope["date_from"] and scope["date_to"]):
        raise HttpError(400, "compare needs a period: give from and to.")
    minimum = request.app[SETTINGS].min_group_size
    sessions = request.app[SESSIONS]
    rows = await indicators.compute(sessions, definition, minimum, **scope)
    if BOOLEAN[compare]:
        before = indicators.previous_period(scope["date_from"], scope["date_to"])
        rows = indicators.compare(rows, await indicators.compute(
            sessions, definition, minimum, unit_id=scope["unit_id"], date_from=before[0],
            date_to=before[1]))
    dimensions = {d for d in request.query.getall("dimension", []) if d}
    if dimensions:
        rows = [row for row in rows if row["dimension"] in dimensions]
    return _json({"consultation": definition.id, **_echo(scope), "compare": BOOLEAN[compare],
                  "min_group_size": minimum, "rows": rows})


@routes.get(f"{PREFIX}/consultations/{{consultation}}/answers")
async def answer_rows(request: web.Request) -> web.Response:
    """The export's rows (contracts.md's long format; free text was redacted before it was
    stored), one page at a time."""
    definition = _definition(request)
    scope = _scope(request)
    limit = _number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _number(request, "offset", 0, 0, 10**9)
    page: list[dict[str, Any]] = []
    more = False
    seen = 0
    async with aclosing(export.rows(request.app[SESSIONS], definition.id, **scope)) as rows:
        async for row in rows:
            seen += 1
            if seen <= offset:
                continue
            if len(page) == limit:
                more = True
                break
            page.append(row)
    return _json({"consultation": definition.id, **_echo(scope), "offset": offset,
                  "limit": limit, "next_offset": offset + limit if more else None,
                  "columns": export.COLUMNS, "rows": page})


@routes.get(f"{PREFIX}/consultations/{{consultation}}/themes")
async def theme_rows(request: web.Request) -> web.Response:
    """How many people's own words carry each theme; under MIN_GROUP_SIZE: null, as in
    the report."""
    definition = _definition(request)
    scope = _scope(request)
    minimum = request.app[SETTINGS].min_group_size
    counts = await report.theme_counts(
        request.app[SESSIONS], definition.id, minimum, scope["date_from"], scope["date_to"],
        {scope["unit_id"]} if scope["unit_id"] else None)
    labels = {theme.id: theme.label for theme in theme_data.shared_taxonomy()}
    return _json({"consultation": definition.id, **_echo(scope), "min_group_size": minimum,
                  "themes": [{"id": theme, "label": labels.get(theme, {"sv": theme}),
                              "people": people, "suppressed": people is None}
                             for theme, people in counts]})
