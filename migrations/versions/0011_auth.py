"""Accounts: users.email_verified_at (double opt-in of self-made accounts).

Accounts that exist already count as verified from their creation: they were able to register
before the rule, and many were made by organisers.

Revision ID: 0011_auth
Revises: 0010_messaging
Create Date: 2026-12-06 00:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0011_auth'
down_revision = '0010_messaging'
branch_labels = None
depends_on = None


def upgrade():
    # In place, not in batch mode: a batch copy of `users` on SQLite would lose the expression
    # index uq_users_email_lower (lower(email)), which it cannot reflect.
    op.add_column('users', sa.Column('email_verified_at', app.database.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade():
    op.drop_column('users', 'email_verified_at')  # SQLite ≥ 3.35 drops a column in place
