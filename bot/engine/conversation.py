"""One turn of a conversation: redact, understand, decide, store, then reply.

The engine is the only place that decides what the bot says. Channels hand it an
`Incoming` and send back the `Reply` list; they never touch storage or Rasa themselves.
Every turn runs in one database transaction that is committed before the replies are
returned, so an answer is stored the moment the person sees the next question.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.engine import answers as mapping
from bot.engine.catalog import Catalog
from bot.engine.definitions import Definition, Question, QuestionType
from bot.engine.redact import redact
from bot.engine.texts import text as bot_text
from storage import answers as answer_store
from storage import conversations as conversation_store
from storage.conversations import StaleConversation
from storage.models import Conversation, utcnow

log = logging.getLogger(__name__)

LANGS = ("sv", "en", "sv-lattlast")
FINISHED = ("completed", "stopped", "declined")
STOP_WORDS = {"avsluta", "sluta", "stopp", "stop", "quit", "exit", "avbryt"}
STOP_CONFIDENCE = 0.8
YESNO_CONFIDENCE = 0.7
MAX_ATTEMPTS = 5


class TurnError(Exception):
    """A message that cannot start or continue a conversation; nothing was stored."""

    status = 400


class UnknownConsultation(TurnError):
    status = 404


class UnknownUnit(TurnError):
    status = 400


class UnknownInvite(TurnError):
    status = 404


class Busy(TurnError):
    status = 503


@dataclass(frozen=True)
class Incoming:
    channel: str
    sender: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    text: str
    type: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    question_id: str | None = None
    step: int | None = None
    of: int | None = None

    def custom(self) -> dict[str, Any]:
        custom: dict[str, Any] = {"type": self.type}
        if self.question_id:
            custom.update(question_id=self.question_id, step=self.step, of=self.of)
        return custom


Parser = Callable[[str], Awaitable[dict[str, Any]]]


class _LazyParse:
    """Parse at most once per message, and only when a rule could not decide."""

    def __init__(self, parse: Parser, text: str) -> None:
        self._parse, self._text, self._result = parse, text, None

    async def intent(self) -> tuple[str | None, float]:
        if self._result is None:
            self._result = await self._parse(self._text) if self._text.strip() else {}
        intent = self._result.get("intent") or {}
        return intent.get("name"), float(intent.get("confidence") or 0.0)


class Engine:
    def __init__(
        self, sessions: sessionmaker, catalog: Catalog, parse: Parser, secret_key: str,
        default_consultation: str,
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.parse = parse
        self._key = secret_key.encode("utf-8")
        self.default_consultation = default_consultation

    def sender_hash(self, channel: str, sender: str) -> str:
        return hmac.new(self._key, f"{channel}\x00{sender}".encode(), hashlib.sha256).hexdigest()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        redaction = redact(incoming.text)
        nlu = _LazyParse(self.parse, redaction.text)
        sender_hash = self.sender_hash(incoming.channel, incoming.sender)
        for attempt in range(MAX_ATTEMPTS):
            try:
                async with self.sessions() as session:
                    async with session.begin():
                        turn = _Turn(self, session, incoming, sender_hash, redaction.text, nlu)
                        replies = await turn.run()
                        if redaction.changed:
                            replies.insert(0, Reply(bot_text(turn.lang, "redacted"), "info"))
                        await turn.log_replies(replies)
                return replies
            except (StaleConversation, IntegrityError):
                # another turn of the same sender committed first: read again and redo
                log.info("concurrent turn, retrying (attempt %d)", attempt + 1)
        raise Busy("The conversation is busy. Please send the message again.")


class _Turn:
    """The work of one message, inside one transaction."""

    def __init__(self, engine: Engine, session, incoming: Incoming, sender_hash: str,
                 text: str, nlu: _LazyParse) -> None:
        self.engine, self.session, self.incoming = engine, session, incoming
        self.sender_hash, self.text, self.nlu = sender_hash, text, nlu
        self.lang = "sv"
        self.conversation: Conversation | None = None
        self.definition: Definition | None = None
        self.changes: dict[str, Any] = {}

    # -- entry ---------------------------------------------------------------------

    async def run(self) -> list[Reply]:
        metadata = self.incoming.metadata
        conversation = await conversation_store.latest_for_sender(self.session, self.sender_hash)
        wanted = metadata.get("consultation")
        if conversation is None or (
            conversation.status in FINISHED and wanted and wanted != conversation.consultation_id
        ):
            return await self._start(metadata)
        self.conversation = conversation
        self.lang = conversation.lang
        self.definition = await self.engine.catalog.version(self.session, conversation.version_id)
        await conversation_store.log_message(self.session, conversation.id, "in", self.text)
        if conversation.status == "consent":
            replies = await self._consent()
        elif conversation.status == "active":
            replies = await self._answer()
        else:
            replies = [Reply(self._with_feedback(bot_text(self.lang, "already_done")), "end")]
        await conversation_store.save_state(self.session, conversation, **self.changes)
        return replies

    async def log_replies(self, replies: list[Reply]) -> None:
        for reply in replies:
            await conversation_store.log_message(
                self.session, self.conversation.id, "out", reply.text
            )

    async def _start(self, metadata: dict[str, Any]) -> list[Reply]:
        if metadata.get("invite"):
            raise UnknownInvite("This invitation link is not known or no longer valid.")
        consultation_id = metadata.get("consultation") or self.engine.default_consultation
        if consultation_id not in self.engine.catalog:
            raise UnknownConsultation(f"There is no consultation called {consultation_id!r}.")
        unit_id = metadata.get("unit")
        if unit_id is not None and unit_id not in self.engine.catalog.units:
            raise UnknownUnit(f"There is no unit called {unit_id!r}.")
        version_id, definition = self.engine.catalog.current(consultation_id)
        self.lang = metadata.get("lang") or "sv"
        self.definition = definition
        self.conversation = await conversation_store.create(
            self.session,
            sender_hash=self.sender_hash,
            channel=self.incoming.channel,
            consultation_id=consultation_id,
            version_id=version_id,
            unit_id=unit_id,
            source=metadata.get("source"),
            lang=self.lang,
            status="consent",
            position=None,
        )
        await conversation_store.log_message(self.session, self.conversation.id, "in", self.text)
        return [self._consent_message()]

    # -- consent -------------------------------------------------------------------

    def _consent_message(self) -> Reply:
        return Reply(
            self.definition.consent.get(self.lang),
            "consent",
            buttons=self._yesno_buttons(),
        )

    async def _consent(self) -> list[Reply]:
        if await self._wants_to_stop():
            return self._finish("declined", "declined")
        choice = await self._yes_or_no()
        if choice == "ja":
            first = self.definition.questions[0]
            self.changes.update(status="active", position=first.id)
            return [self._ask(first)]
        if choice == "nej":
            return self._finish("declined", "declined")
        return [Reply(bot_text(self.lang, "not_understood_consent"), "info"),
                self._consent_message()]

    # -- questions -----------------------------------------------------------------

    async def _answer(self) -> list[Reply]:
        question = self.definition.question(self.conversation.position)
        if await self._wants_to_stop(question):
            return self._finish("stopped", "stopped")
        value, own_words = await self._understand(question)
        if value is None and question.type != QuestionType.text:
            return [Reply(self._not_understood(question), "info"), self._ask(question)]
        if question.type == QuestionType.text and not self.text.strip():
            return [Reply(bot_text(self.lang, "empty_text"), "info"), self._ask(question)]
        await answer_store.save(
            self.session,
            self.conversation,
            question_id=question.id,
            question_type=question.type.value,
            value=value,
            answer_text=self.text if own_words else None,
        )
        following = self._next_question(question)
        if following is None:
            return self._finish("completed", None)
        self.changes["position"] = following.id
        return [self._ask(following)]

    async def _understand(self, question: Question) -> tuple[str | None, bool]:
        """The value for this question and whether the text is the person's own words."""
        raw = self.incoming.text.strip()
        payloads = mapping.button_payloads(question, self._scale(question))
        if raw in payloads:
            return raw, False
        if question.type == QuestionType.text:
            return None, True
        if question.type == QuestionType.scale:
            value = mapping.map_scale(self.text, self._scale(question))
            if value is None and self._scale(question).dont_know:
                intent, confidence = await self.nlu.intent()
                if intent == "dont_know" and confidence >= YESNO_CONFIDENCE:
                    value = mapping.DONT_KNOW
            return value, True
        if question.type == QuestionType.yesno:
            return await self._yes_or_no(), True
        if question.type == QuestionType.multi:
            return mapping.map_multi(self.text, question), True
        return mapping.map_choice(self.text, question), True

    def _next_question(self, question: Question) -> Question | None:
        index = self.definition.index_of(question.id) + 1
        return self.definition.questions[index] if index < len(self.definition.questions) else None

    def _ask(self, question: Question) -> Reply:
        step = self.definition.index_of(question.id) + 1
        total = len(self.definition.questions)
        progress = bot_text(self.lang, "progress", step=step, of=total)
        return Reply(
            f"{progress} {question.text.get(self.lang)}",
            question.type.value,
            buttons=self._buttons(question),
            question_id=question.id,
            step=step,
            of=total,
        )

    def _buttons(self, question: Question) -> list[dict[str, str]]:
        if question.type == QuestionType.scale:
            scale = self._scale(question)
            buttons = [
                {"title": f"{p.value} {p.label.get(self.lang)}", "payload": str(p.value)}
                for p in scale.points
            ]
            if scale.dont_know:
                buttons.append(
                    {"title": bot_text(self.lang, "dont_know"), "payload": mapping.DONT_KNOW}
                )
            return buttons
        if question.type == QuestionType.yesno:
            return self._yesno_buttons()
        if question.type in (QuestionType.choice, QuestionType.multi):
            return [{"title": o.label.get(self.lang), "payload": o.id} for o in question.options]
        return []

    def _yesno_buttons(self) -> list[dict[str, str]]:
        return [
            {"title": bot_text(self.lang, "button_yes"), "payload": "ja"},
            {"title": bot_text(self.lang, "button_no"), "payload": "nej"},
        ]

    def _scale(self, question: Question):
        return self.definition.scale_for(question) if question.type == QuestionType.scale else None

    def _not_understood(self, question: Question) -> str:
        if question.type == QuestionType.scale:
            return bot_text(
                self.lang, "not_understood_scale", max=len(self._scale(question).points)
            )
        if question.type == QuestionType.yesno:
            return bot_text(self.lang, "not_understood_yesno")
        return bot_text(self.lang, "not_understood_choice")

    # -- steering ------------------------------------------------------------------

    async def _yes_or_no(self) -> str | None:
        raw = self.incoming.text.strip()
        if raw in ("ja", "nej"):
            return raw
        value = mapping.map_yesno(self.text)
        if value is None:
            intent, confidence = await self.nlu.intent()
            if confidence >= YESNO_CONFIDENCE:
                value = {"affirm": "ja", "deny": "nej"}.get(intent or "")
        return value

    async def _wants_to_stop(self, question: Question | None = None) -> bool:
        norm = mapping.normalize(self.text)
        if norm in STOP_WORDS or re.fullmatch(r"(jag )?vill (avsluta|sluta)", norm):
            return True
        if question is not None and question.type == QuestionType.text:
            return False  # free text is the person's words; only an explicit word stops it
        if question is not None and self.incoming.text.strip() in mapping.button_payloads(
            question, self._scale(question)
        ):
            return False
        intent, confidence = await self.nlu.intent()
        return intent == "stop" and confidence >= STOP_CONFIDENCE

    def _finish(self, status: str, text_key: str | None) -> list[Reply]:
        self.changes.update(status=status, position=None)
        if status == "completed":
            self.changes["completed_at"] = utcnow()
            return [Reply(self._with_feedback(self.definition.end.get(self.lang)), "end")]
        return [Reply(bot_text(self.lang, text_key), "end")]

    def _with_feedback(self, template: str) -> str:
        feedback = self.definition.results_feedback
        return template.replace("{when}", feedback.when.get(self.lang)).replace(
            "{how}", feedback.how.get(self.lang)
        )
