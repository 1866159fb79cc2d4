"""a series can say the lead welcomes the room

Revision ID: c4d9e2a7f1b6
Revises: b8e2d4f6a1c3
Create Date: 2026-12-07 14:45:00.000000

``session_series.lead_welcomes_room``: its drop-in families show on the arrivals
board as one card per session, greeted by the lead, and do not escalate one by
one (first-timers and help requests still do). Existing series keep greeting
each family.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d9e2a7f1b6'
down_revision = 'b8e2d4f6a1c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_welcomes_room', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('session_series', schema=None) as batch_op:
        batch_op.drop_column('lead_welcomes_room')
