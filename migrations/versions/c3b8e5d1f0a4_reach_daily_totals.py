"""reach: daily totals, families reached each day, and when each was first seen

Revision ID: c3b8e5d1f0a4
Revises: a7d3c1e0f912
Create Date: 2026-12-07 09:00:00.000000

Kept by the nightly ``reports.totals`` job so reports read totals, not raw visits.
No names or contact details: the retention purge leaves these tables alone.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3b8e5d1f0a4'
down_revision = 'a7d3c1e0f912'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reach_total',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hub_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_reach_total_hub_id_hub')),
        sa.PrimaryKeyConstraint('day', 'hub_id', 'session_id', 'measure', 'value', name=op.f('pk_reach_total')),
    )
    with op.batch_alter_table('reach_total', schema=None) as batch_op:
        batch_op.create_index('ix_reach_total_hub_day', ['hub_id', 'day'], unique=False)
    op.create_table(
        'reach_family_day',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hub_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('family', sa.String(length=40), nullable=False),
        sa.Column('district', sa.String(length=4), nullable=False),
        sa.Column('decile', sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_reach_family_day_hub_id_hub')),
        sa.PrimaryKeyConstraint('day', 'hub_id', 'session_id', 'family', name=op.f('pk_reach_family_day')),
    )
    with op.batch_alter_table('reach_family_day', schema=None) as batch_op:
        batch_op.create_index('ix_reach_family_day_family', ['family'], unique=False)
        batch_op.create_index('ix_reach_family_day_hub_day', ['hub_id', 'day'], unique=False)
    op.create_table(
        'reach_first_seen',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('family', sa.String(length=40), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_reach_first_seen_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('organisation_id', 'family', name=op.f('pk_reach_first_seen')),
    )


def downgrade():
    op.drop_table('reach_first_seen')
    with op.batch_alter_table('reach_family_day', schema=None) as batch_op:
        batch_op.drop_index('ix_reach_family_day_hub_day')
        batch_op.drop_index('ix_reach_family_day_family')
    op.drop_table('reach_family_day')
    with op.batch_alter_table('reach_total', schema=None) as batch_op:
        batch_op.drop_index('ix_reach_total_hub_day')
    op.drop_table('reach_total')
