"""Whole intakes, by keyboard, from the first words to 登録."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, Caller, ContactLog, Patient, SOCase
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.stages import Stage
from desktop_app.services import drafts
from desktop_app.services.cases import get_case

MAILOUT = [
    DocumentKind.COVER_LETTER,
    DocumentKind.GUIDE,
    DocumentKind.APPLICATION_FORM,
    DocumentKind.REFERRAL_FORM,
]


def _count(store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _register(drive, wizard) -> None:
    assert drive.page() == "confirm"
    drive.qtbot.keyClick(wizard.register_button, Qt.Key.Key_Space)
    drive.qtbot.waitUntil(lambda: wizard.case is not None)


def _finish(drive, wizard, attendance: Attendance = Attendance.PATIENT) -> None:
    assert drive.page() == "attendance"
    drive.choose(wizard.attendance.attendance, attendance)
    drive.next()
    assert drive.page() == "mail"
    drive.next()
    _register(drive, wizard)


def _out(case) -> list[DocumentKind]:
    return [d.kind for d in case.documents if d.direction is Direction.OUT]


def _in(case) -> list[DocumentKind]:
    return [d.kind for d in case.documents if d.direction is Direction.IN]


def test_the_patient_calls_and_is_registered(drive, wizard, store) -> None:
    drive.caller_self()
    drive.patient()
    assert drive.page() == "doctor"
    drive.doctor()
    drive.content()
    assert drive.page() == "attendance"
    assert "セカンドオピニオン外来申込書" in wizard.attendance.incoming_label.text()
    _finish(drive, wizard)

    case = get_case(store, wizard.case.id)
    assert case.stage is Stage.INQUIRY
    assert case.caller is None
    assert case.patient.name == "山田　太郎"
    assert case.patient.furigana == "ヤマダ　タロウ"
    assert case.patient.birth_date.isoformat() == "1970-03-15"
    assert case.patient.address == "北海道苫小牧市表町1-1-1"
    assert case.patient.phone == "0144112233"
    assert case.referrer.institution == "みなと内科クリニック"
    assert case.referrer.doctor == "北村　誠司"
    assert case.primary_doctor_informed is True
    assert case.mail_address == "北海道苫小牧市表町1-1-1"
    assert _out(case) == MAILOUT
    assert DocumentKind.CONSENT not in _in(case)
    assert case.contacts[0].summary.startswith("電話受付")
    assert wizard.confirm.result.isVisible()
    assert case.case_number in wizard.confirm.result_label.text()
    assert drafts.load_draft(store) is None


def test_family_calls_and_the_patient_comes(drive, wizard, store) -> None:
    drive.caller_family("妻")
    drive.patient()
    drive.doctor()
    drive.content()
    _finish(drive, wizard, Attendance.PATIENT_AND_FAMILY)
    case = get_case(store, wizard.case.id)
    assert case.caller.relationship is Relationship.SPOUSE
    assert case.caller.relation == "妻"
    assert case.caller.name == "山田　花子"
    assert case.caller.furigana == "ヤマダ　ハナコ"
    assert case.caller.phone == "09012345678"
    assert case.attendance is Attendance.PATIENT_AND_FAMILY
    assert _out(case) == MAILOUT
    assert DocumentKind.CONSENT not in _in(case)


def test_family_alone_needs_the_patients_consent(drive, wizard, store) -> None:
    drive.caller_family("娘")
    drive.patient()
    drive.doctor()
    drive.content()
    drive.choose(wizard.attendance.attendance, Attendance.FAMILY_ONLY)
    assert "相談同意書" in wizard.attendance.notice.text()
    assert "相談同意書（用紙）" in wizard.attendance.mailout_label.text()
    drive.next()
    assert "相談同意書（用紙）" in wizard.mail.documents.text()
    drive.next()
    _register(drive, wizard)
    case = get_case(store, wizard.case.id)
    assert _out(case) == [*MAILOUT, DocumentKind.CONSENT_FORM]
    assert DocumentKind.CONSENT in _in(case)


def test_a_minor_brings_proof_of_relationship_instead(drive, wizard, store) -> None:
    drive.caller_family("母", "佐藤　恵")
    drive.patient(name="佐藤　陽菜", furigana="さとう　ひな", birth="2012/4/1")
    assert drive.page() == "doctor"
    drive.doctor()
    drive.content()
    drive.choose(wizard.attendance.attendance, Attendance.FAMILY_ONLY)
    assert "未成年（14歳）" in wizard.attendance.notice.text()
    assert "続柄確認書類" in wizard.attendance.incoming_label.text()
    assert "相談同意書" not in wizard.attendance.mailout_label.text()
    drive.next()
    drive.next()
    _register(drive, wizard)
    case = get_case(store, wizard.case.id)
    assert DocumentKind.RELATIONSHIP_PROOF in _in(case)
    assert DocumentKind.CONSENT not in _in(case)
    assert DocumentKind.CONSENT_FORM not in _out(case)


@pytest.mark.parametrize(
    ("code", "route_shown"),
    [("complaint", False), ("transfer", True), ("accident_lawsuit", False)],
)
def test_a_screening_hit_ends_as_excluded(drive, wizard, store, code, route_shown) -> None:
    drive.caller_self()
    drive.patient()
    drive.doctor()
    content = wizard.content
    drive.type(content.text, "相談したい", enter=False)
    drive.toggle(content.checks[code])
    assert content.hit_box.isVisible()
    assert ("一般外来のご案内" in content.hit_text.text()) is route_shown
    drive.next()  # blocked until the clerk decides
    assert drive.page() == "content"
    assert content.hit_error.isVisible()
    drive.qtbot.keyClick(content.confirm_button, Qt.Key.Key_Space)
    assert drive.page() == "confirm"
    assert wizard.confirm.banner.isVisible()
    assert "対象外として登録" in wizard.register_button.text()
    _register(drive, wizard)
    case = get_case(store, wizard.case.id)
    assert case.stage is Stage.EXCLUDED
    assert case.exclusion_code == code
    assert case.screening_answers[code] is True
    assert _out(case) == []


def test_unticking_the_answer_lets_the_intake_go_on(drive, wizard) -> None:
    drive.caller_self()
    drive.patient()
    drive.doctor()
    drive.toggle(wizard.content.checks["complaint"])
    drive.toggle(wizard.content.checks["complaint"])
    assert not wizard.content.hit_box.isVisible()
    drive.next()
    assert drive.page() == "attendance"


def test_someone_else_is_logged_as_an_enquiry_without_a_case(drive, wizard, store) -> None:
    caller = wizard.caller
    drive.choose(caller.relationship, "other")
    assert caller.third_party.isVisible()
    assert "ご本人またはご家族" in caller.script.text()
    drive.next()
    assert drive.page() == "caller"  # not eligible: no further pages
    drive.type(caller.name, "鈴木　一郎")
    drive.type(caller.phone, "0120-123-456")
    drive.qtbot.keyClick(caller.enquiry_button, Qt.Key.Key_Space)
    drive.qtbot.waitUntil(lambda: "問い合わせとして記録" in wizard.saved_label.text())
    assert _count(store, SOCase) == 0
    assert _count(store, Patient) == 0
    assert _count(store, Caller) == 0
    with store.read() as session:
        log = session.scalars(select(ContactLog)).one()
        entry = session.scalars(select(AuditEntry)).one()
    assert log.case_id is None
    assert "鈴木　一郎" in log.party
    assert entry.action == "enquiry.log"
    assert caller.current_relationship() is Relationship.SELF  # ready for the next call
    assert drafts.load_draft(store) is None


def test_print_the_packet_after_registering(drive, wizard, store) -> None:
    from desktop_app.domain.forms import FormKind

    drive.caller_self()
    drive.patient()
    for _ in range(4):
        drive.next()
    _register(drive, wizard)
    assert wizard.confirm.print_button.isVisible()
    assert wizard.confirm.print_button.hasFocus()
    dialog = wizard.print_packet()
    assert dialog is not None
    drive.qtbot.waitUntil(dialog.isVisible)
    assert dialog.form.kind == FormKind.PACKET
    assert dialog.form.case_id == wizard.case.id
    dialog.reject()
