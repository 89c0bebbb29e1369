"""The audit log: who did what, when. Append-only: this module only adds and reads."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry

COLUMNS = ("at", "actor", "action", "target", "detail", "ip")


async def record(session: AsyncSession, action: str, actor: str, *, user_id: int | None = None,
                 target: str | None = None, detail: str | None = None,
                 ip: str | None = None) -> None:
    session.add(AuditEntry(action=action, actor=actor, user_id=user_id, target=target,
                           detail=detail, ip=ip))


def _filtered(query, action: str | None, actor: str | None):
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return query


async def page(session: AsyncSession, offset: int, limit: int, action: str | None = None,
               actor: str | None = None) -> tuple[list[AuditEntry], int]:
    """Newest first; also the total number of matching entries."""
    query = _filtered(select(AuditEntry), action, actor)
    total = (await session.execute(
        _filtered(select(func.count()).select_from(AuditEntry), action, actor)
    )).scalar_one()
    rows = await session.execute(
        query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    )
    return list(rows.scalars()), total


async def stream(session: AsyncSession) -> AsyncIterator[AuditEntry]:
    """Every entry, oldest first, without loading them all at once."""
    result = await session.stream(select(AuditEntry).order_by(AuditEntry.id))
    async for entry in result.scalars():
        yield entry


async def failures_since(session: AsyncSession, since: datetime, *, actor: str | None = None,
                         ip: str | None = None) -> tuple[int, datetime | None]:
    """Failed logins since `since` for this e-mail or this address: count and the latest."""
    query = select(func.count(), func.max(AuditEntry.at)).where(
        AuditEntry.action == "login_failed", AuditEntry.at >= since
    )
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if ip is not None:
        query = query.where(AuditEntry.ip == ip)
    count, latest = (await session.execute(query)).one()
    return count, latest


async def last_success(session: AsyncSession, actor: str) -> datetime | None:
    latest = (await session.execute(
        select(func.max(AuditEntry.at)).where(AuditEntry.action == "login",
                                              AuditEntry.actor == actor)
    )).scalar_one()
    if isinstance(latest, str):  # SQLite's max() of a stored timestamp is its text
        latest = datetime.fromisoformat(latest)
    if latest is not None and latest.tzinfo is None:  # SQLite: stored as UTC, read naive
        latest = latest.replace(tzinfo=timezone.utc)
    return latest
