"""JSON errors for every HTTP surface: plain words, never a stack trace, never an HTML page."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from bot.appkeys import SETTINGS
from bot.web.paths import is_staff_path

log = logging.getLogger(__name__)


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"error": message}, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False)
    )


async def read_json(request: web.Request) -> Any:
    """The parsed body; raises HttpError (413, 408 or 400) when it is too large, comes too
    slowly or is not JSON."""
    settings = request.app[SETTINGS]
    try:
        raw = await asyncio.wait_for(request.read(), settings.body_timeout)
    except web.HTTPRequestEntityTooLarge:
        raise HttpError(413, f"The body is too large: at most {settings.max_body_bytes} bytes."
                        ) from None
    except asyncio.TimeoutError:
        raise HttpError(408, "The body came too slowly.") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HttpError(400, "The body is not valid JSON.") from None


@web.middleware
async def errors_as_json(request: web.Request, handler) -> web.StreamResponse:
    """Any error leaves as JSON. Unexpected ones are logged without the request body.

    Staff pages (bot/web) answer in HTML and redirect to the login page themselves."""
    if is_staff_path(request.path):
        return await handler(request)
    try:
        return await handler(request)
    except HttpError as exc:
        return json_error(exc.status, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return json_error(exc.status, exc.reason)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return json_error(500, "Something went wrong on our side. Please try again.")
