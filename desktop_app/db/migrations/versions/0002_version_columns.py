"""version columns on the rows a clerk edits (optimistic concurrency between desks)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "settings",
    "staff_users",
    "departments",
    "doctors",
    "doctor_availability",
    "referring_institutions",
    "referring_doctors",
    "patients",
    "callers",
    "cases",
    "case_documents",
    "appointments",
    "payments",
)


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite does it in place, no table copy; every
    # existing row starts at version 1.
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade() -> None:
    for table in reversed(VERSIONED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
