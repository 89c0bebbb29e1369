"""Admins' consultations: edit or upload a definition (validated, saved as a new version and
as the file), and open or close it by date. Every change is logged."""

from __future__ import annotations

import asyncio
import os
from datetime import date
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select

from bot.appkeys import CATALOG, SESSIONS, SETTINGS
from bot.engine.definitions import DefinitionError, parse_text
from bot.web.access import PageError, allow, staff_of
from bot.web.audit_log import log
from bot.web.pages import render
from storage import consultations as consultation_store
from storage import schedules
from storage.models import ConsultationVersion

routes = web.RouteTableDef()

MAX_YAML = 200_000


async def _version_counts(session) -> dict[str, int]:
    rows = await session.execute(
        select(ConsultationVersion.consultation_id, func.count())
        .group_by(ConsultationVersion.consultation_id))
    return dict(rows.all())


async def _list_page(request: web.Request, errors: list[str] | None = None,
                     text: str = "", status: int = 200) -> web.Response:
    catalog = request.app[CATALOG]
    async with request.app[SESSIONS]() as session:
        counts = await _version_counts(session)
    rows = []
    for cid in catalog.consultation_ids:
        version_id, definition = catalog.current(cid)
        opens, closes = catalog.schedules.get(cid, (None, None))
        rows.append({"id": cid, "title": definition.title.sv, "versions": counts.get(cid, 0),
                     "opens": opens, "closes": closes, "open": catalog.is_open(cid)})
    return render(request, "admin_consultations.html",
                  {"rows": rows, "errors": errors or [], "text": text}, status=status)


@routes.get("/staff/admin/consultations")
@allow("admin")
async def consultations(request: web.Request) -> web.Response:
    return await _list_page(request)


def _write_file(path: Path, text: str) -> None:
    temporary = path.with_suffix(".yml.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


async def _save(request: web.Request, text: str, expected_id: str | None) -> list[str]:
    """Validate and save; the errors to show (empty when saved)."""
    if len(text) > MAX_YAML:
        return [f"Filen är för stor (högst {MAX_YAML} tecken)."]
    try:
        definition = parse_text(text, "definition")
    except DefinitionError as exc:
        return str(exc).splitlines()
    if expected_id and definition.id != expected_id:
        return [f"definition: id: {definition.id!r} must stay {expected_id!r}"]
    path = request.app[SETTINGS].consultations_dir / f"{definition.id}.yml"
    async with request.app[SESSIONS]() as session, session.begin():
        version = await consultation_store.register_version(
            session, definition.id, definition.title.sv, definition.checksum(),
            definition.canonical(), f"consultations/{definition.id}.yml")
        await consultation_store.set_current(session, definition.id, version.id)
        await log(session, request, "consultation_saved", target=definition.id,
                  detail=f"version {version.version}")
        await asyncio.get_running_loop().run_in_executor(None, _write_file, path, text)
    request.app[CATALOG].use(version.id, definition)
    return []


async def _form_text(request: web.Request) -> str:
    form = await request.post()
    upload = form.get("file")
    if isinstance(upload, web.FileField) and upload.filename:
        return upload.file.read(MAX_YAML + 1).decode("utf-8", errors="replace")
    return str(form.get("definition", ""))


@routes.post("/staff/admin/consultations")
@allow("admin")
async def upload(request: web.Request) -> web.Response:
    text = await _form_text(request)
    errors = await _save(request, text, None)
    if errors:
        return await _list_page(request, errors, text, status=400)
    raise web.HTTPFound("/staff/admin/consultations")


def _known(request: web.Request) -> str:
    consultation_id = request.match_info["consultation_id"]
    if consultation_id not in request.app[CATALOG]:
        raise web.HTTPNotFound()
    return consultation_id


@routes.get("/staff/admin/consultations/{consultation_id}")
@allow("admin")
async def edit_form(request: web.Request) -> web.Response:
    consultation_id = _known(request)
    path = request.app[SETTINGS].consultations_dir / f"{consultation_id}.yml"
    text = await asyncio.get_running_loop().run_in_executor(None, path.read_text, "utf-8")
    return render(request, "consultation_edit.html",
                  {"id": consultation_id, "text": text, "errors": []})


@routes.post("/staff/admin/consultations/{consultation_id}")
@allow("admin")
async def edit(request: web.Request) -> web.Response:
    consultation_id = _known(request)
    text = await _form_text(request)
    errors = await _save(request, text, consultation_id)
    if errors:
        return render(request, "consultation_edit.html",
                      {"id": consultation_id, "text": text, "errors": errors}, status=400)
    raise web.HTTPFound("/staff/admin/consultations")


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise PageError(400, "Skriv datumet som 2026-01-31.") from None


@routes.post("/staff/admin/consultations/{consultation_id}/schedule")
@allow("admin")
async def schedule(request: web.Request) -> web.Response:
    consultation_id = _known(request)
    form = await request.post()
    opens, closes = _date(str(form.get("opens", ""))), _date(str(form.get("closes", "")))
    if opens and closes and opens > closes:
        raise PageError(400, "Samrådet måste öppna innan det stänger.")
    async with request.app[SESSIONS]() as session, session.begin():
        await schedules.set_schedule(session, consultation_id, opens, closes,
                                     staff_of(request).email)
        await log(session, request, "consultation_schedule", target=consultation_id,
                  detail=f"opens={opens or ''} closes={closes or ''}")
    request.app[CATALOG].schedules[consultation_id] = (opens, closes)
    raise web.HTTPFound("/staff/admin/consultations")
