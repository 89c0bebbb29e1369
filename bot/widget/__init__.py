"""The chat widget: static JS/CSS, its texts, the full-page chat and a demo host page."""

from __future__ import annotations

from aiohttp import web

from bot.widget import pages, security


def setup(app: web.Application) -> None:
    app.add_routes(pages.routes)
    app.middlewares.append(security.headers)
