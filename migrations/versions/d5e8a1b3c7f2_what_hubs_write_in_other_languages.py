"""what hubs write, in other languages

Revision ID: d5e8a1b3c7f2
Revises: c4d9e2a7f1b6
Create Date: 2026-12-07 15:30:00.000000

A ``translations`` JSON column on ``session_series`` (title, description),
``service_category`` (name) and ``hub`` (access information):
``{field: {language: text}}``. Empty for every existing row: families see the
English until staff give their language.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5e8a1b3c7f2'
down_revision = 'c4d9e2a7f1b6'
branch_labels = None
depends_on = None

TABLES = ('session_series', 'service_category', 'hub')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(),
                                          server_default='{}', nullable=False))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
