"""Answers: one row per conversation and question, and the rows behind exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Comment, Conversation, utcnow

# Built once and reused on every turn (see storage/conversations.py).
_ONE = (Answer.conversation_id == bindparam("b_conversation"),
        Answer.question_id == bindparam("b_question"))
_EXISTS = select(Answer.id).where(*_ONE)
_INSERT = insert(Answer)
_REPLACE = (
    update(Answer).where(*_ONE)
    .values({column: bindparam(f"v_{column}")
             for column in ("value", "answer_text", "themes", "themes_source", "updated_at")})
    .execution_options(synchronize_session=False)
)
_VALUES = select(Answer.question_id, Answer.value).where(
    Answer.conversation_id == bindparam("b_conversation"))


async def save(
    session: AsyncSession,
    conversation: Conversation,
    question_id: str,
    question_type: str,
    value: str | None,
    answer_text: str | None,
    themes: str | None = None,
    exists: bool | None = None,
) -> None:
    """Insert the answer, or replace the earlier answer to the same question.

    `themes`: the model's theme ids for free text, joined by ";" (None: not classified).
    `exists`: whether the question has a stored answer, as read in this transaction (None:
    look it up). Written at once with Core (no unit of work to flush at commit); a second
    answer to the same question from a concurrent turn fails on the unique constraint.
    """
    now = utcnow()
    themes_source = None if themes is None else "model"
    one = {"b_conversation": conversation.id, "b_question": question_id}
    if exists is None:
        exists = (await session.execute(_EXISTS, one)).first() is not None
    if exists:
        await session.execute(_REPLACE, {
            **one, "v_value": value, "v_answer_text": answer_text, "v_themes": themes,
            "v_themes_source": themes_source, "v_updated_at": now,
        })
        return
    await session.execute(_INSERT, {
        "conversation_id": conversation.id, "version_id": conversation.version_id,
        "question_id": question_id, "question_type": question_type, "value": value,
        "answer_text": answer_text, "themes": themes, "themes_source": themes_source,
        "created_at": now, "updated_at": now,
    })


async def values(session: AsyncSession, conversation_id: str) -> dict[str, str | None]:
    """question id -> stored value, for skip logic and going back."""
    result = await session.execute(_VALUES, {"b_conversation": conversation_id})
    return {question_id: value for question_id, value in result}


def scoped(query, consultation_id: str, unit_id: str | None, started_from: datetime | None,
            started_before: datetime | None):
    """Only the conversations of one consultation, and optionally one unit and period."""
    query = query.where(Conversation.consultation_id == consultation_id)
    if unit_id is not None:
        query = query.where(Conversation.unit_id == unit_id)
    if started_from is not None:
        query = query.where(Conversation.started_at >= started_from)
    if started_before is not None:
        query = query.where(Conversation.started_at < started_before)
    return query


async def _stream(session: AsyncSession, model, consultation_id: str,
                  **scope) -> AsyncIterator[tuple[Any, Conversation]]:
    query = scoped(
        select(model, Conversation).join(Conversation, model.conversation_id == Conversation.id),
        consultation_id, **scope,
    ).order_by(Conversation.started_at, Conversation.id, model.id)
    async for row, conversation in await session.stream(query):
        yield row, conversation


def export_rows(session: AsyncSession, consultation_id: str, unit_id: str | None = None,
                started_from: datetime | None = None, started_before: datetime | None = None
                ) -> AsyncIterator[tuple[Answer, Conversation]]:
    """Answers joined with their conversation, in a stable order, streamed."""
    return _stream(session, Answer, consultation_id, unit_id=unit_id,
                   started_from=started_from, started_before=started_before)


def export_comments(session: AsyncSession, consultation_id: str, unit_id: str | None = None,
                    started_from: datetime | None = None, started_before: datetime | None = None
                    ) -> AsyncIterator[tuple[Comment, Conversation]]:
    """Comments given out of turn, joined with their conversation, streamed."""
    return _stream(session, Comment, consultation_id, unit_id=unit_id,
                   started_from=started_from, started_before=started_before)
