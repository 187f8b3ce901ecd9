"""offline: idempotency keys of entries made on a phone without a connection

Consultations and check-ins get the device's key (unique per quota, which belongs to one trainee,
and per session), check-ins the flag that they were made offline, trip results who wrote each count
last, when, and with which key.

Revision ID: 0012_offline
Revises: 0011_creds
Create Date: 2026-12-06 03:50:00

"""
from alembic import op
import sqlalchemy as sa

from app.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0012_offline'
down_revision = '0012_series'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint('uq_consultations_quota_client_key', ['quota_id', 'client_key'])
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('offline', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_unique_constraint('uq_check_ins_session_client_key', ['session_id', 'client_key'])
    with op.batch_alter_table('trip_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('client_key', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_trip_results_recorded_by_id_users'), 'users',
                                    ['recorded_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('trip_results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trip_results_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('client_key')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('recorded_at')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_constraint('uq_check_ins_session_client_key', type_='unique')
        batch_op.drop_column('offline')
        batch_op.drop_column('client_key')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_consultations_quota_client_key', type_='unique')
        batch_op.drop_column('client_key')
