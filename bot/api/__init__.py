"""The read-only analyst JSON API under /api/v1, behind per-analyst bearer tokens."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    from bot.api import auth, routes

    app.middlewares.append(auth.bearer_tokens)
    app.add_routes(routes.routes)
