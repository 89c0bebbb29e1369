"""The REST channel, compatible with Rasa's: POST /webhooks/rest/webhook."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from bot import limits
from bot.appkeys import ENGINE, SETTINGS
from bot.channels.base import BadMessage, incoming_from_json, reply_to_json
from bot.engine.conversation import TurnError
from bot.http_errors import json_error, read_json

routes = web.RouteTableDef()


@routes.post("/webhooks/rest/webhook")
async def webhook(request: web.Request) -> web.Response:
    body = await read_json(request)
    try:
        incoming = incoming_from_json("rest", body)
    except BadMessage as exc:
        return json_error(400, str(exc))
    limited = limits.sender_limited(request, incoming.channel, incoming.sender)
    if limited is not None:
        return limited
    try:
        replies = await asyncio.wait_for(request.app[ENGINE].handle(incoming),
                                         request.app[SETTINGS].turn_timeout)
    except TurnError as exc:
        return json_error(exc.status, str(exc))
    except asyncio.TimeoutError:  # nothing of this turn was committed
        response = json_error(503, "The bot is busy right now. Please send the message again.")
        response.headers["Retry-After"] = "5"
        return response
    return web.json_response(
        [reply_to_json(incoming.sender, reply) for reply in replies],
        dumps=lambda obj: json.dumps(obj, ensure_ascii=False),
    )
