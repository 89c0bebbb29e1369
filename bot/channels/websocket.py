"""The WebSocket channel the chat widget uses: GET /webhooks/websocket.

Each text frame is a JSON object like the REST body (`sender`, `message`, `metadata`), or
`{"sender": ..., "resume": true, "metadata": ...}` when a page is (re)opened: the bot then
says where the conversation is without anything being stored. Each answer frame is the
REST reply list (`[{"recipient_id", "text", "buttons", "custom"}, ...]`), or
`{"error": "..."}` for bad input. The socket is kept open; there is no time limit.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from bot.appkeys import ENGINE, SETTINGS
from bot.channels.base import BadMessage, incoming_from_json, reply_to_json
from bot.channels.origins import origin_allowed
from bot.engine.conversation import TurnError

log = logging.getLogger(__name__)

routes = web.RouteTableDef()
MAX_FRAME = 16 * 1024  # a message of 2,000 characters with metadata fits many times


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


async def _answer(request: web.Request, raw: str) -> Any:
    try:
        body = json.loads(raw)
    except json.JSONDecodeError:
        return {"error": "The message is not valid JSON."}
    resume = isinstance(body, dict) and body.get("resume") is True
    if resume:
        body = {**body, "message": ""}
    try:
        incoming = incoming_from_json("websocket", body)
        engine = request.app[ENGINE]
        replies = await (engine.resume(incoming) if resume else engine.handle(incoming))
    except (BadMessage, TurnError) as exc:
        return {"error": str(exc)}
    return [reply_to_json(incoming.sender, reply) for reply in replies]


@routes.get("/webhooks/websocket")
async def websocket(request: web.Request) -> web.StreamResponse:
    if not origin_allowed(request, request.app[SETTINGS].allowed_origins):
        raise web.HTTPForbidden(reason="This page may not open the chat.")
    socket = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME)
    await socket.prepare(request)
    async for frame in socket:
        if frame.type == WSMsgType.TEXT:
            await socket.send_str(_dumps(await _answer(request, frame.data)))
        elif frame.type == WSMsgType.ERROR:
            log.info("websocket closed with an error")
    return socket

