"""the clinic's own dates of a case: 受付日 (cases.received_on, the enquiry date the clerk
enters) and 終了日 (cases.ended_on, when it closed, was cancelled or excluded), and the key of
a ledger row a case was imported from (cases.ledger_key)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 10:00:00

Statistics counted enquiries by ``created_at`` and ends by ``stage_since``: when a row was
written. Those stamps fill the new dates here (their local calendar day), so the figures of a
database stay what they were; from now on history typed in later, or corrected, counts on its
own dates. A row whose seal held before holds after (one already broken stays broken).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from desktop_app.db.seals import _rows, seal_of, seal_rows
from desktop_app.db.search_index import has_fts_index

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ENDED = ("settled", "cancelled", "excluded")
# SQLite cannot make a column NOT NULL in place: the batch copies the table, which drops its
# triggers. The search index's (migration 0009) are put back as they were.
_SEARCH_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS cases_search_insert AFTER INSERT ON cases BEGIN
        INSERT INTO case_search (rowid, key) VALUES (new.id, new.search_text || char(10, 10));
    END""",
    """CREATE TRIGGER IF NOT EXISTS cases_search_update AFTER UPDATE OF id, search_text ON cases
    BEGIN
        DELETE FROM case_search WHERE rowid = old.id;
        INSERT INTO case_search (rowid, key) VALUES (new.id, new.search_text || char(10, 10));
    END""",
    """CREATE TRIGGER IF NOT EXISTS cases_search_delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_search WHERE rowid = old.id;
    END""",
)


def upgrade() -> None:
    _with_seals_kept(_add)


def downgrade() -> None:
    _with_seals_kept(_drop)


def _local_day(stamp: dt.datetime | str | None) -> dt.date | None:
    """The desk's calendar day of a stored UTC stamp (naive UTC in SQLite and PostgreSQL)."""
    if stamp is None:
        return None
    if isinstance(stamp, str):
        stamp = dt.datetime.fromisoformat(stamp)
    return stamp.replace(tzinfo=dt.UTC).astimezone().date()


def _add() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ledger_key", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        sa.column("stage", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("stage_since", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
        sa.column("received_on", sa.Date),
        sa.column("ended_on", sa.Date),
    )
    rows = connection.execute(
        sa.select(cases.c.id, cases.c.stage, cases.c.created_at, cases.c.stage_since,
                  cases.c.updated_at)
    ).all()  # fmt: skip
    for row in rows:
        ended = None
        if row.stage in _ENDED:
            ended = _local_day(row.stage_since or row.updated_at)
        connection.execute(
            sa.update(cases)
            .where(cases.c.id == row.id)
            .values(received_on=_local_day(row.created_at), ended_on=ended)
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("received_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index("ix_cases_received_on", ["received_on"], unique=False)
        batch_op.create_index("ix_cases_ended_on", ["ended_on"], unique=False)
        batch_op.create_index("ix_cases_ledger_key", ["ledger_key"], unique=True)


def _drop() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_ledger_key")
        batch_op.drop_index("ix_cases_ended_on")
        batch_op.drop_index("ix_cases_received_on")
        batch_op.drop_column("ledger_key")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("received_on")


def _with_seals_kept(change: Callable[[], None]) -> None:
    connection = op.get_bind()
    before = sa.Table("cases", sa.MetaData(), autoload_with=connection)
    intact = [
        row_id
        for row_id, stored, values in _rows(connection, before, None)
        if stored is not None and stored == seal_of("cases", values)
    ]
    change()
    if connection.dialect.name == "sqlite" and has_fts_index(connection):
        for statement in _SEARCH_TRIGGERS:
            op.execute(statement)
    if intact:
        seal_rows(connection, "cases", intact)
