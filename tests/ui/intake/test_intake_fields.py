"""Each field checks itself as typed or left; bad input never reaches the store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from desktop_app.db.models import Patient, SOCase
from desktop_app.services.postal import lookup
from desktop_app.ui.intake.postal_row import NOT_FOUND


def _count(store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def on_patient_page(drive):
    drive.caller_self()
    return drive.wizard.patient


def test_furigana_becomes_full_width_katakana_on_leaving(drive, on_patient_page) -> None:
    page = on_patient_page
    drive.type(page.furigana, "やまだ　ﾀﾛｳ")
    assert page.furigana.editor.text() == "ヤマダ　タロウ"
    assert page.furigana.error.isHidden()


def test_birth_date_shows_wareki_seireki_and_age(drive, on_patient_page) -> None:
    page = on_patient_page
    for typed in ("S45.3.15", "1970/3/15", "昭和45年3月15日"):
        drive.type(page.birth, typed)
        assert "昭和45年3月15日（1970年3月15日）" in page.birth.note.text()
        assert "56歳" in page.birth.note.text()
        assert "未成年" not in page.birth.note.text()
    drive.type(page.birth, "2010/1/1")
    assert "未成年" in page.birth.note.text()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("birth", "平成31年5月1日", "平成は31年4月30日までです。"),
        ("birth", "2021/2/30", "存在しない日付です。"),
        ("birth", "R2.2.30", "存在しない日付です。"),
        ("postal", "053002", "郵便番号は7桁で入力してください。"),
        ("furigana", "山田太郎", "フリガナはカタカナで入力してください。"),
        ("phone", "12345", "電話番号は0から始まる10桁または11桁で入力してください。"),
    ],
)
def test_bad_input_is_named_beside_the_field_and_nothing_is_written(
    drive, on_patient_page, store, field, typed, message
) -> None:
    page = on_patient_page
    drive.type(page.name, "山田　太郎")
    drive.type(page.furigana, "ヤマダ　タロウ")
    drive.type(getattr(page, field), typed)
    row = getattr(page, field)
    assert row.error.text() == message
    assert row.error.isVisible()
    assert row.editor.property("invalid") is True
    drive.next()
    assert drive.page() == "patient"
    assert _count(store, Patient) == 0
    assert _count(store, SOCase) == 0


def test_required_fields_block_next_with_their_message(drive, on_patient_page) -> None:
    drive.next()
    assert drive.page() == "patient"
    assert on_patient_page.name.error.text() == "患者氏名を入力してください。"
    assert on_patient_page.furigana.error.text() == "フリガナを入力してください。"
    assert on_patient_page.name.editor.hasFocus()


def test_postal_code_fills_the_address(drive, on_patient_page) -> None:
    page = on_patient_page
    drive.type(page.postal, "0530022")
    assert page.address.editor.text() == "北海道苫小牧市表町"
    assert page.postal.editor.text() == "053-0022"


def test_an_unknown_postal_code_leaves_the_address_to_type(drive, on_patient_page) -> None:
    page = on_patient_page
    assert lookup("0538567") is None  # the hospital's own 大口事業所 code
    drive.type(page.name, "山田　太郎")
    drive.type(page.furigana, "ヤマダ　タロウ")
    drive.type(page.postal, "053-8567")
    assert page.postal.note.text() == NOT_FOUND
    assert page.postal.error.isHidden()
    assert page.address.editor.text() == ""
    drive.type(page.address, "北海道苫小牧市清水町1-5-20")
    drive.next()
    assert drive.page() == "doctor"
    assert drive.wizard.patient.values().address == "北海道苫小牧市清水町1-5-20"


def test_enter_moves_to_the_next_field(drive, on_patient_page) -> None:
    page = on_patient_page
    drive.type(page.name, "山田　太郎")
    assert page.furigana.editor.hasFocus()


def test_enter_is_left_to_the_input_method_while_converting(drive, on_patient_page) -> None:
    page = on_patient_page
    edit = page.name.editor
    drive.focus(edit)
    QApplication.sendEvent(edit, QInputMethodEvent("やまだ", []))
    drive.qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.hasFocus()
    assert drive.page() == "patient"
    commit = QInputMethodEvent("", [])
    commit.setCommitString("山田")
    QApplication.sendEvent(edit, commit)
    drive.qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert page.furigana.editor.hasFocus()
    assert edit.text() == "山田"


def test_back_keeps_everything_typed(drive, on_patient_page) -> None:
    drive.wizard.caller.values()
    drive.patient()
    assert drive.page() == "doctor"
    drive.type(drive.wizard.doctor.institution, "みなと内科クリニック")
    drive.qtbot.keyClick(drive.wizard.back_button, Qt.Key.Key_Space)
    assert drive.page() == "patient"
    assert on_patient_page.name.editor.text() == "山田　太郎"
    assert on_patient_page.address.editor.text() == "北海道苫小牧市表町1-1-1"
    drive.next()
    assert drive.wizard.doctor.institution.editor.text() == "みなと内科クリニック"


def test_doctor_not_told_shows_the_reminder(drive, on_patient_page) -> None:
    drive.patient()
    page = drive.wizard.doctor
    assert not page.reminder.isVisible()
    drive.choose(page.informed, "no")
    assert page.reminder.isVisible()


def test_referrer_autocomplete_comes_from_the_master(
    qtbot, runner, make_case, model_tester
) -> None:
    from desktop_app.ui.intake.wizard import IntakeWizard

    make_case()
    wizard = IntakeWizard(runner)
    qtbot.addWidget(wizard)
    page = wizard.doctor
    model = page.institution_completer.model()
    model_tester(model)
    assert model.stringList() == ["みなと内科クリニック"]
    page.institution.editor.setText("みなと内科クリニック")
    page.institution.editor.editingFinished.emit()
    assert page.doctor_completer.model().stringList() == ["北村　誠司"]
