"""GET /health: ok once the model is loaded and the database answers."""

from __future__ import annotations

import os

from aiohttp import web
from sqlalchemy import text

from bot.appkeys import CATALOG, DB_ENGINE, INTERPRETER

routes = web.RouteTableDef()


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    app = request.app
    try:
        async with app[DB_ENGINE].connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # the reason is logged by the driver; the answer stays plain
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response(
        {
            "status": "ok",
            "model": app[INTERPRETER].model_name,
            "database": app[DB_ENGINE].dialect.name,
            "consultations": app[CATALOG].consultation_ids,
            "process": os.getpid(),  # which worker answered (brukarrost serve --workers N)
        }
    )
