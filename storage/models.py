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
