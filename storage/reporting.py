"""Small reads for reports: when a consultation's answers begin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


async def first_started_at(session: AsyncSession, consultation_id: str) -> datetime | None:
    return (await session.execute(select(func.min(Conversation.started_at)).where(
        Conversation.consultation_id == consultation_id))).scalar_one()
