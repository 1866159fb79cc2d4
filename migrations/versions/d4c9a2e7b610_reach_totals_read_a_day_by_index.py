"""reach totals read a day at every hub by index; first seen by day

Revision ID: d4c9a2e7b610
Revises: c3b8e5d1f0a4
Create Date: 2026-12-07 09:50:00.000000

The nightly totals read one day's visits, sessions and help requests at every hub:
the (hub, time) indexes cannot serve that, so each gets its time alone. Rebuilding
days refreshes the families first seen in them, by ``first_day``.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4c9a2e7b610'
down_revision = 'c3b8e5d1f0a4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_arrived_at', ['arrived_at'], unique=False)
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.create_index('ix_session_starts_at', ['starts_at'], unique=False)
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.create_index('ix_help_request_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('reach_first_seen', schema=None) as batch_op:
        batch_op.create_index('ix_reach_first_seen_first_day', ['first_day'], unique=False)


def downgrade():
    with op.batch_alter_table('reach_first_seen', schema=None) as batch_op:
        batch_op.drop_index('ix_reach_first_seen_first_day')
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_created_at')
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.drop_index('ix_session_starts_at')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_arrived_at')
