"""Understanding answers: typed text or a button payload becomes a stored value.

Values follow contracts.md: scale `1`-`k` or `dk`; yesno `ja`/`nej`; choice the option id
(multi: ids joined by `;`); text questions have no value, only the person's own words.
Nothing here guesses: when the text does not clearly name one value the result is None
and the engine asks again.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.engine.definitions import Option, Question, QuestionType, Scale

DONT_KNOW = "dk"

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})

NUMBER_WORDS = {  # keys as normalize() leaves them (å/ä/ö folded)
    "ett": 1, "en": 1, "etta": 1, "one": 1,
    "tva": 2, "tvaa": 2, "two": 2,
    "tre": 3, "trea": 3, "three": 3,
    "fyra": 4, "fyran": 4, "four": 4,
    "fem": 5, "femma": 5, "five": 5,
    "sex": 6, "six": 6, "sju": 7, "seven": 7,
}
DONT_KNOW_PHRASES = {
    "vet inte", "vet ej", "vet int", "vet it", "vetinte", "ingen aning", "vet ingen",
    "kan inte svara", "kan inte saga", "ingen asikt", "har ingen asikt", "osaker",
    "dont know", "don't know", "i dont know", "i don't know", "no idea", "not sure", "dk",
    "vet inte riktigt", "vet faktiskt inte", "nej vet inte",
}
YES_WORDS = {
    "ja", "jaa", "japp", "jepp", "jo", "joo", "javisst", "ja tack", "absolut", "ok", "okej",
    "okey", "okay", "sure", "yes", "yeah", "yep", "y", "visst", "gärna", "garna", "kör", "kor",
    "jajamen", "ja det har jag", "ja det har jag det", "jag vill", "ja gärna",
}
NO_WORDS = {
    "nej", "ne", "nä", "na", "nää", "naa", "nej tack", "no", "nope", "nah", "n", "aldrig",
    "inte", "nej det har jag inte", "nej inte", "no thanks", "never", "nej aldrig",
}


def normalize(text: str) -> str:
    """Lower case, å/ä/ö folded, punctuation and emoji dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    text = re.sub(r"[^\w\s'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Mapped:
    value: str | None
    # the person's own words, kept when they typed rather than pressed a button
    own_words: bool = True


def _unique(candidates: set[str]) -> str | None:
    return next(iter(candidates)) if len(candidates) == 1 else None


def map_scale(text: str, scale: Scale) -> str | None:
    norm = normalize(text)
    if not norm:
        return None
    top = len(scale.points)
    if scale.dont_know and norm in {normalize(p) for p in DONT_KNOW_PHRASES}:
        return DONT_KNOW
    digits = set(re.findall(r"(?<!\d)(\d{1,2})(?!\d)", norm))
    if digits:
        in_range = {d for d in digits if 1 <= int(d) <= top}
        return str(int(_unique(in_range))) if _unique(in_range) and len(digits) == 1 else None
    words = norm.split()
    if len(words) <= 3:
        numbers = {NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS}
        if len(numbers) == 1 and (len(words) == 1 or not {"en", "ett"} & set(words)):
            number = numbers.pop()
            if 1 <= number <= top:
                return str(number)
    # option labels, whole or in part ("ganska bra" -> "Stämmer ganska bra")
    labels: dict[str, set[str]] = {}
    for point in scale.points:
        for label in (point.label.sv, point.label.en or "", point.label.sv_lattlast or ""):
            if label:
                labels.setdefault(normalize(label), set()).add(str(point.value))
        for synonym in point.synonyms:
            labels.setdefault(normalize(synonym), set()).add(str(point.value))
    if norm in labels:
        return _unique(labels[norm])
    if len(norm) >= 4:
        partial = {
            value for label, values in labels.items() if _contains_words(label, norm)
            for value in values
        }
        return _unique(partial)
    return None


def _contains_words(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def _option_match(text: str, options: list[Option]) -> str | None:
    norm = normalize(text)
    if not norm:
        return None
    if norm.isdigit() and 1 <= int(norm) <= len(options):
        return options[int(norm) - 1].id
    exact: set[str] = set()
    partial: set[str] = set()
    for option in options:
        names = [option.id, option.label.sv, option.label.en or "", option.label.sv_lattlast or ""]
        names += option.synonyms
        for name in filter(None, (normalize(n) for n in names)):
            if norm == name:
                exact.add(option.id)
            elif len(norm) >= 3 and (_contains_words(name, norm) or _contains_words(norm, name)):
                partial.add(option.id)
    return _unique(exact) or (None if exact else _unique(partial))


def map_choice(text: str, question: Question) -> str | None:
    return _option_match(text, question.options)


def map_multi(text: str, question: Question) -> str | None:
    parts = [p for p in re.split(r",|;|\boch\b|\band\b|\s\+\s", text) if p.strip()]
    chosen: list[str] = []
    for part in parts:
        option_id = _option_match(part, question.options)
        if option_id is None:
            return None
        if option_id not in chosen:
            chosen.append(option_id)
    order = [o.id for o in question.options]
    return ";".join(sorted(chosen, key=order.index)) if chosen else None


def map_yesno(text: str) -> str | None:
    norm = normalize(text)
    if norm in {normalize(w) for w in YES_WORDS}:
        return "ja"
    if norm in {normalize(w) for w in NO_WORDS}:
        return "nej"
    first = norm.split(" ", 1)[0] if norm else ""
    if first in {"ja", "jo", "japp", "yes", "yeah"}:
        return "ja"
    if first in {"nej", "nä", "na", "no", "nope"}:
        return "nej"
    return None


def button_payloads(question: Question, scale: Scale | None) -> list[str]:
    if question.type == QuestionType.scale and scale is not None:
        payloads = [str(p.value) for p in scale.points]
        return payloads + ([DONT_KNOW] if scale.dont_know else [])
    if question.type == QuestionType.yesno:
        return ["ja", "nej"]
    if question.type in (QuestionType.choice, QuestionType.multi):
        return [o.id for o in question.options]
    return []
