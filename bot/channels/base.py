"""What every channel shares: turning wire input into an `Incoming`, replies into JSON.

A channel translates and decides nothing (compare Rasa's InputChannel/OutputChannel).
"""

from __future__ import annotations

import re
from typing import Any

from bot.engine.conversation import LANGS, Incoming, Reply

MAX_SENDER = 128
MAX_MESSAGE = 2000
SOURCE = re.compile(r"^[a-z0-9-]{1,64}$")
IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class BadMessage(ValueError):
    """Input that does not follow contracts.md; the text says what is wrong."""


def _check_metadata(metadata: Any) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise BadMessage("'metadata' must be an object.")
    checked: dict[str, str] = {}
    for key in ("consultation", "unit"):
        value = metadata.get(key)
        if value is not None:
            if not isinstance(value, str) or not IDENT.match(value):
                raise BadMessage(f"'metadata.{key}' must be an id of letters, digits and dashes.")
            checked[key] = value
    invite = metadata.get("invite")
    if invite is not None:
        if not isinstance(invite, str) or not TOKEN.match(invite):
            raise BadMessage("'metadata.invite' is not a valid invitation token.")
        checked["invite"] = invite
    source = metadata.get("source")
    if source is not None:
        if not isinstance(source, str) or not SOURCE.match(source):
            raise BadMessage("'metadata.source' must be 1-64 characters of a-z, 0-9 and '-'.")
        checked["source"] = source
    lang = metadata.get("lang")
    if lang is not None:
        if lang not in LANGS:
            raise BadMessage(f"'metadata.lang' must be one of {', '.join(LANGS)}.")
        checked["lang"] = lang
    return checked


def incoming_from_json(channel: str, body: Any) -> Incoming:
    """Validate a Rasa-REST-style body: sender, message, optional metadata."""
    if not isinstance(body, dict):
        raise BadMessage("The body must be a JSON object with 'sender' and 'message'.")
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender:
        raise BadMessage("'sender' is missing: give a text of 1-128 characters.")
    if len(sender) > MAX_SENDER or not sender.isprintable():
        raise BadMessage("'sender' must be 1-128 printable characters.")
    message = body.get("message")
    if message is None:
        raise BadMessage("'message' is missing.")
    if not isinstance(message, str):
        raise BadMessage("'message' must be a text.")
    if len(message) > MAX_MESSAGE:
        raise BadMessage(f"'message' is too long: at most {MAX_MESSAGE} characters.")
    return Incoming(channel, sender, message, _check_metadata(body.get("metadata")))


def reply_to_json(recipient_id: str, reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"recipient_id": recipient_id, "text": reply.text}
    if reply.buttons:
        message["buttons"] = reply.buttons
    message["custom"] = reply.custom()
    if reply.lang:
        message["lang"] = reply.lang  # an extension: the language of `text`
    return message
