"""reliability: one open conversation per sender

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-25 16:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('completed', 'stopped', 'declined', 'withdrawn')"


def upgrade() -> None:
    # Before the index, a race could leave two open conversations of one sender: keep the
    # newest open, mark the others stopped (their answers stay).
    op.execute(sa.text(
        f"UPDATE conversations SET status = 'stopped' WHERE {OPEN} AND EXISTS ("
        f"SELECT 1 FROM conversations AS newer WHERE newer.sender_hash = conversations.sender_hash"
        f" AND newer.{OPEN} AND (newer.started_at > conversations.started_at"
        f" OR (newer.started_at = conversations.started_at AND newer.id > conversations.id)))"
    ))
    op.create_index(
        'uq_conversations_open_sender', 'conversations', ['sender_hash'], unique=True,
        postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index('uq_conversations_open_sender', table_name='conversations')
