"""Bad input gets a clear 4xx JSON error and changes nothing stored (contracts.md)."""

from __future__ import annotations

import pytest

from tests import db
from tests.chat import WEBHOOK, say

IFO = {"consultation": "brukarundersokning-ifo"}


async def _started(client, database_url) -> dict[str, int]:
    await say(client, "someone", "hej", IFO)
    await say(client, "someone", "ja")
    await say(client, "someone", "sjalv")
    return await db.counts(database_url)


@pytest.mark.parametrize(
    "body, status, words",
    [
        (b"{not json", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b'["a list"]', 400, "JSON object"),
        (b'{"message": "hej"}', 400, "'sender' is missing"),
        (b'{"sender": "", "message": "hej"}', 400, "'sender' is missing"),
        (b'{"sender": "' + b"x" * 129 + b'", "message": "hej"}', 400, "1-128"),
        (b'{"sender": "a\\nb", "message": "hej"}', 400, "printable"),
        (b'{"sender": "s"}', 400, "'message' is missing"),
        (b'{"sender": "s", "message": 5}', 400, "must be a text"),
        (b'{"sender": "s", "message": "' + b"a" * 2001 + b'"}', 400, "too long"),
        (b'{"sender": "s", "message": "hej", "metadata": []}', 400, "metadata"),
        (b'{"sender": "s", "message": "hej", "metadata": {"source": "QR poster!"}}', 400, "source"),
        (b'{"sender": "s", "message": "hej", "metadata": {"lang": "fi"}}', 400, "lang"),
        (b'{"sender": "s", "message": "hej", "metadata": {"consultation": "nope"}}', 404,
         "no consultation called 'nope'"),
        (b'{"sender": "s", "message": "hej", "metadata": {"unit": "nope"}}', 400,
         "no unit called 'nope'"),
        (b'{"sender": "s", "message": "hej", "metadata": {"invite": "abc123"}}', 404,
         "invitation"),
    ],
)
async def test_bad_request_is_refused_in_plain_words(client, database_url, body, status, words):
    before = await _started(client, database_url)
    response = await client.post(
        WEBHOOK, data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == status
    assert words in (await response.json())["error"]
    assert await db.counts(database_url) == before


async def test_ten_megabyte_body_is_refused_and_nothing_changes(client, database_url):
    before = await _started(client, database_url)
    big = b'{"sender": "someone", "message": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    response = await client.post(WEBHOOK, data=big, headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "too large" in (await response.json())["error"]
    assert await db.counts(database_url) == before
    # the conversation goes on as if nothing happened
    replies = await say(client, "someone", "arbete")
    assert replies[-1]["custom"]["question_id"] == "kon"


async def test_unknown_route_and_method_answer_in_json(client):
    response = await client.get("/nowhere")
    assert response.status == 404
    assert "error" in await response.json()
    response = await client.get(WEBHOOK)
    assert response.status == 405
    assert "error" in await response.json()


async def test_raw_sender_and_identifying_text_are_never_stored(client, database_url):
    sender = "sender-ab12cd34ef"
    await say(client, sender, "hej, jag heter Zlatan Ibrahimovic", IFO)
    await say(client, sender, "ja")
    for message in ("sjalv", "mejla mig zlatan@example.com", "kvinna", "1"):
        await say(client, sender, message)
    await say(client, sender, "mitt personnummer är 19850101-1234")
    stored = await db.all_text(database_url)
    for secret in (sender, "Zlatan", "Ibrahimovic", "example.com", "19850101", "0101-1234"):
        assert secret not in stored
    assert "[namn]" in stored and "[e-post]" in stored and "[personnummer]" in stored
