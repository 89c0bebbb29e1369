"""feedback messages ("Ni sa – vi gör")

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-25 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('consultation_id', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('said', sa.Text(), nullable=False),
    sa.Column('doing', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retracted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_feedback_messages_consultation_id_consultations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_messages'))
    )
    with op.batch_alter_table('feedback_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_messages_consultation_id'), ['consultation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedback_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_messages_consultation_id'))

    op.drop_table('feedback_messages')
