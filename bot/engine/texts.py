"""The bot's own texts per language, from bot/texts/<lang>.yml (editable by translators)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TEXTS_DIR = Path(__file__).resolve().parent.parent / "texts"
FALLBACK = "sv"


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> dict[str, str]:
    path = TEXTS_DIR / f"{lang}.yml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """Every language with a texts file, Swedish first."""
    found = sorted(path.stem for path in TEXTS_DIR.glob("*.yml"))
    return (FALLBACK, *(lang for lang in found if lang != FALLBACK))


def text(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang`, falling back to Swedish; placeholders filled in."""
    template = _catalogue(lang).get(key) or _catalogue(FALLBACK)[key]
    return template.format(**values) if values else template
