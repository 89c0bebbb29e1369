"""What staff read and do with conversations: the inbox, transcripts, tags, notes, review,
and the follow-up of flagged conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, delete, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    Comment,
    Conversation,
    ConversationReview,
    ConversationTag,
    Flag,
    FollowUpChange,
    Message,
    ReviewNote,
    utcnow,
)

FOLLOW_UP_STATUSES = ("new", "contacted", "closed")


@dataclass
class InboxFilter:
    unit_ids: list[str]  # the reader's units; nothing outside them is ever listed
    consultation_id: str | None = None
    unit_id: str | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None
    completed: bool | None = None
    flagged: bool | None = None
    reviewed: bool | None = None
    tag: str | None = None
    text: str | None = None
    theme: str | None = None  # a theme id: a free-text answer or comment carries it


@dataclass
class InboxRow:
    id: str
    consultation_id: str
    unit_id: str | None
    started_at: datetime
    status: str
    flagged: bool
    reviewed: bool
    follow_up: str | None
    tags: list[str]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _about(conversation_column, condition):
    """EXISTS a row of another table about this conversation that meets the condition."""
    return (select(conversation_column)
            .where(conversation_column == Conversation.id, condition)
            .correlate(Conversation).exists())


def _conditions(f: InboxFilter) -> list:
    reviewed = _about(ConversationReview.conversation_id,
                      ConversationReview.reviewed.is_(True))
    found = [Conversation.unit_id.in_(f.unit_ids)]
    simple = {
        Conversation.consultation_id: f.consultation_id,
        Conversation.unit_id: f.unit_id,
    }
    found += [column == value for column, value in simple.items() if value]
    if f.started_from:
        found.append(Conversation.started_at >= f.started_from)
    if f.started_before:
        found.append(Conversation.started_at < f.started_before)
    if f.completed is not None:
        done = Conversation.status == "completed"
        found.append(done if f.completed else ~done)
    if f.flagged is not None:
        found.append(Conversation.flagged.is_(f.flagged))
    if f.reviewed is not None:
        found.append(reviewed if f.reviewed else ~reviewed)
    if f.tag:
        found.append(_about(ConversationTag.conversation_id, ConversationTag.tag == f.tag))
    if f.text:
        found.append(_about(Message.conversation_id,
                            func.lower(Message.text).like(_like(f.text.lower()), escape="\\")))
    if f.theme:
        found.append(or_(*(_about(model.conversation_id, _carries(model.themes, f.theme))
                           for model in (Answer, Comment))))
    return found


def _carries(themes_column, theme: str):
    """The stored "a;b" list holds this theme id (";" || themes || ";" contains ";id;")."""
    return (literal(";") + themes_column + literal(";")).contains(f";{theme};", autoescape=True)


async def inbox(session: AsyncSession, f: InboxFilter, offset: int,
                limit: int) -> tuple[list[InboxRow], int]:
    """One page of conversations, newest first, and how many match in all."""
    where = and_(*_conditions(f))
    total = (await session.execute(
        select(func.count()).select_from(Conversation).where(where)
    )).scalar_one()
    rows = (await session.execute(
        select(Conversation, ConversationReview.reviewed, Flag.status)
        .outerjoin(ConversationReview, ConversationReview.conversation_id == Conversation.id)
        .outerjoin(Flag, Flag.conversation_id == Conversation.id)
        .where(where)
        .order_by(Conversation.started_at.desc(), Conversation.id)
        .offset(offset).limit(limit)
    )).all()
    tags = await _tags_of(session, [row[0].id for row in rows])
    return [
        InboxRow(c.id, c.consultation_id, c.unit_id, c.started_at, c.status, c.flagged,
                 bool(reviewed), status, tags.get(c.id, []))
        for c, reviewed, status in rows
    ], total


async def _tags_of(session: AsyncSession, ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if ids:
        rows = await session.execute(
            select(ConversationTag.conversation_id, ConversationTag.tag)
            .where(ConversationTag.conversation_id.in_(ids)).order_by(ConversationTag.tag)
        )
        for conversation_id, tag in rows:
            found.setdefault(conversation_id, []).append(tag)
    return found


async def all_tags(session: AsyncSession, unit_ids: list[str]) -> list[str]:
    rows = await session.execute(
        select(ConversationTag.tag).distinct()
        .join(Conversation, Conversation.id == ConversationTag.conversation_id)
        .where(Conversation.unit_id.in_(unit_ids)).order_by(ConversationTag.tag)
    )
    return list(rows.scalars())


async def conversation(session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def messages(session: AsyncSession, conversation_id: str) -> list[Message]:
    rows = await session.execute(
        select(Message).where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at, Message.id)
    )
    return list(rows.scalars())


async def answers(session: AsyncSession, conversation_id: str) -> list[Answer]:
    rows = await session.execute(
        select(Answer).where(Answer.conversation_id == conversation_id).order_by(Answer.id)
    )
    return list(rows.scalars())


async def notes(session: AsyncSession, conversation_id: str) -> list[ReviewNote]:
    rows = await session.execute(
        select(ReviewNote).where(ReviewNote.conversation_id == conversation_id)
        .order_by(ReviewNote.id)
    )
    return list(rows.scalars())


async def tags(session: AsyncSession, conversation_id: str) -> list[str]:
    return (await _tags_of(session, [conversation_id])).get(conversation_id, [])


async def review_state(session: AsyncSession, conversation_id: str) -> ConversationReview | None:
    return await session.get(ConversationReview, conversation_id)


async def add_tag(session: AsyncSession, conversation_id: str, tag: str, by: str) -> bool:
    """False when the conversation already has the tag."""
    if await session.get(ConversationTag, (conversation_id, tag)) is not None:
        return False
    session.add(ConversationTag(conversation_id=conversation_id, tag=tag, created_by=by))
    return True


async def remove_tag(session: AsyncSession, conversation_id: str, tag: str) -> bool:
    result = await session.execute(delete(ConversationTag).where(
        ConversationTag.conversation_id == conversation_id, ConversationTag.tag == tag))
    return bool(result.rowcount)


async def add_note(session: AsyncSession, conversation_id: str, text: str, by: str) -> None:
    session.add(ReviewNote(conversation_id=conversation_id, text=text, author=by))


async def set_reviewed(session: AsyncSession, conversation_id: str, reviewed: bool,
                       by: str) -> None:
    state = await session.get(ConversationReview, conversation_id)
    if state is None:
        state = ConversationReview(conversation_id=conversation_id)
        session.add(state)
    state.reviewed = reviewed
    state.reviewed_by = by
    state.reviewed_at = utcnow()


@dataclass
class QueueRow:
    flag_id: int
    conversation_id: str
    consultation_id: str
    unit_id: str | None
    kind: str
    status: str
    flagged_at: datetime
    changed_by: str | None
    changed_at: datetime | None


async def crisis_queue(session: AsyncSession, unit_ids: list[str],
                       include_closed: bool) -> list[QueueRow]:
    """Flagged conversations of these units: new first, then contacted, then closed;
    the oldest first within each (it has waited longest)."""
    last = (
        select(FollowUpChange.flag_id, func.max(FollowUpChange.id).label("last_id"))
        .group_by(FollowUpChange.flag_id).subquery()
    )
    order = case({"new": 0, "contacted": 1}, value=Flag.status, else_=2)
    query = (
        select(Flag, Conversation.consultation_id, Conversation.unit_id,
               FollowUpChange.changed_by, FollowUpChange.changed_at)
        .join(Conversation, Conversation.id == Flag.conversation_id)
        .outerjoin(last, last.c.flag_id == Flag.id)
        .outerjoin(FollowUpChange, FollowUpChange.id == last.c.last_id)
        .where(Conversation.unit_id.in_(unit_ids))
        .order_by(order, Flag.created_at, Flag.id)
    )
    if not include_closed:
        query = query.where(Flag.status != "closed")
    rows = (await session.execute(query)).all()
    return [QueueRow(flag.id, flag.conversation_id, consultation_id, unit_id, flag.kind,
                     flag.status, flag.created_at, by, at)
            for flag, consultation_id, unit_id, by, at in rows]


async def flags_of(session: AsyncSession, conversation_id: str) -> list[Flag]:
    rows = await session.execute(
        select(Flag).where(Flag.conversation_id == conversation_id).order_by(Flag.id))
    return list(rows.scalars())


async def follow_up_history(session: AsyncSession, flag_ids: list[int]) -> list[FollowUpChange]:
    if not flag_ids:
        return []
    rows = await session.execute(
        select(FollowUpChange).where(FollowUpChange.flag_id.in_(flag_ids))
        .order_by(FollowUpChange.id))
    return list(rows.scalars())


async def set_follow_up(session: AsyncSession, flag: Flag, status: str, by: str) -> None:
    if status not in FOLLOW_UP_STATUSES:
        raise ValueError(f"unknown follow-up status {status!r}")
    flag.status = status
    session.add(FollowUpChange(flag_id=flag.id, status=status, changed_by=by))


def is_visible(conversation_unit: str | None, unit_ids: list[str]) -> bool:
    return conversation_unit is not None and conversation_unit in unit_ids


