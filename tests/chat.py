"""Helpers for talking to the REST channel in tests."""

from __future__ import annotations

from typing import Any

WEBHOOK = "/webhooks/rest/webhook"


async def say(client, sender: str, message: str, metadata: dict[str, Any] | None = None,
              status: int = 200) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"sender": sender, "message": message}
    if metadata is not None:
        body["metadata"] = metadata
    response = await client.post(WEBHOOK, json=body)
    payload = await response.json()
    assert response.status == status, payload
    return payload


def last_question(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """The last message that asks something (has a question_id or is the consent)."""
    asking = [r for r in replies if r["custom"].get("question_id") or r["custom"]["type"] == "consent"]
    assert asking, replies
    return asking[-1]


DEFAULTS = {"scale": "3", "yesno": "nej", "text": "Det fungerar bra för mig nu.",
            "consent": "ja"}


async def advance_to(client, sender: str, question_id: str,
                     metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Start a conversation and answer with plain defaults until `question_id` is asked."""
    replies = await say(client, sender, "hej", metadata or {})
    for _ in range(40):
        asked = last_question(replies)
        custom = asked["custom"]
        if custom.get("question_id") == question_id:
            return replies
        answer = DEFAULTS.get(custom["type"]) or asked["buttons"][0]["payload"]
        replies = await say(client, sender, answer)
    raise AssertionError(f"{question_id} was never asked")
