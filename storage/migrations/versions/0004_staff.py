"""staff accounts, sessions, audit log, review, follow-up, schedules

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _stamp(name='created_at'):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _append_only(table: str) -> None:
    """The database itself refuses to change or remove a row of the table."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql""")
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
    else:
        for event in ('UPDATE', 'DELETE'):
            op.execute(f"""
                CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")


def upgrade() -> None:
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        _stamp(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
        sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    )
    op.create_table(
        'staff_user_units',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], ondelete='CASCADE',
                                name=op.f('fk_staff_user_units_user_id_staff_users')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_staff_user_units_unit_id_units')),
        sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_staff_user_units')),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        _stamp(),
        _stamp('expires_at'),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], ondelete='CASCADE',
                                name=op.f('fk_staff_sessions_user_id_staff_users')),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_sessions')),
    )
    op.create_index(op.f('ix_staff_sessions_user_id'), 'staff_sessions', ['user_id'])
    op.create_index(op.f('ix_staff_sessions_expires_at'), 'staff_sessions', ['expires_at'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        _stamp('at'),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('target', sa.String(length=128), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'])
    _append_only('audit_log')
    op.create_index(op.f('ix_audit_log_action'), 'audit_log', ['action'])
    op.create_table(
        'conversation_reviews',
        sa.Column('conversation_id', sa.String(length=32), nullable=False),
        sa.Column('reviewed', sa.Boolean(), nullable=False),
        sa.Column('reviewed_by', sa.String(length=254), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE',
                                name=op.f('fk_conversation_reviews_conversation_id_conversations')),
        sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_conversation_reviews')),
    )
    op.create_table(
        'conversation_tags',
        sa.Column('conversation_id', sa.String(length=32), nullable=False),
        sa.Column('tag', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        _stamp(),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE',
                                name=op.f('fk_conversation_tags_conversation_id_conversations')),
        sa.PrimaryKeyConstraint('conversation_id', 'tag', name=op.f('pk_conversation_tags')),
    )
    op.create_table(
        'review_notes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('conversation_id', sa.String(length=32), nullable=False),
        sa.Column('author', sa.String(length=254), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        _stamp(),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE',
                                name=op.f('fk_review_notes_conversation_id_conversations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_notes')),
    )
    op.create_index(op.f('ix_review_notes_conversation_id'), 'review_notes', ['conversation_id'])
    op.create_table(
        'follow_up_changes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('flag_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('changed_by', sa.String(length=254), nullable=False),
        _stamp('changed_at'),
        sa.ForeignKeyConstraint(['flag_id'], ['flags.id'], ondelete='CASCADE',
                                name=op.f('fk_follow_up_changes_flag_id_flags')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_changes')),
    )
    op.create_index(op.f('ix_follow_up_changes_flag_id'), 'follow_up_changes', ['flag_id'])
    op.create_table(
        'consultation_schedules',
        sa.Column('consultation_id', sa.String(length=64), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=True),
        sa.Column('closes_on', sa.Date(), nullable=True),
        sa.Column('changed_by', sa.String(length=254), nullable=True),
        _stamp('changed_at'),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_consultation_schedules_consultation_id_consultations')),
        sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_consultation_schedules')),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    for table in ('consultation_schedules', 'follow_up_changes', 'review_notes',
                  'conversation_tags', 'conversation_reviews', 'audit_log', 'staff_sessions',
                  'staff_user_units', 'staff_users'):
        op.drop_table(table)
