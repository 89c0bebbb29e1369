"""Conversations (pseudonymous sessions), their message log and flags."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Answer, Comment, Conversation, Flag, Message, utcnow


class StaleConversation(Exception):
    """Another turn of the same conversation committed first; the caller retries."""


FINISHED_STATUSES = ("completed", "stopped", "declined", "withdrawn")


async def latest_for_sender(session: AsyncSession, sender_hash: str,
                            lock: bool = False) -> Conversation | None:
    """The sender's newest conversation. With `lock`, its row stays locked until the
    transaction ends (PostgreSQL: SELECT ... FOR UPDATE), so two turns of one sender run one
    after the other; SQLite locks the whole database for a writing transaction anyway."""
    query = (
        select(Conversation)
        .where(Conversation.sender_hash == sender_hash)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def count_open(session: AsyncSession) -> int:
    """Conversations started and not finished."""
    query = select(func.count()).select_from(Conversation).where(
        Conversation.status.not_in(FINISHED_STATUSES)
    )
    return (await session.execute(query)).scalar_one()


async def create(session: AsyncSession, **fields: Any) -> Conversation:
    now = utcnow()
    conversation = Conversation(
        id=secrets.token_hex(16),
        revision=0,
        flagged=False,
        started_at=now,
        updated_at=now,
        **fields,
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def save_state(session: AsyncSession, conversation: Conversation, **changes: Any) -> None:
    """Write new state if nobody else changed the conversation since it was read.

    Raises StaleConversation when the revision moved on (a concurrent turn won).
    """
    expected = conversation.revision
    changes["revision"] = expected + 1
    changes["updated_at"] = utcnow()
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.revision == expected)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleConversation(conversation.id)
    for key, value in changes.items():  # as written: nothing left for the flush to send
        set_committed_value(conversation, key, value)


async def log_messages(session: AsyncSession, conversation_id: str,
                       entries: list[tuple[str, str | None]]) -> None:
    """Append (direction, redacted text) pairs to the message log in one statement, in
    order (ids follow the order given)."""
    if not entries:
        return
    now = utcnow()
    await session.execute(insert(Message).values([
        {"conversation_id": conversation_id, "direction": direction, "text": text,
         "created_at": now}
        for direction, text in entries
    ]))


async def add_flag(session: AsyncSession, conversation_id: str, kind: str) -> None:
    session.add(Flag(conversation_id=conversation_id, kind=kind, status="new"))


async def add_comment(
    session: AsyncSession, conversation_id: str, question_id: str | None, text: str,
    themes: str | None = None,
) -> None:
    """`themes`: the model's theme ids joined by ";" (None: not classified)."""
    session.add(Comment(conversation_id=conversation_id, question_id=question_id, text=text,
                        themes=themes, themes_source=None if themes is None else "model"))


async def withdraw(session: AsyncSession, conversation_id: str) -> int:
    """The person asked to delete their answers: answers, comments and message texts go.

    The conversation row stays (without content) so that started/withdrawn can be counted.
    Returns the number of answers deleted.
    """
    deleted = await session.execute(delete(Answer).where(Answer.conversation_id == conversation_id))
    await session.execute(delete(Comment).where(Comment.conversation_id == conversation_id))
    await session.execute(
        update(Message).where(Message.conversation_id == conversation_id).values(text=None)
    )
    return deleted.rowcount or 0
