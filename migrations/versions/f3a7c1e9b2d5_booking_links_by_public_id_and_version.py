"""booking links name a random public id and carry a version

Revision ID: f3a7c1e9b2d5
Revises: e7a1c4f09b32
Create Date: 2026-12-07 11:40:00.000000

Manage and check-in links carried the booking's id and reference, readable by
anyone holding one. They now carry a random ``public_id`` and ``link_version``,
which a cancel or a change bumps so links sent before it stop opening. Existing
bookings get a public id each here, so their links change: the family finds the
booking again with its reference (or reads the next message we send).
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3a7c1e9b2d5'
down_revision = 'e7a1c4f09b32'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=24), nullable=True))
        batch_op.add_column(
            sa.Column('link_version', sa.Integer(), server_default=sa.text('1'), nullable=False)
        )
    booking = sa.table('booking', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    connection = op.get_bind()
    for (booking_id,) in connection.execute(sa.select(booking.c.id)).all():
        connection.execute(
            booking.update()
            .where(booking.c.id == booking_id)
            .values(public_id=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=24), nullable=False)
        batch_op.create_unique_constraint('uq_booking_public_id', ['public_id'])


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_constraint('uq_booking_public_id', type_='unique')
        batch_op.drop_column('link_version')
        batch_op.drop_column('public_id')
