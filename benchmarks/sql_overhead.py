"""What the database layer costs a turn in CPU.

1. By layer: two statements (the locked read of the conversation and a message-log insert)
   run many times on PostgreSQL through the ORM session as storage/ did it, through
   SQLAlchemy Core on the session's connection, and on the asyncpg connection underneath
   (same pool, same transaction). Prints the CPU time of this process (client side:
   SQLAlchemy, asyncpg, the event loop) per pair of statements. Used to decide whether
   going below the ORM in the turn would buy what the load target needs.
2. A turn's storage as the engine runs it (storage/turns.py: the read, then the one
   statement that writes the state and the log), locked (BEGIN, the read with the row
   locked, the write, COMMIT) and unlocked (the read and the write, each committing by
   itself). Prints this process's CPU, PostgreSQL's CPU (all its processes on this
   machine) and the wall time per turn, one turn after the other.

    .venv/bin/python benchmarks/sql_overhead.py [--pairs 3000] [--turns 3000] [--rounds 2]
                                                [--database postgresql|postgresql-socket]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402
from sqlalchemy import bindparam, insert, select, text  # noqa: E402

from benchmarks.server import database, postgres_cpu_seconds  # noqa: E402
from storage import conversations, turns  # noqa: E402
from storage.db import create_engine, migrate, session_factory  # noqa: E402
from storage.models import Conversation, Message, utcnow  # noqa: E402

SENDER = "h" * 64
TURNS_PER_TRANSACTION = 10


async def _conversation(url: str) -> str:
    """One conversation row, foreign keys not checked (the benchmark needs no consultation)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            "INSERT INTO conversations (id, sender_hash, channel, consultation_id, version_id,"
            " lang, status, flagged, revision, started_at, updated_at)"
            " VALUES ($1, $2, 'rest', 'bench', 1, 'sv', 'active', false, 0, now(), now())",
            "c" * 32, SENDER)
    finally:
        await conn.close()
    return "c" * 32


async def _orm(session, conversation_id: str) -> None:
    await conversations.latest_for_sender(session, SENDER, lock=True)
    await conversations.log_messages(session, conversation_id, [("in", "hej")])


_CORE_SELECT = (select(Conversation.__table__)
                .where(Conversation.__table__.c.sender_hash == bindparam("b_sender_hash"))
                .order_by(Conversation.__table__.c.started_at.desc()).limit(1).with_for_update())
_CORE_INSERT = insert(Message.__table__)


async def _core(connection, conversation_id: str) -> None:
    (await connection.execute(_CORE_SELECT, {"b_sender_hash": SENDER})).first()
    await connection.execute(_CORE_INSERT, [{"conversation_id": conversation_id,
                                             "direction": "in", "text": "hej",
                                             "created_at": utcnow()}])


async def _raw(driver, conversation_id: str) -> None:
    await driver.fetchrow("SELECT * FROM conversations WHERE sender_hash = $1"
                          " ORDER BY started_at DESC LIMIT 1 FOR UPDATE", SENDER)
    await driver.executemany("INSERT INTO messages (conversation_id, direction, text, created_at)"
                             " VALUES ($1, $2, $3, $4)",
                             [(conversation_id, "in", "hej", utcnow())])


async def _turn(sessions, locked: bool) -> None:
    async with sessions() as session:
        if not locked:
            await turns.unlocked(session)
        async with session.begin() if locked else nullcontext():
            conversation, _ = await turns.latest(session, SENDER, lock=locked)
            await turns.save(session, conversation, {"position": "kontakt"}, [],
                             [("in", "4"), ("out", "Nästa fråga.")])


async def run(pairs: int, count: int, rounds: int, kind: str) -> None:
    async with database(kind) as url:
        engine = create_engine(url)
        await migrate(engine)
        conversation_id = await _conversation(url)
        sessions = session_factory(engine)
        for round_ in range(rounds if pairs else 0):
            for layer in ("ORM session (as storage/ does)", "SQLAlchemy Core", "asyncpg"):
                cpu = time.process_time()
                for _ in range(pairs // TURNS_PER_TRANSACTION):
                    async with sessions() as session, session.begin():
                        connection = await session.connection()
                        if layer == "asyncpg":
                            await connection.execute(text("SELECT 1"))  # opens the transaction
                            driver = (await connection.get_raw_connection()).driver_connection
                        for _ in range(TURNS_PER_TRANSACTION):
                            if layer.startswith("ORM"):
                                await _orm(session, conversation_id)
                            elif layer == "SQLAlchemy Core":
                                await _core(connection, conversation_id)
                            else:
                                await _raw(driver, conversation_id)
                per_pair = (time.process_time() - cpu) * 1000 / pairs
                print(f"round {round_ + 1}  {layer:<32} {per_pair:.3f} ms CPU per pair of statements")
        for locked in (True, False):  # warm-up: statements prepared, connection open
            for _ in range(100):
                await _turn(sessions, locked)
        for round_ in range(rounds if count else 0):
            for locked in (True, False):
                cpu, server, wall = time.process_time(), postgres_cpu_seconds(), time.perf_counter()
                for _ in range(count):
                    await _turn(sessions, locked)
                cpu, server, wall = ((time.process_time() - cpu) * 1000 / count,
                                     (postgres_cpu_seconds() - server) * 1000 / count,
                                     (time.perf_counter() - wall) * 1000 / count)
                how = "locked (4 round trips)" if locked else "unlocked (2 round trips)"
                print(f"round {round_ + 1}  turn, {how:<26} {cpu:.3f} ms CPU here, {server:.3f}"
                      f" ms PostgreSQL's, {wall:.3f} ms wall per turn")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", default="postgresql",
                        choices=("postgresql", "postgresql-socket"))
    args = parser.parse_args()
    asyncio.run(run(args.pairs, args.turns, args.rounds, args.database))


if __name__ == "__main__":
    main()
