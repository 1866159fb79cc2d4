"""reach: families counted on the day they first came in each month, quarter and year; monthly totals

Revision ID: e5a1f3c8d207
Revises: d4c9a2e7b610
Create Date: 2026-12-07 11:30:00.000000

Unique families over a standard period become a sum of these rows, and every other
count of a whole month a sum per hub and series. A family's days
are read in order (family, day) to find whether it came earlier in a period.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "e5a1f3c8d207"
down_revision = "d4c9a2e7b610"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reach_period_first",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hub.id"], name=op.f("fk_reach_period_first_hub_id_hub")
        ),
        sa.PrimaryKeyConstraint(
            "day",
            "hub_id",
            "period",
            "scope",
            "measure",
            "value",
            name=op.f("pk_reach_period_first"),
        ),
    )
    with op.batch_alter_table("reach_period_first", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reach_period_first_read", ["period", "scope", "day", "hub_id"], unique=False
        )
    op.create_table(
        "reach_month_total",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hub.id"], name=op.f("fk_reach_month_total_hub_id_hub")
        ),
        sa.PrimaryKeyConstraint(
            "month", "hub_id", "series_id", "measure", "value", name=op.f("pk_reach_month_total")
        ),
    )
    with op.batch_alter_table("reach_family_day", schema=None) as batch_op:
        batch_op.drop_index("ix_reach_family_day_family")
        batch_op.create_index(
            "ix_reach_family_day_family_day",
            ["family", "day", "hub_id", "decile", "district"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("reach_family_day", schema=None) as batch_op:
        batch_op.drop_index("ix_reach_family_day_family_day")
        batch_op.create_index("ix_reach_family_day_family", ["family"], unique=False)
    with op.batch_alter_table("reach_period_first", schema=None) as batch_op:
        batch_op.drop_index("ix_reach_period_first_read")
    op.drop_table("reach_period_first")
    op.drop_table("reach_month_total")
