"""Återkoppling, "Ni sa – vi gör": messages staff publish per consultation and language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FeedbackMessage, utcnow


async def publish(session: AsyncSession, consultation_id: str, lang: str, said: str,
                  doing: str) -> FeedbackMessage:
    message = FeedbackMessage(consultation_id=consultation_id, lang=lang, said=said,
                              doing=doing, published_at=utcnow())
    session.add(message)
    await session.flush()
    return message


async def listed(session: AsyncSession, consultation_id: str,
                 include_retracted: bool = False) -> list[FeedbackMessage]:
    """Messages of a consultation, newest first."""
    query = select(FeedbackMessage).where(FeedbackMessage.consultation_id == consultation_id)
    if not include_retracted:
        query = query.where(FeedbackMessage.retracted_at.is_(None))
    query = query.order_by(FeedbackMessage.published_at.desc(), FeedbackMessage.id.desc())
    return list((await session.execute(query)).scalars())


async def retract(session: AsyncSession, consultation_id: str, message_id: int) -> bool:
    """Take a published message back; False when there is no such published message."""
    message = await session.get(FeedbackMessage, message_id)
    if message is None or message.consultation_id != consultation_id or message.retracted_at:
        return False
    message.retracted_at = utcnow()
    return True


async def latest(session: AsyncSession, consultation_id: str,
                 langs: tuple[str, ...]) -> FeedbackMessage | None:
    """The newest published message in the first of `langs` that has one."""
    messages = await listed(session, consultation_id)
    for lang in langs:
        for message in messages:
            if message.lang == lang:
                return message
    return None
