"""Staff pages: login, inbox, transcripts, crisis queue, exports, audit log, admin, themes,
"Ni sa – vi gör" and API tokens."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Templates, the access-control middleware, every staff route and daily retention."""
    from bot import retention
    from bot.web import admin_consultations, admin_users, aggregates, audit, auth, crisis
    from bot.web import api_tokens, exports, feedback, inbox, reports, themes
    from bot.web import transcript
    from bot.web.access import staff_pages
    from bot.web.pages import setup_templates

    setup_templates(app)
    app.middlewares.append(staff_pages)
    for module in (auth, inbox, transcript, crisis, exports, aggregates, audit, admin_users,
                   admin_consultations, reports, themes, feedback, api_tokens):
        app.add_routes(module.routes)
    app.cleanup_ctx.append(retention.scheduled)
