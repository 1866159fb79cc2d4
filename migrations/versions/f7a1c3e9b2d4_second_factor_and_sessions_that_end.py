"""second factor, recovery codes, board displays, and sessions that end

Revision ID: f7a1c3e9b2d4
Revises: f2a7c9e4b815
Create Date: 2026-12-07 11:30:00.000000

Staff sign in with a password and a code from an authenticator app (TOTP);
recovery codes are kept as password hashes. A login now has a time it ends
whatever happens, and may belong to a reception board display for one hub.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f7a1c3e9b2d4'
down_revision = 'f2a7c9e4b815'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_second_factor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_staff_second_factor_user_id_staff_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_second_factor')),
        sa.UniqueConstraint('user_id', name=op.f('uq_staff_second_factor_user_id')),
    )
    op.create_table(
        'staff_recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=200), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_staff_recovery_code_user_id_staff_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_code')),
    )
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.create_index('ix_staff_recovery_code_user_id', ['user_id'], unique=False)
    op.create_table(
        'board_display',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hub_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('pairing_code_hash', sa.String(length=64), nullable=True),
        sa.Column('pairing_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('paired_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_board_display_created_by_id_staff_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_board_display_hub_id_hub')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_board_display')),
        sa.UniqueConstraint('pairing_code_hash', name=op.f('uq_board_display_pairing_code_hash')),
    )
    with op.batch_alter_table('board_display', schema=None) as batch_op:
        batch_op.create_index('ix_board_display_hub_id', ['hub_id'], unique=False)
    with op.batch_alter_table('staff_login', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('board_display_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('single_sign_on', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index('ix_staff_login_board_display_id', ['board_display_id'], unique=False)
        batch_op.create_foreign_key(
            op.f('fk_staff_login_board_display_id_board_display'),
            'board_display', ['board_display_id'], ['id'], ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('staff_login', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_staff_login_board_display_id_board_display'), type_='foreignkey')
        batch_op.drop_index('ix_staff_login_board_display_id')
        batch_op.drop_column('single_sign_on')
        batch_op.drop_column('board_display_id')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('board_display', schema=None) as batch_op:
        batch_op.drop_index('ix_board_display_hub_id')
    op.drop_table('board_display')
    with op.batch_alter_table('staff_recovery_code', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_recovery_code_user_id')
    op.drop_table('staff_recovery_code')
    op.drop_table('staff_second_factor')
