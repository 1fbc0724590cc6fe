"""row seals on the rest of what a clerk writes: the settings and the masters (departments,
doctors and their hours, closures, referring institutions and doctors), so that a row changed
with another tool is found by sodesk check there too (db/seals.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The encoding is the program's own, so the rows sealed here are checked by the same code.
from desktop_app.db.seals import seal_rows

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Fixed here, not read from db/seals.SEALED_TABLES: a later migration seals its own tables.
TABLES = (
    "settings",
    "departments",
    "doctors",
    "doctor_availability",
    "doctor_hours_exceptions",
    "clinic_closures",
    "referring_institutions",
    "referring_doctors",
)


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for name in TABLES:
        seal_rows(connection, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("seal")
