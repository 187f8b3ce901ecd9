"""changes: the log of what changed each programme's report facts

Each flush that writes a row a programme's report counts from inserts one row here, in the same
transaction (app/reports/freshness.py); the report and dashboard caches compare versions made from it.

Revision ID: 0014_changes
Revises: 0013_speed
Create Date: 2026-12-06 13:00:00

"""
import sqlalchemy as sa
from alembic import op

from app.database import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0014_changes'
down_revision = '0013_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'programme_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_changes')),
    )
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.create_index('ix_programme_changes_programme_id', ['programme_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_changes_programme_id')
    op.drop_table('programme_changes')
