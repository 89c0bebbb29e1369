"""Typed application keys: what the aiohttp app carries, named once."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.engine.catalog import Catalog
from bot.engine.conversation import Engine
from nlu.interpreter import NluInterpreter

SETTINGS = web.AppKey("settings", Settings)
DB_ENGINE = web.AppKey("db_engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", sessionmaker)
INTERPRETER = web.AppKey("interpreter", NluInterpreter)
CATALOG = web.AppKey("catalog", Catalog)
ENGINE = web.AppKey("engine", Engine)
