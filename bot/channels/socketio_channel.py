"""A socket.io channel that speaks rasa-webchat's protocol (as Rasa 3.6's SocketIOInput).

- `session_request` {session_id?} -> `session_confirm` session_id (a new one if none given);
- `user_uttered` {message, session_id, customData} -> one `bot_uttered` per bot message:
  {"text": ..., "quick_replies": [{"content_type": "text", "title", "payload"}]} as Rasa
  sends them, plus our `custom` (question id, progress);
- `customData` (or `metadata`; an object or a JSON string) is the chat's metadata;
- rasa-webchat's `initPayload` (a Rasa intent payload such as "/get_started") asks where the
  conversation is, as the widget's resume: the current question, or the consent when new.

The sender is the session id, so a webchat that keeps its session continues after a reload.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import socketio
from aiohttp import web

from bot.appkeys import ENGINE, SETTINGS
from bot.channels.base import BadMessage, incoming_from_json
from bot.engine.conversation import Reply, TurnError

log = logging.getLogger(__name__)

CHANNEL = "socketio"
INIT_PAYLOAD = re.compile(r"^/[A-Za-z_]+$")  # "/get_started", Rasa's intent syntax


def bot_uttered(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        message["quick_replies"] = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]}
            for b in reply.buttons
        ]
    message["custom"] = reply.custom()
    if reply.lang:
        message["lang"] = reply.lang
    return message


def _metadata(data: dict[str, Any]) -> Any:
    metadata = data.get("customData", data.get("metadata"))
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except json.JSONDecodeError:
            raise BadMessage("'customData' is not valid JSON.") from None
    return metadata


def _origin_check(allowed: tuple[str, ...]):
    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin is None or origin == own or origin in allowed or "*" in allowed

    return check


def setup(app: web.Application) -> socketio.AsyncServer:
    """Attach the socket.io server at /socket.io/ to the app."""
    sio = socketio.AsyncServer(
        async_mode="aiohttp", cors_allowed_origins=_origin_check(app[SETTINGS].allowed_origins),
        max_http_buffer_size=16 * 1024,
    )

    @sio.on("session_request")
    async def session_request(sid: str, data: Any) -> None:
        session_id = data.get("session_id") if isinstance(data, dict) else None
        if not isinstance(session_id, str) or not session_id:
            session_id = uuid.uuid4().hex
        await sio.emit("session_confirm", session_id, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Any) -> None:
        for message in await _turn(app, sid, data):
            await sio.emit("bot_uttered", message, room=sid)

    sio.attach(app, socketio_path="socket.io")
    return sio


async def _turn(app: web.Application, sid: str, data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        return [{"text": "The message must be an object with 'message'.", "error": True}]
    text = data.get("message", "")
    try:
        body = {"sender": data.get("session_id") or sid, "message": text,
                "metadata": _metadata(data)}
        incoming = incoming_from_json(CHANNEL, body)
        engine = app[ENGINE]
        resume = isinstance(text, str) and INIT_PAYLOAD.match(text) is not None
        replies = await (engine.resume(incoming) if resume else engine.handle(incoming))
    except (BadMessage, TurnError) as exc:
        return [{"text": str(exc), "error": True}]
    return [bot_uttered(reply) for reply in replies]
