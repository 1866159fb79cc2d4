"""online and hybrid sessions

Revision ID: a8c4e2f6b9d1
Revises: d5e8a1b3c7f2
Create Date: 2026-12-07 17:40:00.000000

Where a series runs (``delivery``: in person, online or hybrid) and its joining
link, on ``session_series``. Every existing series runs in person, with no link.
Staff recording that a booked family joined online make a visit of kind
``online``: a String(10) column already, so no change there.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a8c4e2f6b9d1'
down_revision = 'd5e8a1b3c7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=10),
                                      server_default='in_person', nullable=False))
        batch_op.add_column(sa.Column('joining_link', sa.String(length=500),
                                      server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.drop_column('joining_link')
        batch_op.drop_column('delivery')
