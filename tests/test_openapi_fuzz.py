"""Schemathesis against the OpenAPI description (bot/openapi.yaml) of the public routes:
random valid and invalid requests to a live server (SQLite, the real model) never get a
5xx, and every response has a documented status, content type and shape. Bounded:
SCHEMATHESIS_EXAMPLES (default 25) examples per operation."""

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
def live_url(interpreter, tmp_path_factory):
    """The app served from its own thread and loop, for schemathesis' blocking client."""
    path: Path = tmp_path_factory.mktemp("openapi") / "fuzz.sqlite3"
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{path}", secret_key="fuzz"),
                     interpreter)
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
