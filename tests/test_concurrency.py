"""Many messages of one sender at the same moment, on SQLite and PostgreSQL: never two
conversations, never two answers to one question, never a skipped question."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.engine.definitions import load_directory
from bot.config import PROJECT_ROOT
from storage.db import create_engine
from storage.models import Answer, Conversation
from tests.chat import WEBHOOK, advance_to, last_question

IFO = load_directory(PROJECT_ROOT / "consultations")["brukarundersokning-ifo"]
ORDER = [q.id for q in IFO.questions]
SIMULTANEOUS = 8
# correctness, not speed: on a starved CPU the serialised turns may exceed the 15 s default
PATIENT = {"turn_timeout": 300.0}


async def _together(client, sender: str, messages: list[str]) -> list[tuple[int, object]]:
    async def post(message: str):
        response = await client.post(WEBHOOK, json={"sender": sender, "message": message})
        return response.status, await response.json()

    return await asyncio.gather(*(post(m) for m in messages))


async def _stored(database_url: str):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            conversations = (await conn.execute(
                select(func.count()).select_from(Conversation))).scalar_one()
            rows = (await conn.execute(select(Answer.question_id, Answer.value))).all()
            position = (await conn.execute(select(Conversation.position))).scalars().all()
        return conversations, rows, position
    finally:
        await engine.dispose()


async def test_first_messages_together_start_one_conversation(make_client, settings):
    client = await make_client(settings, **PATIENT)
    results = await _together(client, "double-start", ["hej"] * SIMULTANEOUS)
    assert [status for status, _ in results] == [200] * SIMULTANEOUS, results
    conversations, _, _ = await _stored(settings.database_url)
    assert conversations == 1


async def test_answers_together_are_taken_one_after_the_other(make_client, settings):
    client = await make_client(settings, **PATIENT)
    await advance_to(client, "double-answer", "kontakt")
    before = {q for q, _ in (await _stored(settings.database_url))[1]}
    results = await _together(client, "double-answer", ["4"] * SIMULTANEOUS)
    assert [status for status, _ in results] == [200] * SIMULTANEOUS, results
    asked = [last_question(replies)["custom"]["question_id"] for _, replies in results]
    # every message answered a different question and got a different next one
    assert len(set(asked)) == SIMULTANEOUS, asked
    _, rows, position = await _stored(settings.database_url)
    new = [q for q, _ in rows if q not in before]
    start = ORDER.index("kontakt")
    # exactly the next questions in order, each once: none twice, none skipped
    assert sorted(new, key=ORDER.index) == ORDER[start:start + SIMULTANEOUS], new
    assert len(new) == len(set(new))
    assert position == [ORDER[start + SIMULTANEOUS]]
    assert sorted(asked, key=ORDER.index) == ORDER[start + 1:start + SIMULTANEOUS + 1]


async def test_more_turns_than_connections_wait_for_one_and_all_succeed(make_client, settings):
    """The pool opens no extra connections (no overflow): with 2 connections, 12 people who
    write at the same moment are served one after the other, none gets an error."""
    client = await make_client(settings, database_pool_size=2, **PATIENT)
    results = await asyncio.gather(*(
        client.post(WEBHOOK, json={"sender": f"pool-{i}", "message": "hej"}) for i in range(12)))
    assert [r.status for r in results] == [200] * 12
    conversations, _, _ = await _stored(settings.database_url)
    assert conversations == 12


def test_the_pool_size_comes_from_the_environment(monkeypatch):
    from bot.config import load_settings

    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    assert load_settings().database_pool_size == 7
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none", 7)
    assert (engine.pool.size(), engine.pool._max_overflow) == (7, 0)
    monkeypatch.setenv("DATABASE_POOL_SIZE", "many")
    with pytest.raises(SystemExit, match="DATABASE_POOL_SIZE must be a number"):
        load_settings()
