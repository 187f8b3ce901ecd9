"""hours: a programme counts certificate hours as clock or academic (45-minute) hours; each certificate
keeps the unit its hours were printed in

Existing programmes and certificates are clock hours (what their hours were computed as).

Revision ID: 0012_hours
Revises: 0011_creds
Create Date: 2026-12-06 03:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_hours'
down_revision = '0012_grant'
branch_labels = None
depends_on = None

UNIT = sa.Enum('clock', 'academic', name='hoursunit', native_enum=False, length=16)


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_unit', UNIT, server_default='clock', nullable=False))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hours_unit', UNIT, server_default='clock', nullable=False))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('hours_unit')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('hours_unit')
