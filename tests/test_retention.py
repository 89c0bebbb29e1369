"""Retention (gallring): old message texts go, answers stay, and every run is logged."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta

from sqlalchemy import select, update

from bot import cli
from bot.appkeys import CATALOG, SESSIONS
from bot.engine.definitions import load_directory
from bot.config import PROJECT_ROOT
from storage import consultations as consultation_store
from storage import retention as retention_store
from storage.db import create_engine, session_factory
from storage.models import Answer, AuditEntry, Message, utcnow
from tests.chat import advance_to
from tests.staff import add_user, login

IFO = {"consultation": "brukarundersokning-ifo", "unit": "barn-och-familj"}
CONSULTATIONS = {"barnenkat", "brukarforum", "brukarundersokning-ifo"}
DAYS = load_directory(PROJECT_ROOT / "consultations")["brukarundersokning-ifo"].retention_days


async def _age_first_messages(client, count: int, days: int) -> None:
    async with client.server.app[SESSIONS]() as session, session.begin():
        ids = (await session.execute(select(Message.id).order_by(Message.id).limit(count)))
        await session.execute(update(Message).where(Message.id.in_(list(ids.scalars())))
                              .values(created_at=utcnow() - timedelta(days=days)))


async def _texts(client) -> list[str | None]:
    async with client.server.app[SESSIONS]() as session:
        return list((await session.execute(select(Message.text).order_by(Message.id))).scalars())


async def _retention_log(client) -> list[tuple[str, str]]:
    async with client.server.app[SESSIONS]() as session:
        rows = await session.execute(select(AuditEntry.target, AuditEntry.detail)
                                     .where(AuditEntry.action == "retention"))
        return [tuple(row) for row in rows]


async def _targets_of_first_run(client) -> set[str]:
    """The consultations in the audit log's retention entries, once the server's own first
    run has written one for each (or after 10 s)."""
    for _ in range(100):
        if len(await _retention_log(client)) == len(CONSULTATIONS):
            break
        await asyncio.sleep(0.1)
    return {target for target, _ in await _retention_log(client)}


async def test_gallra_removes_old_message_texts_and_keeps_answers(client, database_url,
                                                                 monkeypatch):
    await advance_to(client, "gammal", "snabb-hjalp", IFO)
    async with client.server.app[SESSIONS]() as session:
        answers_before = (await session.execute(
            select(Answer.question_id, Answer.value).order_by(Answer.id))).all()
    await _age_first_messages(client, 4, DAYS + 1)
    before = await _texts(client)

    monkeypatch.setenv("DATABASE_URL", database_url)
    code = await asyncio.get_running_loop().run_in_executor(None, cli.main, ["gallra"])
    assert code == 0

    after = await _texts(client)
    assert after[:4] == [None] * 4 and after[4:] == before[4:] and all(after[4:])
    async with client.server.app[SESSIONS]() as session:
        answers_after = (await session.execute(
            select(Answer.question_id, Answer.value).order_by(Answer.id))).all()
    assert answers_after == answers_before and answers_after
    log = dict(await _retention_log(client))
    assert log["brukarundersokning-ifo"].startswith(f"removed 4 message texts older than {DAYS}")
    assert log["barnenkat"].startswith("removed 0 message texts")

    await add_user(client, "handlaggare@example.se", "staff", ["barn-och-familj"])
    await login(client, "handlaggare@example.se")
    inbox = await (await client.get("/staff/")).text()
    conversation = inbox.split('href="/staff/conversations/')[1][:32]
    page = await (await client.get(f"/staff/conversations/{conversation}")).text()
    assert page.count("Texten är borttagen (gallrad).") == 4


async def test_the_server_runs_retention_by_itself(make_client, settings, monkeypatch):
    monkeypatch.setattr("bot.retention.FIRST_RUN_DELAY_SECONDS", 0)
    client = await make_client(settings)
    assert await _targets_of_first_run(client) == CONSULTATIONS


async def test_gallra_goes_by_the_version_in_the_database(client, database_url, monkeypatch):
    """A version saved on another host is not in this host's folder: the database decides."""
    await advance_to(client, "annan-vard", "snabb-hjalp", IFO)
    catalog = client.server.app[CATALOG]
    _, definition = catalog.current("brukarundersokning-ifo")
    shorter = definition.copy(update={"retention_days": 1})
    async with client.server.app[SESSIONS]() as session, session.begin():
        version = await consultation_store.register_version(
            session, shorter.id, shorter.title.sv, shorter.checksum(), shorter.canonical(),
            "consultations/brukarundersokning-ifo.yml")
        await consultation_store.set_current(session, shorter.id, version.id)
    await _age_first_messages(client, 2, 2)  # older than 1 day, far younger than the file's

    monkeypatch.setenv("DATABASE_URL", database_url)
    code = await asyncio.get_running_loop().run_in_executor(None, cli.main, ["gallra"])
    assert code == 0
    assert (await _texts(client))[:2] == [None, None]
    log = dict(await _retention_log(client))
    assert log["brukarundersokning-ifo"].startswith("removed 2 message texts older than 1 days")


async def test_the_server_needs_no_files_for_retention(make_client, settings, tmp_path,
                                                       monkeypatch):
    """The server's runs go by the consultations it serves, not by reading the folder."""
    folder = tmp_path / "consultations"
    shutil.copytree(PROJECT_ROOT / "consultations", folder)
    monkeypatch.setattr("bot.retention.FIRST_RUN_DELAY_SECONDS", 0.5)
    client = await make_client(settings, consultations_dir=folder)
    shutil.rmtree(folder)  # gone after start: the catalog is what the server runs on
    assert await _targets_of_first_run(client) == CONSULTATIONS


async def test_a_run_in_progress_at_shutdown_finishes(make_client, settings, monkeypatch):
    """Closing the server lets a retention run finish (its audit entries are written)
    instead of cancelling it in the middle of a database call."""
    monkeypatch.setattr("bot.retention.FIRST_RUN_DELAY_SECONDS", 0)
    started, clear = asyncio.Event(), retention_store.clear_message_texts

    async def slow_clear(session, consultation_id, cutoff):
        started.set()
        await asyncio.sleep(0.2)  # a large table: the run is still going when the app closes
        return await clear(session, consultation_id, cutoff)

    monkeypatch.setattr(retention_store, "clear_message_texts", slow_clear)
    client = await make_client(settings)
    await asyncio.wait_for(started.wait(), 10)
    await client.close()  # the app's cleanup; the database stays

    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            targets = (await session.execute(select(AuditEntry.target).where(
                AuditEntry.action == "retention"))).scalars().all()
    finally:
        await engine.dispose()
    assert sorted(targets) == ["barnenkat", "brukarforum", "brukarundersokning-ifo"]
