"""Staff accounts, their units and their server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffSession, StaffUser, StaffUserUnit, Unit

ROLES = ("admin", "staff", "analyst")


async def create_user(session: AsyncSession, email: str, password_hash: str, role: str,
                      unit_ids: list[str]) -> StaffUser:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = StaffUser(email=email, password_hash=password_hash, role=role, active=True)
    session.add(user)
    await session.flush()
    for unit_id in sorted(set(unit_ids)):
        session.add(StaffUserUnit(user_id=user.id, unit_id=unit_id))
    await session.flush()
    return user


async def by_email(session: AsyncSession, email: str) -> StaffUser | None:
    return (
        await session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none()


async def unit_ids(session: AsyncSession, user_id: int) -> list[str]:
    rows = await session.execute(
        select(StaffUserUnit.unit_id).where(StaffUserUnit.user_id == user_id)
        .order_by(StaffUserUnit.unit_id)
    )
    return list(rows.scalars())


async def known_units(session: AsyncSession) -> list[Unit]:
    return list((await session.execute(select(Unit).order_by(Unit.name))).scalars())


async def all_users(session: AsyncSession) -> list[tuple[StaffUser, list[str]]]:
    users = (await session.execute(select(StaffUser).order_by(StaffUser.email))).scalars().all()
    return [(user, await unit_ids(session, user.id)) for user in users]


async def set_password(session: AsyncSession, user: StaffUser, password_hash: str) -> None:
    user.password_hash = password_hash


async def set_active(session: AsyncSession, user_id: int, active: bool) -> StaffUser | None:
    user = await session.get(StaffUser, user_id)
    if user is not None:
        user.active = active
        if not active:
            await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
    return user


async def open_session(session: AsyncSession, token_hash: str, user_id: int, csrf_token: str,
                       expires_at: datetime) -> None:
    session.add(StaffSession(token_hash=token_hash, user_id=user_id, csrf_token=csrf_token,
                             expires_at=expires_at))


async def session_user(session: AsyncSession, token_hash: str,
                       now: datetime) -> tuple[StaffSession, StaffUser] | None:
    """The live session with this token hash and its (active) user, or None."""
    row = (
        await session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.token_hash == token_hash, StaffSession.expires_at > now,
                   StaffUser.active.is_(True))
        )
    ).first()
    return (row[0], row[1]) if row else None


async def close_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))


async def drop_expired_sessions(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    return result.rowcount or 0
