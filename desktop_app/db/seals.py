"""Row seals: a SHA-256 over each stored row of every table a clerk writes (patients, cases,
money, accounts, settings and the masters), written by the program whenever it writes the row.

A row edited, or added, with another tool (a database browser, sqlite3) keeps the old seal
or has none, and ``sodesk check`` names it. Like the audit chain, this is evidence, not a
lock: someone who reads this file can compute a seal. It turns a quiet edit into one that
takes deliberate forgery, and the audit log's chain records what the program did.

The seal covers every column but itself, each read back from the database as text
(``CAST(column AS TEXT)``), so the program, the migration that added the seals and the check
all see the same bytes, whatever Python types the ORM would make of them. A migration that
adds a column to a sealed table must call ``seal_rows`` for all its rows. A row is named by
its primary key (``id``; ``key`` for settings).

Not sealed: the audit log (chained instead, domain/audit_chain.py), the counters (a number
changed by hand shows as a clash or a gap in the sealed rows that carry it) and the search
index (rebuilt from the cases).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    MetaData,
    String,
    bindparam,
    cast,
    column,
    inspect,
    select,
    update,
)
from sqlalchemy import table as sql_table
from sqlalchemy.sql.schema import Table

SEALED_TABLES = (
    "staff_users",
    "patients",
    "callers",
    "cases",
    "case_documents",
    "appointments",
    "contact_log",
    "payments",
    # since migration 0011
    "settings",
    "departments",
    "doctors",
    "doctor_availability",
    "doctor_hours_exceptions",
    "clinic_closures",
    "referring_institutions",
    "referring_doctors",
)
SEAL_COLUMN = "seal"
_BATCH = 500
RowKey = int | str  # a row's primary key


def seal_of(table: str, values: dict[str, str | None]) -> str:
    """The seal of one row: its table and every column's text, in a fixed encoding."""
    encoded = json.dumps([table, sorted(values.items())], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _table(connection: Connection, name: str) -> Table:
    # Without following foreign keys: reflecting every referenced table again is most of the
    # time a check would take.
    return Table(name, MetaData(), autoload_with=connection, resolve_fks=False)


def key_column(table: Table) -> ColumnElement[Any]:
    """The column that names a row: the primary key (``id``, or ``key`` for settings)."""
    (key,) = table.primary_key.columns
    return key


def _rows(
    connection: Connection, table: Table, ids: Iterable[RowKey] | None = None
) -> Iterator[tuple[RowKey, str | None, dict[str, str | None]]]:
    """(key, stored seal, the row as text) for the rows named, or all rows."""
    columns = [c for c in table.columns if c.name != SEAL_COLUMN]
    key = key_column(table)
    query = select(
        key.label("_row_id"),
        table.c[SEAL_COLUMN].label("_stored_seal"),
        *(cast(c, String).label(f"c_{c.name}") for c in columns),
    ).order_by(key)
    chunks = [None] if ids is None else _chunks(sorted(set(ids)))
    for chunk in chunks:
        q = query if chunk is None else query.where(key.in_(chunk))
        for row in connection.execute(q).mappings():
            yield (
                row["_row_id"],
                row["_stored_seal"],
                {c.name: row[f"c_{c.name}"] for c in columns},
            )


def _chunks(ids: list[RowKey]) -> Iterator[list[RowKey]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def seal_rows(
    connection: Connection,
    table_name: str,
    ids: Iterable[RowKey] | None = None,
    *,
    table: Table | None = None,
) -> None:
    """(Re)write the seals of these rows (all rows when ``ids`` is None) from what is stored.

    ``table`` is the program's own description of it (the models'); without it the table is
    read from the database (for migrations, which must not depend on today's models).
    """
    table = table if table is not None else _table(connection, table_name)
    seals = [
        {"row_id": row_id, "new_seal": seal_of(table_name, values)}
        for row_id, _old, values in _rows(connection, table, ids)
    ]
    if seals:
        # A bare table: the models' would add their onupdate values (updated_at) and so
        # change the row after its seal was taken.
        name = key_column(table).name
        bare = sql_table(table_name, column(name), column(SEAL_COLUMN))
        connection.execute(
            update(bare)
            .where(bare.c[name] == bindparam("row_id"))
            .values({SEAL_COLUMN: bindparam("new_seal")}),
            seals,
        )


def seal_unsealed(connection: Connection) -> None:
    """Seal the rows that have none: for a writer that inserted rows in bulk (the demo)."""
    for name in SEALED_TABLES:
        table = _table(connection, name)
        key = key_column(table)
        ids = connection.scalars(select(key).where(table.c[SEAL_COLUMN].is_(None))).all()
        if ids:
            seal_rows(connection, name, ids, table=table)


def broken_seals(connection: Connection, limit: int = 5) -> list[tuple[str, RowKey]]:
    """(table, key) of rows whose seal is missing or does not match, the first few per table."""
    found: list[tuple[str, RowKey]] = []
    present = set(inspect(connection).get_table_names())
    for name in SEALED_TABLES:
        if name not in present:
            continue
        table = _table(connection, name)
        if SEAL_COLUMN not in table.c:  # a database from before that table's seals
            continue
        bad = 0
        for row_id, stored, values in _rows(connection, table):
            if stored != seal_of(name, values):
                found.append((name, row_id))
                bad += 1
                if bad >= limit:
                    break
    return found
