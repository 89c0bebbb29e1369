"""What one turn reads at its start and writes at its end, in as few round trips as the
database allows.

On PostgreSQL each is one statement:

- `latest`: the sender's newest conversation with the answers given so far, as one snapshot.
  A turn first runs *unlocked* (`unlocked`): no transaction, each statement commits by
  itself, so the read and the write are its only round trips (no BEGIN, no COMMIT). A turn
  that must write more than `save` holds (a new conversation, a comment, a flag, deleted
  answers), or that lost a race, runs again *locked*: in a transaction, with the row locked
  (`lock=True`). The locked read's answers come from the statement's snapshot; when the turn
  had to wait for the lock while another turn of the conversation committed (the locked
  row's revision is not the snapshot's), they may be old, so none are returned and the
  engine reads them again. Every turn moves the revision on (`save`), so an unchanged
  revision means unchanged answers.
- `save`: the state update, guarded by the revision the turn read, is a data-modifying CTE,
  and the answers and log rows are written only through it: one statement, so it is whole
  also without a transaction. When another turn of the conversation committed first,
  nothing is written and StaleConversation is raised, as `conversations.save_state` does.

Elsewhere (SQLite, which locks the whole database for a writing transaction) turns are
always locked, and the same reads and writes go as one statement each, in one transaction.

A turn on PostgreSQL was seven round trips (BEGIN, the locked read, the answers read, the
answer, the state, the log, COMMIT); the locked turn is four, the unlocked turn two. A
statement costs the serving process a third to half a millisecond of CPU in SQLAlchemy and
asyncpg, BEGIN and COMMIT less: the unlocked turn's storage needs 0.05-0.35 ms less CPU here
and 0.06-0.14 ms less in PostgreSQL than the locked one (benchmarks/sql_overhead.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, String, Text, bindparam, func, select, text, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from storage import answers as answer_store
from storage import conversations as conversation_store
from storage.conversations import StaleConversation
from storage.models import Answer, Conversation, utcnow


_SNAPSHOT = aliased(Conversation)
_LATEST_WITH_ANSWERS_UNLOCKED = (
    select(
        Conversation,
        select(_SNAPSHOT.revision).where(_SNAPSHOT.id == Conversation.id).scalar_subquery(),
        type_coerce(
            select(func.json_agg(func.json_build_array(Answer.question_id, Answer.value)))
            .where(Answer.conversation_id == Conversation.id).scalar_subquery(), JSON),
    )
    .where(Conversation.sender_hash == bindparam("b_sender_hash"))
    .order_by(Conversation.started_at.desc(), Conversation.id.desc())
    .limit(1)
)
_LATEST_WITH_ANSWERS = _LATEST_WITH_ANSWERS_UNLOCKED.with_for_update(of=Conversation)


def _postgresql(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def can_run_unlocked(session: AsyncSession) -> bool:
    """Whether this database can run a turn unlocked (PostgreSQL)."""
    return _postgresql(session)


async def unlocked(session: AsyncSession) -> None:
    """Make `session` run without a transaction: each statement commits by itself, and no
    BEGIN or COMMIT goes to the database. Call it before the session's first statement."""
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def latest(session: AsyncSession, sender_hash: str, lock: bool = True
                 ) -> tuple[Conversation | None, dict[str, str | None] | None]:
    """The sender's newest conversation and question id -> stored value of its answers
    (None: not read here, ask `answers.values`). With `lock`, the row stays locked until the
    transaction ends; without, the turn must be unlocked and end with `save`."""
    if not _postgresql(session):
        return await conversation_store.latest_for_sender(session, sender_hash, lock=lock), None
    query = _LATEST_WITH_ANSWERS if lock else _LATEST_WITH_ANSWERS_UNLOCKED
    row = (await session.execute(query, {"b_sender_hash": sender_hash})).first()
    if row is None:
        return None, None
    conversation, snapshot_revision, given = row
    if snapshot_revision != conversation.revision:  # waited for a turn that committed
        return conversation, None
    return conversation, {question_id: value for question_id, value in given or []}


@dataclass
class AnswerWrite:
    """One answer of this turn: a new row, or the replacement of the stored one (`replace`)."""

    question_id: str
    question_type: str
    value: str | None
    answer_text: str | None
    themes: str | None  # the model's theme ids joined by ";" (None: not classified)
    replace: bool


async def save(session: AsyncSession, conversation: Conversation, changes: dict[str, Any],
               answers: list[AnswerWrite], log: list[tuple[str, str | None]]) -> None:
    """Write the turn: `answers`, then `changes` to the conversation (every turn moves its
    revision on), then the (direction, redacted text) pairs of `log` in order."""
    if not _postgresql(session):
        for answer in answers:
            await answer_store.save(
                session, conversation, answer.question_id, answer.question_type, answer.value,
                answer.answer_text, themes=answer.themes, exists=answer.replace)
        await conversation_store.save_state(session, conversation, **changes)
        await conversation_store.log_messages(session, conversation.id, log)
        return
    changes = {**changes, "revision": conversation.revision + 1, "updated_at": utcnow()}
    await _save_in_one(session, conversation, changes, answers, log)
    for key, value in changes.items():  # as written: nothing left for the flush to send
        set_committed_value(conversation, key, value)


async def _save_in_one(session: AsyncSession, conversation: Conversation,
                       changes: dict[str, Any], answers: list[AnswerWrite],
                       log: list[tuple[str, str | None]]) -> None:
    now = changes["updated_at"]
    params: dict[str, Any] = {f"v_{key}": value for key, value in changes.items()}
    params.update(b_id=conversation.id, b_revision=conversation.revision, now=now,
                  log_directions=[direction for direction, _ in log],
                  log_texts=[words for _, words in log])
    for index, answer in enumerate(answers):
        params.update({
            f"a{index}_question_id": answer.question_id, f"a{index}_value": answer.value,
            f"a{index}_answer_text": answer.answer_text, f"a{index}_themes": answer.themes,
            f"a{index}_themes_source": None if answer.themes is None else "model",
        })
        if not answer.replace:
            params[f"a{index}_question_type"] = answer.question_type
    statement = _statement(tuple(sorted(changes)), tuple(answer.replace for answer in answers))
    if (await session.execute(statement, params)).scalar_one() != 1:
        raise StaleConversation(conversation.id)


_ANSWER_COLUMNS = ("value", "answer_text", "themes", "themes_source")


@lru_cache(maxsize=128)
def _statement(columns: tuple[str, ...], replaces: tuple[bool, ...]):
    """The turn's one statement, for one set of changed columns and answer kinds."""
    assignments = ", ".join(f"{column} = :v_{column}" for column in columns)
    parts = [f"state AS (UPDATE conversations SET {assignments}"
             " WHERE id = :b_id AND revision = :b_revision RETURNING id, version_id)"]
    for index, replace in enumerate(replaces):
        a = f"a{index}_"
        if replace:
            values = ", ".join(f"{column} = :{a}{column}" for column in _ANSWER_COLUMNS)
            parts.append(
                f"{a}write AS (UPDATE answers SET {values}, updated_at = :now"
                f" WHERE conversation_id = :b_id AND question_id = :{a}question_id"
                " AND EXISTS (SELECT 1 FROM state))")
        else:
            parts.append(
                f"{a}write AS (INSERT INTO answers (conversation_id, version_id, question_id,"
                " question_type, value, answer_text, themes, themes_source, created_at,"
                f" updated_at) SELECT id, version_id, :{a}question_id, :{a}question_type,"
                f" :{a}value, :{a}answer_text, :{a}themes, :{a}themes_source, :now, :now"
                " FROM state)")
    parts.append(
        "logged AS (INSERT INTO messages (conversation_id, direction, text, created_at)"
        " SELECT state.id, entry.direction, entry.text, :now FROM state,"
        " unnest(CAST(:log_directions AS VARCHAR[]), CAST(:log_texts AS TEXT[]))"
        " WITH ORDINALITY AS entry(direction, text, position) ORDER BY entry.position)")
    statement = text("WITH " + ", ".join(parts) + " SELECT count(*) FROM state")
    table, answer_table = Conversation.__table__, Answer.__table__
    binds = [bindparam(f"v_{column}", type_=table.c[column].type) for column in columns]
    binds += [bindparam("log_directions", type_=ARRAY(String)),
              bindparam("log_texts", type_=ARRAY(Text)),
              bindparam("now", type_=table.c.updated_at.type)]
    for index, replace in enumerate(replaces):
        binds += [bindparam(f"a{index}_{column}", type_=answer_table.c[column].type)
                  for column in ("question_id", *_ANSWER_COLUMNS)
                  + (() if replace else ("question_type",))]
    return statement.bindparams(*binds)

