"""reach: the family key, children's age bands on visits, areas

Revision ID: a7d3c1e0f912
Revises: 5c0d7e11a9b2
Create Date: 2026-12-07 08:55:00.000000

Visits and bookings carry a pseudonymous family key (kept after the purge) and the
area a family gave a postcode for (district, LSOA 2021, deprivation decile), never
the postcode. Visits keep their children by age band. The area lookups are imported
by ``frontdoor areas import``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c1e0f912'
down_revision = '5c0d7e11a9b2'
branch_labels = None
depends_on = None


def _reach_columns(batch_op):
    batch_op.add_column(sa.Column('family_key', sa.String(length=32), nullable=True))
    batch_op.add_column(sa.Column('postcode_district', sa.String(length=4), nullable=False, server_default=''))
    batch_op.add_column(sa.Column('lsoa', sa.String(length=9), nullable=False, server_default=''))
    batch_op.add_column(sa.Column('imd_decile', sa.Integer(), nullable=True))


def upgrade():
    op.create_table(
        'area_postcode',
        sa.Column('postcode', sa.String(length=8), nullable=False),
        sa.Column('lsoa', sa.String(length=9), nullable=False),
        sa.PrimaryKeyConstraint('postcode', name=op.f('pk_area_postcode')),
    )
    op.create_table(
        'area_deprivation',
        sa.Column('lsoa', sa.String(length=9), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('imd_decile', sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint('lsoa', name=op.f('pk_area_deprivation')),
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_bands', sa.JSON(), nullable=False, server_default='[]'))
        _reach_columns(batch_op)
        batch_op.create_index(batch_op.f('ix_visit_family_key'), ['family_key'], unique=False)
    with op.batch_alter_table('booking', schema=None) as batch_op:
        _reach_columns(batch_op)
        batch_op.create_index(batch_op.f('ix_booking_family_key'), ['family_key'], unique=False)


def downgrade():
    for table in ('booking', 'visit'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_family_key'))
            for column in ('imd_decile', 'lsoa', 'postcode_district', 'family_key'):
                batch_op.drop_column(column)
            if table == 'visit':
                batch_op.drop_column('child_bands')
    op.drop_table('area_deprivation')
    op.drop_table('area_postcode')
