"""grant: each indicator's deviation note (why the fact differs from the plan), for the analytical report

Revision ID: 0012_grant
Revises: 0011_creds
Create Date: 2026-12-06 03:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_grant'
down_revision = '0011_creds'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deviation_note', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('deviation_note')
