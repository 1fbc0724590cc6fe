"""Numbers that never repeat: SO-2026-0001, receipt numbers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import Counter


def next_value(session: Session, name: str) -> int:
    """Increment and return a named counter inside the caller's transaction."""
    counter = session.scalars(select(Counter).where(Counter.name == name).with_for_update()).first()
    if counter is None:
        counter = Counter(name=name, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value


def next_case_number(session: Session, year: int) -> str:
    """``SO-<year>-NNNN``; a cancelled case keeps its number, so none is ever reused."""
    return f"SO-{year}-{next_value(session, f'case:{year}'):04d}"


def next_receipt_number(session: Session, year: int) -> str:
    return f"R-{year}-{next_value(session, f'receipt:{year}'):05d}"
