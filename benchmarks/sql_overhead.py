"""What the database layer costs a turn in CPU, by layer: the turn's two commonest statements
(the locked read of the conversation and the message-log insert) run many times on PostgreSQL
through the ORM session as storage/ does it, through SQLAlchemy Core on the session's
connection, and on the asyncpg connection underneath (same pool, same transaction).

    .venv/bin/python benchmarks/sql_overhead.py [--pairs 3000] [--rounds 2]

Prints the CPU time of this process (client side: SQLAlchemy, asyncpg, the event loop) per
pair of statements. PostgreSQL's own time is not in it. Used to decide whether going below
the ORM in the turn would buy what the load target needs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402
from sqlalchemy import bindparam, insert, select, text  # noqa: E402

from benchmarks.server import database  # noqa: E402
from storage import conversations  # noqa: E402
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


async def run(pairs: int, rounds: int) -> None:
    async with database("postgresql") as url:
        engine = create_engine(url)
        await migrate(engine)
        conversation_id = await _conversation(url)
        sessions = session_factory(engine)
        for round_ in range(rounds):
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
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.pairs, args.rounds))


if __name__ == "__main__":
    main()
