"""Numbers that never repeat: SO-2026-0001, receipt numbers."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from desktop_app.db import tables

_COUNTERS = tables.counters


def next_value(session: Session, name: str) -> int:
    """Increment and return a named counter inside the caller's write transaction.

    One atomic ``UPDATE … RETURNING``: the row lock (PostgreSQL) or the write lock taken at
    BEGIN IMMEDIATE (SQLite) makes two desks get two different numbers, never the same one.
    """
    bump = (
        update(_COUNTERS)
        .where(_COUNTERS.c.name == name)
        .values(value=_COUNTERS.c.value + 1)
        .returning(_COUNTERS.c.value)
    )
    value = session.execute(bump).scalar()
    if value is None:  # the first number of its kind (e.g. the first case of a year)
        # Imported here: the PostgreSQL dialect costs a SQLite start about 30 ms.
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql as dialect
        else:
            from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
        session.execute(
            dialect.insert(_COUNTERS).values(name=name, value=0).on_conflict_do_nothing()
        )
        value = session.execute(bump).scalar_one()
    return int(value)


def next_case_number(session: Session, year: int) -> str:
    """``SO-<year>-NNNN``; a cancelled case keeps its number, so none is ever reused."""
    return f"SO-{year}-{next_value(session, f'case:{year}'):04d}"


def next_receipt_number(session: Session, year: int) -> str:
    return f"R-{year}-{next_value(session, f'receipt:{year}'):05d}"
