"""How well the engine's rules read typed answers to scale questions.

Each item of a file like nlu/heldout/scale_answers.yml has a text and the value a careful
reader would record. The engine either maps the text at once (digits, number words,
labels), proposes a value to confirm (everyday words, emoji), or asks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.engine.answers import DONT_KNOW
from bot.engine.redact import redact
from bot.engine.scale_reader import min_probability, rule_value
from bot.engine.steering import STEERING_CONFIDENCE


@dataclass
class ScaleResult:
    total: int
    exact: int
    within_one: int
    unsure: int  # asked again (no value proposed)
    misses: list[tuple[str, str, str | None]]

    def lines(self) -> list[str]:
        return [
            f"typed scale answers: {self.total}",
            f"exact {self.exact / self.total:.3f}  within one step {self.within_one / self.total:.3f}"
            f"  asked again {self.unsure / self.total:.3f}",
            *[f"  {text!r}: intended {want}, got {got}" for text, want, got in self.misses],
        ]


async def scale_value(text: str, parse=None, reader=None) -> str | None:
    """What the engine proposes for a typed answer to a five-point question, in a turn's
    order: rules, the phrase list, the scale reader (unless the model hears a request),
    then the model's dont_know intent."""
    clean = redact(text).text
    value = rule_value(clean)
    if value is not None or parse is None:
        return value
    intent = (await parse(clean)).get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence") or 0
    least = min_probability(clean, name, confidence)
    if reader is not None and least is not None:
        value = await reader.read(clean, least)
    if value is None and name == "dont_know" and confidence >= STEERING_CONFIDENCE:
        value = DONT_KNOW
    return value


async def evaluate_scale(path: Path, parse=None, reader=None) -> ScaleResult:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    exact = within = unsure = 0
    misses = []
    for item in items:
        want, got = str(item["value"]), await scale_value(str(item["text"]), parse, reader)
        if got == want:
            exact += 1
            within += 1
            continue
        if got is None:
            unsure += 1
        elif want != "dk" and got != "dk" and abs(int(got) - int(want)) <= 1:
            within += 1
        misses.append((str(item["text"]), want, got))
    return ScaleResult(len(items), exact, within, unsure, misses)
