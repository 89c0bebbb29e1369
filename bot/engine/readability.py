"""LIX of the bot's own texts and of every consultation, per language (sv and sv-lattlast)."""

from __future__ import annotations

from typing import Any, Iterator

import yaml

from bot.engine.definitions import Definition, Localized
from bot.engine.lix import lix
from bot.engine.texts import TEXTS_DIR


def localized_texts(value: Any) -> Iterator[Localized]:
    if isinstance(value, Localized):
        yield value
    elif hasattr(value, "__fields__"):
        for name in value.__fields__:
            yield from localized_texts(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from localized_texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from localized_texts(item)


def consultation_texts(definition: Definition, lang: str) -> list[str]:
    """Every text the person may read, in `lang` (falling back to Swedish)."""
    return [text.get(lang) for text in localized_texts(definition)]


def bot_texts(lang: str) -> list[str]:
    path = TEXTS_DIR / f"{lang}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(v) for k, v in data.items() if not k.startswith("button_")]


def combined_lix(texts: list[str]) -> float:
    sentences = [t.strip() if t.strip()[-1:] in ".!?:" else t.strip() + "." for t in texts if t]
    return lix(" ".join(sentences))


def report(definitions: dict[str, Definition]) -> list[tuple[str, str, float, float]]:
    """(source, lang, LIX of all texts together, highest single text)."""
    rows = []
    for lang in ("sv", "sv-lattlast"):
        texts = bot_texts(lang)
        rows.append((f"bot/texts/{lang}.yml", lang, combined_lix(texts),
                     max(lix(t) for t in texts)))
        for cid, definition in sorted(definitions.items()):
            texts = consultation_texts(definition, lang)
            rows.append((f"consultations/{cid}.yml", lang, combined_lix(texts),
                         max(lix(t) for t in texts)))
    return rows
