"""Reading the database from outside the server, as another process would."""

from __future__ import annotations

from sqlalchemy import func, select, text

from storage.db import create_engine
from storage.models import Answer, Conversation, Message


async def answers(database_url: str) -> list[tuple[str, str | None, str | None]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                select(Answer.question_id, Answer.value, Answer.answer_text).order_by(Answer.id)
            )
            return [tuple(row) for row in result]
    finally:
        await engine.dispose()


async def counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            out = {}
            for name, model in (("conversations", Conversation), ("messages", Message),
                                ("answers", Answer)):
                out[name] = (await conn.execute(select(func.count()).select_from(model))).scalar_one()
            return out
    finally:
        await engine.dispose()


async def all_text(database_url: str) -> str:
    """Every stored value of every table, as one string, to search for leaks."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            chunks = []
            for table in ("units", "consultations", "conversations", "messages", "answers", "flags"):
                for row in await conn.execute(text(f"SELECT * FROM {table}")):
                    chunks.extend(str(value) for value in row)
            return "\n".join(chunks)
    finally:
        await engine.dispose()
