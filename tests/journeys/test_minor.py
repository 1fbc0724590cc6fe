"""A minor patient whose parent comes alone: a document showing the relationship (e.g. 健康保険証)
stands in for the patient's 相談同意書, from the intake to the day of the session."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain import clock
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.stages import Decision, Stage
from tests.journeys.desk import Call, Desk

# The offscreen platform says this when a popup (the completer's, a menu) shows; not ours.
pytestmark = pytest.mark.qt_log_ignore("does not support grabbing the keyboard", extend=True)

PROOF = DocumentKind.RELATIONSHIP_PROOF


def _parent_calls(birth: dt.date) -> Call:
    return Call(
        relationship=Relationship.PARENT,
        relation="母",
        caller_name="佐藤　恵",
        caller_furigana="さとう　めぐみ",
        caller_phone="09012345678",
        patient_name="佐藤　陽菜",
        patient_furigana="さとう　ひな",
        birth=f"{birth.year}/{birth.month}/{birth.day}",
        referrer_department="小児科",
        attendance=Attendance.FAMILY_ONLY,
    )


def _incoming(case) -> dict[DocumentKind, object]:
    return {d.kind: d for d in case.documents if d.direction is Direction.IN}


def _outgoing(case) -> set[DocumentKind]:
    return {d.kind for d in case.documents if d.direction is Direction.OUT}


def test_a_minor_s_parent_brings_proof_of_relationship_instead_of_consent(desk: Desk) -> None:
    today = clock.today()
    birth = dt.date(today.year - 14, 4, 1)
    age = 14 if (today.month, today.day) >= (4, 1) else 13
    case = desk.take_call(_parent_calls(birth))

    # What the intake told the clerk to say on the phone.
    attendance = desk.wizard.attendance
    assert f"未成年（{age}歳）" in attendance.notice.text()
    assert "続柄確認書類" in attendance.incoming_label.text()
    assert "相談同意書" not in attendance.mailout_label.text()
    assert "未成年" in desk.wizard.confirm.sections["patient"].text()

    assert case.caller is not None and case.caller.relationship is Relationship.PARENT
    assert case.caller.relation == "母"
    assert type(case.attendance) is Attendance and case.attendance is Attendance.FAMILY_ONLY
    incoming = _incoming(case)
    assert PROOF in incoming and DocumentKind.CONSENT not in incoming
    assert incoming[PROOF].required
    assert DocumentKind.CONSENT_FORM not in _outgoing(case)

    desk.print_packet("郵送で送付した")
    assert desk.case(case.id).stage is Stage.FORMS_SENT

    # The application and a copy of the insurance card come back together.
    desk.receive(case.case_number, ["セカンドオピニオン外来申込書", "続柄確認書類"], how="郵送")
    case = desk.case(case.id)
    assert case.stage is Stage.APPLICATION_RECEIVED
    assert _incoming(case)[PROOF].received_on == today

    window = desk.open_case(case.case_number)
    desk.decide(window, Decision.ACCEPTED)
    slot = desk.book(window)
    desk.close_window(window)
    case = desk.case(case.id)
    assert case.stage is Stage.BOOKED
    # Still a minor on the appointment day: the proof stays what is asked, nothing is added.
    incoming = _incoming(case)
    assert DocumentKind.CONSENT not in incoming and incoming[PROOF].waived_on is None

    desk.receive(case.case_number, ["専用診療情報提供書（紹介状）"], how="持参")
    assert desk.case(case.id).stage is Stage.MATERIALS_RECEIVED

    # The day: 当日受付 from the calendar's 本日の予約; no reason is asked (no dialog opens),
    # since nothing required is missing: the proof stood in for the consent.
    desk.move_clock_to(dt.datetime.combine(slot.date, slot.start) - dt.timedelta(minutes=15))
    page = desk.calendar()
    day_list = page.day_panel
    assert day_list.day() == slot.date
    [row] = day_list.rows
    assert row.case_id == case.id and row.materials_complete
    day_list.table.selectRow(0)
    assert day_list.check_in_button.isEnabled()
    day_list.check_in_button.click()
    case = desk.case(case.id)
    assert case.stage is Stage.CHECKED_IN
    assert case.appointment is not None and case.appointment.checked_in
    [entry] = [h for h in case.history if h.summary.startswith("当日受付")]
    assert "未着" not in entry.summary
    assert day_list.rows[0].checked_in


def test_a_patient_who_comes_of_age_before_the_appointment_needs_consent_after_all(
    desk: Desk,
) -> None:
    """17 on the day of the call, 18 on the day of the session (the guide: under 18 on the
    appointment day): booking the date asks for the consent, and the proof is no longer needed."""
    today = clock.today()
    eighteenth = today + dt.timedelta(days=1)  # every bookable slot is later than this
    birth = eighteenth.replace(year=eighteenth.year - 18)
    case = desk.take_call(_parent_calls(birth))
    assert "未成年（17歳）" in desk.wizard.attendance.notice.text()
    incoming = _incoming(case)
    assert PROOF in incoming and DocumentKind.CONSENT not in incoming

    desk.print_packet("郵送で送付した")
    desk.receive(case.case_number, ["セカンドオピニオン外来申込書"])
    window = desk.open_case(case.case_number)
    desk.decide(window, Decision.ACCEPTED)
    slot = desk.book(window)
    desk.close_window(window)
    assert slot.date > eighteenth

    incoming = _incoming(desk.case(case.id))
    assert DocumentKind.CONSENT in incoming and incoming[DocumentKind.CONSENT].required
    assert incoming[DocumentKind.CONSENT].received_on is None
    assert incoming[PROOF].waived_on == today
    assert incoming[PROOF].waived_reason == "予約日の年齢では不要になりました"
