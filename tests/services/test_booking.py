"""Booking service: slots, refusals, warnings with a reason, due dates, reschedule, cancel."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.db.models import (
    Appointment,
    AuditEntry,
    Department,
    Doctor,
    DoctorAvailability,
    DoctorHoursException,
    SOCase,
)
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.slots import HoursChange
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.booking import (
    SLOT_TAKEN,
    BookingWarning,
    book,
    cancel_appointment,
    find_free_slots,
    mark_notified,
    reschedule,
)
from desktop_app.services.cases import get_case
from desktop_app.services.paper_trail import receive_many
from desktop_app.services.store import Store, open_store

T = dt.time
NOW = dt.datetime(2026, 11, 25, 9, 0)  # a Wednesday
DEC1 = dt.date(2026, 12, 1)  # a Tuesday
RESP, DR_A, DR_B = 1, 11, 12


@pytest.fixture
def clinic(store: Store) -> Store:
    """呼吸器内科 with two doctors: A on Tuesdays 14–16, B on Thursdays 10–11."""
    with store.transaction() as session:
        session.add(Department(id=RESP, name="呼吸器内科"))
        session.add(Doctor(id=DR_A, department_id=RESP, name="青木 一郎"))
        session.add(Doctor(id=DR_B, department_id=RESP, name="馬場 二郎"))
        session.add(DoctorAvailability(doctor_id=DR_A, weekday=1, start_time=T(14), end_time=T(16)))
        session.add(DoctorAvailability(doctor_id=DR_B, weekday=3, start_time=T(10), end_time=T(11)))
    return store


def _accepted(store: Store, case_id: int) -> None:
    """The specialist said yes (the decision service is another module's test)."""
    with store.transaction() as session:
        case = session.get(SOCase, case_id)
        assert case is not None
        case.stage, case.decision = Stage.DOCTOR_REVIEW, Decision.ACCEPTED


def _waiting_case(make_case, store: Store, **kw) -> int:
    case = make_case(**kw)
    _accepted(store, case.id)
    return case.id


def _history(store: Store, case_id: int) -> list[str]:
    return [h.summary for h in get_case(store, case_id).history]


def test_free_slots_of_a_department_in_time_order(clinic: Store) -> None:
    slots = find_free_slots(clinic, department_id=RESP, now=NOW, limit=6)
    assert [(s.doctor, s.date.isoformat(), f"{s.start:%H:%M}", s.extendable) for s in slots] == [
        ("馬場 二郎", "2026-11-26", "10:00", True),
        ("馬場 二郎", "2026-11-26", "10:30", False),
        ("青木 一郎", "2026-12-01", "14:00", True),
        ("青木 一郎", "2026-12-01", "14:30", True),
        ("青木 一郎", "2026-12-01", "15:00", True),
        ("青木 一郎", "2026-12-01", "15:30", False),
    ]
    assert {s.department for s in slots} == {"呼吸器内科"}
    # Thursday's materials would be due 11/20, already past; Tuesday's are due 11/27.
    assert [s.materials_in_time for s in slots] == [False, False, True, True, True, True]


def test_slots_start_today_and_keep_a_preset_slot_past_the_list(clinic: Store) -> None:
    """日時変更 and 予約… list the same slots, from today on; the slot clicked in the calendar
    (the preset) is in the list too when it lies past the list's end, in its place."""
    plain = find_free_slots(clinic, department_id=RESP, now=NOW, limit=4)
    feb2 = dt.date(2027, 2, 2)  # a Tuesday past the six weeks
    for preset in ((DR_A, DEC1, T(15, 30)), (DR_A, feb2, T(15))):
        slots = find_free_slots(clinic, department_id=RESP, now=NOW, limit=4, preset=preset)
        assert slots[:4] == plain  # earlier days first, as without a preset
        assert [(s.doctor_id, s.date, s.start) for s in slots[4:]] == [preset]
    # Already in the list: nothing added; not a free slot of these doctors: nothing either.
    inside = (DR_B, dt.date(2026, 11, 26), T(10, 30))
    assert find_free_slots(clinic, department_id=RESP, now=NOW, limit=4, preset=inside) == plain
    for nowhere in ((DR_A, feb2, T(9)), (DR_B, feb2, T(15)), (99, feb2, T(15))):
        assert (
            find_free_slots(clinic, department_id=RESP, now=NOW, limit=4, preset=nowhere) == plain
        )


def test_leave_removes_a_day_and_a_booking_its_slot(clinic: Store, make_case) -> None:
    with clinic.transaction() as session:
        session.add(
            DoctorHoursException(doctor_id=DR_B, date=dt.date(2026, 11, 26), kind=HoursChange.LEAVE)
        )
    case_id = _waiting_case(make_case, clinic)
    book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    slots = find_free_slots(clinic, doctor_ids=(DR_B, DR_A), now=NOW, limit=3)
    assert [(s.doctor_id, s.date.day, f"{s.start:%H:%M}") for s in slots] == [
        (DR_A, 1, "14:30"),
        (DR_A, 1, "15:00"),
        (DR_A, 1, "15:30"),
    ]


def test_booking_sets_due_dates_moves_the_case_and_is_in_the_history(
    clinic: Store, make_case
) -> None:
    case_id = _waiting_case(make_case, clinic)
    detail = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), minutes=60, now=NOW)
    assert detail.stage is Stage.BOOKED
    assert detail.doctor == "青木 一郎"
    referral = next(d for d in detail.documents if d.kind is DocumentKind.REFERRAL_LETTER)
    # 3 days before Tuesday 12/1 is Saturday 11/28: pulled back to Friday 11/27.
    assert referral.due_date == dt.date(2026, 11, 27)
    assert "予約：12月1日 14:00（60分） 青木 一郎（担当医確認 → 予約確定）" in _history(
        clinic, case_id
    )


def test_a_case_without_an_accepted_decision_cannot_be_booked(clinic: Store, make_case) -> None:
    case = make_case()
    with pytest.raises(ValidationError, match="受入"):
        book(clinic, case.id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)


@pytest.mark.parametrize(
    ("date", "start", "needle"),
    [
        (dt.date(2026, 12, 29), T(14), "休診日"),  # a Tuesday in the year-end closure
        (dt.date(2026, 11, 24), T(14), "過去"),
    ],
)
def test_refused_outright(clinic: Store, make_case, date, start, needle) -> None:
    case_id = _waiting_case(make_case, clinic)
    with pytest.raises(ValidationError, match=needle):
        book(clinic, case_id, doctor_id=DR_A, date=date, start=start, now=NOW)
    assert get_case(clinic, case_id).appointment is None


def test_the_same_doctor_at_the_same_time_is_refused(clinic: Store, make_case) -> None:
    first = _waiting_case(make_case, clinic)
    second = _waiting_case(make_case, clinic, name="佐藤　花", furigana="サトウ　ハナ")
    book(clinic, first, doctor_id=DR_A, date=DEC1, start=T(14), minutes=60, now=NOW)
    with pytest.raises(ValidationError, match="14:00から別の予約"):
        book(clinic, second, doctor_id=DR_A, date=DEC1, start=T(14, 30), now=NOW)


def test_warnings_need_a_reason_which_goes_into_the_history(clinic: Store, make_case) -> None:
    case_id = _waiting_case(make_case, clinic)
    # Outside A's hours, and so soon that the materials' due date (11/23 → 11/20) is past.
    with pytest.raises(BookingWarning) as warned:
        book(clinic, case_id, doctor_id=DR_A, date=dt.date(2026, 11, 26), start=T(9), now=NOW)
    assert warned.value.warnings == (
        "担当医のセカンドオピニオン枠の時間外です。",
        "資料の提出期限（11月20日）をすでに過ぎている日程です。",
    )
    assert get_case(clinic, case_id).appointment is None
    book(
        clinic,
        case_id,
        doctor_id=DR_A,
        date=dt.date(2026, 11, 26),
        start=T(9),
        now=NOW,
        override_reason="先生の了承済み",
    )
    assert any("理由：先生の了承済み" in s for s in _history(clinic, case_id))


def test_the_checklist_follows_the_age_on_the_appointment_day(clinic: Store, make_case) -> None:
    # 17 at the call, 18 on the day: the consent replaces the relationship proof.
    case_id = _waiting_case(
        make_case,
        clinic,
        birth_date=dt.date(2008, 11, 30),
        attendance=Attendance.FAMILY_ONLY,
        relationship=Relationship.PARENT,
        today=NOW.date(),
    )
    before = {d.kind for d in get_case(clinic, case_id).documents if d.direction is Direction.IN}
    assert DocumentKind.RELATIONSHIP_PROOF in before and DocumentKind.CONSENT not in before
    detail = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    docs = {d.kind: d for d in detail.documents if d.direction is Direction.IN}
    assert docs[DocumentKind.CONSENT].required and docs[DocumentKind.CONSENT].due_date
    assert docs[DocumentKind.RELATIONSHIP_PROOF].waived_on is not None


def test_reschedule_keeps_the_old_row_frees_the_slot_and_moves_due_dates(
    clinic: Store, make_case
) -> None:
    case_id = _waiting_case(make_case, clinic)
    detail = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    assert detail.appointment is not None
    moved = reschedule(
        clinic,
        detail.appointment.id,
        doctor_id=DR_A,
        date=dt.date(2026, 12, 8),
        start=T(15),
        now=NOW,
    )
    referral = next(d for d in moved.documents if d.kind is DocumentKind.REFERRAL_LETTER)
    assert referral.due_date == dt.date(2026, 12, 4)
    with clinic.read() as session:
        rows = session.scalars(select(Appointment).order_by(Appointment.id)).all()
        assert [(r.date.day, r.cancelled, r.cancel_reason) for r in rows] == [
            (1, True, "日時変更"),
            (8, False, ""),
        ]
    other = _waiting_case(make_case, clinic, name="佐藤　花", furigana="サトウ　ハナ")
    book(clinic, other, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)  # the freed slot
    assert any("12月1日 14:00（30分） → 12月8日 15:00" in s for s in _history(clinic, case_id))


def test_cancel_frees_the_slot_and_the_case_waits_or_ends(clinic: Store, make_case) -> None:
    case_id = _waiting_case(make_case, clinic)
    appt = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW).appointment
    assert appt is not None
    with pytest.raises(ValidationError, match="理由"):
        cancel_appointment(clinic, appt.id, reason=" ")
    waiting = cancel_appointment(clinic, appt.id, reason="体調不良のため延期")
    assert waiting.stage is Stage.DOCTOR_REVIEW and waiting.appointment is None
    with pytest.raises(ValidationError, match="すでにキャンセル"):
        cancel_appointment(clinic, appt.id, reason="二度目")
    again = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW).appointment
    assert again is not None
    ended = cancel_appointment(clinic, again.id, reason="", no_show=True, end_case=True)
    assert ended.stage is Stage.CANCELLED and ended.end_reason == "無断キャンセル"
    with clinic.read() as session:
        assert session.get(Appointment, again.id).no_show is True


def test_notified_records_when_and_how(clinic: Store, make_case) -> None:
    case_id = _waiting_case(make_case, clinic)
    appt = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW).appointment
    assert appt is not None
    mark_notified(clinic, appt.id, on=dt.date(2026, 11, 25), channel=Channel.FAX, doctor_too=True)
    with clinic.read() as session:
        row = session.get(Appointment, appt.id)
        assert (row.notified_on, row.notified_channel, row.doctor_notified_on) == (
            dt.date(2026, 11, 25),
            Channel.FAX,
            dt.date(2026, 11, 25),
        )
        actions = [
            e.action
            for e in session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id))
        ]
    assert actions[-1] == "appointment.notify"


def test_the_database_refuses_a_second_live_booking_of_one_slot(clinic: Store, make_case) -> None:
    first, second = make_case().id, make_case(name="佐藤　花", furigana="サトウ　ハナ").id
    with pytest.raises(ConflictError, match=SLOT_TAKEN), clinic.transaction() as session:
        for case_id in (first, second):
            session.add(Appointment(case_id=case_id, doctor_id=DR_A, date=DEC1, start_time=T(14)))
    with clinic.transaction() as session:  # a cancelled one does not hold the slot
        session.add(
            Appointment(case_id=first, doctor_id=DR_A, date=DEC1, start_time=T(14), cancelled=True)
        )
        session.add(Appointment(case_id=second, doctor_id=DR_A, date=DEC1, start_time=T(14)))


def test_two_desks_racing_for_one_slot_exactly_one_wins(
    clinic: Store, make_case, db_path: Path
) -> None:
    cases = [
        _waiting_case(make_case, clinic, name=f"患者　{k}", furigana="カンジャ") for k in range(2)
    ]
    desks = [open_store(db_path, staff=f"desk{k}") for k in range(2)]
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def desk(k: int) -> None:
        barrier.wait()
        try:
            book(desks[k], cases[k], doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
            outcome.append("booked")
        except ValidationError as exc:
            outcome.append(str(exc))

    threads = [threading.Thread(target=desk, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in desks:
        d.close()
    assert sorted(outcome)[0] == "booked" and outcome.count("booked") == 1
    with clinic.read() as session:
        live = session.scalars(select(Appointment).where(Appointment.cancelled.is_(False))).all()
        assert len(live) == 1


def test_a_case_with_every_paper_in_goes_straight_to_materials_received(
    clinic: Store, make_case
) -> None:
    case_id = _waiting_case(make_case, clinic)
    detail = get_case(clinic, case_id)
    needed = [d.id for d in detail.documents if d.direction is Direction.IN and d.required]
    receive_many(clinic, case_id, needed, on=NOW.date(), channel=Channel.MAIL)
    booked = book(clinic, case_id, doctor_id=DR_A, date=DEC1, start=T(14), now=NOW)
    assert booked.stage is Stage.MATERIALS_RECEIVED


def test_no_slots_from_a_department_no_longer_in_use(clinic: Store) -> None:
    with clinic.transaction() as session:
        department = session.get(Department, RESP)
        assert department is not None
        department.active = False
    assert find_free_slots(clinic, doctor_ids=(DR_A, DR_B), now=NOW) == ()
