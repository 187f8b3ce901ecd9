"""series: a registrant may mute an event's mails (registrations.mail_muted)

Muted: news about the event (changes, reinstatement, reminders, organisers' messages) is not mailed;
mails about the person's own place (confirmation, waitlist offer, cancellation) and a cancelled event
still are.

Revision ID: 0012_series
Revises: 0011_creds
Create Date: 2026-12-06 04:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_series'
down_revision = '0012_curator'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_muted', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('mail_muted')
