"""Small reads for reports: when a consultation's answers begin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.answers import scoped
from storage.models import Answer, Conversation


async def first_started_at(session: AsyncSession, consultation_id: str) -> datetime | None:
    return (await session.execute(select(func.min(Conversation.started_at)).where(
        Conversation.consultation_id == consultation_id))).scalar_one()


async def scale_rows(session: AsyncSession, consultation_id: str,
                     started_from: datetime | None = None,
                     started_before: datetime | None = None, unit_id: str | None = None):
    """(conversation id, unit, source, lang, question id, value, version id, started_at) of
    every answer,
    as plain tuples (much faster than ORM objects for aggregates)."""
    query = select(Conversation.id, Conversation.unit_id, Conversation.source,
                   Conversation.lang, Answer.question_id, Answer.value, Answer.version_id,
                   Conversation.started_at).join(Answer, Answer.conversation_id == Conversation.id)
    query = scoped(query, consultation_id, unit_id, started_from, started_before)
    return (await session.execute(query)).all()
