"""the audit log is append-only: the database refuses to change or delete its rows

Revision ID: f3a1c8d2e5b7
Revises: f7a1c3e9b2d4
Create Date: 2026-12-07 11:40:00.000000

A trigger on ``audit_event`` refuses every UPDATE and DELETE, on PostgreSQL and on
SQLite alike, so neither a bug nor someone with the application's login can rewrite
what staff did. Nothing in the application changes or deletes audit rows: they hold
no family's personal data (``frontdoor.audit``), so the retention purge leaves them.
Dropping the table (a downgrade) or TRUNCATE by the table's owner is outside the rule;
the deployed application's database role should not own the table.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3a1c8d2e5b7'
down_revision = 'f7a1c3e9b2d4'
branch_labels = None
depends_on = None

MESSAGE = 'audit_event is append-only'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ('update', 'delete'):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb} BEFORE {verb.upper()} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION audit_event_append_only()')
    else:
        for verb in ('update', 'delete'):
            op.execute(f'DROP TRIGGER audit_event_no_{verb}')
