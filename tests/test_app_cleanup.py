"""Closing the application (a worker that stops, the end of a test) leaves none of its work
running: the task that follows consultation versions finishes a read in progress, and one
that hangs is cancelled after a grace and waited for, so its session is closed before the
database engine is disposed and the event loop ends."""

from __future__ import annotations

import asyncio

import bot.app
from bot.engine.catalog import Catalog

SLOW_CLOSE = 0.3  # seconds a read takes to give its connection back, as over a slow network


def _followers() -> list[asyncio.Task]:
    return [task for task in asyncio.all_tasks()
            if not task.done() and "_follow_catalog" in repr(task.get_coro())]


async def _close_while_reading(make_client, settings, monkeypatch, read) -> None:
    """Start the app, wait until its follower is inside a read (`read(refresh, catalog,
    session)` in place of Catalog.refresh), then close the app."""
    reading = asyncio.Event()
    refresh = Catalog.refresh

    async def patched(self, session):
        reading.set()
        return await read(refresh, self, session)

    monkeypatch.setattr(Catalog, "refresh", patched)
    client = await make_client(settings, catalog_refresh=0.01)
    assert (await client.get("/health")).status == 200
    await asyncio.wait_for(reading.wait(), 10)
    await client.close()


async def test_a_read_in_progress_at_shutdown_finishes(make_client, settings, monkeypatch):
    ends: list[str] = []

    async def slow_read(refresh, catalog, session):
        try:
            await asyncio.sleep(0.3)  # a read that is still going on when the app closes
            changed = await refresh(catalog, session)
        except asyncio.CancelledError:
            ends.append("cancelled")
            raise
        ends.append("finished")
        return changed

    await _close_while_reading(make_client, settings, monkeypatch, slow_read)

    assert ends == ["finished"]
    assert _followers() == []


async def test_closing_the_app_cancels_a_hanging_read_and_waits(make_client, settings,
                                                                monkeypatch):
    monkeypatch.setattr(bot.app, "FOLLOWER_GRACE", 0.2)
    closed: list[bool] = []

    async def hanging_read(refresh, catalog, session):
        try:
            await asyncio.sleep(60)  # a database read that hangs at shutdown
            return await refresh(catalog, session)
        except asyncio.CancelledError:
            await asyncio.sleep(SLOW_CLOSE)  # giving the connection back takes a round trip
            closed.append(True)
            raise

    await _close_while_reading(make_client, settings, monkeypatch, hanging_read)

    assert closed == [True]
    assert _followers() == []
