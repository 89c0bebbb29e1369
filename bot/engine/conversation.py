"""One turn of a conversation: redact, check for danger, understand, decide, store, reply.

The engine is the only place that decides what the bot says. Channels hand it an
`Incoming` and send back the `Reply` list; they never touch storage or Rasa themselves.
Every turn's writes are committed before the replies are returned, so an answer is stored
the moment the person sees the next question. On PostgreSQL a turn first runs unlocked: one
read, and one statement that writes all of it and commits by itself (storage/turns.py). A
turn that must write more than that statement holds (a first message, a comment, a flag,
deleted answers) stops before writing and runs again locked, in one transaction with the
conversation's row locked, as does a turn that lost a race with another process. On SQLite
every turn runs locked.

Order of handling in a turn:
1. acute risk (rules and the model): help at once, then the choice to go on or stop;
2. a language switch ("på engelska");
3. what the bot was waiting for (a confirmation, a follow-up, go on after a crisis);
4. the consent, or the current question: a button, a clear typed answer, an exact
   command (avsluta, hoppa över, tillbaka, radera mina svar), an everyday answer to
   confirm ("Jag tolkar det som 4 ..."), a steering intent from the model (clarify,
   human, privacy, feedback ...), or else the question again with its options.
"""

from __future__ import annotations

import hashlib
import asyncio
import hmac
import logging
import weakref
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.engine import answers as mapping
from bot.engine import prompts, safety, steering
from bot.engine.catalog import Catalog
from bot.engine.definitions import Definition, Question, QuestionType
from bot.engine.prompts import Reply
from bot.engine.redact import Redaction, redact
from bot.engine.scale_reader import ScaleReader, min_probability
from bot.engine.texts import languages
from bot.engine.texts import text as bot_text
from bot.invitations.tokens import token_hash
from storage import answers as answer_store
from storage import conversations as conversation_store
from storage import feedback as feedback_store
from storage import invitations as invitation_store
from storage import turns as turn_store
from storage.conversations import StaleConversation
from storage.models import Conversation, utcnow
from storage.turns import AnswerWrite

if TYPE_CHECKING:
    from bot.analytics.themes import ThemeClassifier

log = logging.getLogger(__name__)

LANGS = languages()  # one per bot/texts/<lang>.yml: a language is added by its texts
FINISHED = ("completed", "stopped", "declined", "withdrawn")
YESNO_CONFIDENCE = 0.6
TEXT_STEERING_CONFIDENCE = 0.75
TEXT_STEERING_MAX_WORDS = 6
SHORT_ANSWER_WORDS = 4
MAX_ATTEMPTS = 5

__all__ = ["Engine", "Incoming", "Reply", "TurnError", "LANGS"]


class TurnError(Exception):
    """A message that cannot start or continue a conversation; nothing was stored."""

    status = 400


class UnknownConsultation(TurnError):
    status = 404


class ClosedConsultation(Exception):
    """The consultation is not open today: the person gets a kind message, not an error."""


class UnknownUnit(TurnError):
    status = 400


class UnknownInvite(TurnError):
    status = 404


class _NeedsLock(Exception):
    """An unlocked turn came to a write its last statement does not hold: it stops before
    writing anything and runs again locked."""


class Busy(TurnError):
    status = 503


class InviteNotUsable(Exception):
    """A known invitation that was used or has expired: the person gets a kind message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Incoming:
    channel: str
    sender: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


Parser = Callable[[str], Awaitable[dict[str, Any]]]


class _LazyParse:
    """Parse at most once per message, and only when a rule could not decide."""

    def __init__(self, parse: Parser, text: str) -> None:
        self._parse, self._text, self._result = parse, text, None

    async def result(self) -> dict[str, Any]:
        if self._result is None:
            self._result = await self._parse(self._text) if self._text.strip() else {}
        return self._result

    async def intent(self) -> tuple[str | None, float]:
        intent = (await self.result()).get("intent") or {}
        return intent.get("name"), float(intent.get("confidence") or 0.0)


class Engine:
    def __init__(
        self, sessions: sessionmaker, catalog: Catalog, parse: Parser, secret_key: str,
        default_consultation: str, help_lines: safety.HelpLines,
        scale_reader: ScaleReader | None = None, themes: ThemeClassifier | None = None,
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.parse = parse
        self._key = secret_key.encode("utf-8")
        self.default_consultation = default_consultation
        self.help_lines = help_lines
        self.scale_reader = scale_reader
        self.themes = themes  # themes of free text, set as it is stored
        # turns of one sender in this process, one after the other (a double click, two tabs);
        # across processes the row lock and the optimistic revision keep them apart
        self._sender_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = \
            weakref.WeakValueDictionary()

    def sender_hash(self, channel: str, sender: str) -> str:
        return hmac.new(self._key, f"{channel}\x00{sender}".encode(), hashlib.sha256).hexdigest()

    def invite_hash(self, token: str) -> str:
        return token_hash(self._key.decode("utf-8"), token)

    async def invitation(self, token: str) -> invitation_store.InvitationState | None:
        """What a link's invitation allows now; None when it is not known."""
        async with self.sessions() as session:
            return await invitation_store.state(session, self.invite_hash(token))

    async def resume(self, incoming: Incoming) -> list[Reply]:
        """Where a returning sender is now (their current question), storing nothing; a new
        sender's conversation starts as with an empty message. For a reloaded chat page."""
        sender_hash = self.sender_hash(incoming.channel, incoming.sender)
        async with self.sessions() as session:
            conversation = await conversation_store.latest_for_sender(session, sender_hash)
            if _continues(conversation, incoming.metadata):
                turn = _Turn(self, session, incoming, sender_hash, "", _LazyParse(self.parse, ""))
                await turn.attach(conversation)
                return await turn.where()
        return await self.handle(replace(incoming, text=""))

    async def handle(self, incoming: Incoming) -> list[Reply]:
        try:
            return await self._handle(incoming)
        except InviteNotUsable as exc:  # nothing was stored
            lang = incoming.metadata.get("lang") or "sv"
            return [Reply(bot_text(lang, f"invite_{exc.reason}"), "end", lang=lang)]
        except ClosedConsultation:  # nothing was stored
            lang = incoming.metadata.get("lang") or "sv"
            return [Reply(bot_text(lang, "consultation_closed"), "end", lang=lang)]

    def _lock_for(self, sender_hash: str) -> asyncio.Lock:
        lock = self._sender_locks.get(sender_hash)
        if lock is None:
            lock = self._sender_locks[sender_hash] = asyncio.Lock()
        return lock

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        sender_hash = self.sender_hash(incoming.channel, incoming.sender)
        async with self._lock_for(sender_hash):
            return await self._turn(incoming, sender_hash)

    async def _turn(self, incoming: Incoming, sender_hash: str) -> list[Reply]:
        redaction = redact(incoming.text)
        nlu = _LazyParse(self.parse, redaction.text)  # parsed once, whatever is redone
        locked = False
        for attempt in range(MAX_ATTEMPTS):
            try:
                async with self.sessions() as session:
                    if not locked and turn_store.can_run_unlocked(session):
                        await turn_store.unlocked(session)
                        return await self._run_turn(session, incoming, sender_hash,
                                                    redaction, nlu, locked=False)
                    async with session.begin():
                        return await self._run_turn(session, incoming, sender_hash,
                                                    redaction, nlu, locked=True)
            except _NeedsLock:
                locked = True  # nothing was written
            except (StaleConversation, IntegrityError):
                # another turn of the same sender committed first: read again and redo,
                # waiting for the row lock this time
                locked = True
                log.info("concurrent turn, retrying (attempt %d)", attempt + 1)
            except DBAPIError as exc:
                if not exc.connection_invalidated:  # e.g. the database restarted: redo
                    raise
                log.warning("database connection lost, retrying (attempt %d)", attempt + 1)
        raise Busy("The conversation is busy. Please send the message again.")

    async def _run_turn(self, session, incoming: Incoming, sender_hash: str,
                        redaction: Redaction, nlu: _LazyParse, locked: bool) -> list[Reply]:
        # the turn's writes go out together at its end (`_Turn.save`) or, locked, at
        # commit: fewer round trips per turn
        with session.no_autoflush:
            turn = _Turn(self, session, incoming, sender_hash, redaction.text, nlu, locked)
            replies = await turn.run()
            if redaction.changed:
                replies.insert(0, Reply(bot_text(turn.lang, "redacted"), "info"))
            for reply in replies:
                reply.lang = turn.lang
            await turn.save(replies)
        return replies


def _continues(conversation: Conversation | None, metadata: dict[str, Any]) -> bool:
    """Whether a message continues the sender's latest conversation (else one starts)."""
    wanted = metadata.get("consultation")
    return conversation is not None and not (
        conversation.status in FINISHED and wanted and wanted != conversation.consultation_id
    )


class _Turn:
    """The work of one message: locked, inside one transaction; unlocked, one read and the
    write of `save` (see the module's docstring)."""

    def __init__(self, engine: Engine, session, incoming: Incoming, sender_hash: str,
                 text: str, nlu: _LazyParse, locked: bool = True) -> None:
        self.engine, self.session, self.incoming = engine, session, incoming
        self.sender_hash, self.text, self.nlu = sender_hash, text, nlu
        self.locked = locked
        self.raw = incoming.text.strip()
        self.lang = "sv"
        self.conversation: Conversation | None = None
        self.definition: Definition | None = None
        self.changes: dict[str, Any] = {}
        self._given: dict[str, str | None] | None = None
        self._log: list[tuple[str, str | None]] = []  # written with the replies by `save`
        self._answer_writes: dict[str, AnswerWrite] = {}  # written by `save`
        self._withdrawn = False  # the person deleted their answers: no texts in the log

    # -- entry ---------------------------------------------------------------------

    async def run(self) -> list[Reply]:
        metadata = self.incoming.metadata
        conversation, given = await turn_store.latest(self.session, self.sender_hash,
                                                      lock=self.locked)
        if _continues(conversation, metadata):
            await self.attach(conversation)
            self._given = given  # None: read when needed
            self._log.append(("in", self.text))
        else:
            await self._start(metadata)
        replies = await self._dispatch()
        if replies and replies[-1].type == "end" and \
                self.changes.get("status", self.conversation.status) == "completed":
            replies.extend(await self._results_feedback())
        return replies

    async def _results_feedback(self) -> list[Reply]:
        """"Ni sa – vi gör": the newest message staff published, at the end and to people
        who come back after answering."""
        langs = (self.lang, "sv") if self.lang != "sv" else ("sv",)
        message = await feedback_store.latest(self.session, self.definition.id, langs)
        if message is None:
            return []
        text = bot_text(self.lang, "results_feedback", said=message.said, doing=message.doing)
        if message.lang != self.lang:
            text = f"{bot_text(self.lang, 'fallback')} {text}"
        return [Reply(text, "info")]

    async def attach(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.lang = conversation.lang
        self.definition = await self.engine.catalog.version(self.session, conversation.version_id)

    async def where(self) -> list[Reply]:
        """The current question again, after a welcome back; nothing changes."""
        await self._answers()
        replies = await self._prompt(self.conversation.pending)
        if self.conversation.status == "active":
            replies.insert(0, Reply(bot_text(self.lang, "resumed"), "info"))
        for reply in replies:
            reply.lang = self.lang
        return replies

    def _writes_more(self) -> None:
        """Called before a write that `save`'s statement does not hold: an unlocked turn
        stops here, having written nothing, and runs again locked."""
        if not self.locked:
            raise _NeedsLock

    async def save(self, replies: list[Reply]) -> None:
        """What the turn wrote, at its end: its answers, the conversation's new state and the
        message in with the replies out (storage/turns.py: one statement on PostgreSQL)."""
        if not self.locked and (self.session.new or self.session.dirty or self.session.deleted):
            # a write without `_writes_more` before it: it would go out after, and apart from,
            # the turn's one statement
            raise RuntimeError("an unlocked turn has writes outside its last statement")
        entries = self._log + [("out", reply.text) for reply in replies]
        if self._withdrawn:  # "radera mina svar": the person's words of this turn go too
            entries = [(way, None if way == "in" else text) for way, text in entries]
        await turn_store.save(self.session, self.conversation, self.changes,
                              list(self._answer_writes.values()), entries)

    async def _queue_answer(self, question_id: str, question_type: str, value: str | None,
                            own_words: str | None, themes: str | None) -> None:
        """Keep an answer for `save`; a second answer to the same question in this turn
        replaces the first."""
        earlier = self._answer_writes.get(question_id)
        replace = earlier.replace if earlier is not None else \
            question_id in await self._answers()
        self._answer_writes[question_id] = AnswerWrite(question_id, question_type, value,
                                                       own_words, themes, replace)

    async def _start(self, metadata: dict[str, Any]) -> None:
        self._writes_more()  # a new conversation (and perhaps an invitation used)
        consultation_id = metadata.get("consultation") or self.engine.default_consultation
        unit_id = metadata.get("unit")
        if metadata.get("invite"):  # the invitation says which consultation and unit
            consultation_id, unit_id = await self._use_invitation(metadata["invite"])
        if consultation_id not in self.engine.catalog:
            raise UnknownConsultation(f"There is no consultation called {consultation_id!r}.")
        if not self.engine.catalog.is_open(consultation_id):
            raise ClosedConsultation(consultation_id)
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
            status="new",
            position=None,
        )
        self._log.append(("in", self.text))

    async def _use_invitation(self, token: str) -> tuple[str, str]:
        token_hash = self.engine.invite_hash(token)
        found = await invitation_store.state(self.session, token_hash)
        if found is None:
            raise UnknownInvite("This invitation link is not known. Check the link or QR code.")
        if not found.usable:
            raise InviteNotUsable(found.reason)
        if not await invitation_store.use(self.session, token_hash):
            raise InviteNotUsable("used")  # another conversation took it a moment ago
        return found.consultation_id, found.unit_id

    async def _dispatch(self) -> list[Reply]:
        conversation = self.conversation
        if await self._acute_risk():
            return await self._crisis()
        if conversation.status == "new":
            self.changes["status"] = "consent"
            return [self._consent_message()]
        await self._answers()
        lang = steering.language_request(self.text)
        if lang:
            self.lang = self.changes["lang"] = lang
            self.changes["pending"] = None
            switched = Reply(bot_text(lang, "language_switched"), "info")
            return [switched, *await self._prompt(conversation.pending)]
        if conversation.pending:
            self.changes["pending"] = None
            replies = await self._resolve_pending(conversation.pending)
            if replies is not None:
                return replies
        if conversation.status in FINISHED:
            return [Reply(self._with_feedback(bot_text(self.lang, "already_done")), "end")]
        if conversation.status == "consent":
            return await self._consent()
        return await self._active(self.definition.question(conversation.position))

    # -- safety --------------------------------------------------------------------

    def _pressed_a_button(self) -> bool:
        known = {"ja", "nej", steering.CONTINUE, steering.STOP, steering.DELETE, steering.SKIP}
        if self.conversation.position:
            known |= set(prompts.payloads(self.definition, self._question()))
        return self.raw in known

    async def _acute_risk(self) -> bool:
        """Rules look at every typed message; the model at all but buttons and plain answers
        (a bare "barn", "4" or "ganska bra" is an answer, and no parse is spent on it, nor on
        a bare "hej")."""
        if not self.text.strip() or self._pressed_a_button() or steering.is_greeting(self.text):
            return False
        if safety.rule_risk(self.text) is not None:
            return True
        if self._plain_answer():
            return False
        return safety.model_risk(await self.nlu.result())

    def _plain_answer(self) -> bool:
        """A typed answer with nothing else in it: an option named exactly, or only words of
        answers ("ja gärna", "fyra", "nja, sådär") that the rules read. The model has nothing
        more to find there. A reading of the first word alone does not count: "nej, jag
        orkar inte mer" is read by the model too."""
        status = self.conversation.status
        if status == "consent":
            return mapping.only_answer_words(self.text) and mapping.map_yesno(self.text) is not None
        if not (self.conversation.position and status == "active"):
            return False
        question = self._question()
        if question.type in (QuestionType.choice, QuestionType.multi):
            return self._clear_answer(question) is not None
        if question.type == QuestionType.text or not mapping.only_answer_words(self.text):
            return False
        if self._clear_answer(question) is not None:
            return True
        return question.type == QuestionType.scale and \
            mapping.interpret_scale(self.text) is not None

    async def _crisis(self) -> list[Reply]:
        definition = self.definition
        if not self.conversation.flagged:
            self._writes_more()
            self.changes["flagged"] = True
            await conversation_store.add_flag(self.session, self.conversation.id, "crisis")
        lines = self.engine.help_lines.for_consultation(
            definition.audience.value, definition.help_lines, self.lang
        )
        help_text = "\n".join(
            [bot_text(self.lang, "crisis"), *lines, bot_text(self.lang, "crisis_bot")]
        )
        self.changes["pending"] = {"kind": "crisis", "resume": self.conversation.pending}
        if self.conversation.status == "new":
            self.changes["status"] = "consent"
        return [
            Reply(help_text, "crisis"),
            Reply(bot_text(self.lang, "crisis_choice"), "confirm", buttons=[
                {"title": bot_text(self.lang, "button_continue"), "payload": steering.CONTINUE},
                {"title": bot_text(self.lang, "button_stop"), "payload": steering.STOP},
            ]),
        ]

    # -- waiting for something -------------------------------------------------------

    async def _resolve_pending(self, pending: dict[str, Any]) -> list[Reply] | None:
        """Replies if this message settles what the bot waited for, else None."""
        kind = pending.get("kind")
        command = steering.command(self.text)
        yes_no = self.raw if self.raw in ("ja", "nej") else mapping.map_yesno(self.text)
        if command == "delete":
            return await self._withdraw()
        if kind == "crisis":
            if command == "continue" or yes_no == "ja":
                self.changes["pending"] = pending.get("resume")
                status = self.changes.get("status", self.conversation.status)
                if status in FINISHED:
                    return [Reply(self._with_feedback(bot_text(self.lang, "already_done")), "end")]
                return await self._prompt(pending.get("resume"))
            if command == "stop" or self.raw == steering.STOP or yes_no == "nej":
                return self._finish("stopped", "crisis_stopped")
            return None
        if kind == "confirm_stop":
            if command == "stop" or yes_no == "ja" or self.raw == steering.STOP:
                return self._finish("stopped", "stopped")
            if command == "continue" or yes_no == "nej":
                self.changes["pending"] = pending.get("resume")
                return [Reply(bot_text(self.lang, "continue_after_no_stop"), "info"),
                        *await self._prompt(pending.get("resume"))]
            return None
        question = self.definition.question(pending["question"])
        if kind == "confirm":
            if yes_no == "ja":
                return await self._store(question, pending["value"], pending.get("text"))
            if yes_no == "nej":
                if pending.get("comment"):  # it was a comment after all: keep the words
                    self._writes_more()
                    await conversation_store.add_comment(
                        self.session, self.conversation.id, question.id, pending["text"],
                        themes=await self._themes(pending["text"]),
                    )
                return [Reply(bot_text(self.lang, "confirm_rejected"), "info"),
                        self._ask(question)]
            return None  # perhaps a new answer: handled as one
        if kind == "follow_up":
            if command == "stop":
                return self._confirm_stop(resume=pending)
            if command == "skip" or not self.text.strip():
                return await self._advance(question)
            await self._queue_answer(prompts.follow_up_id(question), QuestionType.text.value,
                                     None, self.text, await self._themes(self.text))
            return await self._advance(question)
        return None

    async def _prompt(self, pending: dict[str, Any] | None) -> list[Reply]:
        """Show again what the person is being asked now."""
        status = self.changes.get("status", self.conversation.status)
        if status in ("consent", "new"):
            return [self._consent_message()]
        if status in FINISHED:
            return [Reply(self._with_feedback(bot_text(self.lang, "already_done")), "end")]
        if pending and pending.get("kind") == "confirm":  # still waiting for ja or nej
            self.changes["pending"] = pending
            return [self._confirmation(self.definition.question(pending["question"]),
                                       pending["value"])]
        if pending and pending.get("kind") == "confirm_stop":
            return self._confirm_stop(resume=pending.get("resume"))
        if pending and pending.get("kind") == "follow_up":
            self.changes["pending"] = pending
            question = self.definition.question(pending["question"])
            return [prompts.follow_up(self.definition, question, self.lang, await self._answers(),
                                      "")]
        return [self._ask(self._question())]

    # -- consent -------------------------------------------------------------------

    def _consent_message(self) -> Reply:
        return Reply(prompts.localized(self.definition.consent, self.lang), "consent",
                     buttons=prompts.yes_no(self.lang))

    async def _consent(self) -> list[Reply]:
        command = steering.command(self.text)
        if command in ("stop", "delete"):
            return self._finish("declined", "declined")
        choice = await self._yes_or_no()
        if choice == "ja":
            first = prompts.next_question(self.definition, None, {})
            self.changes.update(status="active", position=first.id)
            return [self._ask(first)]
        if choice == "nej":
            return self._finish("declined", "declined")
        intent, confidence = await self.nlu.intent()
        if intent in ("privacy", "human", "clarify", "greet") and confidence >= \
                steering.STEERING_CONFIDENCE:
            return [*self._explain(intent, None), self._consent_message()]
        return [Reply(bot_text(self.lang, "not_understood_consent"), "info"),
                self._consent_message()]

    # -- questions -----------------------------------------------------------------

    def _question(self) -> Question:
        position = self.changes.get("position", self.conversation.position)
        return self.definition.question(position)

    async def _answers(self) -> dict[str, str | None]:
        if self._given is None:
            self._given = await answer_store.values(self.session, self.conversation.id)
        return self._given

    def _ask(self, question: Question) -> Reply:
        return prompts.ask(self.definition, question, self.lang, self._given or {})

    async def _active(self, question: Question) -> list[Reply]:
        await self._answers()
        if self.raw in prompts.payloads(self.definition, question):
            return await self._store(question, self.raw, None)
        command = steering.command(self.text)
        if command == "delete":
            return await self._withdraw()
        if command == "stop":
            return self._confirm_stop()
        if command == "skip":
            return await self._advance(question, Reply(bot_text(self.lang, "skipped"), "info"))
        if command == "back":
            return await self._back(question)
        if question.type == QuestionType.text:
            return await self._free_text(question)
        if not self.text.strip():  # an empty message (a reloaded page): where the person is
            return [self._ask(question)]
        value = self._clear_answer(question)
        if value is not None:
            return await self._store(question, value, self.text)
        guess = await self._likely_answer(question)
        if guess is not None:
            return await self._confirm(question, guess)
        if question.type == QuestionType.yesno:
            value = await self._yes_or_no()
            if value is not None:
                return await self._store(question, value, self.text)
        intent, confidence = await self.nlu.intent()
        if intent in steering.STEERING_INTENTS and confidence >= steering.STEERING_CONFIDENCE:
            return await self._steer(intent, question)
        return [Reply(self._not_understood(question), "info"), self._ask(question)]

    async def _free_text(self, question: Question) -> list[Reply]:
        if not self.text.strip():
            return [Reply(bot_text(self.lang, "empty_text"), "info"), self._ask(question)]
        if len(self.text.split()) <= TEXT_STEERING_MAX_WORDS:
            intent, confidence = await self.nlu.intent()
            if intent in ("stop", "skip", "back", "human", "privacy", "clarify") and \
                    confidence >= TEXT_STEERING_CONFIDENCE:
                return await self._steer(intent, question)
        return await self._store(question, None, self.text)

    def _clear_answer(self, question: Question) -> str | None:
        if question.type == QuestionType.scale:
            return mapping.map_scale(self.text, prompts.scale_of(self.definition, question))
        if question.type == QuestionType.yesno:
            return mapping.map_yesno(self.text)
        if question.type == QuestionType.multi:
            return mapping.map_multi(self.text, question)
        return mapping.map_choice(self.text, question)

    async def _likely_answer(self, question: Question) -> str | None:
        """An answer that needs the person's confirmation before it is stored."""
        if question.type == QuestionType.scale:
            guess = mapping.interpret_scale(self.text)
            if guess is None and self.engine.scale_reader is not None:
                least = min_probability(self.text, *await self.nlu.intent())
                if least is not None:
                    guess = await self.engine.scale_reader.read(self.text, least)
            scale = prompts.scale_of(self.definition, question)
            if guess is None or (guess == mapping.DONT_KNOW and not scale.dont_know):
                return None
            if guess == mapping.DONT_KNOW:
                return guess
            points = len(scale.points)  # five-point words on a shorter scale: same order
            return str(round(1 + (int(guess) - 1) * (points - 1) / 4))
        if question.type == QuestionType.choice:
            return mapping.guess_choice(self.text, question)
        return None

    async def _confirm(self, question: Question, value: str) -> list[Reply]:
        # words of answers only ("ja absolut") are no comment: no parse is spent on them
        intent, confidence = (None, 0.0) if mapping.only_answer_words(self.text) \
            else await self.nlu.intent()
        self.changes["pending"] = {
            "kind": "confirm", "question": question.id, "value": value, "text": self.text,
            # words the model took for a comment: kept as one if the reading is wrong
            "comment": intent == "feedback" and confidence >= steering.STEERING_CONFIDENCE,
        }
        return [self._confirmation(question, value)]

    def _confirmation(self, question: Question, value: str) -> Reply:
        """ "Jag tolkar det som 4, Stämmer ganska bra. Stämmer det?" """
        label = prompts.label_of(self.definition, question, value, self.lang)
        if question.type == QuestionType.scale:
            number, _, words = label.partition(" ")
            text = bot_text(self.lang, "confirm_value", value=number, label=words)
        else:
            text = bot_text(self.lang, "confirm_choice", label=label)
        step, of = prompts.progress(self.definition, question, self._given or {})
        return Reply(text, "confirm", buttons=prompts.yes_no(self.lang),
                     question_id=question.id, step=step, of=of)

    async def _steer(self, intent: str, question: Question) -> list[Reply]:
        if intent in ("stop", "goodbye"):
            return self._confirm_stop()
        if intent == "skip":
            return await self._advance(question, Reply(bot_text(self.lang, "skipped"), "info"))
        if intent == "back":
            return await self._back(question)
        if intent == "dont_know":
            scale = prompts.scale_of(self.definition, question)
            if scale is not None and scale.dont_know:
                return await self._store(question, mapping.DONT_KNOW, self.text)
            return await self._advance(
                question, Reply(bot_text(self.lang, "dont_know_skipped"), "info")
            )
        if intent == "feedback":
            self._writes_more()
            await conversation_store.add_comment(
                self.session, self.conversation.id, question.id, self.text,
                themes=await self._themes(self.text),
            )
            return [Reply(bot_text(self.lang, "feedback_saved"), "info"), self._ask(question)]
        return [*self._explain(intent, question), self._ask(question)]

    def _explain(self, intent: str, question: Question | None) -> list[Reply]:
        """Answers to clarify, human, privacy and greet; the caller asks again after."""
        lang = self.lang
        if intent == "clarify":
            if question is not None and question.clarify is not None:
                return [Reply(prompts.localized(question.clarify, lang), "info")]
            return [Reply(bot_text(lang, "clarify_none"), "info")]
        if intent == "human":
            unit = self.engine.catalog.units.get(self.conversation.unit_id or "")
            if unit and unit.contact.get("phone"):
                contact = bot_text(lang, "human_unit", unit=unit.name, phone=unit.contact["phone"],
                                   hours=unit.contact.get("hours", ""))
            else:
                contact = bot_text(lang, "human_generic")
            return [Reply(f"{bot_text(lang, 'human')} {contact}", "info")]
        if intent == "privacy":
            if self.definition.privacy is not None:
                return [Reply(prompts.localized(self.definition.privacy, lang), "info")]
            return [Reply(bot_text(lang, "privacy", days=self.definition.retention_days), "info")]
        return [Reply(bot_text(lang, "greet"), "info")]

    async def _store(self, question: Question, value: str | None,
                     own_words: str | None) -> list[Reply]:
        given = await self._answers()
        free_text = question.type == QuestionType.text
        await self._queue_answer(question.id, question.type.value, value, own_words,
                                 await self._themes(own_words) if free_text else None)
        given[question.id] = value
        self.changes["position"] = question.id
        if self._wants_follow_up(question, value, own_words):
            self.changes["pending"] = {"kind": "follow_up", "question": question.id}
            key = "acknowledge_text" if question.type == QuestionType.text else "acknowledge_low"
            return [prompts.follow_up(self.definition, question, self.lang, given,
                                      bot_text(self.lang, key))]
        return await self._advance(question)

    async def _themes(self, text: str | None) -> str | None:
        """The model's themes of free text ("" for none), or None when there is no
        classifier or it failed: the words are stored either way."""
        if self.engine.themes is None or not text:
            return None
        try:
            return await self.engine.themes.themes_of(text)
        except Exception:  # noqa: BLE001 - themes must never cost an answer
            log.exception("theme classification failed; stored without themes")
            return None

    def _wants_follow_up(self, question: Question, value: str | None,
                         own_words: str | None) -> bool:
        follow_up = question.follow_up
        if follow_up is None:
            return False
        if question.type == QuestionType.text:
            words = len((own_words or "").split())
            return follow_up.after == "always" or words < SHORT_ANSWER_WORDS
        if follow_up.after == "default":  # the lowest points of the scale
            points = len(prompts.scale_of(self.definition, question).points)
            return value in ({"1", "2"} if points >= 5 else {"1"})
        return value in follow_up.after

    async def _advance(self, question: Question, note: Reply | None = None) -> list[Reply]:
        given = await self._answers()
        following = prompts.next_question(self.definition, question, given)
        lead = [note] if note else []
        if following is None:
            return lead + self._finish("completed", None)
        self.changes["position"] = following.id
        return lead + [self._ask(following)]

    async def _back(self, question: Question) -> list[Reply]:
        given = await self._answers()
        previous = prompts.previous_question(self.definition, question, given)
        if previous is None:
            return [Reply(bot_text(self.lang, "back_first"), "info"), self._ask(question)]
        self.changes["position"] = previous.id
        note = bot_text(self.lang, "back")
        if given.get(previous.id):
            answer = prompts.label_of(self.definition, previous, given[previous.id], self.lang)
            note += " " + bot_text(self.lang, "previous_answer", answer=answer)
        return [Reply(note, "info"), self._ask(previous)]

    # -- stopping ------------------------------------------------------------------

    def _confirm_stop(self, resume: dict[str, Any] | None = None) -> list[Reply]:
        self.changes["pending"] = {"kind": "confirm_stop", "resume": resume}
        lang = self.lang
        return [Reply(bot_text(lang, "confirm_stop"), "confirm", buttons=[
            {"title": bot_text(lang, "button_stop"), "payload": steering.STOP},
            {"title": bot_text(lang, "button_continue"), "payload": steering.CONTINUE},
            {"title": bot_text(lang, "button_delete"), "payload": steering.DELETE},
        ])]

    async def _withdraw(self) -> list[Reply]:
        self._writes_more()
        await self.session.flush()  # comments of this turn go as well
        await conversation_store.withdraw(self.session, self.conversation.id)
        self._answer_writes.clear()
        self._withdrawn = True
        self.changes.update(status="withdrawn", position=None, pending=None)
        return [Reply(bot_text(self.lang, "deleted"), "end")]

    async def _yes_or_no(self) -> str | None:
        if self.raw in ("ja", "nej"):
            return self.raw
        value = mapping.map_yesno(self.text)
        if value is None:
            intent, confidence = await self.nlu.intent()
            if confidence >= YESNO_CONFIDENCE:
                value = {"affirm": "ja", "deny": "nej"}.get(intent or "")
        return value

    def _not_understood(self, question: Question) -> str:
        if question.type == QuestionType.scale:
            points = len(prompts.scale_of(self.definition, question).points)
            return bot_text(self.lang, "not_understood_scale", max=points)
        if question.type == QuestionType.yesno:
            return bot_text(self.lang, "not_understood_yesno")
        return bot_text(self.lang, "not_understood_choice")

    def _finish(self, status: str, text_key: str | None) -> list[Reply]:
        self.changes.update(status=status, position=None, pending=None)
        if status == "completed":
            self.changes["completed_at"] = utcnow()
            return [Reply(self._with_feedback(prompts.localized(self.definition.end, self.lang)),
                          "end")]
        return [Reply(bot_text(self.lang, text_key), "end")]

    def _with_feedback(self, template: str) -> str:
        feedback = self.definition.results_feedback
        return template.replace("{when}", feedback.when.get(self.lang)).replace(
            "{how}", feedback.how.get(self.lang)
        )
