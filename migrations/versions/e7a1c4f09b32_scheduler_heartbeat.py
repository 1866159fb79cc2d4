"""the scheduler's heartbeat, for the readiness check

Revision ID: e7a1c4f09b32
Revises: f3a1c8d2e5b7
Create Date: 2026-12-07 11:30:00.000000

One row the running scheduler touches every minute; ``/readyz`` reports a
scheduler whose heartbeat is old as not ready.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1c4f09b32'
down_revision = 'f3a1c8d2e5b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduler_heartbeat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('owner', sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat')),
    )


def downgrade():
    op.drop_table('scheduler_heartbeat')
