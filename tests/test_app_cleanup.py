"""Closing the application (a worker that stops, the end of a test) leaves none of its work
running: the task that follows consultation versions is waited for, also when it is stopped
in the middle of a database read, so its session is closed before the database engine is
disposed and the event loop ends."""

from __future__ import annotations

import asyncio

from bot.engine.catalog import Catalog

SLOW_CLOSE = 0.3  # seconds a read takes to give its connection back, as over a slow network


async def test_closing_the_app_waits_for_the_catalog_follower(make_client, settings,
                                                              monkeypatch):
    reading = asyncio.Event()
    closed: list[bool] = []
    refresh = Catalog.refresh

    async def slow_refresh(self, session):
        reading.set()
        try:
            await asyncio.sleep(60)  # a database read that is still going on at shutdown
            return await refresh(self, session)
        except asyncio.CancelledError:
            await asyncio.sleep(SLOW_CLOSE)  # giving the connection back takes a round trip
            closed.append(True)
            raise

    monkeypatch.setattr(Catalog, "refresh", slow_refresh)
    client = await make_client(settings, catalog_refresh=0.01)
    assert (await client.get("/health")).status == 200
    await asyncio.wait_for(reading.wait(), 10)

    await client.close()

    assert closed == [True]
    left = [task for task in asyncio.all_tasks()
            if not task.done() and "_follow_catalog" in repr(task.get_coro())]
    assert left == []
