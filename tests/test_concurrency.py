"""Many messages of one sender at the same moment, on SQLite and PostgreSQL: never two
conversations, never two answers to one question, never a skipped question."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import set_committed_value

from bot.appkeys import ENGINE, SESSIONS
from bot.engine.definitions import load_directory
from bot.config import PROJECT_ROOT
from storage import answers, turns
from storage.db import create_engine
from storage.conversations import StaleConversation
from storage.models import Answer, Conversation, Message
from tests.chat import WEBHOOK, advance_to, last_question, say

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
    await _answered_in_order(settings.database_url, results, before, "kontakt")


async def _answered_in_order(database_url: str, results, before: set[str], first: str) -> None:
    """Each of the SIMULTANEOUS answers to the questions from `first` on answered a different
    question and got a different next one: none twice, none skipped."""
    assert [status for status, _ in results] == [200] * SIMULTANEOUS, results
    asked = [last_question(replies)["custom"]["question_id"] for _, replies in results]
    assert len(set(asked)) == SIMULTANEOUS, asked
    _, rows, position = await _stored(database_url)
    new = [q for q, _ in rows if q not in before]
    start = ORDER.index(first)
    # exactly the next questions in order, each once
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


async def test_a_turn_that_waited_for_the_lock_does_not_see_old_answers(make_client, settings):
    """Two processes, one sender (PostgreSQL: the row lock). The turn that waited while the
    other committed an answer must not get the answers of its own, older snapshot."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite takes no row locks: the revision check at the end keeps turns apart")
    client = await make_client(settings)
    await advance_to(client, "two-processes", "kontakt")
    app = client.server.app
    sender_hash = app[ENGINE].sender_hash("rest", "two-processes")
    async with app[SESSIONS]() as first, first.begin():
        conversation, given = await turns.latest(first, sender_hash)
        async with app[SESSIONS]() as session:  # nothing has moved: the answers are current
            assert given in (None, await answers.values(session, conversation.id))

        async def second_turn():
            async with app[SESSIONS]() as second, second.begin():
                return await turns.latest(second, sender_hash)

        waiting = asyncio.create_task(second_turn())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # held by the first turn's row lock
        await turns.save(first, conversation, {"position": "kontakt"},
                         [turns.AnswerWrite("kontakt", "scale", "4", None, None, False)],
                         [("in", "4")])
    seen, given = await waiting
    assert seen.revision == conversation.revision
    assert given is None or given.get("kontakt") == "4"


async def test_a_turn_whose_revision_moved_on_writes_nothing(make_client, settings):
    """The end of a turn that lost the race: no answer, no state, no log row is written."""
    client = await make_client(settings)
    await advance_to(client, "lost-race", "kontakt")
    app = client.server.app
    sender_hash = app[ENGINE].sender_hash("rest", "lost-race")
    async with app[SESSIONS]() as session:
        conversation, _ = await turns.latest(session, sender_hash)
        conversation_id, position_before = conversation.id, conversation.position
        messages_before = await _message_count(session, conversation_id)
    with pytest.raises(StaleConversation):
        async with app[SESSIONS]() as session, session.begin():  # rolled back by the raise
            conversation, _ = await turns.latest(session, sender_hash)
            # as read before another turn committed (not a change for the session to flush)
            set_committed_value(conversation, "revision", conversation.revision - 1)
            await turns.save(session, conversation, {"position": "lost-race"},
                             [turns.AnswerWrite("kontakt", "scale", "4", None, None, False)],
                             [("in", "4"), ("out", "Tack!")])
    async with app[SESSIONS]() as session:
        assert "kontakt" not in await answers.values(session, conversation_id)
        assert await _message_count(session, conversation_id) == messages_before
        assert (await session.execute(select(Conversation.position).where(
            Conversation.id == conversation_id))).scalar_one() == position_before


async def test_two_processes_take_one_senders_messages_at_once(make_client, settings):
    """Two servers on one database, one sender whose messages reach both at the same moment
    (a double click behind a load balancer): turns that lose the race are redone, so each
    question is answered once and none is skipped."""
    processes = [await make_client(settings, **PATIENT) for _ in range(2)]
    await advance_to(processes[0], "two-servers", "kontakt")
    before = {q for q, _ in (await _stored(settings.database_url))[1]}
    results = await asyncio.gather(*(
        _together(client, "two-servers", ["4"] * (SIMULTANEOUS // 2)) for client in processes))
    await _answered_in_order(settings.database_url,
                             [result for pair in results for result in pair], before, "kontakt")


async def test_a_turn_holds_no_lock_while_the_model_reads_and_yields_to_a_faster_one(
        make_client, settings):
    """PostgreSQL: a turn reads and writes without a transaction, so the conversation's row
    is free while the model reads the message. When another process answered meanwhile,
    the slower turn writes nothing of its own reading and is redone on the new state."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite turns run in one transaction (it locks the whole database)")
    slow, fast = [await make_client(settings, **PATIENT) for _ in range(2)]
    await advance_to(slow, "slow-reader", "kontakt")
    engine = slow.server.app[ENGINE]
    reading, go_on = asyncio.Event(), asyncio.Event()
    parse = engine.parse

    async def slow_parse(message: str):
        reading.set()
        await go_on.wait()
        return await parse(message)

    engine.parse = slow_parse
    typed = asyncio.create_task(say(slow, "slow-reader", "Jag tycker att det var ganska bra"))
    try:
        await asyncio.wait_for(reading.wait(), 60)
        sender_hash = engine.sender_hash("rest", "slow-reader")
        async with slow.server.app[SESSIONS]() as session, session.begin():
            try:  # fails at once if the reading turn held the row
                await session.execute(text(
                    "SELECT id FROM conversations WHERE sender_hash = :sender FOR UPDATE NOWAIT"),
                    {"sender": sender_hash})
            except DBAPIError as exc:
                pytest.fail(f"the row is locked while the model reads: {exc}")
        answered = await say(fast, "slow-reader", "1")  # another process, no model needed
        assert last_question(answered)["custom"]["question_id"] == "kontakt-followup"
    finally:
        go_on.set()  # the held turn ends, also when a check above failed
    replies = await asyncio.wait_for(typed, 60)
    # redone on the new state: the words answer the follow-up, not kontakt again
    assert last_question(replies)["custom"]["question_id"] == "snabb-hjalp"
    _, rows, position = await _stored(settings.database_url)
    questions = [q for q, _ in rows]
    assert dict(rows)["kontakt"] == "1" and questions.count("kontakt") == 1
    assert questions.count("kontakt-followup") == 1
    assert position == ["snabb-hjalp"]


async def _message_count(session, conversation_id: str) -> int:
    return (await session.execute(select(func.count()).select_from(Message).where(
        Message.conversation_id == conversation_id))).scalar_one()
