"""which version of each consultation new conversations start on, shared by all processes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 19:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.add_column(sa.Column('current_version_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('consultations') as batch:
        batch.drop_column('current_version_id')
