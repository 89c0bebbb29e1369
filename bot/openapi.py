"""GET /openapi.json: the OpenAPI description of the public routes (bot/openapi.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from aiohttp import web

SPEC = Path(__file__).resolve().parent / "openapi.yaml"

routes = web.RouteTableDef()


@lru_cache(maxsize=1)
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


@routes.get("/openapi.json")
async def openapi(_request: web.Request) -> web.Response:
    return web.json_response(spec())
