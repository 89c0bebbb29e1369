"""Graceful shutdown: SIGTERM lets the requests in flight finish (their answers stored and
replied to) and then the server exits; no new request is accepted.

Runs the real `brukarrost serve` as a subprocess (benchmarks/server.py starts it), so this
loads the model once more in another process.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from benchmarks.server import Server

WEBHOOK = "/webhooks/rest/webhook"
PEOPLE = 12
WORDS = ["handläggaren", "väntetiden", "breven", "mötena", "telefontiden", "tolken"]


async def _post(session: aiohttp.ClientSession, base: str, sender: str, message: str,
                metadata: dict | None = None) -> tuple[int, list]:
    body = {"sender": sender, "message": message, **({"metadata": metadata} if metadata else {})}
    async with session.post(base + WEBHOOK, json=body) as response:
        return response.status, await response.json(content_type=None)


async def _to_free_text(session, base: str, sender: str) -> None:
    """Answer with payloads until the first free-text question is asked."""
    status, replies = await _post(session, base, sender, "hej", {"unit": "arbetsmarknad"})
    for _ in range(40):
        asked = [r for r in replies if r.get("custom", {}).get("question_id")
                 or r.get("custom", {}).get("type") == "consent"][-1]
        if asked["custom"]["type"] == "text":
            return
        buttons = [b["payload"] for b in asked.get("buttons") or []]
        answer = "4" if "4" in buttons else "ja" if "ja" in buttons else buttons[0]
        status, replies = await _post(session, base, sender, answer)
        assert status == 200, replies
    raise AssertionError("no free-text question was asked")


@pytest.mark.timeout(600)
def test_sigterm_finishes_requests_in_flight(tmp_path: Path):
    database = tmp_path / "shutdown.sqlite3"
    server = Server(f"sqlite+aiosqlite:///{database}",
                    env={"BRUKARROST_RATE_LIMIT_ADDRESS": "0", "BRUKARROST_SHUTDOWN_TIMEOUT": "20"})
    server.start()
    try:
        asyncio.run(_scenario(server))
    finally:
        server.stop()
    assert server.process.returncode == 0
    # every free-text answer that was replied to with 200 is stored
    with sqlite3.connect(database) as db:
        stored = db.execute(
            "SELECT count(*) FROM answers WHERE question_type = 'text' AND answer_text LIKE "
            "'Jag vill säga något om %'").fetchone()[0]
    assert stored == PEOPLE


async def _scenario(server: Server) -> None:
    base = server.base
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        senders = [f"shutdown-{i}" for i in range(PEOPLE)]
        await asyncio.gather(*(_to_free_text(session, base, s) for s in senders))
        # long free text: each needs the NLU model (crisis check) and the theme classifier,
        # so together they take a while; SIGTERM arrives while they are being handled
        answers = [asyncio.create_task(_post(
            session, base, sender,
            f"Jag vill säga något om {WORDS[i % len(WORDS)]} nummer {i}: det tar för lång tid "
            f"att få svar och jag förstår inte alltid breven som kommer hem till mig."))
            for i, sender in enumerate(senders)]
        await asyncio.sleep(0.15)
        server.process.send_signal(signal.SIGTERM)
        results = await asyncio.gather(*answers)
        for status, replies in results:
            assert status == 200, replies
            assert replies and replies[-1]["custom"].get("question_id")
        # the server is going away: a new request is refused, not half-handled
        await asyncio.get_running_loop().run_in_executor(None, server.process.wait, 60)
        with pytest.raises(aiohttp.ClientConnectionError):
            await _post(session, base, "late", "hej")
