"""Steering: what the person wants besides answering (stop, skip, back, language ...).

Exact, short commands are recognised by rule, so they work even when the model is
unsure; everything else is left to the NLU intents.
"""

from __future__ import annotations

import re

from bot.engine.answers import normalize
from bot.engine.texts import languages

# button payloads the bot itself offers
CONTINUE, STOP, DELETE, SKIP = "fortsatt", "avsluta", "radera", "hoppa-over"

_COMMANDS = {
    "stop": r"(jag )?(vill )?(avsluta|sluta|stoppa|avbryta?)( (nu|enkaten|chatten|tack))?|stopp|"
            r"stop|quit|exit|i want to stop|stop (please|the survey)",
    "delete": r"(jag vill )?(radera|ta bort|tabort|sudda) (mina|alla mina|alla) (svar|svaren)"
              r"( tack)?|radera allt|delete my answers|delete (all )?my (answers|data)|radera",
    "skip": r"hoppa over|hoppa over (den|den har|fragan)( tack)?|hoppa|skippa|skip|skip (this|it)|"
            r"pass|nasta|nasta fraga|hoppa-over",
    "back": r"tillbaka|(ga )?tillbaka|backa|angra|forra fragan|andra (mitt )?svar|"
            r"go back|back|previous|undo",
    "continue": r"fortsatt|fortsatta|fortsatter|ga vidare|vidare|continue|go on",
}
_COMPILED = {name: re.compile(rf"^(?:{pattern})$") for name, pattern in _COMMANDS.items()}

_LANGUAGE = [
    ("en", re.compile(r"^(pa |in )?(engelska|english)( please| tack| pls)?$|^english please$|"
                      r"^(can you |could you )?(speak|write) english( please)?$|^kan du engelska$")),
    ("sv-lattlast", re.compile(r"^(pa )?(lattlast|latt svenska|enkel svenska|lattare svenska|"
                               r"easy swedish|simple swedish|lattlast svenska)( tack| please)?$")),
    ("sv", re.compile(r"^(pa |in )?(svenska|swedish)( tack| please)?$|^kan du svenska$")),
]

# a bare greeting (normalized): safe without asking the model whether it is a crisis
GREETINGS = frozenset({
    "hej", "hej hej", "hejsan", "hallo", "halla", "tja", "tjena", "god morgon", "god dag",
    "hi", "hello", "hey", "start", "starta", "/start",
})

# intents that steer the conversation (NLU), with the confidence each needs
STEERING_CONFIDENCE = 0.6
STEERING_INTENTS = {
    "stop", "goodbye", "skip", "back", "clarify", "human", "privacy", "greet", "feedback",
    "dont_know",
}


def command(text: str) -> str | None:
    """stop, delete, skip, back or continue, when the text is exactly such a command."""
    norm = normalize(text)
    for name, pattern in _COMPILED.items():
        if pattern.match(norm):
            return name
    return None


LANGUAGE_PAYLOAD = "lang:"  # what a language switch button sends, e.g. "lang:en"


def language_request(text: str) -> str | None:
    raw = text.strip()
    if raw.startswith(LANGUAGE_PAYLOAD) and raw[len(LANGUAGE_PAYLOAD):] in languages():
        return raw[len(LANGUAGE_PAYLOAD):]
    norm = normalize(text)
    for lang, pattern in _LANGUAGE:
        if pattern.match(norm):
            return lang
    return None


def is_greeting(text: str) -> bool:
    return normalize(text).strip(" !.") in GREETINGS
