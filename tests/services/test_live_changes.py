"""What each commit tells the other desks (PostgreSQL NOTIFY), and the listener that hears it.

The payload's rules run everywhere; what PostgreSQL delivers needs SODESK_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import queue
import socket
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event, update

from desktop_app.db import tables
from desktop_app.db.models import Patient, SOCase
from desktop_app.domain.changes import Change, OpChanges
from desktop_app.domain.people import Relationship
from desktop_app.domain.stages import Stage
from desktop_app.services import live_changes
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.closures import add_closure
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.intake import log_enquiry
from desktop_app.services.live_changes import ALL_CHANGED, ChangeListener, decode, encode, merge
from desktop_app.services.masters import add_department
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store, open_store

POSTGRES_URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="SODESK_TEST_POSTGRES_URL is not set")
WAIT_S = 5.0


# The payload ------------------------------------------------------------------------------


def test_payload_names_kinds_case_ids_and_token_only() -> None:
    payload = encode(Change.CASES | Change.SETTINGS, [7, 3], "abc123")
    assert json.loads(payload) == {"v": 1, "k": 3, "c": [3, 7], "t": "abc123"}
    heard = decode(payload)
    assert heard.changes == OpChanges(Change.CASES | Change.SETTINGS, frozenset({3, 7}))
    assert heard.token == "abc123"


def test_too_many_cases_for_one_notice_name_none_that_is_all() -> None:
    over = range(1, live_changes.MAX_IDS + 2)
    assert json.loads(encode(Change.CASES, over, "t"))["c"] == []
    assert json.loads(encode(Change.CASES, range(1, live_changes.MAX_IDS + 1), "t"))["c"]
    huge = [10**15 + k for k in range(450)]  # few ids, too many bytes
    payload = encode(Change.CASES, huge, "t")
    assert len(payload.encode()) <= live_changes.MAX_PAYLOAD_BYTES
    assert decode(payload).changes == OpChanges(Change.CASES)


@pytest.mark.parametrize(
    "payload",
    ["", "not json", "[1, 2]", '{"c": []}', '{"k": "1"}', '{"k": 1, "c": ["x"]}', '{"k": -1}'],
)
def test_a_payload_that_is_not_ours_is_refused(payload: str) -> None:
    with pytest.raises(ValueError):
        decode(payload)


def test_kinds_from_a_newer_desk_count_as_everything() -> None:
    heard = decode(json.dumps({"v": 2, "k": 1 | 64, "c": [5], "t": "x"}))
    assert heard.changes == ALL_CHANGED


def test_merged_notices_keep_every_kind_and_case_and_all_wins() -> None:
    one = OpChanges(Change.CASES, frozenset({1}))
    assert merge(one, OpChanges(Change.CASES, frozenset({2}))) == OpChanges(
        Change.CASES, frozenset({1, 2})
    )
    assert merge(one, OpChanges(Change.SETTINGS)) == OpChanges(
        Change.CASES | Change.SETTINGS, frozenset({1})
    )
    assert merge(one, OpChanges(Change.CASES)) == OpChanges(Change.CASES)
    assert merge(OpChanges(Change.MASTERS), OpChanges(Change.ENQUIRIES)) == OpChanges(
        Change.MASTERS | Change.ENQUIRIES
    )


def test_every_table_has_a_meaning_for_the_screens() -> None:
    """A new table must be given its change kind (or none) in services/live_changes.py."""
    assert set(tables.metadata.tables) <= live_changes.KNOWN_TABLES


# SQLite: one desk, nothing hooked ---------------------------------------------------------


def test_on_sqlite_nothing_is_hooked_and_no_listener_is_made(store: Store) -> None:
    sessions = store._write_sessions
    assert not event.contains(sessions, "do_orm_execute", live_changes._note_statement)
    assert not event.contains(sessions, "after_flush", live_changes._note_flushed)
    assert live_changes.own_token(store) is None
    assert live_changes.conninfo(store) is None
    assert live_changes.listener_for(store, on_changes=lambda _c: None) is None


def test_a_listener_without_a_server_says_so_and_stops_at_once() -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    states: queue.Queue[bool] = queue.Queue()
    listener = ChangeListener(
        f"postgresql://nobody@127.0.0.1:{port}/none",
        on_changes=lambda _c: None,
        on_connected=states.put,
        retry_delays=(30.0,),
    )
    listener.start()
    assert states.get(timeout=WAIT_S) is False
    started = time.monotonic()
    listener.stop()
    assert time.monotonic() - started < 1.0, "stopping does not wait out the retry pause"
    assert listener.thread is not None and not listener.thread.is_alive()


# PostgreSQL -------------------------------------------------------------------------------


def _empty(url: str) -> None:
    from sqlalchemy import create_engine

    from desktop_app.db.engine import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as c:
        c.exec_driver_sql("DROP SCHEMA public CASCADE")
        c.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The emptied PostgreSQL test database, with the schema (as tests/services/test_races)."""
    if not POSTGRES_URL:
        pytest.skip("SODESK_TEST_POSTGRES_URL is not set")
    _empty(POSTGRES_URL)
    open_store(POSTGRES_URL, create=True).close()
    yield POSTGRES_URL
    _empty(POSTGRES_URL)  # the other PostgreSQL tests expect the database as CI made it


@pytest.fixture
def desk_a(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url, staff="受付A")
    yield s
    s.close()


class Wire:
    """A plain LISTEN on its own connection: what PostgreSQL delivers, payload by payload."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        )
        self.connection.execute(f"LISTEN {live_changes.CHANNEL}")
        self.received: list[str] = []

    def next(self, timeout: float = WAIT_S) -> dict[str, object]:
        if not self.received:
            # Run to its end: notices that came in the same packet are kept, not dropped.
            for notice in self.connection.notifies(timeout=timeout, stop_after=1):
                self.received.append(notice.payload)
        if not self.received:
            raise AssertionError("no notice arrived")
        return dict(json.loads(self.received.pop(0)))

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def wire(pg_url: str) -> Iterator[Wire]:
    w = Wire(pg_url)
    yield w
    w.close()


def _patient(name: str = "通知　花子") -> NewPatient:
    return NewPatient(name=name, furigana="ツウチ　ハナコ", phone="0144-99-8877")


@needs_postgres
def test_a_new_case_is_told_by_id_without_personal_data(desk_a: Store, wire: Wire) -> None:
    case = create_case(desk_a, NewCase(patient=_patient(), consultation="手術か薬か迷っている"))
    body = wire.next()
    assert body == {
        "v": 1,
        "k": Change.CASES.value,
        "c": [case.id],
        "t": live_changes.own_token(desk_a),
    }
    raw = json.dumps(body, ensure_ascii=False)
    for personal in ("通知", "ツウチ", "0144998877", "手術", case.case_number):
        assert personal not in raw


@needs_postgres
def test_a_rolled_back_transaction_tells_nothing(desk_a: Store, wire: Wire) -> None:
    case = create_case(desk_a, NewCase(patient=_patient()))
    wire.next()
    with pytest.raises(RuntimeError), desk_a.transaction() as session:
        row = session.get(SOCase, case.id)
        assert row is not None
        row.diagnosis = "取り消される変更"
        session.flush()
        raise RuntimeError("the call fails after writing")
    update_settings(desk_a, dataclasses.replace(get_settings(desk_a), fax="0144-33-1111"))
    # Notices arrive in commit order: had the rolled-back one been sent, it would come first.
    assert wire.next()["k"] == Change.SETTINGS.value


@needs_postgres
def test_each_kind_of_write_is_told_as_its_kind(desk_a: Store, wire: Wire) -> None:
    update_settings(desk_a, dataclasses.replace(get_settings(desk_a), fax="0144-33-2222"))
    assert wire.next()["k"] == Change.SETTINGS.value
    add_department(desk_a, "呼吸器内科")
    assert wire.next()["k"] == Change.MASTERS.value
    add_closure(desk_a, dt.date(2027, 2, 1), "院内行事")
    assert wire.next()["k"] == Change.MASTERS.value
    log_enquiry(desk_a, "問合　一郎", Relationship.SELF, "0144-11-0000")
    assert wire.next() == {
        "v": 1,
        "k": Change.ENQUIRIES.value,
        "c": [],
        "t": live_changes.own_token(desk_a),
    }
    case = create_case(desk_a, NewCase(patient=_patient()))
    wire.next()
    move_stage(desk_a, case.id, Stage.FORMS_SENT)
    assert wire.next()["c"] == [case.id]


@needs_postgres
def test_a_patient_changed_names_that_patients_cases(desk_a: Store, wire: Wire) -> None:
    first = create_case(desk_a, NewCase(patient=_patient()))
    second = create_case(desk_a, NewCase(existing_patient_id=first.patient.id))
    other = create_case(desk_a, NewCase(patient=_patient("別人　次郎")))
    for _ in range(3):
        wire.next()
    with desk_a.transaction() as session:
        patient = session.get(Patient, first.patient.id)
        assert patient is not None
        patient.mobile = "09011112222"
    body = wire.next()
    assert body["k"] == Change.CASES.value
    assert body["c"] == sorted([first.id, second.id])
    assert other.id not in body["c"]  # type: ignore[operator]


@needs_postgres
def test_a_statement_over_many_rows_tells_all_cases(desk_a: Store, wire: Wire) -> None:
    create_case(desk_a, NewCase(patient=_patient()))
    wire.next()
    with desk_a.transaction() as session:
        session.execute(update(SOCase).values(diagnosis="一括"))
    assert wire.next()["c"] == [], "no ids: every case"


# The listener -----------------------------------------------------------------------------


class Heard:
    def __init__(self) -> None:
        self.changes: queue.Queue[OpChanges] = queue.Queue()
        self.states: queue.Queue[bool] = queue.Queue()

    def next(self) -> OpChanges:
        return self.changes.get(timeout=WAIT_S)

    def nothing_more(self) -> bool:
        return self.changes.empty()


@pytest.fixture
def desk_b(pg_url: str) -> Iterator[Store]:
    s = open_store(pg_url, staff="受付B")
    yield s
    s.close()


@pytest.fixture
def heard_at_b(desk_b: Store) -> Iterator[tuple[Heard, ChangeListener]]:
    heard = Heard()
    listener = live_changes.listener_for(
        desk_b, on_changes=heard.changes.put, on_connected=heard.states.put, retry_delays=(0.2,)
    )
    assert listener is not None
    listener.start()
    assert heard.states.get(timeout=WAIT_S) is True
    yield heard, listener
    listener.stop()
    assert listener.thread is not None and not listener.thread.is_alive()


@needs_postgres
def test_the_listener_hears_other_desks_not_its_own(
    desk_a: Store, desk_b: Store, heard_at_b: tuple[Heard, ChangeListener]
) -> None:
    heard, _listener = heard_at_b
    theirs = create_case(desk_a, NewCase(patient=_patient()))
    assert heard.next() == OpChanges(Change.CASES, frozenset({theirs.id}))
    create_case(desk_b, NewCase(patient=_patient("自席　三郎")))
    move_stage(desk_a, theirs.id, Stage.FORMS_SENT)
    # Had desk B's own notice come through, it would be first (commit order).
    assert heard.next() == OpChanges(Change.CASES, frozenset({theirs.id}))


@needs_postgres
def test_a_malformed_notice_is_ignored_and_listening_goes_on(
    desk_a: Store, heard_at_b: tuple[Heard, ChangeListener], pg_url: str
) -> None:
    heard, listener = heard_at_b
    with psycopg.connect(pg_url, autocommit=True) as other:
        other.execute("SELECT pg_notify(%s, %s)", (live_changes.CHANNEL, "氏名を含むゴミ"))
        other.execute("SELECT pg_notify(%s, %s)", (live_changes.CHANNEL, '{"k": "x"}'))
    case = create_case(desk_a, NewCase(patient=_patient()))
    assert heard.next() == OpChanges(Change.CASES, frozenset({case.id}))
    assert listener.connected


@needs_postgres
def test_after_the_connection_drops_it_reconnects_and_says_everything_changed(
    desk_a: Store, heard_at_b: tuple[Heard, ChangeListener], pg_url: str
) -> None:
    heard, listener = heard_at_b
    pid = listener.backend_pid
    assert pid is not None
    with psycopg.connect(pg_url, autocommit=True) as admin:  # the role may end its own
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    assert heard.states.get(timeout=WAIT_S) is False
    assert heard.states.get(timeout=WAIT_S) is True
    assert heard.next() == ALL_CHANGED, "what was sent meanwhile is lost: reload everything"
    assert listener.backend_pid not in (None, pid)
    case = create_case(desk_a, NewCase(patient=_patient()))
    assert heard.next() == OpChanges(Change.CASES, frozenset({case.id}))
