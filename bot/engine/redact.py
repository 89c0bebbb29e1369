"""Redaction: identifying strings become placeholders before anything is stored or logged.

Placeholders (contracts.md): [personnummer], [telefon], [e-post], [namn], [adress].
A miss is worse than a false alarm here, so number runs are matched loosely (spaces,
dashes, dots and plus signs between digits) and classified by their digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)

# A run of digits with separators, at least 7 digits long in practice (checked below).
NUMBER_RUN = re.compile(r"(?<![\w@])\+?\d[\d \t\-+.()/]{5,22}\d(?!\w)")

STREET = re.compile(
    r"\b[\wåäöÅÄÖéÉ-]*(?:gatan|gata|vägen|väg|vagen|gränd|grand|torget|torg|allén|allen|stigen|"
    r"backen|leden|platsen|plan|street|road|avenue)\s+\d{1,4}\s?[a-zA-Z]?\b"
    r"(?:[, ]+(?:lgh|lägenhet|lagenhet)\.?\s*\d+)?",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"\b\d{3}\s?\d{2}\s+[A-ZÅÄÖ][a-zåäö]+\b")

# "jag heter Ali", "mitt namn är ...", "my name is ...", "I'm called ..."
NAME_INTRO = re.compile(
    r"(?P<intro>\b(?:jag\s+heter|heter\s+jag|mitt\s+namn\s+(?:är|ar|e)|namnet\s+(?:är|ar)|"
    r"my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called|call\s+me|kalla\s+mig)"
    r"[\s:,]+)(?P<name>[^\s.,!?;:]+(?:\s+[^\s.,!?;:]+){0,2})",
    re.IGNORECASE,
)
NOT_A_NAME = {
    "och", "men", "eller", "jag", "är", "ar", "inte", "int", "typ", "och", "som", "så", "sa",
    "bara", "and", "but", "not", "i", "is", "the", "a", "to", "att", "det", "har", "vill",
    "kan", "ska", "bor", "från", "fran", "from", "tack", "hej", "nu", "här", "har",
}


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: frozenset[str]

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def _valid_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31


def _classify_number(run: str) -> str | None:
    digits = re.sub(r"\D", "", run)
    if run.startswith("+46") or digits.startswith("0046") or (
        run.startswith("+") and len(digits) >= 8
    ):
        return "telefon"
    if digits.startswith("0") and 7 <= len(digits) <= 11:
        return "telefon"
    if len(digits) == 12 and digits[:2] in ("19", "20") and _valid_date(digits[2:8]):
        return "personnummer"
    if len(digits) == 10 and _valid_date(digits[:6]):
        return "personnummer"
    if len(digits) in (10, 12):
        return "personnummer"  # malformed, but shaped like one: better safe
    return None


def _name_words(name: str) -> str | None:
    """The part of `name` that is the name: words up to the first common word."""
    kept = []
    for word in name.split():
        if word.lower() in NOT_A_NAME or word.startswith("["):
            break
        kept.append(word)
    return " ".join(kept) if kept else None


def redact(text: str) -> Redaction:
    kinds: set[str] = set()

    def sub(pattern: re.Pattern[str], placeholder: str, value: str) -> str:
        def repl(match: re.Match[str]) -> str:
            kinds.add(placeholder)
            return f"[{placeholder}]"

        return pattern.sub(repl, value)

    out = sub(EMAIL, "e-post", text)

    def number_repl(match: re.Match[str]) -> str:
        run = match.group(0)
        kind = _classify_number(run.strip())
        if kind is None:
            return run
        kinds.add(kind)
        return f"[{kind}]"

    out = NUMBER_RUN.sub(number_repl, out)
    out = sub(STREET, "adress", out)
    out = sub(POSTCODE, "adress", out)

    def name_repl(match: re.Match[str]) -> str:
        name = _name_words(match.group("name"))
        if not name:
            return match.group(0)
        kinds.add("namn")
        rest = match.group("name")[len(name):]
        return f"{match.group('intro')}[namn]{rest}"

    out = NAME_INTRO.sub(name_repl, out)
    return Redaction(out, frozenset(kinds))
