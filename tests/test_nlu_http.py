"""POST /model/parse and GET /health with the real trained model."""

from __future__ import annotations

import asyncio

import pytest


@pytest.mark.parametrize(
    "text, intent",
    [
        ("hej", "greet"),
        ("hejdå", "goodbye"),
        ("ja", "affirm"),
        ("avsluta enkäten", "stop"),
        ("hoppa över den här frågan", "skip"),
        ("vad betyder det", "clarify"),
        ("jag vill prata med en människa", "human"),
        ("är det här anonymt", "privacy"),
        ("jag vill inte leva längre", "crisis"),
        ("I want to go back", "back"),
    ],
)
async def test_parse_returns_rasa_shape_and_intent(client, text, intent):
    response = await client.post("/model/parse", json={"text": text})
    assert response.status == 200
    result = await response.json()
    assert set(result) >= {"text", "intent", "intent_ranking", "entities"}
    assert result["intent"]["name"] == intent
    assert 0 < result["intent"]["confidence"] <= 1
    assert result["intent_ranking"][0]["name"] == intent


async def test_parse_redacts_before_anything_else(client):
    response = await client.post("/model/parse", json={"text": "ring 0701234567"})
    assert (await response.json())["text"] == "ring [telefon]"


@pytest.mark.parametrize("body", [b"nope", b'{"txt": "hej"}', b'{"text": 3}'])
async def test_parse_rejects_bad_input(client, body):
    response = await client.post("/model/parse", data=body)
    assert response.status == 400
    assert "error" in await response.json()


async def test_parses_run_concurrently_without_error(client):
    texts = ["hej", "nej", "vet inte", "avsluta"] * 10
    responses = await asyncio.gather(*(client.post("/model/parse", json={"text": t}) for t in texts))
    assert [r.status for r in responses] == [200] * len(texts)


async def test_health(client):
    response = await client.get("/health")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["model"].startswith("nlu-")
    assert "brukarundersokning-ifo" in body["consultations"]


async def test_a_repeated_short_text_gets_the_same_parse_and_callers_cannot_change_it(
        interpreter):
    first = await interpreter.parse("ja, gärna")
    first["intent"]["name"] = "changed by a caller"
    first["intent_ranking"].clear()
    again = await interpreter.parse("ja, gärna")
    assert again["intent"]["name"] != "changed by a caller"
    assert again["intent_ranking"]
    assert again == await interpreter.parse("ja, gärna")
