"""Themes of stored free text (text answers and comments): reading them for review and
discovery, staff corrections, and corrected texts as training data.

A stored text has `themes` (ids joined by ";", "" for none, NULL when not classified) and
`themes_source`: "model" (set as it was stored) or "staff" (corrected; never overwritten by
the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Literal

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Comment, Conversation

Kind = Literal["answer", "comment"]
KINDS: dict[str, type] = {"answer": Answer, "comment": Comment}
TEXT_TYPE = "text"
STAFF, MODEL = "staff", "model"


@dataclass(frozen=True)
class ThemedText:
    kind: str  # answer | comment
    id: int
    consultation_id: str
    question_id: str | None
    text: str
    themes: str | None
    source: str | None
    unit_id: str | None = None  # the conversation's unit (staff see only their units')


def _text_of(model):
    return model.answer_text if model is Answer else model.text


def _query(model, consultation_id: str | None):
    text = _text_of(model)
    query = select(model, Conversation.consultation_id, Conversation.unit_id).join(
        Conversation, model.conversation_id == Conversation.id
    ).where(text.is_not(None), text != "")
    if model is Answer:
        query = query.where(Answer.question_type == TEXT_TYPE)
    if consultation_id is not None:
        query = query.where(Conversation.consultation_id == consultation_id)
    return query.order_by(model.id)


def _themed(kind: str, row, consultation: str, unit_id: str | None) -> ThemedText:
    words = row.answer_text if kind == "answer" else row.text
    return ThemedText(kind, row.id, consultation, row.question_id, words, row.themes,
                      row.themes_source, unit_id)


async def texts(session: AsyncSession, consultation_id: str | None = None,
                source: str | None = None, unclassified: bool = False,
                units: Collection[str] | None = None) -> list[ThemedText]:
    """Free-text answers and comments (optionally of one consultation, one source, only
    those never classified, or only those of conversations in `units`), answers first,
    each in stored order."""
    out: list[ThemedText] = []
    for kind, model in KINDS.items():
        query = _query(model, consultation_id)
        if source is not None:
            query = query.where(model.themes_source == source)
        if unclassified:
            query = query.where(model.themes.is_(None))
        if units is not None:
            query = query.where(Conversation.unit_id.in_(list(units)))
        for row, consultation, unit_id in await session.execute(query):
            out.append(_themed(kind, row, consultation, unit_id))
    return out


async def item(session: AsyncSession, kind: Kind, item_id: int) -> ThemedText | None:
    """One free-text answer or comment, or None when there is no such free text."""
    model = KINDS[kind]
    found = (await session.execute(_query(model, None).where(model.id == item_id))).first()
    return None if found is None else _themed(kind, *found)


async def correct(session: AsyncSession, kind: Kind, item_id: int, themes: str) -> bool:
    """Staff set the themes of one answer or comment (ids joined by ";", "" for none).
    Returns False when there is no such free text."""
    model = KINDS[kind]
    found = (await session.execute(
        _query(model, None).where(model.id == item_id)
    )).first()
    if found is None:
        return False
    await session.execute(
        update(model).where(model.id == item_id).values(themes=themes, themes_source=STAFF)
    )
    return True


async def set_model_themes(session: AsyncSession, kind: Kind, item_id: int,
                           themes: str) -> None:
    """Store the model's themes for a text classified later; staff corrections stay."""
    model = KINDS[kind]
    await session.execute(
        update(model)
        .where(model.id == item_id, or_(model.themes_source.is_(None),
                                        model.themes_source == MODEL))
        .values(themes=themes, themes_source=MODEL)
    )
