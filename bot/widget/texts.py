"""The widget's labels per language (bot/texts/widget/<lang>.yml), falling back to Swedish."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from bot.engine.texts import FALLBACK, TEXTS_DIR, languages

WIDGET_TEXTS = TEXTS_DIR / "widget"


@lru_cache(maxsize=None)
def _file(lang: str) -> dict[str, str]:
    path = WIDGET_TEXTS / f"{lang}.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def labels(lang: str) -> dict[str, str]:
    return {**_file(FALLBACK), **_file(lang)}


@lru_cache(maxsize=1)
def all_texts() -> dict[str, Any]:
    """What the widget fetches once: every language with its name, direction and labels."""
    langs = languages()
    return {
        "languages": [{"code": lang, "name": _file(lang).get("name", lang),
                       "dir": labels(lang).get("dir", "ltr")} for lang in langs],
        "texts": {lang: labels(lang) for lang in langs},
    }
