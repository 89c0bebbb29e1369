"""POST /model/parse, compatible with Rasa's HTTP API. The text is redacted before parsing."""

from __future__ import annotations

import json

from aiohttp import web

from bot.appkeys import INTERPRETER
from bot.channels.base import MAX_MESSAGE
from bot.engine.redact import redact
from bot.http_errors import HttpError, read_json

routes = web.RouteTableDef()


@routes.post("/model/parse")
async def parse(request: web.Request) -> web.Response:
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise HttpError(400, "Send a JSON object with a 'text' field.")
    if len(body["text"]) > MAX_MESSAGE:
        raise HttpError(400, f"'text' is too long: at most {MAX_MESSAGE} characters.")
    result = await request.app[INTERPRETER].parse(redact(body["text"]).text)
    return web.json_response(result, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))
