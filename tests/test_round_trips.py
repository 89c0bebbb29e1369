"""What a message costs in round trips to PostgreSQL (counted at SQLAlchemy's asyncpg
adapter, as benchmarks/round_trips.py does): an answer mid-survey is one read and one write,
without a transaction around them; a first message runs in a transaction with the row
locked."""

from __future__ import annotations

import pytest

from benchmarks.round_trips import counting
from tests.chat import advance_to, last_question, say


@pytest.fixture
async def pg_client(make_client, settings):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("round trips to PostgreSQL; SQLite turns run in one transaction")
    # no reading of consultation versions in between: only the turns' own round trips
    return await make_client(settings, catalog_refresh=3600.0)


async def test_an_answer_is_one_read_and_one_write(pg_client):
    await advance_to(pg_client, "trips", "kontakt")
    with counting() as sent:
        replies = await say(pg_client, "trips", "4")
        assert last_question(replies)["custom"]["question_id"] == "snabb-hjalp"
        assert sent == ["SELECT", "WITH"]
        sent.clear()  # typed, read by the model: the same
        await say(pg_client, "trips", "Jag tycker att det har gått ganska bra")
        assert sent == ["SELECT", "WITH"]


async def test_a_first_message_runs_locked(pg_client):
    with counting() as sent:
        replies = await say(pg_client, "first-trip", "hej")
        assert last_question(replies)["custom"]["type"] == "consent"
        # the unlocked read finds no conversation; starting one runs in a transaction
        assert sent == ["SELECT", "BEGIN", "SELECT ... FOR UPDATE", "INSERT", "WITH", "COMMIT"]
