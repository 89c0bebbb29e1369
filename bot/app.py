"""The application factory: wires settings, storage, the NLU model, the engine and routes."""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

from aiohttp import web

from bot import api, background, health, limits, metrics, nlu_api, openapi, widget
from bot import web as staff_web
from bot.analytics import results_page
from bot.analytics.themes import ThemeClassifier
from bot.appkeys import CATALOG, DB_ENGINE, ENGINE, INTERPRETER, SESSIONS, SETTINGS
from bot.channels import rest, socketio_channel, websocket
from bot.config import Settings
from bot.engine.catalog import Catalog
from bot.engine.conversation import Engine
from bot.engine.safety import HelpLines
from bot.engine.scale_reader import ScaleReader
from bot.http_errors import errors_as_json
from nlu.interpreter import NluInterpreter
from storage.db import create_engine, migrate, session_factory

log = logging.getLogger(__name__)

# seconds a consultation read in progress at shutdown may take to finish before it is cancelled
FOLLOWER_GRACE = 2.0


async def _storage(app: web.Application) -> AsyncIterator[None]:
    """Open the database, migrate it, register consultations; close on shutdown."""
    settings = app[SETTINGS]
    db_engine = create_engine(settings.database_url, settings.database_pool_size)
    try:
        await migrate(db_engine)
        sessions = session_factory(db_engine)
        async with sessions() as session, session.begin():
            catalog = await Catalog.load(
                session, settings.consultations_dir, settings.units_file
            )
        app[DB_ENGINE] = db_engine
        app[SESSIONS] = sessions
        app[CATALOG] = catalog
        app[ENGINE] = Engine(
            sessions,
            catalog,
            app[metrics.METRICS].timed_parse(app[INTERPRETER].parse),
            settings.secret_key,
            settings.default_consultation,
            HelpLines(settings.help_lines_file, settings.socialjour_phone),
            await asyncio.get_running_loop().run_in_executor(
                None, ScaleReader.shared, settings.models_dir),
            await asyncio.get_running_loop().run_in_executor(
                None, ThemeClassifier.shared, settings.models_dir),
        )
        stop = asyncio.Event()
        follow = asyncio.create_task(_follow_catalog(app, stop))
        try:
            yield
        finally:
            await background.stop(follow, stop, FOLLOWER_GRACE)
    finally:
        await db_engine.dispose()


async def _follow_catalog(app: web.Application, stop: asyncio.Event) -> None:
    """Every few seconds, take up consultation versions and dates that another process
    (an admin on another worker) saved, until `stop` is set."""
    while not await background.stopped(stop, app[SETTINGS].catalog_refresh):
        try:
            async with app[SESSIONS]() as session:
                changed = await app[CATALOG].refresh(session)
            if changed:
                log.info("consultations now on a new version: %s", ", ".join(changed))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the following
            log.exception("could not read the consultation versions; trying again")


def create_app(settings: Settings, interpreter: NluInterpreter) -> web.Application:
    """The aiohttp application. The interpreter is loaded by the caller, once per process."""
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[errors_as_json])
    app[SETTINGS] = settings
    app[INTERPRETER] = interpreter
    app.cleanup_ctx.append(_storage)
    app.add_routes(rest.routes)
    app.add_routes(websocket.routes)
    socketio_channel.setup(app)
    widget.setup(app)
    app.add_routes(nlu_api.routes)
    app.add_routes(health.routes)
    staff_web.setup(app)
    results_page.setup(app)  # /resultat/{consultation}: public "Ni sa – vi gör"
    api.setup(app)  # /api/v1: the analysts' read-only JSON API, bearer tokens
    app.add_routes(openapi.routes)
    metrics.setup(app)
    limits.setup(app)
    return app
