"""Metrics, button payloads without NLU, rate limits, JSON logs and the OpenAPI route."""

from __future__ import annotations

import io
import json
import logging
import random
import re

import pytest

from bot import logs
from tests.chat import WEBHOOK, advance_to, last_question, say


def metric(text: str, name: str) -> float:
    values = re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in values)


async def scrape(client) -> str:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return await response.text()


async def test_a_survey_by_buttons_needs_no_nlu_parse(client):
    replies = await say(client, "buttons", "hej", {"unit": "arbetsmarknad"})
    for _ in range(60):
        if replies[-1]["custom"]["type"] == "end":
            break
        asked = last_question(replies)
        payloads = [b["payload"] for b in asked["buttons"]]
        answer = "4" if "4" in payloads else "ja" if "ja" in payloads else payloads[0]
        replies = await say(client, "buttons", answer)
    text = await scrape(client)
    assert replies[-1]["custom"]["type"] == "end"
    assert metric(text, "brukarrost_nlu_parses_total") == 0
    assert metric(text, "brukarrost_messages_total") >= 15
    assert metric(text, "brukarrost_open_conversations") == 0
    # a typed message that is not an exact answer is parsed, and counted
    await say(client, "typed", "jag förstår inte frågan")
    text = await scrape(client)
    assert metric(text, "brukarrost_nlu_parses_total") >= 1
    assert metric(text, "brukarrost_nlu_parse_seconds_count") >= 1
    assert metric(text, "brukarrost_open_conversations") == 1
    assert 'brukarrost_http_request_seconds_bucket{le="0.25",method="POST",' \
           'route="/webhooks/rest/webhook"}' in text


async def test_plain_typed_answers_need_no_parse(client):
    """Words of answers only ("ja, gärna", "nja, sådär", "ganska bra") are read by the rules
    and confirmed without the model; a word more sends the message to the model."""
    await say(client, "plain", "hej", {"unit": "arbetsmarknad"})
    before = metric(await scrape(client), "brukarrost_nlu_parses_total")
    replies = await say(client, "plain", "ja, gärna")
    assert last_question(replies)["custom"]["question_id"]  # the consent is given
    await advance_to(client, "plain2", "kontakt", {"consultation": "brukarundersokning-ifo"})
    for message in ("nja, sådär", "ganska bra", "ja absolut"):
        asked = last_question(await say(client, "plain2", "4"))["custom"]["question_id"]
        replies = await say(client, "plain2", message)
        if replies[-1]["custom"]["type"] == "confirm":  # "Jag tolkar det som ..."
            replies = await say(client, "plain2", "ja")
        assert last_question(replies)["custom"]["question_id"] != asked, message
    assert metric(await scrape(client), "brukarrost_nlu_parses_total") == before
    await say(client, "plain2", "ganska bra tycker jag nog om min kontakt")
    assert metric(await scrape(client), "brukarrost_nlu_parses_total") == before + 1


async def test_a_free_text_answer_is_embedded_once(client):
    """The crisis check (intent model) and the theme classifier read the same text: the
    second reading comes from the per-process embedding cache."""
    await advance_to(client, "writer", "fungerar-bra", {"unit": "arbetsmarknad"})
    before = await scrape(client)
    number = random.randrange(10 ** 6)  # a text this process has not seen (two databases)
    replies = await say(client, "writer", f"Det fungerar bra med tolk på möte nummer {number}.")
    assert last_question(replies)["custom"]["question_id"] != "fungerar-bra"
    after = await scrape(client)
    misses = 'brukarrost_embeddings{cache="misses"}'
    hits = 'brukarrost_embeddings{cache="hits"}'
    assert metric(after, "brukarrost_nlu_parses_total") == \
        metric(before, "brukarrost_nlu_parses_total") + 1
    assert metric(after, re.escape(misses)) == metric(before, re.escape(misses)) + 1
    assert metric(after, re.escape(hits)) >= metric(before, re.escape(hits)) + 1


async def test_a_sender_over_the_limit_gets_429_with_retry_after(make_client, settings):
    client = await make_client(settings, rate_limit_sender=3)
    for _ in range(3):
        await say(client, "hasty", "hej")
    response = await client.post(WEBHOOK, json={"sender": "hasty", "message": "ja"})
    assert response.status == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "error" in await response.json()
    await say(client, "someone-else", "hej")  # other senders are not affected


async def test_an_address_over_the_limit_gets_429(make_client, settings):
    client = await make_client(settings, rate_limit_address=2)
    await say(client, "a", "hej")
    await say(client, "b", "hej")
    response = await client.post("/model/parse", json={"text": "hej"})
    assert response.status == 429
    assert (await client.get("/health")).status == 200  # reading is not limited


async def test_openapi_description_is_served(client):
    response = await client.get("/openapi.json")
    spec = await response.json()
    assert spec["openapi"].startswith("3.")
    assert {"/webhooks/rest/webhook", "/model/parse", "/health", "/metrics"} <= set(spec["paths"])


@pytest.fixture
def json_log():
    stream = io.StringIO()
    before = logging.getLogger().handlers[:], logging.getLogger().level
    logs.setup("DEBUG", "json")
    logging.getLogger().handlers[0].setStream(stream)
    yield stream
    logging.getLogger().handlers[:] = before[0]
    logging.getLogger().setLevel(before[1])


async def test_json_logs_hold_no_message_text(client, json_log):
    secret = "Mitt personnummer är 19850101-1234 och jag bor på Storgatan 5"
    await say(client, "logged", "hej")
    await say(client, "logged", secret)
    logging.getLogger("brukarrost").exception("boom", exc_info=ValueError(secret))
    lines = [line for line in json_log.getvalue().splitlines() if line.strip()]
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert {"time", "level", "logger", "message"} <= set(entry)
    everything = json_log.getvalue()
    assert "19850101" not in everything and "Storgatan" not in everything
    assert "personnummer" not in everything
