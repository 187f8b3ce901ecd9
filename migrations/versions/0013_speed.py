"""speed: accepted consultations in the order a quota meets its target

The report's "trainees who met their quota" numbers each quota's accepted consultations by the day
held; this index gives them in that order, so the database reads them instead of sorting them all.

Revision ID: 0013_speed
Revises: 0013_keys
Create Date: 2026-12-06 09:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_speed'
down_revision = '0013_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index('ix_consultations_state_quota_held', ['review_state', 'quota_id', 'held_on', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index('ix_consultations_state_quota_held')
