"""audit log hash chain: prev_hash and row_hash on every row (existing rows chained in id
order), and triggers that refuse UPDATE and DELETE of audit rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

# The encoding is fixed for good (changing it would break every chain), so the migration
# uses the program's own: the rows it chains are checked by the same function.
from desktop_app.domain.audit_chain import GENESIS, AuditContent, row_hash, without_floats

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_REFUSAL = "audit_log is append-only"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
)
POSTGRES_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
)

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("staff", sa.String),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("case_id", sa.Integer),
    sa.column("summary", sa.Text),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("row_hash", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
    # Last: nothing may change an audit row from here on, this migration included.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    prev = GENESIS
    rows = bind.execute(sa.select(_audit).order_by(_audit.c.id)).mappings().all()
    for row in rows:
        # Rows written before the chain: a float (none is known) is kept as its text.
        before, after = without_floats(row["before"]), without_floats(row["after"])
        at = row["at"].replace(tzinfo=dt.UTC)  # stored as naive UTC
        content = AuditContent(
            id=row["id"],
            at=at,
            staff=row["staff"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            case_id=row["case_id"],
            summary=row["summary"],
            before=before,
            after=after,
        )
        digest = row_hash(prev, content)
        values: dict[str, object] = {"prev_hash": prev, "row_hash": digest}
        if before != row["before"]:
            values["before"] = before
        if after != row["after"]:
            values["after"] = after
        bind.execute(_audit.update().where(_audit.c.id == row["id"]).values(**values))
        prev = digest


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
