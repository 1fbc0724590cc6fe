"""A doctor's weekly windows, leave and extra sessions, and one-off clinic closures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import Appointment, AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.slots import HoursChange
from desktop_app.services.closures import (
    add_closure,
    list_closures,
    national_holidays,
    remove_closure,
)
from desktop_app.services.doctor_hours import (
    ExceptionInput,
    WindowInput,
    add_exception,
    add_window,
    doctor_hours,
    remove_exception,
    remove_window,
    update_window,
)
from desktop_app.services.masters import DoctorInput, add_department, add_doctor
from desktop_app.services.store import Store

TODAY = dt.date(2026, 11, 24)  # a Tuesday
LEAVE, EXTRA = HoursChange.LEAVE, HoursChange.EXTRA


def T(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


def D(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


@pytest.fixture
def doctor(store: Store) -> int:
    dept = add_department(store, "呼吸器内科")
    return add_doctor(store, DoctorInput(dept.id, "西田 直子")).id


def _audit_count(store: Store, action: AuditAction) -> int:
    with store.read() as session:
        query = select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        return session.scalar(query) or 0


def test_windows_are_listed_by_weekday_and_audited(store: Store, doctor: int) -> None:
    add_window(store, doctor, WindowInput(3, T(10), T(11)))
    added = add_window(store, doctor, WindowInput(1, T(14), T(16), D(4, 1), D(9, 30)))
    hours = doctor_hours(store, doctor, since=TODAY)
    assert [(w.weekday_label, w.start, w.end) for w in hours.windows] == [
        ("火曜", T(14), T(16)),
        ("木曜", T(10), T(11)),
    ]
    assert hours.windows[0].valid_from == D(4, 1)
    update_window(store, added.id, WindowInput(1, T(14), T(17)), version=added.version)
    remove_window(store, hours.windows[1].id)
    assert [(w.end, w.valid_to) for w in doctor_hours(store, doctor).windows] == [(T(17), None)]
    assert _audit_count(store, AuditAction.MASTER_HOURS) == 4


@pytest.mark.parametrize(
    ("window", "field", "needle"),
    [
        (WindowInput(1, T(14), T(14)), "end", "より後"),
        (WindowInput(1, T(16), T(14)), "end", "より後"),
        (WindowInput(1, T(14, 15), T(16)), "start", "30分単位"),
        (WindowInput(1, T(14), T(15, 45)), "end", "30分単位"),
        (WindowInput(7, T(14), T(16)), "weekday", "曜日"),
        (WindowInput(1, T(14), T(16), D(5, 2), D(5, 1)), "valid_to", "期間"),
    ],
)
def test_bad_windows_are_refused(
    store: Store, doctor: int, window: WindowInput, field: str, needle: str
) -> None:
    with pytest.raises(ValidationError) as info:
        add_window(store, doctor, window)
    assert info.value.field == field
    assert needle in info.value.message
    assert doctor_hours(store, doctor).windows == ()
    assert _audit_count(store, AuditAction.MASTER_HOURS) == 0


def test_a_one_day_range_and_the_half_hour_boundary_are_fine(store: Store, doctor: int) -> None:
    add_window(store, doctor, WindowInput(1, T(13, 30), T(14), D(5, 5), D(5, 5)))
    assert len(doctor_hours(store, doctor).windows) == 1


def test_overlapping_windows_are_refused(store: Store, doctor: int) -> None:
    add_window(store, doctor, WindowInput(1, T(14), T(16), D(4, 1), D(9, 30)))
    for clash in (
        WindowInput(1, T(15), T(17)),  # open range meets April–September
        WindowInput(1, T(13), T(14, 30), D(9, 30), None),  # shares 9/30 only
        WindowInput(1, T(14), T(16), None, D(4, 1)),  # shares 4/1 only
    ):
        with pytest.raises(ValidationError, match="重なっています"):
            add_window(store, doctor, clash)
    # Touching times, another weekday, or dates that do not meet are all fine.
    add_window(store, doctor, WindowInput(1, T(16), T(17)))
    add_window(store, doctor, WindowInput(2, T(14), T(16)))
    add_window(store, doctor, WindowInput(1, T(14), T(16), D(10, 1), None))
    assert len(doctor_hours(store, doctor).windows) == 4


def test_editing_a_window_is_checked_against_the_others_only(store: Store, doctor: int) -> None:
    first = add_window(store, doctor, WindowInput(1, T(14), T(16)))
    second = add_window(store, doctor, WindowInput(1, T(16), T(17)))
    # Moving a window over itself is no overlap.
    update_window(store, first.id, WindowInput(1, T(14, 30), T(16)))
    with pytest.raises(ValidationError, match="重なっています"):
        update_window(store, second.id, WindowInput(1, T(15), T(17)))
    assert [w.start for w in doctor_hours(store, doctor).windows] == [T(14, 30), T(16)]


def test_leave_and_extra_sessions(store: Store, doctor: int) -> None:
    whole = add_exception(store, doctor, ExceptionInput(TODAY, LEAVE, note="学会"), today=TODAY)
    assert whole.exception.whole_day and whole.exception.note == "学会"
    add_exception(store, doctor, ExceptionInput(D(12, 1), LEAVE, T(14), T(15)), today=TODAY)
    add_exception(store, doctor, ExceptionInput(D(12, 1), LEAVE, T(15), T(16)), today=TODAY)
    add_exception(store, doctor, ExceptionInput(D(12, 1), EXTRA, T(9), T(10)), today=TODAY)
    hours = doctor_hours(store, doctor, since=TODAY)
    assert [(e.date, e.kind, e.start) for e in hours.exceptions] == [
        (TODAY, LEAVE, None),
        (D(12, 1), EXTRA, T(9)),
        (D(12, 1), LEAVE, T(14)),
        (D(12, 1), LEAVE, T(15)),
    ]
    remove_exception(store, whole.exception.id, today=TODAY)
    assert len(doctor_hours(store, doctor, since=TODAY).exceptions) == 3
    assert _audit_count(store, AuditAction.MASTER_HOURS) == 5


@pytest.mark.parametrize(
    ("exception", "field", "needle"),
    [
        (ExceptionInput(TODAY - dt.timedelta(days=1), LEAVE), "date", "過去"),
        (ExceptionInput(D(12, 2), EXTRA), "start", "臨時枠"),
        (ExceptionInput(D(12, 2), EXTRA, T(9), T(9)), "end", "より後"),
        (ExceptionInput(D(12, 2), LEAVE, T(9, 10), T(10)), "start", "30分単位"),
        (ExceptionInput(D(12, 2), LEAVE, T(9), None), "end", "終了時刻"),
        (ExceptionInput(D(12, 1), LEAVE, T(14, 30), T(15, 30)), "date", "重なる休み"),
        (ExceptionInput(D(12, 1), LEAVE), "date", "重なる休み"),
    ],
)
def test_bad_exceptions_are_refused(
    store: Store, doctor: int, exception: ExceptionInput, field: str, needle: str
) -> None:
    add_exception(store, doctor, ExceptionInput(D(12, 1), LEAVE, T(14), T(15)), today=TODAY)
    with pytest.raises(ValidationError) as info:
        add_exception(store, doctor, exception, today=TODAY)
    assert (info.value.field, needle in info.value.message) == (field, True)
    assert len(doctor_hours(store, doctor, since=D(1, 1)).exceptions) == 1
    assert _audit_count(store, AuditAction.MASTER_HOURS) == 1


def test_past_exceptions_stay_on_record(store: Store, doctor: int) -> None:
    added = add_exception(store, doctor, ExceptionInput(TODAY, LEAVE), today=TODAY)
    with pytest.raises(ValidationError, match="過去"):
        remove_exception(store, added.exception.id, today=TODAY + dt.timedelta(days=1))
    assert doctor_hours(store, doctor, since=TODAY).exceptions == (added.exception,)
    assert doctor_hours(store, doctor, since=TODAY + dt.timedelta(days=1)).exceptions == ()


def test_leave_names_the_bookings_it_falls_on(store: Store, doctor: int, make_case) -> None:
    case = make_case()
    with store.transaction() as session:
        for start in (T(14), T(15, 30)):
            session.add(
                Appointment(case_id=case.id, doctor_id=doctor, date=D(12, 1), start_time=start)
            )
    added = add_exception(store, doctor, ExceptionInput(D(12, 1), LEAVE, T(15), T(16)), today=TODAY)
    assert added.clashing == ("15:30 山田　太郎",)


def test_closures_with_a_reason(store: Store) -> None:
    first = add_closure(store, D(12, 28), " 院内 停電 ", today=TODAY)
    assert first.reason == "院内　停電"
    add_closure(store, TODAY, "設備点検", today=TODAY)
    assert [c.date for c in list_closures(store)] == [TODAY, D(12, 28)]
    for day, reason, field in (
        (D(12, 28), "重複", "date"),
        (TODAY - dt.timedelta(days=1), "過去", "date"),
        (D(12, 29), "  ", "reason"),
    ):
        with pytest.raises(ValidationError) as info:
            add_closure(store, day, reason, today=TODAY)
        assert info.value.field == field
    remove_closure(store, first.id, today=TODAY)
    with pytest.raises(ValidationError, match="過去"):
        remove_closure(store, list_closures(store)[0].id, today=TODAY + dt.timedelta(days=1))
    assert [c.date for c in list_closures(store, since=TODAY)] == [TODAY]
    assert _audit_count(store, AuditAction.MASTER_CLOSURE) == 3


def test_national_holidays_include_substitute_and_citizens_holidays() -> None:
    names = dict((h.date, h.name) for h in national_holidays(D(9, 1), 30))
    assert names[D(9, 22)] == "国民の休日"
    assert names[D(9, 21)] == "敬老の日"
    may = {h.date: h.name for h in national_holidays(D(5, 1), 10)}
    assert may[D(5, 6)] == "憲法記念日 振替休日"
