"""Acute risk: recognised at any step, before anything else, by rules and the NLU model.

The rules are a safety net under the model: plain patterns for suicidal thoughts,
self-harm, violence or threats now, a child left alone and nowhere to sleep tonight, in
Swedish (also typed without å/ä/ö) and English. A miss is far worse than a false alarm,
so the model's `crisis` intent counts even when it is not the top intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine.answers import normalize

CRISIS_INTENT = "crisis"
TOP_CONFIDENCE = 0.45  # crisis as the top intent
RANKED_CONFIDENCE = 0.25  # crisis anywhere in the ranking

_PATTERNS: dict[str, list[str]] = {
    "suicide": [
        r"\b(ta|tar|tog) (mitt|mit) (eget )?liv\b",
        r"\bta livet av mig\b", r"\btar livet av mig\b", r"\bsjalvmord", r"\bsuicid",
        r"\b(vill|ville|kommer att|ska|tanker) (do|doe|dö)\b", r"\bvill inte leva\b",
        r"\borkar inte leva\b", r"\bvill inte finnas\b", r"\bvill inte vakna\b",
        r"\bbattre om jag (var dod|inte fanns|dog)\b", r"\blika bra att jag dor\b",
        r"\bvill forsvinna for alltid\b", r"\bhoppa framfor\b", r"\bhanga mig\b",
        r"\bkill (my ?self|me)\b", r"\bend (my|it all|my life)\b", r"\bwant to die\b",
        r"\bsuicid\w*\b", r"\bdont want to live\b", r"\bdon't want to live\b",
        r"\bno reason to live\b", r"\bbetter off dead\b", r"\btake my (own )?life\b",
    ],
    "self_harm": [
        r"\bskar mig\b", r"\bskara mig\b", r"\bskadar mig sjalv\b", r"\bskada mig sjalv\b",
        r"\bbranner mig\b", r"\bcut(ting)? my ?self\b", r"\bhurt(ing)? my ?self\b",
        r"\bself ?harm\b",
    ],
    "violence": [
        r"\b(han|hon|de|pappa|mamma|min man|min kille|min sambo|min fru|styvpappa)"
        r" (slar|sparkar|hotar|sla|skadar|stryper|misshandlar|valdtar|vaaldtar)\b",
        r"\bslar mig\b", r"\bslog mig\b", r"\bhotar (att )?(doda|mord|skada|sla)\b",
        r"\bhotar mig\b", r"\bska doda mig\b", r"\bvill doda mig\b", r"\bdodar mig\b",
        r"\bar (jatte ?|sa )?radd (for|att) (han|hon|min|pappa|mamma)\b",
        r"\bvaldtag|\bvaldtog|\bmisshandl", r"\bstar utanfor (dorren|min dorr)\b",
        r"\b(hits|hit|beats|beat|threatens|threatened|kill) me\b", r"\bgoing to kill me\b",
        r"\bafraid (he|she|they) will\b", r"\bin danger\b", r"\bi fara\b",
    ],
    "child_alone": [
        r"\b(ingen|inga) vuxna? (ar )?hemma\b", r"\bensam hemma\b", r"\blamnat mig ensam\b",
        r"\bkommer inte hem\b.*\bbarn",
        r"\b(barnen|barn|ungarna|min son|min dotter) (ar|blir|har varit) (ensamma?|sjalva?)\b",
        r"\blamna(t|r|de)? (barnen|ungarna|mina barn|min son|min dotter) (ensamma?|sjalva?)\b",
        r"\b(home )?alone (at home|since)\b", r"\bno adults?\b", r"\bkids are alone\b",
        r"\bchildren are alone\b", r"\bleft (me|us|the kids) alone\b",
    ],
    "homeless_tonight": [
        r"\b(ingenstans|inget stalle|ingen plats) att (sova|bo|vara)\b",
        r"\bsover ute\b", r"\bsova ute\b", r"\bpa gatan (i ?natt|ikvall|inatt)\b",
        r"\butslangd\b", r"\bkastade ut mig\b", r"\bvrakt ut\b",
        r"\bvet inte var jag ska sova\b", r"\bnowhere to (sleep|stay|go)\b",
        r"\bsleep(ing)? (outside|on the street|rough)\b", r"\bkicked (me )?out\b",
        r"\bhomeless tonight\b", r"\bbor pa gatan\b", r"\bvrakt(a|es)? (idag|i dag|ikvall|inatt)\b",
        r"\b(living|live|sleeping) on the streets?\b", r"\bevicted (today|tonight)\b",
    ],
}
_COMPILED = {kind: [re.compile(p) for p in patterns] for kind, patterns in _PATTERNS.items()}


def rule_risk(text: str) -> str | None:
    """The kind of acute risk that the rules recognise in `text`, or None."""
    norm = normalize(text)
    for kind, patterns in _COMPILED.items():
        if any(p.search(norm) for p in patterns):
            return kind
    return None


def model_risk(parse: dict[str, Any]) -> bool:
    intent = parse.get("intent") or {}
    if intent.get("name") == CRISIS_INTENT and (intent.get("confidence") or 0) >= TOP_CONFIDENCE:
        return True
    return any(
        entry.get("name") == CRISIS_INTENT and (entry.get("confidence") or 0) >= RANKED_CONFIDENCE
        for entry in parse.get("intent_ranking") or []
    )


@dataclass(frozen=True)
class HelpLine:
    id: str
    number: str
    text: dict[str, str]

    def line(self, lang: str) -> str:
        template = self.text.get(lang) or self.text["sv"]
        return template.replace("{number}", self.number)


class HelpLines:
    """help_lines.yml: the numbers to give, and the default set per audience."""

    def __init__(self, path: Path, socialjour_phone: str = "") -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.lines: dict[str, HelpLine] = {}
        for line_id, item in data["lines"].items():
            number = socialjour_phone if line_id == "socialjour" else str(item["number"])
            self.lines[line_id] = HelpLine(line_id, number, dict(item["text"]))
        self.defaults: dict[str, list[str]] = data["defaults"]

    def for_consultation(self, audience: str, chosen: list[str] | None, lang: str) -> list[str]:
        ids = chosen if chosen is not None else self.defaults[audience]
        return [self.lines[i].line(lang) for i in ids if i in self.lines and self.lines[i].number]
