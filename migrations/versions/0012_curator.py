"""curator: mentoring_sessions.starts_at, the time of day of a session (NULL for the ones recorded before)

Revision ID: 0012_curator
Revises: 0011_creds
Create Date: 2026-12-06 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_curator'
down_revision = '0012_langs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.Time(), nullable=True))


def downgrade():
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.drop_column('starts_at')
