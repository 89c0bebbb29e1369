"""One-time invitations: stored as keyed hashes, used once, counted as offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invitation, utcnow


@dataclass(frozen=True)
class InvitationState:
    consultation_id: str
    unit_id: str
    usable: bool
    reason: str | None  # None | "used" | "expired"


async def add_batch(session: AsyncSession, batch: str, consultation_id: str, unit_id: str,
                    token_hashes: list[str], expires_at: datetime) -> None:
    now = utcnow()
    session.add_all(
        Invitation(token_hash=h, batch=batch, consultation_id=consultation_id, unit_id=unit_id,
                   created_at=now, expires_at=expires_at)
        for h in token_hashes
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def state(session: AsyncSession, token_hash: str) -> InvitationState | None:
    """What the invitation allows now; None when no such invitation exists."""
    row = (await session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash)
    )).scalar_one_or_none()
    if row is None:
        return None
    reason = None
    if row.used_at is not None:
        reason = "used"
    elif _aware(row.expires_at) <= utcnow():
        reason = "expired"
    return InvitationState(row.consultation_id, row.unit_id, reason is None, reason)


async def use(session: AsyncSession, token_hash: str) -> bool:
    """Mark the invitation used; False if another conversation used it first or it expired."""
    now = utcnow()
    result = await session.execute(
        update(Invitation)
        .where(Invitation.token_hash == token_hash, Invitation.used_at.is_(None),
               Invitation.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def offered_per_unit(session: AsyncSession, consultation_id: str,
                           created_from: datetime | None,
                           created_before: datetime | None) -> dict[str, int]:
    """unit -> invitations made in the period (each one is a brukare offered the survey)."""
    query = select(Invitation.unit_id, func.count()).where(
        Invitation.consultation_id == consultation_id).group_by(Invitation.unit_id)
    if created_from is not None:
        query = query.where(Invitation.created_at >= created_from)
    if created_before is not None:
        query = query.where(Invitation.created_at < created_before)
    return {unit: int(number) for unit, number in await session.execute(query)}
