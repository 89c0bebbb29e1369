"""Writing the audit log from a staff request: who (the logged-in person), from where."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.access import client_ip, staff_of
from storage import audit


async def log(session: AsyncSession, request: web.Request, action: str,
              target: str | None = None, detail: str | None = None) -> None:
    """Add an entry in the caller's transaction, so the change and its entry commit together."""
    staff = staff_of(request)
    await audit.record(session, action, staff.email, user_id=staff.user_id, target=target,
                       detail=detail, ip=client_ip(request))
