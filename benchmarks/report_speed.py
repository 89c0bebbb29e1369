"""Speed of indicators and the HTML report on a synthetic data set.

    .venv/bin/python benchmarks/report_speed.py [--people N] [--html OUT.html]

Seeds N completed conversations of brukarundersokning-ifo (random units, background answers
and statements, spread over the last 12 months) into a fresh SQLite database, then prints
the time of `indicators` (every question and index, every breakdown), of the report (which
also computes each month and the previous period) and of the public results page figures.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.analytics import indicators, report  # noqa: E402
from bot.config import PROJECT_ROOT  # noqa: E402
from bot.engine.catalog import Catalog  # noqa: E402
from storage import answers as answer_store  # noqa: E402
from storage import conversations as conversation_store  # noqa: E402
from storage.db import create_engine, migrate, session_factory  # noqa: E402

IFO = "brukarundersokning-ifo"
VALUES = ["1", "2", "3", "3", "4", "4", "4", "5", "5", "dk"]


async def seed(sessions, people: int, rng: random.Random) -> None:
    async with sessions() as session, session.begin():
        catalog = await Catalog.load(session, PROJECT_ROOT / "consultations",
                                     PROJECT_ROOT / "units.yml")
        version_id, definition = catalog.current(IFO)
        units = sorted(catalog.units)
        now = datetime.now(timezone.utc)
        for number in range(people):
            conversation = await conversation_store.create(
                session, sender_hash=f"{number:064d}", channel="rest", consultation_id=IFO,
                version_id=version_id, unit_id=rng.choice(units), source="qr",
                lang=rng.choice(["sv", "sv", "en"]), status="completed", position=None)
            conversation.started_at = now - timedelta(days=rng.randrange(365))
            for question in definition.questions:
                if question.type.value == "scale" and not question.when:
                    value = rng.choice(VALUES)
                elif question.options:
                    value = rng.choice(question.options).id
                else:
                    continue
                await answer_store.save(session, conversation, question.id,
                                        question.type.value, value, None)


async def main(people: int, html: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await migrate(engine)
        sessions = session_factory(engine)
        started = time.perf_counter()
        await seed(sessions, people, random.Random(7))
        print(f"seeded {people} conversations in {time.perf_counter() - started:.1f} s")
        async with sessions() as session, session.begin():
            catalog = await Catalog.load(session, PROJECT_ROOT / "consultations",
                                         PROJECT_ROOT / "units.yml")
        _, definition = catalog.current(IFO)
        started = time.perf_counter()
        rows = await indicators.compute(sessions, definition, 5)
        print(f"indicators, all breakdowns ({len(rows)} rows): "
              f"{time.perf_counter() - started:.2f} s")
        today = datetime.now(timezone.utc).date()
        started = time.perf_counter()
        page = await report.render(sessions, definition, 5, date(today.year - 1,
                                   today.month, 1), today)
        print(f"report, 12-13 months with comparison ({len(page) // 1024} KiB): "
              f"{time.perf_counter() - started:.2f} s")
        if html:
            Path(html).write_text(page, encoding="utf-8")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--html")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.html))
