"""Events: title and description in more languages (events.translations, a JSON object per locale).

Revision ID: 0012_langs
Revises: 0011_creds
Create Date: 2026-12-06 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_langs'
down_revision = '0012_hours'
branch_labels = None
depends_on = None


# In place, not in batch mode: a batch copy of `events` on SQLite would drop the table that sessions,
# registrations and certificates point at (foreign keys on). SQLite adds a NOT NULL column with a
# constant default in place and drops a column in place since 3.35.
def upgrade():
    op.add_column('events', sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    op.drop_column('events', 'translations')
