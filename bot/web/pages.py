"""Rendering staff pages: Jinja2 with autoescape on, and what every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_SIZE = 25


def setup_templates(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env = aiohttp_jinja2.get_env(app)
    env.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M") if value else ""


def render(request: web.Request, name: str, context: dict[str, Any],
           status: int = 200) -> web.Response:
    from bot.web.access import STAFF_KEY

    return aiohttp_jinja2.render_template(
        name, request, {"staff": request.get(STAFF_KEY), **context}, status=status
    )


def page_number(request: web.Request) -> int:
    """The ?page= of a paged list: 1 unless a whole number of at least 1 is given."""
    text = request.query.get("page", "1").strip()
    return max(1, int(text)) if text.isdigit() else 1
