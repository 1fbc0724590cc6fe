"""One place turns what the database refuses in a lost race into the clerk's sentence
(services/store.race_lost): on SQLite, and on PostgreSQL when SODESK_TEST_POSTGRES_URL is set.

A unique, primary-key or exclusion constraint another desk's write met first is a
ConflictError with the sentence for that constraint; NOT NULL (and anything else that is a
bug) is raised as it is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from desktop_app.db import tables
from desktop_app.db.models import Appointment, Department, Doctor
from desktop_app.domain.errors import CONFLICT_MESSAGE, ConflictError
from desktop_app.services.store import (
    SAME_CHANGE,
    SLOT_TAKEN,
    TRY_AGAIN,
    RaceLost,
    Store,
    _sqlite_constraint,
    open_store,
)

POSTGRES_URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="SODESK_TEST_POSTGRES_URL is not set"
))]  # fmt: skip
DAY = dt.date(2026, 12, 14)


def _empty_server() -> None:
    from sqlalchemy import create_engine

    from desktop_app.db.engine import database_url

    engine = create_engine(database_url(POSTGRES_URL))
    with engine.begin() as c:
        c.exec_driver_sql("DROP SCHEMA public CASCADE")
        c.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def desk(request, tmp_path: Path) -> Iterator[Store]:
    """A store on a fresh SQLite file, or on the emptied PostgreSQL test database."""
    if request.param == "sqlite":
        store = open_store(tmp_path / "desk.db", create=True, staff="受付")
    else:
        _empty_server()
        store = open_store(POSTGRES_URL, create=True, staff="受付")
    try:
        yield store
    finally:
        store.close()
        if request.param != "sqlite":
            _empty_server()


def _is_postgres(store: Store) -> bool:
    return store.engine.dialect.name == "postgresql"


@pytest.fixture
def doctor_and_cases(desk: Store, make_case_in) -> tuple[int, int, int]:
    with desk.transaction() as session:
        department = Department(name="呼吸器内科")
        session.add(department)
        session.flush()
        doctor = Doctor(department_id=department.id, name="青木 一郎")
        session.add(doctor)
        session.flush()
        doctor_id = doctor.id
    return doctor_id, make_case_in(desk, 1).id, make_case_in(desk, 2).id


def _appointment(case_id: int, doctor_id: int, hour: int, minute: int = 0, minutes: int = 30):
    return Appointment(
        case_id=case_id,
        doctor_id=doctor_id,
        date=DAY,
        start_time=dt.time(hour, minute),
        minutes=minutes,
    )


def _live_count(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count(Appointment.id))) or 0


def test_a_second_live_booking_of_one_slot_is_slot_taken(desk: Store, doctor_and_cases) -> None:
    doctor, first, second = doctor_and_cases
    with pytest.raises(ConflictError) as refused, desk.transaction() as session:
        session.add(_appointment(first, doctor, 14))
        session.add(_appointment(second, doctor, 14))
    assert isinstance(refused.value, RaceLost)
    assert refused.value.message == SLOT_TAKEN
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert _live_count(desk) == 0, "nothing of the transaction was written"
    with desk.transaction() as session:  # the store goes on working
        session.add(_appointment(first, doctor, 14))
    assert _live_count(desk) == 1


def test_what_autoflush_meets_before_a_query_is_translated_too(
    desk: Store, doctor_and_cases
) -> None:
    """The raw IntegrityError of issue #23 came from an autoflush, not from the booking's own
    flush: wherever the refusal is raised inside the transaction, the sentence is the same."""
    doctor, first, second = doctor_and_cases
    with desk.transaction() as session:
        session.add(_appointment(first, doctor, 14))
    with pytest.raises(ConflictError, match=SLOT_TAKEN), desk.transaction() as session:
        session.add(_appointment(second, doctor, 14))
        session.scalar(select(func.count(Appointment.id)))  # autoflush: the INSERT is refused
        raise AssertionError("not reached: the query's autoflush raised")
    assert _live_count(desk) == 1


def test_the_first_save_of_one_setting_twice_is_the_conflict_message(desk: Store) -> None:
    row = {"key": "fax", "value": "0144330000", "version": 1}
    with pytest.raises(ConflictError) as refused, desk.transaction() as session:
        session.execute(insert(tables.settings).values(row))
        session.execute(insert(tables.settings).values(row))
    assert refused.value.message == CONFLICT_MESSAGE
    assert refused.value.reason == "pk_settings"


def test_another_unique_value_is_the_same_change_sentence(desk: Store) -> None:
    with pytest.raises(ConflictError) as refused, desk.transaction() as session:
        for _ in range(2):
            session.execute(
                insert(tables.departments).values(name="外科", sort_order=0, active=True)
            )
    assert refused.value.message == SAME_CHANGE
    assert refused.value.reason == "uq_departments_name"


def test_a_missing_required_value_is_a_bug_and_raised_as_it_is(desk: Store) -> None:
    with pytest.raises(IntegrityError), desk.transaction() as session:
        session.execute(insert(tables.departments).values(name=None, sort_order=0, active=True))


def test_a_foreign_key_is_a_race_only_where_two_desks_can_write_at_once(desk: Store) -> None:
    """PostgreSQL: a master row another desk deleted meanwhile (the sentence). SQLite: one
    desk writes at a time and checks inside its transaction, so it is a bug (raised)."""
    row = {"patient_id": 999, "name": "x", "furigana": "", "relationship": "self", "phone": ""}
    if _is_postgres(desk):
        with pytest.raises(ConflictError, match=SAME_CHANGE), desk.transaction() as session:
            session.execute(insert(tables.callers).values(row))
    else:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"), desk.transaction() as session:
            session.execute(insert(tables.callers).values(row))


@pytest.mark.skipif(not POSTGRES_URL, reason="SODESK_TEST_POSTGRES_URL is not set")
@pytest.mark.parametrize("state", ["serialization_failure", "deadlock_detected"])
def test_a_serialization_failure_or_deadlock_asks_to_try_again(state: str) -> None:
    _empty_server()
    desk = open_store(POSTGRES_URL, create=True, staff="受付")
    try:
        with pytest.raises(ConflictError, match=TRY_AGAIN), desk.transaction() as session:
            session.execute(text(f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{state}'; END $$"))
    finally:
        desk.close()
        _empty_server()


@pytest.mark.parametrize(
    ("message", "constraint"),
    [
        ("UNIQUE constraint failed: settings.key", "pk_settings"),
        (
            "UNIQUE constraint failed: appointments.doctor_id, appointments.date, "
            "appointments.start_time",
            "uq_appointments_live_slot",
        ),
        ("UNIQUE constraint failed: staff_users.login", "uq_staff_users_login"),
        ("UNIQUE constraint failed: cases.case_number", "uq_cases_case_number"),
        (
            "UNIQUE constraint failed: index 'uq_appointments_live_slot'",
            "uq_appointments_live_slot",
        ),
        ("UNIQUE constraint failed: nowhere.x", ""),
        ("UNIQUE constraint failed: appointments.date", ""),
        ("FOREIGN KEY constraint failed", ""),
    ],
)
def test_sqlite_names_a_constraint_by_its_columns(message: str, constraint: str) -> None:
    assert _sqlite_constraint(message) == constraint
