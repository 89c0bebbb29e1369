"""Background tasks of a serving process (following the catalog, retention) that stop between
steps at shutdown instead of being cancelled in the middle of one.

Cancelled in the middle of a database call, the call is left to the driver: SQLAlchemy gives
up the connection, and aiosqlite can finish the call on its own thread after the event loop
has closed (the "Event loop is closed" thread errors once seen in the test logs). So a task
waits on a `stop` event between steps, and `stop` lets a step in progress finish; only a step
that hangs longer than its grace is cancelled, and it is still waited for, so that it closes
its session before the database engine goes.
"""

from __future__ import annotations

import asyncio
import contextlib


async def stopped(stop: asyncio.Event, within: float) -> bool:
    """Wait up to `within` seconds; True as soon as `stop` is set."""
    try:
        await asyncio.wait_for(stop.wait(), within)
    except asyncio.TimeoutError:
        return False
    return True


async def stop(task: asyncio.Task, event: asyncio.Event, grace: float) -> None:
    """Set `event`, give the step in progress up to `grace` seconds, then cancel the task and
    wait until it has ended."""
    event.set()
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except asyncio.TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
