"""hardening: session versions, password reset tokens, organisation name keys, unique numbers,
cancellation reasons

Revision ID: 0003_hardening
Revises: 0002_outbox
Create Date: 2026-11-30 18:40:00

Data: every organisation gets its Python-made name key (casefold, spaces collapsed; a second
organisation whose key clashes in the same region keeps its name and gets a key suffixed with its
id, so the unique index can be built); every account without a calendar token gets one, so that
showing /me never has to write.
"""
import secrets

import sqlalchemy as sa
from alembic import op

import app.database

revision = '0003_hardening'
down_revision = '0002_outbox'
branch_labels = None
depends_on = None


def _name_key(name):
    return " ".join((name or "").split()).casefold()


def upgrade():
    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    # plain ALTER TABLE (no batch copy: on SQLite a copy would lose the lower(email) index)
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('calendar_token', sa.String))
    for (user_id,) in connection.execute(sa.select(users.c.id).where(users.c.calendar_token.is_(None))).all():
        connection.execute(users.update().where(users.c.id == user_id).values(calendar_token=secrets.token_urlsafe(24)))

    op.drop_index('uq_organisations_name_region', table_name='organisations')
    op.add_column('organisations', sa.Column('name_key', sa.String(length=300), nullable=True))
    organisations = sa.table('organisations', sa.column('id', sa.Integer), sa.column('name', sa.String),
                             sa.column('region_code', sa.String), sa.column('name_key', sa.String))
    seen = set()
    rows = connection.execute(sa.select(organisations.c.id, organisations.c.name, organisations.c.region_code)
                              .order_by(organisations.c.id)).all()
    for organisation_id, name, region_code in rows:
        key = _name_key(name)
        if (key, region_code) in seen:
            key = f"{key} #{organisation_id}"[:300]
        seen.add((key, region_code))
        connection.execute(organisations.update().where(organisations.c.id == organisation_id).values(name_key=key))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=300), nullable=False)
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'], unique=False)
        batch_op.create_index('uq_organisations_name_key_region', ['name_key', 'region_code'], unique=True)

    op.add_column('events', sa.Column('cancellation_reason', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('programme_stages', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_programme_stages_number', ['programme_id', 'number'])
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_plan_items_number', ['programme_id', 'number'])


def downgrade():
    op.drop_column('events', 'cancellation_reason')
    with op.batch_alter_table('plan_items', schema=None) as batch_op:
        batch_op.drop_constraint('uq_plan_items_number', type_='unique')
    with op.batch_alter_table('programme_stages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_programme_stages_number', type_='unique')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('uq_organisations_name_key_region')
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_column('name_key')
    op.create_index('uq_organisations_name_region', 'organisations',
                    [sa.literal_column('lower(name)'), 'region_code'], unique=True)

    op.drop_column('users', 'session_version')  # SQLite ≥ 3.35 drops a column in place

    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_user_id'))
    op.drop_table('password_reset_tokens')
