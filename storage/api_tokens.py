"""Tokens of the read-only analyst API: created for a staff account, found by their hash,
revoked. The token itself is never stored (callers hash it first)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, StaffUser, utcnow


async def create(session: AsyncSession, user_id: int, token_hash: str,
                 name: str | None = None) -> ApiToken:
    token = ApiToken(user_id=user_id, token_hash=token_hash, name=name or None,
                     created_at=utcnow())
    session.add(token)
    await session.flush()
    return token


async def owner(session: AsyncSession, token_hash: str) -> tuple[ApiToken, StaffUser] | None:
    """The live (not revoked) token with this hash and its active account, or None."""
    row = (await session.execute(
        select(ApiToken, StaffUser).join(StaffUser, StaffUser.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None),
               StaffUser.active.is_(True))
    )).first()
    return (row[0], row[1]) if row else None


async def touch(session: AsyncSession, token_id: int, now: datetime | None = None) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id)
                          .values(last_used_at=now or utcnow()))


async def listed(session: AsyncSession, user_id: int | None = None
                 ) -> list[tuple[ApiToken, str]]:
    """(token, owner's e-mail), newest first; only one account's when `user_id` is given."""
    query = select(ApiToken, StaffUser.email).join(StaffUser, StaffUser.id == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    rows = await session.execute(query.order_by(ApiToken.id.desc()))
    return [(token, email) for token, email in rows]


async def revoke(session: AsyncSession, token_id: int,
                 user_id: int | None = None) -> ApiToken | None:
    """Revoke a live token (only one of `user_id`'s when given); None when there is none."""
    token = await session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        return None
    if user_id is not None and token.user_id != user_id:
        return None
    token.revoked_at = utcnow()
    return token
