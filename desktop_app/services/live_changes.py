"""What each committed write changed, told to the other desks (PostgreSQL LISTEN/NOTIFY).

The sending side: ``install`` hooks every Store's write sessions. After each flush the rows
written are sorted into change kinds (domain/changes.Change) and case ids; just before the
commit one ``pg_notify`` carries them, in the same transaction, so PostgreSQL delivers it at
the commit and drops it on a rollback. The payload is compact JSON with the kinds, the case
ids and the sending store's random token; never a name or any other text a clerk typed.
On SQLite (one desk) nothing is hooked: no cost at all.

The receiving side: ``ChangeListener`` holds one psycopg connection of its own (autocommit,
``LISTEN``) on a thread of its own and calls back with an OpChanges for each batch of notices
from other stores. It blocks in ``select`` on the connection's socket and a wake-up socket, so
an idle desk uses no CPU (psycopg's own ``notifies()`` wakes every 100 ms) and ``stop`` is
immediate. When the connection drops it says so, retries with a growing pause, and once back
reports "everything may have changed": notices sent meanwhile were lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import select as os_select
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, or_, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from desktop_app.db import tables
from desktop_app.domain.changes import Change, OpChanges

if TYPE_CHECKING:
    from desktop_app.services.store import Store

log = logging.getLogger(__name__)

CHANNEL = "sodesk_changes"
PAYLOAD_VERSION = 1
# Over this many case ids, or this many bytes (PostgreSQL's limit is 8,000), the notice names
# none: "refresh every case".
MAX_IDS = 500
MAX_PAYLOAD_BYTES = 7_000
EVERYTHING = ~Change.NONE
# Pauses between attempts to reconnect, in seconds; the last one repeats.
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
APPLICATION_NAME = "sodesk-live"
CONNECT_TIMEOUT_S = 5

# What each table's rows mean to the screens.
# Rows naming a case (a received fax's pages are kept with theirs).
_CASE_ROWS = frozenset({"case_documents", "appointments", "payments", "fax_pages"})
_MASTERS = frozenset(
    {"departments", "doctors", "doctor_availability", "doctor_hours_exceptions", "clinic_closures"}
)
# Rows shown through the cases that name them: their cases are looked up at commit.
_SHOWN_THROUGH_CASES = frozenset(
    {"patients", "callers", "referring_doctors", "referring_institutions"}
)
# Nothing another desk shows: the log (it comes with the change it records), the sign-ins
# and accounts (checked afresh at every sign-in), the number counters, the received faxes'
# hashes (each desk's 受信FAX reads its inbox folder, and a confirm checks them afresh).
_SILENT = frozenset({"audit_log", "staff_users", "counters", "received_faxes"})
_LAST_BACKUP_KEY = "last_backup"  # services/backup.py's setting: only the backup line shows it
KNOWN_TABLES = (
    frozenset({"cases", "contact_log", "settings"})
    | _CASE_ROWS
    | _MASTERS
    | _SHOWN_THROUGH_CASES
    | _SILENT
)

_TOKEN = "_live_changes_token"  # the Store's own attribute (vars(store)), set by install
_WRITTEN = "sodesk_live_written"  # session.info: what this transaction wrote so far


# The sending side ---------------------------------------------------------------------------


def install(store: Store) -> None:
    """Hook the store's write sessions so each commit tells the other desks (PostgreSQL only)."""
    if store.engine.dialect.name != "postgresql":
        return
    vars(store)[_TOKEN] = secrets.token_hex(8)
    sessions = store._write_sessions
    event.listen(sessions, "after_flush", _note_flushed)
    event.listen(sessions, "do_orm_execute", _note_statement)
    event.listen(sessions, "before_commit", _notifier(vars(store)[_TOKEN]))
    event.listen(sessions, "after_rollback", _forget)


def own_token(store: Store) -> str | None:
    """The token this store's notices carry; None when it sends none (SQLite)."""
    token = vars(store).get(_TOKEN)
    return token if isinstance(token, str) else None


@dataclass
class _Written:
    kinds: Change = Change.NONE
    case_ids: set[int] = field(default_factory=set)
    all_cases: bool = False
    # Rows changed that the screens show through cases: table -> ids.
    through: dict[str, set[int]] = field(default_factory=dict)

    def add_cases(self, *ids: int | None) -> None:
        self.kinds |= Change.CASES
        for case_id in ids:
            if isinstance(case_id, int):
                self.case_ids.add(case_id)
            else:
                self.all_cases = True

    def add_table(self, name: str) -> None:
        """A write whose rows are not known (a bulk statement)."""
        if name in _SILENT:
            return
        if name == "settings":
            self.kinds |= Change.SETTINGS | Change.BACKUPS
        elif name in _MASTERS:
            self.kinds |= Change.MASTERS
        elif name == "contact_log":
            self.kinds |= Change.ENQUIRIES
            self.add_cases(None)
        elif name in _CASE_ROWS or name in _SHOWN_THROUGH_CASES or name == "cases":
            self.add_cases(None)
        else:
            self._unknown(name)

    def add_row(self, name: str, row: object, *, new: bool) -> None:
        if name in _SILENT:
            return
        if name == "cases":
            self.add_cases(getattr(row, "id", None))
        elif name in _CASE_ROWS:
            self.add_cases(getattr(row, "case_id", None))
        elif name == "contact_log":
            case_id = getattr(row, "case_id", None)
            if case_id is None:
                self.kinds |= Change.ENQUIRIES  # an enquiry that never became a case
            else:
                self.add_cases(case_id)
        elif name == "settings":
            last_backup = getattr(row, "key", None) == _LAST_BACKUP_KEY
            self.kinds |= Change.BACKUPS if last_backup else Change.SETTINGS
        elif name in _MASTERS:
            self.kinds |= Change.MASTERS
        elif name in _SHOWN_THROUGH_CASES:
            # A new row is named only by cases written in this transaction, noted already.
            row_id = getattr(row, "id", None)
            if not new and isinstance(row_id, int):
                self.through.setdefault(name, set()).add(row_id)
        else:
            self._unknown(name)

    def _unknown(self, name: str) -> None:
        # A table added without deciding what it means: every screen reloads (loud, not lost).
        log.warning("live changes: table %s is not mapped to a change kind", name)
        self.kinds |= EVERYTHING
        self.all_cases = True


def _written(session: Session) -> _Written:
    found = session.info.get(_WRITTEN)
    if not isinstance(found, _Written):
        found = session.info[_WRITTEN] = _Written()
    return found


def _note_flushed(session: Session, _context: object) -> None:
    """After each flush (the session's lists still show what it wrote): note the rows."""
    written = _written(session)
    for rows, new in ((session.new, True), (session.dirty, False), (session.deleted, False)):
        for row in rows:
            table = getattr(type(row), "__table__", None)
            name = getattr(table, "name", None)
            if isinstance(name, str):
                written.add_row(name, row, new=new)


def _note_statement(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE statement run through the session (not a flush): which
    rows it touched is not known, so the whole table counts as changed."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if isinstance(name, str):
        _written(state.session).add_table(name)


def _forget(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _notifier(token: str) -> Callable[[Session], None]:
    """The before_commit listener of one store (its token inside)."""

    def notify(session: Session) -> None:
        # The commit flushes what is still pending only after this event: flush it now, so
        # the notice covers every row the commit writes.
        session.flush()
        written = session.info.pop(_WRITTEN, None)
        if not isinstance(written, _Written) or not (written.kinds or written.through):
            return
        ids, all_cases = _case_ids(session, written)
        kinds = written.kinds | (Change.CASES if ids or all_cases else Change.NONE)
        if not kinds:
            return
        payload = encode(kinds, frozenset() if all_cases else frozenset(ids), token)
        notice = {"channel": CHANNEL, "payload": payload}
        session.execute(text("SELECT pg_notify(:channel, :payload)"), notice)

    return notify


def _case_ids(session: Session, written: _Written) -> tuple[set[int], bool]:
    """The cases written, with those that show a patient, caller or referrer written."""
    ids = set(written.case_ids)
    if written.all_cases or not written.through:
        return ids, written.all_cases
    cases = tables.cases.c
    conditions = []
    if found := written.through.get("patients"):
        conditions.append(cases.patient_id.in_(found))
    if found := written.through.get("callers"):
        conditions.append(cases.caller_id.in_(found))
    if found := written.through.get("referring_doctors"):
        conditions.append(cases.referring_doctor_id.in_(found))
    if found := written.through.get("referring_institutions"):
        doctors = tables.referring_doctors.c
        named = select(doctors.id).where(doctors.institution_id.in_(found))
        conditions.append(cases.referring_doctor_id.in_(named))
    query = select(cases.id).where(or_(*conditions)).limit(MAX_IDS + 1)
    shown = set(session.scalars(query))
    if len(shown) > MAX_IDS:
        return ids, True
    return ids | shown, False


def encode(kinds: Change, case_ids: Iterable[int], token: str) -> str:
    """The NOTIFY payload: ``{"v":1,"k":kinds,"c":[ids],"t":token}``; ``c`` empty: all cases.

    Too many ids for one notice (MAX_IDS, MAX_PAYLOAD_BYTES): none are named.
    """
    ids = sorted(case_ids) if kinds & Change.CASES else []
    if len(ids) > MAX_IDS:
        ids = []
    payload = _dump(kinds, ids, token)
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        payload = _dump(kinds, [], token)
    return payload


def _dump(kinds: Change, ids: Sequence[int], token: str) -> str:
    body = {"v": PAYLOAD_VERSION, "k": kinds.value, "c": list(ids), "t": token}
    return json.dumps(body, separators=(",", ":"))


@dataclass(frozen=True)
class Heard:
    """One notice as received: what changed, and the token of the store that sent it."""

    changes: OpChanges
    token: str


def decode(payload: str) -> Heard:
    """The notice in a payload; ValueError when it is not one of ours.

    Kinds this version does not know (a newer desk's) count as every kind.
    """
    try:
        body = json.loads(payload)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("not an object")
    kinds, ids, token = body.get("k"), body.get("c", []), body.get("t", "")
    if not isinstance(kinds, int) or isinstance(kinds, bool) or kinds < 0:
        raise ValueError("no kinds")
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ValueError("case ids are not numbers")
    if not isinstance(token, str):
        raise ValueError("token is not text")
    known = Change(kinds & EVERYTHING.value)
    if kinds & ~EVERYTHING.value:
        known, ids = EVERYTHING, []
    return Heard(OpChanges(known, frozenset(ids) if known & Change.CASES else frozenset()), token)


def merge(first: OpChanges, second: OpChanges) -> OpChanges:
    """Two notices as one: the kinds of both; the cases of both, or all when either says all."""
    kinds = first.kinds | second.kinds
    if not kinds & Change.CASES:
        return OpChanges(kinds)
    every_case = any(c.kinds & Change.CASES and not c.case_ids for c in (first, second))
    return OpChanges(kinds, frozenset() if every_case else first.case_ids | second.case_ids)


ALL_CHANGED = OpChanges(EVERYTHING)  # every kind, every case: after notices may have been lost


# The receiving side ------------------------------------------------------------------------


def conninfo(store: Store) -> str | None:
    """The libpq connection string of the store's server; None for a SQLite file."""
    url = store.engine.url
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    """Listens for the other desks' notices on a connection and thread of its own.

    ``on_changes`` gets one OpChanges per batch of notices received together (this store's
    own are left out: its screens refreshed already); ``on_connected`` gets False when the
    connection is lost or cannot be made, True when it is (back). After a loss,
    ``on_changes(ALL_CHANGED)`` follows the reconnection. Both are called on the listener's
    thread. A payload that is not ours is logged and ignored.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        on_changes: Callable[[OpChanges], None],
        on_connected: Callable[[bool], None] = lambda _up: None,
        own_token: str | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._conninfo = conninfo
        self._on_changes = on_changes
        self._on_connected = on_connected
        self._own_token = own_token
        self._delays = tuple(retry_delays) or (1.0,)
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._thread: threading.Thread | None = None
        self._told: bool | None = None  # what on_connected heard last
        self.connected = False
        self.backend_pid: int | None = None  # the server process listening (tests end it)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="sodesk-live-changes", daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def stop(self, timeout: float = 2.0) -> None:
        """Stop listening and close the connection (at once, unless it is connecting)."""
        self._stopping.set()
        with contextlib.suppress(OSError):  # stopped already
            self._wake_write.send(b"x")
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():  # a connection attempt under way: it ends by itself
                log.warning("live changes: the listener did not stop within %.1f s", timeout)
                return
        self._wake_read.close()
        self._wake_write.close()

    # On the listener's thread -------------------------------------------------------------

    def _run(self) -> None:
        attempt = 0  # failures in a row: the pause grows with them
        lost = False  # notices may have been missed since the last connection
        while not self._stopping.is_set():
            try:
                self._connect_and_listen(lost)
                return  # stopped
            except Exception as exc:
                if self._stopping.is_set():
                    return
                if _is_connection_error(exc):
                    log.warning("live changes: no connection: %s", _first_line(exc))
                else:  # a bug: the clerk sees the note, the log has the details
                    log.exception("live changes: listening failed")
                lost = True
                if self.connected:  # it was up: the first pause is the shortest again
                    attempt = 0
                self._set_connected(False)
                if self._sleep(self._delays[min(attempt, len(self._delays) - 1)]):
                    return
                attempt += 1

    def _connect_and_listen(self, lost: bool) -> None:
        import psycopg

        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name=APPLICATION_NAME,
            # A server gone without closing the connection (a cable pulled) is noticed by
            # TCP keepalives within about a minute; nothing in this process wakes up for it.
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        ) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.backend_pid = connection.info.backend_pid
            self._set_connected(True)
            if lost:
                self._call(self._on_changes, ALL_CHANGED)
            self._listen(connection)

    def _listen(self, connection: Any) -> None:
        """Until stopped (returns) or the connection fails (psycopg.Error)."""
        server = connection.fileno()
        while not self._stopping.is_set():
            # What has arrived (or came with the last reply), without waiting: timeout 0
            # reads once. Then sleep until the server sends more or stop() wakes us.
            batch = [n.payload for n in connection.notifies(timeout=0)]
            if batch:
                self._deliver(batch)
            ready, _, _ = os_select.select([server, self._wake_read], [], [])
            if self._wake_read in ready:
                return

    def _deliver(self, payloads: Iterable[str]) -> None:
        merged: OpChanges | None = None
        for payload in payloads:
            try:
                heard = decode(payload)
            except ValueError as exc:
                log.warning("live changes: ignored a notice (%s)", exc)
                continue
            if self._own_token is not None and heard.token == self._own_token:
                continue
            merged = heard.changes if merged is None else merge(merged, heard.changes)
        if merged is not None and merged.kinds:
            self._call(self._on_changes, merged)

    def _set_connected(self, up: bool) -> None:
        self.connected = up
        if not up:
            self.backend_pid = None
        if self._told is not up:
            self._told = up
            self._call(self._on_connected, up)

    def _call(self, callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:
            # The receiver is gone (a window closed without stopping us) or broke: stop.
            log.exception("live changes: the receiver failed; listening stops")
            self._stopping.set()

    def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds``; True when stopped meanwhile."""
        if self._stopping.is_set():
            return True
        os_select.select([self._wake_read], [], [], seconds)
        return self._stopping.is_set()


def _is_connection_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _first_line(exc: BaseException) -> str:
    return (str(exc) or exc.__class__.__name__).splitlines()[0]


def listener_for(
    store: Store,
    *,
    on_changes: Callable[[OpChanges], None],
    on_connected: Callable[[bool], None] = lambda _up: None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
) -> ChangeListener | None:
    """A listener for the other desks' changes to ``store``'s data; None on SQLite."""
    info = conninfo(store)
    if info is None:
        return None
    return ChangeListener(
        info,
        on_changes=on_changes,
        on_connected=on_connected,
        own_token=own_token(store),
        retry_delays=retry_delays,
    )
