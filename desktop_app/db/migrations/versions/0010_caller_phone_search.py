"""callers' phones in the search: an index on callers.phone (a whole number typed goes
through it) and the caller's number at the end of each case's search text

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

# The encoding is the program's own, so the rows resealed here are checked by the same code.
from desktop_app.db.seals import _rows, seal_of, seal_rows

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEX = "ix_callers_phone"
# Stored numbers are digits only (validate_phone), which are their own search key; the
# caller's number is the last part of the search text (services/cases._search_text).
_CASES_WITH_CALLER_PHONE = sa.text(
    "SELECT cases.id, cases.search_text, callers.phone FROM cases "
    "JOIN callers ON callers.id = cases.caller_id WHERE callers.phone != ''"
)


def upgrade() -> None:
    op.create_index(INDEX, "callers", ["phone"], unique=False)
    _rewrite(lambda text, phone: f"{text}|{phone}")


def downgrade() -> None:
    _rewrite(lambda text, phone: text.removesuffix(f"|{phone}"))
    op.drop_index(INDEX, table_name="callers")


def _rewrite(new_text: Callable[[str, str], str]) -> None:
    """Each case with a caller's phone gets ``new_text(search_text, phone)``; a row whose seal
    held before holds after (one already broken stays broken: nothing is quietly resealed).
    The search index follows through its triggers (SQLite) or the GIN index (PostgreSQL)."""
    connection = op.get_bind()
    changes = [
        {"row_id": row_id, "new_text": new_text(text, phone)}
        for row_id, text, phone in connection.execute(_CASES_WITH_CALLER_PHONE)
    ]
    if not changes:
        return
    table = sa.Table("cases", sa.MetaData(), autoload_with=connection)
    intact = [
        row_id
        for row_id, stored, values in _rows(connection, table, [c["row_id"] for c in changes])
        if stored == seal_of("cases", values)
    ]
    bare = sa.table("cases", sa.column("id"), sa.column("search_text"))
    connection.execute(
        sa.update(bare)
        .where(bare.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("new_text")),
        changes,
    )
    if intact:
        seal_rows(connection, "cases", intact, table=table)
