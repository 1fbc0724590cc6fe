"""the caller's own relation to the patient (続柄: 父, 母, 妻, 長男…) beside the category kept
for statistics (callers.relationship): the forms print the relation where one person is named

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00

Existing callers get '' (the forms then print the category's label, as before). A row whose
seal held before holds after (one already broken stays broken: nothing is quietly resealed).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

# The encoding is the program's own, so the rows resealed here are checked by the same code.
from desktop_app.db.seals import _rows, seal_of, seal_rows

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _with_seals_kept(_add)


def downgrade() -> None:
    _with_seals_kept(_drop)


def _add() -> None:
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("relation", sa.String(length=20), nullable=False, server_default="")
        )


def _drop() -> None:
    with op.batch_alter_table("callers", schema=None) as batch_op:
        batch_op.drop_column("relation")


def _with_seals_kept(change: Callable[[], None]) -> None:
    connection = op.get_bind()
    before = sa.Table("callers", sa.MetaData(), autoload_with=connection)
    intact = [
        row_id
        for row_id, stored, values in _rows(connection, before, None)
        if stored is not None and stored == seal_of("callers", values)
    ]
    change()
    if intact:
        seal_rows(connection, "callers", intact)
