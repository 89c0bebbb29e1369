"""Retention (gallring): message texts older than a consultation's retention time go.

Answer values, answer texts given as answers, and comments stay for statistics and export;
the conversation rows stay so that counts do not change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, Message


async def clear_message_texts(session: AsyncSession, consultation_id: str,
                              older_than: datetime) -> int:
    """Remove the text of every message of this consultation written before `older_than`.

    Returns how many message texts were removed."""
    ids = select(Conversation.id).where(Conversation.consultation_id == consultation_id)
    result = await session.execute(
        update(Message)
        .where(Message.conversation_id.in_(ids), Message.created_at < older_than,
               Message.text.is_not(None))
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
