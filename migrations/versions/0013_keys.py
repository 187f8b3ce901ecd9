"""keys: the issuer's signing keys in the database, shared by every machine

One row per key: its kid (the JWK thumbprint), public JWK, private JWK sealed with a key derived from
SECRET_KEY, and when it was retired from signing (retired keys stay published in the JWK Set). A
partial unique index keeps one unretired key per algorithm. The key file of the single-machine layout
is taken over on first use (app/certificates/signing_keys.py), not here: the migration has no SECRET_KEY.

Revision ID: 0013_keys
Revises: 0012_offline
Create Date: 2026-12-06 09:30:00

"""
from alembic import op
import sqlalchemy as sa

from app.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0013_keys'
down_revision = '0012_offline'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('alg', sa.String(length=16), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('sealed_private_jwk', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_signing_keys_kid'))
    )
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.create_index('uq_signing_keys_one_active_per_alg', ['alg'], unique=True,
                              sqlite_where=sa.text('retired_at IS NULL'), postgresql_where=sa.text('retired_at IS NULL'))


def downgrade():
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_keys_one_active_per_alg', sqlite_where=sa.text('retired_at IS NULL'),
                            postgresql_where=sa.text('retired_at IS NULL'))
    op.drop_table('signing_keys')
