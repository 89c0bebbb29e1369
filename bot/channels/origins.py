"""Which web pages may embed the chat: the server's own origin and BRUKARROST_ALLOWED_ORIGINS."""

from __future__ import annotations

from aiohttp import web


def own_origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def origin_allowed(request: web.Request, allowed: tuple[str, ...]) -> bool:
    """A request without an Origin (not from a browser page) or from an allowed one."""
    origin = request.headers.get("Origin")
    return origin is None or origin == own_origin(request) or origin in allowed or "*" in allowed
