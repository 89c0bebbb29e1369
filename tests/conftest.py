"""Shared fixtures: the real Rasa model (trained at most once, loaded once per session),
and a fresh database per test on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.config import PROJECT_ROOT, Settings
from nlu.interpreter import NluInterpreter
from nlu.train import train

PG_ADMIN_URL = os.environ.get(
    "BRUKARROST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def model_path() -> Path:
    path, _ = train(PROJECT_ROOT / "models", PROJECT_ROOT / "config.yml", PROJECT_ROOT / "nlu" / "data")
    return path


@pytest.fixture(scope="session")
def interpreter(model_path: Path) -> NluInterpreter:
    interpreter = NluInterpreter.load(model_path)
    yield interpreter
    interpreter.close()


def _run(coro):
    """Run a coroutine in a private loop (asyncio.run would unset the test loop)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


async def _pg(query: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(query)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason (shown in the skip summary)."""
    try:
        _run(_pg("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: skip with this reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path, postgres_available: str | None) -> str:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    if postgres_available:
        pytest.skip(postgres_available)
    name = f"brukarrost_test_{secrets.token_hex(6)}"
    _run(_pg(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    yield f"{base}/{name}"
    _run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        consultations_dir=PROJECT_ROOT / "consultations",
        units_file=PROJECT_ROOT / "units.yml",
    )


@pytest.fixture
def make_client(aiohttp_client, interpreter):
    """Start a server on the given settings (a second call is a restarted server)."""

    async def make(settings_: Settings, **changes: Any):
        return await aiohttp_client(create_app(replace(settings_, **changes), interpreter))

    return make


@pytest.fixture
async def client(make_client, settings):
    return await make_client(settings)


@pytest.fixture
async def browser():
    """A headless Debian chromium (one per test; it starts in about a second)."""
    from playwright.async_api import async_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()
