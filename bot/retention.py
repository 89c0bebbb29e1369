"""Retention (gallring): remove message texts older than each consultation's
`retention_days`; answer values stay for statistics. Each run is written to the audit log.

Run by `brukarrost gallra` and, while the server is up, every
`BRUKARROST_RETENTION_INTERVAL_HOURS` hours (first shortly after start). Both go by the
definitions the consultations run on: the current versions in the database, which the server's
catalog follows. Not by the files in consultations/: a version an admin saved on another host
is not in this host's folder, and parsing YAML would stop the event loop for a moment.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import AsyncIterator

from aiohttp import web
from sqlalchemy.orm import sessionmaker

from bot import background
from bot.appkeys import CATALOG, SESSIONS, SETTINGS
from bot.engine.catalog import Catalog
from bot.engine.definitions import Definition
from storage import audit, retention
from storage.models import utcnow

log = logging.getLogger(__name__)

FIRST_RUN_DELAY_SECONDS = 60
RUN_GRACE = 10.0  # seconds a run in progress at shutdown may take to finish


async def run(sessions: sessionmaker, definitions: dict[str, Definition]) -> dict[str, int]:
    """Clear old message texts per consultation; return how many were removed for each."""
    removed: dict[str, int] = {}
    now = utcnow()
    for consultation_id, definition in sorted(definitions.items()):
        cutoff = now - timedelta(days=definition.retention_days)
        async with sessions() as session, session.begin():
            count = await retention.clear_message_texts(session, consultation_id, cutoff)
            removed[consultation_id] = count
            await audit.record(
                session, "retention", "system", target=consultation_id,
                detail=f"removed {count} message texts older than {definition.retention_days} "
                       f"days (before {cutoff.isoformat(timespec='seconds')})",
            )
    return removed


def served(catalog: Catalog) -> dict[str, Definition]:
    """consultation id -> the definition new conversations start on."""
    return {consultation_id: catalog.current(consultation_id)[1]
            for consultation_id in catalog.consultation_ids}


async def stored(sessions: sessionmaker) -> dict[str, Definition]:
    """The same, read from the database (for `brukarrost gallra`, which has no catalog)."""
    catalog = Catalog({})
    async with sessions() as session:
        await catalog.refresh(session)
    return served(catalog)


async def _every(app: web.Application, hours: int, stop: asyncio.Event) -> None:
    if await background.stopped(stop, FIRST_RUN_DELAY_SECONDS):
        return
    while True:
        try:
            removed = await run(app[SESSIONS], served(app[CATALOG]))
            log.info("retention: removed %d message texts", sum(removed.values()))
        except Exception:  # noqa: BLE001 - keep the schedule alive; the next run tries again
            log.exception("retention run failed")
        if await background.stopped(stop, hours * 3600):
            return


async def scheduled(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the retention task for the life of the server. A run in progress at
    shutdown may finish (up to RUN_GRACE seconds) before the task is cancelled."""
    hours = app[SETTINGS].retention_interval_hours
    if not hours:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_every(app, hours, stop))
    try:
        yield
    finally:
        await background.stop(task, stop, RUN_GRACE)
