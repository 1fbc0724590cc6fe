"""Migration 0012: on PostgreSQL no two live bookings of one doctor overlap, because the
database refuses the second (an exclusion constraint, btree_gist); an upgrade that cannot
make it says why, and which bookings are in the way. On SQLite nothing changes.

The server tests need SODESK_TEST_POSTGRES_URL (the extension's refusal also a superuser's
SODESK_TEST_POSTGRES_ADMIN_URL) and skip without.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from desktop_app.db import tables
from desktop_app.db.engine import database_url, make_engine
from desktop_app.db.migrate import (
    MIGRATIONS_DIR,
    SchemaError,
    alembic_config,
    head_revision,
    schema_differences,
    stored_revision,
    upgrade,
)
from desktop_app.domain.errors import ConflictError
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.booking import SLOT_TAKEN, book, reschedule
from desktop_app.services.store import Store, StoreError, open_store

URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
ADMIN_URL = os.environ.get("SODESK_TEST_POSTGRES_ADMIN_URL", "")
needs_server = pytest.mark.skipif(not URL, reason="SODESK_TEST_POSTGRES_URL is not set")
DAY = dt.date(2026, 12, 14)  # a Monday
NOW = dt.datetime(2026, 12, 3, 9, 30)


def _empty_server() -> None:
    engine = create_engine(database_url(URL))
    with engine.begin() as c:
        c.exec_driver_sql("DROP SCHEMA public CASCADE")
        c.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture
def server() -> Iterator[str]:
    """The emptied PostgreSQL test database (emptied again afterwards)."""
    _empty_server()
    yield URL
    _empty_server()


def _clinic(store: Store, make_case_in, cases: int) -> tuple[int, list[int], list[str]]:
    """A doctor on weekdays 9-17 and accepted cases: (doctor id, case ids, case numbers)."""
    made = [make_case_in(store, k) for k in range(cases)]
    with store.engine.begin() as c:
        department = c.execute(
            insert(tables.departments).values(name="呼吸器内科", sort_order=0, active=True)
        ).inserted_primary_key[0]
        doctor = c.execute(
            insert(tables.doctors).values(
                department_id=department, name="青木 一郎", furigana="", title="", active=True
            )
        ).inserted_primary_key[0]
        for weekday in range(5):
            c.execute(
                insert(tables.doctor_availability).values(
                    doctor_id=doctor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
                )
            )
        c.execute(
            update(tables.cases)
            .where(tables.cases.c.id.in_([m.id for m in made]))
            .values(stage=Stage.DOCTOR_REVIEW.value, decision=Decision.ACCEPTED.value)
        )
    return doctor, [m.id for m in made], [m.case_number for m in made]


def _add_booking(
    engine: Engine, case_id: int, doctor: int, start: dt.time, minutes: int, cancelled=False
) -> None:
    """A row as another tool (or an older program) would have written it: no check."""
    with engine.begin() as c:
        c.execute(
            insert(tables.appointments).values(
                case_id=case_id,
                doctor_id=doctor,
                date=DAY,
                start_time=start,
                minutes=minutes,
                cancelled=cancelled,
                no_show=False,
                cancel_reason="",
                created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            )
        )


@needs_server
def test_the_constraint_and_its_extension_are_made(server: str) -> None:
    store = open_store(server, create=True)
    try:
        with store.read() as session:
            definition = session.scalar(
                text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conname = :name AND contype = 'x'"
                ),
                {"name": tables.OVERLAP_CONSTRAINT},
            )
            extension = session.scalar(
                text("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
            )
        assert definition is not None and extension == 1
        assert "EXCLUDE USING gist (doctor_id WITH =, tsrange(" in definition
        assert definition.endswith("WHERE ((NOT cancelled))")
        assert schema_differences(store.engine) == []
    finally:
        store.close()


@needs_server
def test_the_database_refuses_overlapping_live_bookings(server: str, make_case_in) -> None:
    store = open_store(server, create=True)
    try:
        doctor, cases, _ = _clinic(store, make_case_in, 6)
        _add_booking(store.engine, cases[0], doctor, dt.time(14), 60)
        # Before, after, cancelled, another doctor's: all allowed beside 14:00-15:00.
        _add_booking(store.engine, cases[1], doctor, dt.time(13, 30), 30)
        _add_booking(store.engine, cases[2], doctor, dt.time(15), 30)
        _add_booking(store.engine, cases[3], doctor, dt.time(14, 30), 30, cancelled=True)
        refused_row = insert(tables.appointments).values(
            case_id=cases[4],
            doctor_id=doctor,
            date=DAY,
            start_time=dt.time(14, 30),
            minutes=30,
            cancelled=False,
            created_at=dt.datetime(2026, 12, 3, tzinfo=dt.UTC),
        )
        with (
            pytest.raises(ConflictError, match=SLOT_TAKEN) as refused,
            store.transaction() as session,
        ):
            session.execute(refused_row)
        assert refused.value.reason == tables.OVERLAP_CONSTRAINT  # type: ignore[attr-defined]
        # A booking moved by 30 minutes overlaps its own old time: the old row is cancelled
        # (and flushed) before the new one is written, so the move is allowed.
        booked = book(
            store, cases[5], doctor_id=doctor, date=DAY, start=dt.time(10), minutes=60, now=NOW
        )
        moved = reschedule(
            store,
            booked.appointments[-1].id,
            doctor_id=doctor,
            date=DAY,
            start=dt.time(10, 30),
            minutes=60,
            now=NOW,
        )
        assert [(a.start_time, a.cancelled) for a in moved.appointments] == [
            (dt.time(10), True),
            (dt.time(10, 30), False),
        ]
    finally:
        store.close()


def _clinic_at_0011(
    target: str, make_case_in, cases: int
) -> tuple[Store, int, list[int], list[str]]:
    """A clinic (see ``_clinic``) made by today's program, then taken down to 0011: the cases
    carry columns 0011 did not know yet."""
    engine = make_engine(target)
    command.upgrade(alembic_config(engine), "head")
    store = Store(engine=engine, staff="準備")
    doctor, ids, numbers = _clinic(store, make_case_in, cases)
    command.downgrade(alembic_config(engine), "0011")
    return store, doctor, ids, numbers


@needs_server
def test_an_upgrade_over_overlapping_bookings_names_them_and_changes_nothing(
    server: str, make_case_in
) -> None:
    store, doctor, cases, numbers = _clinic_at_0011(server, make_case_in, 3)
    try:
        _add_booking(store.engine, cases[0], doctor, dt.time(14), 60)
        _add_booking(store.engine, cases[1], doctor, dt.time(14, 30), 30)
        _add_booking(store.engine, cases[2], doctor, dt.time(15), 30)  # touches, no overlap
        with pytest.raises(SchemaError) as refused:
            upgrade(store.engine)
        message = str(refused.value)
        assert "時間が重なっている" in message
        assert (
            f"青木 一郎 2026年12月14日 14:00から60分（{numbers[0]}）と"
            f"2026年12月14日 14:30から30分（{numbers[1]}）" in message
        )
        assert numbers[2] not in message
        assert "キャンセル" in message and "0011" in message
        assert stored_revision(store.engine) == "0011", "the database is as it was"
        # An administrator cancels one of the two: the upgrade goes through.
        with store.engine.begin() as c:
            c.execute(
                update(tables.appointments)
                .where(tables.appointments.c.case_id == cases[1])
                .values(cancelled=True, cancel_reason="重複のため")
            )
        upgrade(store.engine)
        assert stored_revision(store.engine) == head_revision()
    finally:
        store.close()


@needs_server
@pytest.mark.skipif(not ADMIN_URL, reason="SODESK_TEST_POSTGRES_ADMIN_URL is not set")
def test_a_role_that_may_not_create_btree_gist_is_sent_to_pg_setup() -> None:
    """A database the desks' role does not own: it may make tables in ``public`` but not
    the extension (a trusted extension still needs CREATE on the database)."""
    desks_role = make_url(URL)
    name = f"sodesk_noext_{os.getpid()}"
    admin = create_engine(
        make_url(ADMIN_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    inside = create_engine(
        make_url(ADMIN_URL).set(drivername="postgresql+psycopg", database=name),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        with inside.connect() as c:
            c.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {desks_role.username}")
        inside.dispose()
        target = desks_role.set(database=name).render_as_string(hide_password=False)
        with pytest.raises(StoreError) as refused:
            open_store(target, create=True)
        message = str(refused.value)
        assert "btree_gist" in message and "sodesk pg-setup" in message
        assert "更新前の状態のまま" in message
        engine = make_engine(target)
        try:
            assert stored_revision(engine) is None, "all or nothing: no tables were left"
        finally:
            engine.dispose()
    finally:
        inside.dispose()
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_sqlite_upgrades_to_0012_without_a_constraint(tmp_path: Path, make_case_in) -> None:
    """One desk writes at a time there: the booking's own check is enough, and rows an
    older program wrote are not looked at."""
    store, doctor, cases, _ = _clinic_at_0011(str(tmp_path / "clinic.db"), make_case_in, 2)
    try:
        _add_booking(store.engine, cases[0], doctor, dt.time(14), 60)
        _add_booking(store.engine, cases[1], doctor, dt.time(14, 30), 30)
        upgrade(store.engine)
        assert stored_revision(store.engine) == head_revision()
        assert schema_differences(store.engine) == []
        with store.read() as session:
            live = session.execute(select(tables.appointments.c.id)).all()
        assert len(live) == 2
    finally:
        store.close()


def _migration_0012():
    path = next((MIGRATIONS_DIR / "versions").glob("0012_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_long_list_of_overlaps_names_the_first_ten() -> None:
    row = ("SO-2026-0001", DAY, dt.time(9), 60, "SO-2026-0002", DAY, dt.time(9, 30), 30, "青木")
    message = _migration_0012().overlaps_message([row] * 12)
    assert message.count("SO-2026-0001") == 10
    assert "ほか2組" in message
