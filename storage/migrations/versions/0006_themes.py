"""themes of free-text answers and comments

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25 16:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('answers', 'comments')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('themes', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('themes_source', sa.String(length=8), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('themes_source')
            batch_op.drop_column('themes')
