"""The full-page chat (/chat/{consultation}), the widget's files and texts, and a demo page.

The page only mounts the widget: the conversation itself goes over the WebSocket channel.
A link whose invitation is not known gets a kind page; a used or expired one is answered
by the bot (the same person reloading the page must still be able to continue).
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.appkeys import CATALOG, ENGINE
from bot.channels.base import IDENT, SOURCE, TOKEN
from bot.engine.texts import languages
from bot.widget.texts import all_texts, labels

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True))

routes = web.RouteTableDef()


def _html(template: str, status: int = 200, **values) -> web.Response:
    body = TEMPLATES.get_template(template).render(**values)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _query(request: web.Request) -> dict[str, str]:
    """The link's parameters that fit contracts.md; anything else is left out."""
    checks = {"unit": IDENT, "invite": TOKEN, "source": SOURCE}
    found = {key: request.query[key] for key, pattern in checks.items()
             if pattern.match(request.query.get(key, ""))}
    lang = request.query.get("lang", "")
    if lang in languages():
        found["lang"] = lang
    return found


def _kind_page(lang: str, key: str) -> web.Response:
    texts = labels(lang)
    return _html("message.html", status=404, lang=lang, dir=texts.get("dir", "ltr"),
                 title=texts["title"], message=texts[key])


@routes.get("/chat/{consultation}")
async def chat_page(request: web.Request) -> web.Response:
    consultation = request.match_info["consultation"]
    params = _query(request)
    lang = params.get("lang", "sv")
    if consultation not in request.app[CATALOG]:
        return _kind_page(lang, "not_found")
    invite = request.query.get("invite")
    if invite is not None and ("invite" not in params
                               or await request.app[ENGINE].invitation(invite) is None):
        return _kind_page(lang, "invite_unknown")
    _version, definition = request.app[CATALOG].current(consultation)
    texts = labels(lang)
    return _html("chat.html", lang=lang, dir=texts.get("dir", "ltr"),
                 title=definition.title.get(lang), consultation=consultation, params=params)


@routes.get("/widget/demo")
async def demo_page(request: web.Request) -> web.Response:
    """An example host page with the one-line embed, for trying the widget out."""
    params = _query(request)
    consultation = request.query.get("consultation", "")
    if not IDENT.match(consultation):
        consultation = ""
    return _html("demo.html", lang="sv", dir="ltr", title="Socialtjänsten (exempelsida)",
                 consultation=consultation, params=params)


@routes.get("/widget/texts.json")
async def widget_texts(request: web.Request) -> web.Response:
    return web.json_response(all_texts(), dumps=lambda obj: json.dumps(obj, ensure_ascii=False),
                             headers={"Cache-Control": "public, max-age=300"})


@routes.get("/widget/widget.js")
async def widget_js(request: web.Request) -> web.FileResponse:
    return _static("widget.js")


@routes.get("/widget/widget.css")
async def widget_css(request: web.Request) -> web.FileResponse:
    return _static("widget.css")


def _static(name: str) -> web.FileResponse:
    return web.FileResponse(STATIC / name, headers={"Cache-Control": "public, max-age=300"})
