"""Tables. One place for the schema; Alembic migrations in storage/migrations mirror it.

Nothing here holds a raw sender id or unredacted text: callers hash and redact first.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Unit(Base):
    __tablename__ = "units"

    id = Column(String(64), primary_key=True)
    name = Column(String(200), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Consultation(Base):
    __tablename__ = "consultations"

    id = Column(String(64), primary_key=True)
    title = Column(String(200), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # the version new conversations start on (set at start-up and when an admin saves);
    # every server process follows it (bot/engine/catalog.py)
    current_version_id = Column(Integer, nullable=True)


class ConsultationVersion(Base):
    """An immutable version of a consultation definition; answers keep the version they had."""

    __tablename__ = "consultation_versions"
    __table_args__ = (
        UniqueConstraint("consultation_id", "checksum", name="uq_consultation_versions_checksum"),
        UniqueConstraint("consultation_id", "version", name="uq_consultation_versions_version"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    consultation_id = Column(ForeignKey("consultations.id"), nullable=False, index=True)
    version = Column(Integer, nullable=False)
    checksum = Column(String(64), nullable=False)
    definition = Column(JSON, nullable=False)
    source_file = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Conversation(Base):
    """One respondent's session with one consultation (pseudonymous)."""

    __tablename__ = "conversations"

    id = Column(String(32), primary_key=True)  # random; exported as session_id
    sender_hash = Column(String(64), nullable=False, index=True)  # keyed hash of channel+sender
    channel = Column(String(32), nullable=False)
    consultation_id = Column(ForeignKey("consultations.id"), nullable=False, index=True)
    version_id = Column(ForeignKey("consultation_versions.id"), nullable=False)
    unit_id = Column(ForeignKey("units.id"), nullable=True, index=True)
    source = Column(String(64), nullable=True)
    lang = Column(String(16), nullable=False, default="sv")
    # consent | active | completed | stopped | declined
    status = Column(String(16), nullable=False)
    # the question being asked now (None before consent and after the end)
    position = Column(String(64), nullable=True)
    # what the bot waits for besides an answer: a confirmation, a follow-up ... (JSON)
    pending = Column(JSON, nullable=True)
    flagged = Column(Boolean, nullable=False, default=False)
    # optimistic lock: every turn bumps it; a turn that lost a race is retried
    revision = Column(Integer, nullable=False, default=0)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    completed_at = Column(DateTime(timezone=True), nullable=True)


class Message(Base):
    """The redacted message log, both directions."""

    __tablename__ = "messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    direction = Column(String(3), nullable=False)  # in | out
    text = Column(Text, nullable=True)  # redacted; None once removed by retention
    intent = Column(String(64), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("conversation_id", "question_id", name="uq_answers_question"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version_id = Column(ForeignKey("consultation_versions.id"), nullable=False)
    question_id = Column(String(64), nullable=False)
    question_type = Column(String(16), nullable=False)
    value = Column(String(255), nullable=True)
    answer_text = Column(Text, nullable=True)  # the person's own words, redacted
    # theme ids joined by ";" ("" none; NULL not classified) and who set them: model | staff
    themes = Column(Text, nullable=True)
    themes_source = Column(String(8), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Comment(Base):
    """Something the person said about the service out of turn, in their own words."""

    __tablename__ = "comments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    question_id = Column(String(64), nullable=True)  # the question being asked then
    text = Column(Text, nullable=True)  # redacted
    themes = Column(Text, nullable=True)  # as Answer.themes
    themes_source = Column(String(8), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OfferedCount(Base):
    """How many brukare staff offered a consultation to, per unit and period (for the
    response rate, as the yearly survey reports it). Setting it again replaces it."""

    __tablename__ = "offered_counts"
    __table_args__ = (
        UniqueConstraint("consultation_id", "unit_id", "period_start", "period_end",
                         name="uq_offered_counts_period"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    consultation_id = Column(ForeignKey("consultations.id"), nullable=False, index=True)
    unit_id = Column(ForeignKey("units.id"), nullable=False)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    offered = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Flag(Base):
    """A conversation that staff must follow up (for example acute risk)."""

    __tablename__ = "flags"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default="new")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class StaffUser(Base):
    """A staff account (admin, staff or analyst). E-mail addresses here are staff data."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    email = Column(String(254), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)  # admin | staff | analyst
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class StaffUserUnit(Base):
    """The units whose conversations a staff account may read."""

    __tablename__ = "staff_user_units"

    user_id = Column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    unit_id = Column(ForeignKey("units.id"), primary_key=True)


class StaffSession(Base):
    """A server-side login session. Only a hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class ApiToken(Base):
    """A per-analyst token for the read-only JSON API (/api/v1). Only the SHA-256 of the
    token is stored (it is 32 random bytes, so a plain hash is enough); it is shown once."""

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(100), nullable=True)  # what the analyst calls it, e.g. "R-skript"
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = Column(DateTime(timezone=True), nullable=True)
    revoked_at = Column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """Who did what, when. Append-only: no code path updates or deletes a row."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    user_id = Column(Integer, nullable=True)  # no foreign key: the log outlives accounts
    actor = Column(String(254), nullable=False)  # the e-mail given, or "system"
    action = Column(String(64), nullable=False, index=True)
    target = Column(String(128), nullable=True)
    detail = Column(Text, nullable=True)
    ip = Column(String(64), nullable=True)


class ConversationReview(Base):
    """Staff's review state of one conversation."""

    __tablename__ = "conversation_reviews"

    conversation_id = Column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    reviewed = Column(Boolean, nullable=False, default=False)
    reviewed_by = Column(String(254), nullable=True)
    reviewed_at = Column(DateTime(timezone=True), nullable=True)


class ConversationTag(Base):
    __tablename__ = "conversation_tags"

    conversation_id = Column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    tag = Column(String(64), primary_key=True)
    created_by = Column(String(254), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ReviewNote(Base):
    """A staff note on a conversation (staff's words, not the brukare's)."""

    __tablename__ = "review_notes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author = Column(String(254), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class FollowUpChange(Base):
    """Every change of a flag's follow-up status (new, contacted, closed): who and when."""

    __tablename__ = "follow_up_changes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    flag_id = Column(ForeignKey("flags.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    changed_by = Column(String(254), nullable=False)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ConsultationSchedule(Base):
    """When a consultation is open for new conversations (dates inclusive; empty = no limit)."""

    __tablename__ = "consultation_schedules"

    consultation_id = Column(ForeignKey("consultations.id"), primary_key=True)
    opens_on = Column(Date, nullable=True)
    closes_on = Column(Date, nullable=True)
    changed_by = Column(String(254), nullable=True)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class FeedbackMessage(Base):
    """Återkoppling, "Ni sa – vi gör": what brukare said and what is done about it, published
    by staff per consultation and language. Retracting keeps the row (retracted_at set)."""

    __tablename__ = "feedback_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    consultation_id = Column(ForeignKey("consultations.id"), nullable=False, index=True)
    lang = Column(String(16), nullable=False, default="sv")
    said = Column(Text, nullable=False)
    doing = Column(Text, nullable=False)
    published_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    retracted_at = Column(DateTime(timezone=True), nullable=True)


class Invitation(Base):
    """A one-time invitation that staff hand out as a link or QR code.

    Only a keyed hash of the token is stored. Nothing links an invitation to the
    conversation it started, so a token written down by staff identifies no answers.
    """

    __tablename__ = "invitations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # HMAC-SHA256, hex
    batch = Column(String(32), nullable=False, index=True)  # one `brukarrost invite` run
    consultation_id = Column(ForeignKey("consultations.id"), nullable=False, index=True)
    unit_id = Column(ForeignKey("units.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True), nullable=True)
# One open conversation per sender: two first messages of a new sender arriving together
# cannot start two conversations (the second insert fails and its turn is redone).
OPEN_STATUSES_SQL = "status NOT IN ('completed', 'stopped', 'declined', 'withdrawn')"
Index(
    "uq_conversations_open_sender",
    Conversation.sender_hash,
    unique=True,
    postgresql_where=text(OPEN_STATUSES_SQL),
    sqlite_where=text(OPEN_STATUSES_SQL),
)
