"""What only the real `brukarrost serve` process does: once the model and the readers are
loaded, it freezes them out of the garbage collector's full passes (a full pass over half a
million start-up objects stalls the event loop for about 250 ms), and still answers; on
SQLite, and on PostgreSQL reached through its Unix socket (`?host=/var/run/postgresql`, as
a service on the database's own host connects; the other tests reach it over TCP).

Runs `brukarrost serve` as a subprocess (benchmarks/server.py starts it), so this loads the
model once more in another process per database.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from benchmarks.server import Server, database


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql-socket"])
async def test_served_process_freezes_its_start_up_objects_and_answers(kind):
    async with database(kind) as url:
        server = Server(url)
        server.start()
        try:
            metrics = _get(server.base + "/metrics")
            frozen = re.search(r"^brukarrost_gc_frozen_objects (\S+)$", metrics, re.M)
            assert frozen is not None, metrics
            assert float(frozen.group(1)) > 100_000  # Rasa, TensorFlow, the models: ~500,000
            request = urllib.request.Request(
                server.base + "/webhooks/rest/webhook", method="POST",
                data=json.dumps({"sender": "serve-1", "message": "hej"}).encode(),
                headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200
                replies = json.loads(response.read())
            assert any((r.get("custom") or {}).get("type") == "consent" for r in replies), replies
        finally:
            server.stop()
