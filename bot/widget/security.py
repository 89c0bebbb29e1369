"""Headers that make the chat safe to embed: CSP on its pages, CORS for allowed origins.

The chat pages allow scripts and styles from this server only (no 'unsafe-inline'), talk
only to this server, and may be framed only by the origins in BRUKARROST_ALLOWED_ORIGINS.
The widget's files, texts and the REST webhook answer CORS requests from those origins.
"""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import SETTINGS
from bot.channels.origins import own_origin

PAGES = ("/chat/", "/widget/demo")
CORS_PATHS = ("/widget/", "/webhooks/rest/webhook")


def content_security_policy(request: web.Request, allowed: tuple[str, ...]) -> str:
    socket = own_origin(request).replace("http", "ws", 1)
    ancestors = " ".join(("'self'", *allowed))
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        f"connect-src 'self' {socket}", "base-uri 'none'", "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


def _cors(request: web.Request, response: web.StreamResponse, allowed: tuple[str, ...]) -> None:
    origin = request.headers.get("Origin")
    if origin and (origin in allowed or "*" in allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"


@web.middleware
async def headers(request: web.Request, handler) -> web.StreamResponse:
    allowed = request.app[SETTINGS].allowed_origins
    cors = request.path.startswith(CORS_PATHS)
    if cors and request.method == "OPTIONS":  # a preflight
        response: web.StreamResponse = web.Response(status=204)
    else:
        response = await handler(request)
    if isinstance(response, web.WebSocketResponse):
        return response  # already sent; the WebSocket checks the origin itself
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # invite tokens stay here
    if request.path.startswith(PAGES):
        response.headers["Content-Security-Policy"] = content_security_policy(request, allowed)
    if cors:
        _cors(request, response, allowed)
    return response
