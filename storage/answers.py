"""Answers: one row per conversation and question, and the rows behind exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Conversation, utcnow


async def save(
    session: AsyncSession,
    conversation: Conversation,
    question_id: str,
    question_type: str,
    value: str | None,
    answer_text: str | None,
) -> Answer:
    """Insert the answer, or replace the earlier answer to the same question."""
    answer = (
        await session.execute(
            select(Answer).where(
                Answer.conversation_id == conversation.id, Answer.question_id == question_id
            )
        )
    ).scalar_one_or_none()
    now = utcnow()
    if answer is None:
        answer = Answer(
            conversation_id=conversation.id,
            version_id=conversation.version_id,
            question_id=question_id,
            question_type=question_type,
            created_at=now,
        )
        session.add(answer)
    answer.value = value
    answer.answer_text = answer_text
    answer.updated_at = now
    await session.flush()
    return answer


async def for_conversation(session: AsyncSession, conversation_id: str) -> list[Answer]:
    return list(
        (
            await session.execute(
                select(Answer).where(Answer.conversation_id == conversation_id).order_by(Answer.id)
            )
        ).scalars()
    )


async def delete_for_conversation(session: AsyncSession, conversation_id: str) -> int:
    result = await session.execute(
        delete(Answer).where(Answer.conversation_id == conversation_id)
    )
    return result.rowcount or 0


async def export_rows(
    session: AsyncSession,
    consultation_id: str,
    unit_id: str | None = None,
    started_from: datetime | None = None,
    started_before: datetime | None = None,
) -> AsyncIterator[tuple[Answer, Conversation]]:
    """Answers joined with their conversation, in a stable order, streamed."""
    query = (
        select(Answer, Conversation)
        .join(Conversation, Answer.conversation_id == Conversation.id)
        .where(Conversation.consultation_id == consultation_id)
        .order_by(Conversation.started_at, Conversation.id, Answer.id)
    )
    if unit_id is not None:
        query = query.where(Conversation.unit_id == unit_id)
    if started_from is not None:
        query = query.where(Conversation.started_at >= started_from)
    if started_before is not None:
        query = query.where(Conversation.started_at < started_before)
    result = await session.stream(query)
    async for answer, conversation in result:
        yield answer, conversation

