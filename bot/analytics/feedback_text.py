"""The texts of a "Ni sa – vi gör" message, made ready to publish (the CLI and the staff
page): white space folded, at most MAX_CHARS characters, redacted like chat messages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.redact import redact

MAX_CHARS = 1000
LANGS = ("sv", "en", "sv-lattlast")


@dataclass(frozen=True)
class Cleaned:
    text: str
    redacted: bool  # something that could identify someone was removed
    problem: str | None  # "empty" or "too_long"; then nothing may be published


def clean(value: str) -> Cleaned:
    text = " ".join(value.split())
    if not text:
        return Cleaned("", False, "empty")
    if len(text) > MAX_CHARS:
        return Cleaned(text, False, "too_long")
    redaction = redact(text)
    return Cleaned(redaction.text, redaction.changed, None)
