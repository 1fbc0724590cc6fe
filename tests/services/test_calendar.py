"""Calendar read side: closures named, windows, appointment states, the day list, waiting cases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from desktop_app.db.models import (
    Appointment,
    CaseDocument,
    ClinicClosure,
    Department,
    Doctor,
    DoctorAvailability,
    SOCase,
)
from desktop_app.domain.appointment_state import AppointmentState
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.booking import book, cancel_appointment, reschedule
from desktop_app.services.booking_targets import booking_target, waiting_cases
from desktop_app.services.calendar import calendar_range, day_list
from desktop_app.services.store import Store

T = dt.time
NOW = dt.datetime(2026, 11, 25, 9, 0)  # a Wednesday
DEC1, DEC3 = dt.date(2026, 12, 1), dt.date(2026, 12, 3)  # Tuesday, Thursday
RESP, SURG, DR_A, DR_B, DR_S = 1, 2, 11, 12, 21


@pytest.fixture
def clinic(store: Store) -> Store:
    """呼吸器内科: A on Tuesdays 14–16, B on Thursdays 10–11; 外科: S on Tuesdays 9–10."""
    with store.transaction() as session:
        session.add(Department(id=RESP, name="呼吸器内科", sort_order=1))
        session.add(Department(id=SURG, name="外科", sort_order=2))
        session.add(Doctor(id=DR_A, department_id=RESP, name="青木 一郎"))
        session.add(Doctor(id=DR_B, department_id=RESP, name="馬場 二郎"))
        session.add(Doctor(id=DR_S, department_id=SURG, name="佐藤 三郎"))
        session.add(DoctorAvailability(doctor_id=DR_A, weekday=1, start_time=T(14), end_time=T(16)))
        session.add(DoctorAvailability(doctor_id=DR_B, weekday=3, start_time=T(10), end_time=T(11)))
        session.add(DoctorAvailability(doctor_id=DR_S, weekday=1, start_time=T(9), end_time=T(10)))
        session.add(ClinicClosure(date=dt.date(2026, 12, 10), reason="院内研修"))
    return store


def _waiting(store: Store, make_case, **kw) -> int:
    case = make_case(**kw)
    with store.transaction() as session:
        row = session.get(SOCase, case.id)
        assert row is not None
        row.stage, row.decision = Stage.DOCTOR_REVIEW, Decision.ACCEPTED
        row.desired_department_id = RESP
    return case.id


def test_closures_are_named_holidays_year_end_and_the_hospitals_own(clinic: Store) -> None:
    data = calendar_range(clinic, dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert [d.closure for d in data.days] == [
        "勤労感謝の日",  # a national holiday on a Monday
        "",
        "",
        "",
        "",
        "土曜日",
        "日曜日",
    ]
    assert data.day(dt.date(2026, 11, 23)).windows == ()  # no hours on a holiday
    year_end = calendar_range(clinic, dt.date(2026, 12, 28), dt.date(2027, 1, 4))
    assert [d.closure for d in year_end.days] == [
        "",
        "年末年始・病院休診日",
        "年末年始・病院休診日",
        "年末年始・病院休診日",
        "元日",
        "土曜日",
        "日曜日",
        "",
    ]
    own = calendar_range(clinic, dt.date(2026, 12, 10), dt.date(2026, 12, 10))
    assert own.days[0].closure == "院内研修"


def test_windows_per_doctor_and_filters(clinic: Store) -> None:
    data = calendar_range(clinic, DEC1, DEC3)
    tuesday = data.day(DEC1)
    assert {(w.doctor_id, w.start, w.end) for w in tuesday.windows} == {
        (DR_A, T(14), T(16)),
        (DR_S, T(9), T(10)),
    }
    assert [(w.doctor_id, w.start) for w in data.day(DEC3).windows] == [(DR_B, T(10))]
    resp = calendar_range(clinic, DEC1, DEC3, department_id=RESP)
    assert [d.name for d in resp.doctors] == ["青木 一郎", "馬場 二郎"]
    assert {w.doctor_id for d in resp.days for w in d.windows} == {DR_A, DR_B}
    one = calendar_range(clinic, DEC1, DEC3, doctor_id=DR_B)
    assert [d.id for d in one.doctors] == [DR_B]


def test_states_of_appointments(clinic: Store, make_case) -> None:
    waiting = _waiting(clinic, make_case, name="資料　待子")
    complete = _waiting(clinic, make_case, name="資料　揃子")
    arrived = _waiting(clinic, make_case, name="来院　済子")
    cancelled = _waiting(clinic, make_case, name="取消　花子")
    absent = _waiting(clinic, make_case, name="無断　欠子")
    for k, case_id in enumerate((waiting, complete, arrived, cancelled, absent)):
        start = T(14 + k // 2, 30 * (k % 2))  # the last one, 16:00, after the doctor's hours
        book(
            clinic,
            case_id,
            doctor_id=DR_A,
            date=DEC1,
            start=start,
            override_reason="延長枠",
            now=NOW,
        )
    with clinic.transaction() as session:
        for doc in session.scalars(select(CaseDocument).where(CaseDocument.case_id == complete)):
            doc.received_on = NOW.date()
        row = session.scalars(select(Appointment).where(Appointment.case_id == arrived)).one()
        row.checked_in_at = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
        ids = {a.case_id: a.id for a in session.scalars(select(Appointment))}
    cancel_appointment(clinic, ids[cancelled], reason="体調不良")
    cancel_appointment(clinic, ids[absent], reason="", no_show=True)
    data = calendar_range(clinic, DEC1, DEC1)
    states = {a.patient: (a.state, f"{a.start:%H:%M}", a.end) for a in data.appointments}
    assert states == {
        "資料　待子": (AppointmentState.WAITING_MATERIALS, "14:00", T(14, 30)),
        "資料　揃子": (AppointmentState.BOOKED, "14:30", T(15)),
        "来院　済子": (AppointmentState.CHECKED_IN, "15:00", T(15, 30)),
        "取消　花子": (AppointmentState.CANCELLED, "15:30", T(16)),
        "無断　欠子": (AppointmentState.NO_SHOW, "16:00", T(16, 30)),
    }
    first = data.appointments[0]
    assert (first.case_id, first.doctor, first.department) == (waiting, "青木 一郎", "呼吸器内科")
    assert first.case_number


def test_a_reschedule_leaves_a_moved_row_and_the_new_one(clinic: Store, make_case) -> None:
    case_id = _waiting(clinic, make_case)
    detail = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    assert detail.appointment is not None
    reschedule(clinic, detail.appointment.id, doctor_id=DR_B, date=DEC3, start=T(10), now=NOW)
    data = calendar_range(clinic, DEC1, DEC3)
    assert [(a.date, a.moved, a.state.is_live) for a in data.appointments] == [
        (DEC1, True, False),
        (DEC3, False, True),
    ]


def test_one_query_per_kind_not_per_appointment(clinic: Store, make_case) -> None:
    def count_queries() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(clinic.engine, "before_cursor_execute", listener)
        try:
            calendar_range(clinic, DEC1, DEC3)
        finally:
            event.remove(clinic.engine, "before_cursor_execute", listener)
        return len(statements)

    case_id = _waiting(clinic, make_case)
    book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    one = count_queries()
    for k, start in enumerate((T(14, 30), T(15), T(15, 30))):
        other = _waiting(clinic, make_case, name=f"患者　{k}")
        book(clinic, other, doctor_id=DR_A, date=DEC1, start=start, now=NOW)
    assert count_queries() == one


def test_day_list_marks_materials_and_arrival(clinic: Store, make_case) -> None:
    first = _waiting(clinic, make_case, name="一番　目子")
    second = _waiting(clinic, make_case, name="二番　目子")
    book(clinic, second, doctor_id=DR_A, date=DEC1, start=T(15), now=NOW)
    book(clinic, first, doctor_id=DR_S, date=DEC1, start=T(9), now=NOW)
    with clinic.transaction() as session:
        for doc in session.scalars(select(CaseDocument).where(CaseDocument.case_id == second)):
            doc.received_on = NOW.date()
        row = session.scalars(select(Appointment).where(Appointment.case_id == second)).one()
        row.checked_in_at = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    rows = day_list(clinic, DEC1)
    assert [(r.start, r.patient, r.doctor, r.materials_complete, r.checked_in) for r in rows] == [
        (T(9), "一番　目子", "佐藤 三郎", False, False),
        (T(15), "二番　目子", "青木 一郎", True, True),
    ]
    assert rows[0].department == "外科"


def test_waiting_cases_are_accepted_and_without_a_live_booking(clinic: Store, make_case) -> None:
    booked = _waiting(clinic, make_case, name="予約　済男")
    waiting = _waiting(clinic, make_case, name="予約　待男")
    make_case(name="未判断　男")  # not yet decided
    book(clinic, booked, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    found = waiting_cases(clinic)
    assert [(w.case_id, w.patient, w.desired_department) for w in found] == [
        (waiting, "予約　待男", "呼吸器内科")
    ]
    target = booking_target(clinic, booked)
    assert target.appointment is not None and target.appointment.start == T(14)
    assert target.department_id == RESP
    assert booking_target(clinic, waiting).appointment is None
