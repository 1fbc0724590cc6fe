"""Which database a file is, and what it says about itself, read without changing it.

Every database has an identity that each copy of it shares: one made by this version gets a
random one when it is created (the settings row ``database_id``, written once, never
changed); an older one is known by the hash of its audit chain's first row. A backup's name
(services/backup.py) carries the identity's first characters, so two databases backing up into
one folder never rotate each other's files; a restore (services/restore.py) refuses a backup of
another database unless told.

Also read here, for the same callers: the demo mark, the chain's first entry (a demo database
is made a demo before anything else is recorded) and the staff accounts; services/demo_mark.py
decides from these whether a database is the demo's.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.domain.backup_retention import short_identity
from desktop_app.domain.roles import Permission
from desktop_app.services.access import requires
from desktop_app.services.store import Store

IDENTITY_KEY = "database_id"
DEMO_MARK = "demo_database"  # settings key services/demo.py writes when it makes a demo


@dataclass(frozen=True)
class DatabaseFacts:
    """What a database says about itself (read in one short look)."""

    identity: str | None  # None: an old database with nothing recorded yet
    marked: bool  # carries the demo mark (the settings row)
    first_action: str | None  # the audit chain's first entry, if any
    first_after: dict[str, Any] | None  # that entry's "after" values
    staff: tuple[tuple[str, str], ...]  # (login, role) of every account

    @property
    def short(self) -> str:
        """The identity's first characters, as backup names carry them ("" without one)."""
        return short_identity(self.identity)

    @property
    def demo_named(self) -> bool:
        """Made or marked as a demo (whether or not the mark still grants anything): its
        backups are the demo's, and never replace a clinic's database."""
        return self.marked or self.first_action == "demo.mark"


def facts_from(
    *,
    stored_identity: object,
    marked: bool,
    first: tuple[object, object, object] | None,
    staff: list[tuple[object, object]],
) -> DatabaseFacts:
    """Build the facts from what was read (``first``: action, after, row hash)."""
    identity = _text(stored_identity)
    first_action = first_after = None
    if first is not None:
        first_action = str(getattr(first[0], "value", first[0]))
        after = _json(first[1])
        first_after = after if isinstance(after, dict) else None
        if identity is None:
            identity = _text(first[2])
    return DatabaseFacts(
        identity=identity or None,
        marked=marked,
        first_action=first_action,
        first_after=first_after,
        staff=tuple((str(login), str(getattr(role, "value", role))) for login, role in staff),
    )


def session_facts(session: Session | Connection) -> DatabaseFacts:
    """The facts through a store's session (Core: asked as the window starts)."""
    settings, log, users = tables.settings, tables.audit_log, tables.staff_users
    stored = session.scalar(select(settings.c.value).where(settings.c.key == IDENTITY_KEY))
    mark = session.scalar(select(settings.c.key).where(settings.c.key == DEMO_MARK))
    first = session.execute(
        select(log.c.action, log.c.after, log.c.row_hash).order_by(log.c.id).limit(1)
    ).first()
    staff = session.execute(select(users.c.login, users.c.role)).all()
    return facts_from(
        stored_identity=stored,
        marked=mark is not None,
        first=tuple(first) if first is not None else None,
        staff=[tuple(row) for row in staff],
    )


def store_facts(store: Store) -> DatabaseFacts:
    with store.read() as session:
        return session_facts(session)


def store_identity(store: Store) -> str | None:
    """The identity of an open database (see the module's docstring)."""
    return store_facts(store).identity


def connection_facts(connection: sqlite3.Connection) -> DatabaseFacts:
    """The facts through a plain sqlite3 connection (a file opened by the caller)."""
    one = connection.execute
    stored = one("SELECT value FROM settings WHERE key = ?", (IDENTITY_KEY,)).fetchone()
    mark = one("SELECT 1 FROM settings WHERE key = ?", (DEMO_MARK,)).fetchone()
    first = one("SELECT action, after, row_hash FROM audit_log ORDER BY id LIMIT 1").fetchone()
    staff = one("SELECT login, role FROM staff_users").fetchall()
    return facts_from(
        stored_identity=_json(stored[0]) if stored is not None else None,
        marked=mark is not None,
        first=tuple(first) if first is not None else None,
        staff=[tuple(row) for row in staff],
    )


def file_facts(path: Path) -> DatabaseFacts:
    """The facts of a SQLite file nobody writes (a backup, a private copy), read-only and
    leaving nothing beside it. Raises sqlite3.Error when it cannot be read."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return connection_facts(connection)


def nobody_has_it_open(path: Path) -> bool:
    """A WAL database (header bytes 18-19) with no -wal beside it: no connection has it open
    now, and a read-only connection would leave a -wal and -shm that only a writer removes;
    such a file is read as immutable instead."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02" and not Path(f"{path}-wal").exists()


def file_identity(path: Path) -> str | None:
    return file_facts(path).identity


@requires(Permission.SETTINGS)
def assign_identity(store: Store) -> None:
    """Give a database just created its identity, once: nothing is done when it has one, or
    when its audit log has begun (an older database keeps the identity its first row gives)."""
    from desktop_app.db.models import Setting  # the ORM: its flush seals the row

    with store.transaction() as session:
        if session.get(Setting, IDENTITY_KEY) is not None:
            return
        if session.scalar(select(func.count()).select_from(tables.audit_log)):
            return
        session.add(Setting(key=IDENTITY_KEY, value=uuid.uuid4().hex))


def _json(value: object) -> object:
    """A JSON column as sqlite3 gives it (text); already decoded values pass through."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text(value: object) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None
