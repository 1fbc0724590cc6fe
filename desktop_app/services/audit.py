"""The audit entry each service call writes inside its own transaction, chained by hash.

Appending reads the last row's hash and writes the new row in the caller's write
transaction, so two desks never chain onto the same row: on SQLite the transaction holds
the write lock from BEGIN IMMEDIATE; on PostgreSQL a transaction-level advisory lock is taken
before the last hash is read. Row ids are given here (last id + 1) so the hash can cover them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.audit_chain import (
    GENESIS,
    AuditContent,
    ChainBreak,
    ChainedRow,
    find_break,
    row_hash,
    without_floats,
)
from desktop_app.domain.text_input import scrub
from desktop_app.services.store import session_clock

# pg_advisory_xact_lock key that serialises appends to the chain ("SODESK" + "AL").
CHAIN_LOCK_KEY = 0x534F4445534B414C


def record(
    session: Session,
    staff: str,
    action: AuditAction,
    entity: str,
    entity_id: object = "",
    *,
    summary: str = "",
    case_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit entry (who, what, before and after) to the caller's transaction.

    What it quotes is scrubbed first (domain/text_input.scrub): a record is never refused, and
    no engine can store NUL or a lone surrogate. Before it is hashed, so the chain holds.
    """
    values: dict[str, Any] = dict(
        at=session_clock(session).utcnow(),
        staff=scrub(staff, multiline=False),
        action=action,
        entity=entity,
        entity_id=scrub(str(entity_id), multiline=False),
        case_id=case_id,
        summary=scrub(summary),
        before=scrub(_jsonable(before)),
        after=scrub(_jsonable(after)),
    )
    chain_rows(session, [values])
    # The ORM class, not a Core insert: the row is flushed with the transaction's other
    # objects. Imported here, as the window's start records nothing (db/tables.py).
    from desktop_app.db.models import AuditEntry

    session.add(AuditEntry(**values))


def chain_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Give each new row (a dict of AuditEntry values, in order) its id and both hashes,
    continuing the chain from the last stored row; the caller inserts them in this
    transaction. Pending entries of this session are flushed first, so they count."""
    if not rows:
        return
    session.flush()  # what autoflush would do: earlier entries of this transaction count
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    entries = tables.audit_log.c
    last = session.execute(
        select(entries.id, entries.row_hash).order_by(entries.id.desc()).limit(1)
    ).first()
    last_id, prev = (last[0], last[1]) if last is not None else (0, GENESIS)
    for values in rows:
        last_id += 1
        values["id"] = last_id
        values["prev_hash"] = prev
        prev = values["row_hash"] = row_hash(prev, content_of(values))


def content_of(values: Mapping[Any, Any]) -> AuditContent:
    """The hashed content of a row given as column values."""
    return AuditContent(
        id=values["id"],
        at=values["at"],
        staff=values["staff"],
        action=str(getattr(values["action"], "value", values["action"])),
        entity=values["entity"],
        entity_id=values["entity_id"],
        case_id=values["case_id"],
        summary=values["summary"],
        before=values["before"],
        after=values["after"],
    )


def stored_chain(connection: Connection | Session, batch: int = 2_000) -> Iterator[ChainedRow]:
    """Every stored row in id order, as the chain sees it (read in batches)."""
    table = tables.audit_log
    after = 0
    while True:
        chunk = connection.execute(
            select(table).where(table.c.id > after).order_by(table.c.id).limit(batch)
        ).all()
        for row in chunk:
            values = row._mapping
            yield ChainedRow(content_of(values), values["prev_hash"], values["row_hash"])
        if len(chunk) < batch:
            return
        after = chunk[-1].id


def verify_chain(connection: Connection | Session) -> ChainBreak | None:
    """The first break in the stored chain, or None when every row holds."""
    return find_break(list(stored_chain(connection)))


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so the history shows what really changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {str(k): _plain(v) for k, v in values.items()}


def _plain(value: Any) -> Any:
    # No floats in the chain (domain/audit_chain.py): a float is kept as its decimal text.
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return without_floats(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
