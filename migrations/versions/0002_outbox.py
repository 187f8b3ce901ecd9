"""outbox

Revision ID: 0002_outbox
Revises: 6904b616d023
Create Date: 2026-11-30 17:54:26.760851

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0002_outbox'
down_revision = '6904b616d023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'failed', name='outboxstate', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('available_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['state', 'available_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_due')

    op.drop_table('outbox_messages')
