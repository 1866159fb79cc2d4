"""staff must change a password someone else generated

Revision ID: b8e2d4f6a1c3
Revises: f3a7c1e9b2d5
Create Date: 2026-12-07 12:40:00.000000

A new account's generated password, or one from a reset, was seen by a manager
or admin: ``must_change_password`` sends its holder to change it before any
other staff page. Existing accounts are not flagged.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8e2d4f6a1c3'
down_revision = 'f3a7c1e9b2d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
