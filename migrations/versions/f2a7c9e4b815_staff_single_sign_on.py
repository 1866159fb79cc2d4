"""staff single sign-on: a staff account's link to its provider's (issuer, subject)

Revision ID: f2a7c9e4b815
Revises: e5a1f3c8d207
Create Date: 2026-12-07 11:40:00.000000

Empty until the person's first single sign-on; after it they are matched on the
pair, never on their email alone.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2a7c9e4b815'
down_revision = 'e5a1f3c8d207'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            'uq_staff_user_oidc_issuer_oidc_subject', ['oidc_issuer', 'oidc_subject']
        )


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_staff_user_oidc_issuer_oidc_subject', type_='unique')
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
