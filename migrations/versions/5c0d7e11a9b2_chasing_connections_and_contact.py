"""chasing connections, the practitioner's contact record, topic for counts

Revision ID: 5c0d7e11a9b2
Revises: e1fd82944cf4
Create Date: 2026-12-07 08:15:00.000000

The hub's "working days before chasing" is a HubSettings key (JSON): it needs no
column.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0d7e11a9b2'
down_revision = 'e1fd82944cf4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('chased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contact_happened', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('contact_recorded_at', sa.DateTime(timezone=True), nullable=True))
    # Connections made before this revision count under their service's topic today.
    op.execute(
        "UPDATE connection SET topic = (SELECT partner_service.topic FROM partner_service "
        "WHERE partner_service.id = connection.service_id) WHERE service_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_column('contact_recorded_at')
        batch_op.drop_column('contact_happened')
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('chased_at')
        batch_op.drop_column('topic')
