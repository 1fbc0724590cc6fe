"""a FAX number for patients and callers (patients.fax, callers.fax): a household's or a
family caller's home fax, where 「FAXで送る」 can send a form

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00

Existing rows get '' (no number). A row whose seal held before holds after, in both tables
(one already broken stays broken: nothing is quietly resealed). The number is not in the
case search text, so no case row changes.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

# The encoding is the program's own, so the rows resealed here are checked by the same code.
from desktop_app.db.seals import _rows, seal_of, seal_rows

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("patients", "callers")


def upgrade() -> None:
    for table in TABLES:
        _with_seals_kept(table, _add)


def downgrade() -> None:
    for table in TABLES:
        _with_seals_kept(table, _drop)


def _add(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fax", sa.String(length=15), nullable=False, server_default="")
        )


def _drop(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_column("fax")


def _with_seals_kept(name: str, change: Callable[[str], None]) -> None:
    connection = op.get_bind()
    before = sa.Table(name, sa.MetaData(), autoload_with=connection)
    intact = [
        row_id
        for row_id, stored, values in _rows(connection, before, None)
        if stored is not None and stored == seal_of(name, values)
    ]
    change(name)
    if intact:
        seal_rows(connection, name, intact)
