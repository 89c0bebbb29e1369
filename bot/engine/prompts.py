"""What the bot shows: questions with progress and buttons, in the conversation's language.

Pure functions of a definition, a language and the answers so far; no storage, no NLU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.engine import answers as mapping
from bot.engine import steering
from bot.engine.definitions import Definition, Localized, Question, QuestionType, Scale
from bot.engine.texts import text as bot_text


@dataclass
class Reply:
    text: str
    type: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    question_id: str | None = None
    step: int | None = None
    of: int | None = None
    lang: str | None = None  # the language the text is in, set when the turn ends

    def custom(self) -> dict[str, Any]:
        custom: dict[str, Any] = {"type": self.type}
        if self.question_id:
            custom.update(question_id=self.question_id, step=self.step, of=self.of)
        return custom


def localized(value: Localized, lang: str) -> str:
    """The text in `lang`; a fallback to Swedish is said, not hidden."""
    text, fell_back = value.visible(lang)
    return f"{bot_text(lang, 'fallback')} {text}" if fell_back and lang != "sv" else text


def applies(question: Question, given: dict[str, str | None]) -> bool | None:
    """Whether the question's `when` holds: True, False, or None while still unknown."""
    verdict: bool | None = True
    for other, accepted in question.when.items():
        if other not in given:
            verdict = None
        elif given[other] is None or not set((given[other] or "").split(";")) & set(accepted):
            return False
    return verdict


def next_question(definition: Definition, after: Question | None,
                  given: dict[str, str | None]) -> Question | None:
    """The next question to ask after `after` (or the first), skipping what does not apply.

    `when` only names earlier questions, so an unknown condition here means the question
    it depends on was skipped: then it is not asked.
    """
    start = 0 if after is None else definition.index_of(after.id) + 1
    for question in definition.questions[start:]:
        if applies(question, given) is True:
            return question
    return None


def previous_question(definition: Definition, before: Question,
                      given: dict[str, str | None]) -> Question | None:
    for question in reversed(definition.questions[: definition.index_of(before.id)]):
        if applies(question, given) is True:
            return question
    return None


def progress(definition: Definition, question: Question,
             given: dict[str, str | None]) -> tuple[int, int]:
    """(step, of), counting the questions that apply or may still apply."""
    position = definition.index_of(question.id)

    def counted(index: int, other: Question) -> bool:
        if other.id == question.id:
            return True
        verdict = applies(other, given)
        if verdict is not None:
            return verdict
        # unknown: it may apply if what it depends on is still to be asked
        return all(definition.index_of(dep) >= position for dep in other.when if dep not in given)

    flags = [counted(i, q) for i, q in enumerate(definition.questions)]
    return sum(flags[: position + 1]), sum(flags)


def scale_of(definition: Definition, question: Question) -> Scale | None:
    return definition.scale_for(question) if question.type == QuestionType.scale else None


def payloads(definition: Definition, question: Question) -> list[str]:
    return mapping.button_payloads(question, scale_of(definition, question))


def buttons(definition: Definition, question: Question, lang: str) -> list[dict[str, str]]:
    if question.type == QuestionType.scale:
        scale = scale_of(definition, question)
        result = [
            {"title": f"{p.value} {p.label.get(lang)}", "payload": str(p.value)}
            for p in scale.points
        ]
        if scale.dont_know:
            result.append({"title": bot_text(lang, "dont_know"), "payload": mapping.DONT_KNOW})
        return result
    if question.type == QuestionType.yesno:
        return yes_no(lang)
    if question.type in (QuestionType.choice, QuestionType.multi):
        return [{"title": o.label.get(lang), "payload": o.id} for o in question.options]
    # free text: typing is the answer; a button lets anyone pass without typing
    return [{"title": bot_text(lang, "button_skip"), "payload": steering.SKIP}]


def yes_no(lang: str) -> list[dict[str, str]]:
    return [
        {"title": bot_text(lang, "button_yes"), "payload": "ja"},
        {"title": bot_text(lang, "button_no"), "payload": "nej"},
    ]


def ask(definition: Definition, question: Question, lang: str,
        given: dict[str, str | None]) -> Reply:
    step, of = progress(definition, question, given)
    head = bot_text(lang, "progress", step=step, of=of)
    return Reply(
        f"{head} {localized(question.text, lang)}",
        question.type.value,
        buttons=buttons(definition, question, lang),
        question_id=question.id,
        step=step,
        of=of,
    )


def follow_up(definition: Definition, question: Question, lang: str,
              given: dict[str, str | None], acknowledgement: str) -> Reply:
    step, of = progress(definition, question, given)
    return Reply(
        " ".join(filter(None, [acknowledgement, localized(question.follow_up.text, lang)])),
        "text",
        buttons=[{"title": bot_text(lang, "button_skip"), "payload": steering.SKIP}],
        question_id=follow_up_id(question),
        step=step,
        of=of,
    )


def follow_up_id(question: Question) -> str:
    return f"{question.id}-followup"


def label_of(definition: Definition, question: Question, value: str, lang: str) -> str:
    """How a stored value reads to the person: '4 Stämmer ganska bra', 'Ja', an option."""
    if question.type == QuestionType.scale:
        if value == mapping.DONT_KNOW:
            return bot_text(lang, "dont_know")
        point = scale_of(definition, question).points[int(value) - 1]
        return f"{point.value} {point.label.get(lang)}"
    if question.type == QuestionType.yesno:
        return bot_text(lang, "button_yes" if value == "ja" else "button_no")
    if question.type in (QuestionType.choice, QuestionType.multi):
        labels = {o.id: o.label.get(lang) for o in question.options}
        return ", ".join(labels.get(v, v) for v in value.split(";"))
    return value
