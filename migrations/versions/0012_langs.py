"""Events: title and description in more languages (events.translations, a JSON object per locale).

Revision ID: 0012_langs
Revises: 0011_creds
Create Date: 2026-12-06 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_langs'
down_revision = '0011_creds'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events') as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('events') as batch_op:
        batch_op.drop_column('translations')
