"""Schemathesis against the OpenAPI description (bot/openapi.yaml) of the public routes:
random valid and invalid requests to a live server (SQLite, the real model) never get a
5xx, and every response has a documented status, content type and shape. Bounded:
SCHEMATHESIS_EXAMPLES (default 25) examples per operation. The analyst API is run twice:
without a token (every operation then answers 401 as described) and with an analyst's
valid token, over a database with a few answers in it."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis import checks

from bot.app import create_app
from bot.config import Settings
from bot.openapi import spec
from benchmarks.server import free_port

schema = schemathesis.openapi.from_dict(spec())
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]


@pytest.fixture(scope="module")
def database_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("openapi") / "fuzz.sqlite3"


@pytest.fixture(scope="module")
def live_url(interpreter, database_file):
    """The app served from its own thread and loop, for schemathesis' blocking client."""
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{database_file}",
                              secret_key="fuzz"), interpreter)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    port = free_port()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(120)
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@schema.parametrize()
@hypothesis_settings(max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25")),
                     deadline=None, suppress_health_check=list(HealthCheck))
def test_public_routes_follow_their_description(case, live_url):
    case.call_and_validate(base_url=live_url, checks=CHECKS, timeout=30)


async def _analyst_with_answers(database_url: str) -> str:
    """An analyst's API token, and one person's free-text answer and scale answers."""
    from bot.api import tokens
    from bot.engine.catalog import Catalog
    from bot.config import PROJECT_ROOT
    from storage import answers, api_tokens, conversations, users
    from storage.db import create_engine, session_factory

    engine = create_engine(database_url)
    token = tokens.new_token()
    try:
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            catalog = await Catalog.load(session, PROJECT_ROOT / "consultations",
                                         PROJECT_ROOT / "units.yml")
            user = await users.create_user(session, "fuzz@example.se", "x", "analyst", [])
            await api_tokens.create(session, user.id, tokens.token_hash(token))
            version_id, _ = catalog.current("brukarundersokning-ifo")
            conversation = await conversations.create(
                session, sender_hash="fuzz", channel="rest",
                consultation_id="brukarundersokning-ifo", version_id=version_id,
                unit_id="arbetsmarknad", lang="sv", status="completed")
            await answers.save(session, conversation, "kontakt", "scale", "4", None)
            await answers.save(session, conversation, "gora-battre", "text", None,
                               "Svårt att nå handläggaren.", themes="tillganglighet")
    finally:
        await engine.dispose()
    return token


@pytest.fixture(scope="module")
def analyst_token(live_url, database_file) -> str:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(
            _analyst_with_answers(f"sqlite+aiosqlite:///{database_file}"))
    finally:
        loop.close()


@schema.include(path_regex="^/api/").parametrize()
@hypothesis_settings(max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25")),
                     deadline=None, suppress_health_check=list(HealthCheck))
def test_analyst_api_with_a_valid_token_follows_its_description(case, live_url, analyst_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {analyst_token}"}
    response = case.call_and_validate(base_url=live_url, checks=CHECKS, timeout=30)
    if not case.operation.schema.is_security_param_negated(case):  # else 401 is right
        assert response.status_code != 401, response.text
