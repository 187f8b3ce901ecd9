"""creds: each certificate's revocation status-list index and identity salt; credentials signed when asked for

Existing certificates get indexes in the order they were issued and a fresh salt; the stored
credential JWT goes (the credential is made from the rows whenever it is served).

Revision ID: 0011_creds
Revises: 0011_auth
Create Date: 2026-12-06 00:50:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_creds'
down_revision = '0011_auth'
branch_labels = None
depends_on = None


def upgrade():
    counter = op.create_table('certificate_status_index_counter',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_status_index_counter'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_list_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('identity_salt', sa.String(length=32), nullable=True))

    connection = op.get_bind()
    certificates = sa.table('certificates', sa.column('id', sa.Integer()), sa.column('status_list_index', sa.Integer()),
                            sa.column('identity_salt', sa.String()))
    ids = connection.execute(sa.select(certificates.c.id).order_by(certificates.c.id)).scalars().all()
    for index, certificate_id in enumerate(ids):
        connection.execute(certificates.update().where(certificates.c.id == certificate_id)
                           .values(status_list_index=index, identity_salt=secrets.token_hex(16)))
    op.bulk_insert(counter, [{'id': 1, 'last': len(ids) - 1}])

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('status_list_index', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('identity_salt', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_status_list_index'), ['status_list_index'])
        batch_op.drop_column('credential_jwt')


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential_jwt', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_list_index'), type_='unique')
        batch_op.drop_column('identity_salt')
        batch_op.drop_column('status_list_index')

    op.drop_table('certificate_status_index_counter')
