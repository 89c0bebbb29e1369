"""How many round trips to PostgreSQL each message costs: respondents complete the IFO
survey in-process (aiohttp test server, the real model), half by buttons and half by typed
answers, as benchmarks/load.py's do; each statement, BEGIN, COMMIT and ROLLBACK that
SQLAlchemy's asyncpg adapter sends while a message is handled is counted.

    .venv/bin/python benchmarks/round_trips.py [--respondents 10]

Prints how many messages took how many round trips, and what they were, and the CPU time of
this process (server, test client and model together) a message. A statement that
asyncpg must prepare first costs one more, which is not counted (after the warm-up
respondent the prepared statements are cached).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from sqlalchemy.dialects.postgresql import asyncpg as adapter  # noqa: E402

from benchmarks.load import answer_for, asking  # noqa: E402
from benchmarks.server import database  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from nlu.interpreter import NluInterpreter  # noqa: E402
from nlu.train import current_model  # noqa: E402

@contextmanager
def counting() -> Iterator[list[str]]:
    """While inside, each call of SQLAlchemy's asyncpg adapter that makes a round trip
    (a statement, BEGIN, COMMIT, ROLLBACK) is appended to the list yielded, in order."""
    sent: list[str] = []
    connection, cursor = adapter.AsyncAdapt_asyncpg_connection, adapter.AsyncAdapt_asyncpg_cursor
    commit, rollback = connection.commit, connection.rollback
    execute = cursor._prepare_and_execute

    def _commit(self):
        if self._started:
            sent.append("COMMIT")
        return commit(self)

    def _rollback(self):
        if self._started:
            sent.append("ROLLBACK")
        return rollback(self)

    async def _prepare_and_execute(self, operation, parameters):
        connection = self._adapt_connection  # BEGIN goes first, unless autocommit
        if not connection._started and connection.isolation_level != "autocommit":
            sent.append("BEGIN")
        words = operation.split()
        sent.append(words[0].upper() + (" ... FOR UPDATE" if "FOR UPDATE" in operation else ""))
        return await execute(self, operation, parameters)

    connection.commit, connection.rollback = _commit, _rollback
    cursor._prepare_and_execute = _prepare_and_execute
    try:
        yield sent
    finally:
        connection.commit, connection.rollback = commit, rollback
        cursor._prepare_and_execute = execute


async def respondents(client: TestClient, count: int, first: int,
                      sent: list[str]) -> list[tuple[str, ...]]:
    """What went to the database for each message of `count` respondents."""
    turns = []
    for index in range(first, first + count):
        rng, message = random.Random(index), "hej"
        for _ in range(80):
            sent.clear()
            response = await client.post("/webhooks/rest/webhook",
                                         json={"sender": f"p{index}", "message": message})
            replies = await response.json()
            turns.append(tuple(sent))
            reply = asking(replies)
            if reply is None or reply["custom"]["type"] == "end":
                break
            message = answer_for(reply, index % 2 == 1, rng)
    return turns


async def _survey(interpreter: NluInterpreter, count: int,
                  sent: list[str]) -> tuple[list[tuple[str, ...]], float]:
    async with database("postgresql") as url:
        # no catalog reads in between: only the turns' own round trips are counted
        settings = Settings(database_url=url, secret_key="round-trips", catalog_refresh=3600.0)
        client = TestClient(TestServer(create_app(settings, interpreter)))
        await client.start_server()
        try:
            await respondents(client, 1, 0, sent)  # warm-up: statements prepared, cached
            cpu = time.process_time()
            turns = await respondents(client, count, 1, sent)
            return turns, time.process_time() - cpu
        finally:
            await client.close()


async def main(args: argparse.Namespace) -> None:
    base = load_settings()
    model = current_model(base.models_dir, base.nlu_config, base.nlu_data_dir)
    interpreter = NluInterpreter.load(model)
    with counting() as sent:
        turns, cpu = await _survey(interpreter, args.respondents, sent)
    interpreter.close()
    print(f"{len(turns)} messages of {args.respondents} respondents (PostgreSQL)")
    print("round trips  messages  what was sent")
    for size in sorted(Counter(len(t) for t in turns)):
        kinds = Counter(t for t in turns if len(t) == size)
        for kind, messages in kinds.most_common():
            print(f"{size:>11}  {messages:>8}  {', '.join(kind)}")
    print(f"mean {sum(len(t) for t in turns) / len(turns):.2f} round trips a message, "
          f"{cpu / len(turns) * 1000:.2f} ms of CPU a message (this process, all threads)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
