"""Series rules, meeting changes and attendance, self-help groups

Revision ID: 0007_series_groups
Revises: 0006_reports
Create Date: 2026-11-30 22:24:27.705880

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0007_series_groups'
down_revision = '0006_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_series',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('weekly', 'monthly', name='seriesfrequency', native_enum=False, length=16), nullable=False),
    sa.Column('every', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('month_position', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('excluded_dates', sa.JSON(), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('count IS NULL OR count > 0', name=op.f('ck_event_series_count_positive')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_event_series_duration_positive')),
    sa.CheckConstraint('every BETWEEN 1 AND 52', name=op.f('ck_event_series_every_range')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_series_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_series'))
    )
    op.create_table('group_details',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('community', sa.String(length=200), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('membership', sa.Enum('open', 'closed', name='groupmembership', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_group_details_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['facilitator_id'], ['users.id'], name=op.f('fk_group_details_facilitator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_group_details'))
    )
    with op.batch_alter_table('group_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_details_facilitator_id'), ['facilitator_id'], unique=False)

    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cancelled_at', app.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('series_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('guests', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('outcome_recorded_at', app.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f('ck_event_sessions_guests_not_negative'), 'guests IS NULL OR guests >= 0')



def downgrade():
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_sessions_guests_not_negative'), type_='check')
        batch_op.drop_column('outcome_recorded_at')
        batch_op.drop_column('outcome')
        batch_op.drop_column('guests')
        batch_op.drop_column('series_date')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('sequence')

    with op.batch_alter_table('group_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_details_facilitator_id'))

    op.drop_table('group_details')
    op.drop_table('event_series')
