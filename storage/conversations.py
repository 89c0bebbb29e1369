"""Conversations (pseudonymous sessions), their message log and flags."""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Answer, Comment, Conversation, Flag, Message, utcnow


class StaleConversation(Exception):
    """Another turn of the same conversation committed first; the caller retries."""


FINISHED_STATUSES = ("completed", "stopped", "declined", "withdrawn")

# The statements of every turn are built once, with bound parameters, and reused: SQLAlchemy
# then keeps their cache key and compiled SQL instead of building and hashing a new statement
# object on every message (a fifth of a turn's Python time on the hot path).
_LATEST = (
    select(Conversation)
    .where(Conversation.sender_hash == bindparam("b_sender_hash"))
    .order_by(Conversation.started_at.desc(), Conversation.id.desc())
    .limit(1)
)
_LATEST_LOCKED = _LATEST.with_for_update()
_MESSAGE_INSERT = insert(Message)


async def latest_for_sender(session: AsyncSession, sender_hash: str,
                            lock: bool = False) -> Conversation | None:
    """The sender's newest conversation. With `lock`, its row stays locked until the
    transaction ends (PostgreSQL: SELECT ... FOR UPDATE), so two turns of one sender run one
    after the other; SQLite locks the whole database for a writing transaction anyway."""
    query = _LATEST_LOCKED if lock else _LATEST
    return (await session.execute(query, {"b_sender_hash": sender_hash})).scalar_one_or_none()


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
    params = {f"v_{key}": value for key, value in changes.items()}
    params.update(b_id=conversation.id, b_revision=expected)
    result = await session.execute(_state_update(tuple(sorted(changes))), params)
    if result.rowcount != 1:
        raise StaleConversation(conversation.id)
    for key, value in changes.items():  # as written: nothing left for the flush to send
        set_committed_value(conversation, key, value)


@lru_cache(maxsize=64)
def _state_update(columns: tuple[str, ...]):
    """UPDATE conversations SET <columns> WHERE id AND revision, one per set of columns."""
    return (
        update(Conversation)
        .where(Conversation.id == bindparam("b_id"),
               Conversation.revision == bindparam("b_revision"))
        .values({column: bindparam(f"v_{column}") for column in columns})
        .execution_options(synchronize_session=False)
    )


async def log_messages(session: AsyncSession, conversation_id: str,
                       entries: list[tuple[str, str | None]]) -> None:
    """Append (direction, redacted text) pairs to the message log in one executemany, in
    order (ids follow the order given). Not one multi-row VALUES: SQLAlchemy 1.4 cannot
    cache the compiled form of those and compiles it again on every turn; asyncpg sends an
    executemany in one round trip."""
    if not entries:
        return
    now = utcnow()
    await session.execute(_MESSAGE_INSERT, [
        {"conversation_id": conversation_id, "direction": direction, "text": text,
         "created_at": now}
        for direction, text in entries
    ])


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
