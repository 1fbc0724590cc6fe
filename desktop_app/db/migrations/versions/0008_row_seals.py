"""row seals: a SHA-256 over each row of the tables with patients, cases, money and
accounts (db/seals.py), so that a row changed with another tool is found by sodesk check

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The encoding is the program's own, so the rows sealed here are checked by the same code.
from desktop_app.db.seals import seal_rows

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The tables sealed by this revision, fixed here: later ones are sealed by their own
# migrations (0011), so db/seals.SEALED_TABLES may grow without changing this one.
SEALED_TABLES = (
    "staff_users",
    "patients",
    "callers",
    "cases",
    "case_documents",
    "appointments",
    "contact_log",
    "payments",
)


def upgrade() -> None:
    for name in SEALED_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for name in SEALED_TABLES:
        seal_rows(connection, name)


def downgrade() -> None:
    for name in reversed(SEALED_TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("seal")
