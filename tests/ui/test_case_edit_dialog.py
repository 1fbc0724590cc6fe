from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.errors import CONFLICT_MESSAGE
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import create_case, get_case, move_stage
from desktop_app.services.dto import NewCase
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.case_edit_dialog import TAB_MAIL, TAB_PATIENT, CaseEditDialog
from desktop_app.ui.case_list import CaseListPage
from tests.ui.conftest import type_japanese
from tests.ui.modals import answer_modals, click


def _audit_count(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.fixture
def dialog_for(qtbot, runner: ServiceRunner):
    def make(case_id: int) -> CaseEditDialog:
        dialog = CaseEditDialog(runner, case_id)
        qtbot.addWidget(dialog)
        assert dialog.load()
        return dialog

    return make


def test_shows_what_intake_stored(make_case, dialog_for) -> None:
    case = make_case()
    dialog = dialog_for(case.id)
    assert dialog.name.editor.text() == "山田　太郎"
    assert dialog.phone.editor.text() == "0144-11-2233"
    assert dialog.postal.editor.text() == "053-0022"
    assert dialog.birth.editor.text() == "昭和45年3月15日"
    assert dialog.institution.editor.text() == "みなと内科クリニック"
    assert not dialog.caller_name.editor.isEnabled()  # the patient called for themselves
    assert dialog.shared_note.isHidden() and dialog.closed_note.isHidden()


def test_corrected_furigana_is_found_by_the_case_list(
    qtbot, store, runner, make_case, dialog_for
) -> None:
    case = make_case()
    dialog = dialog_for(case.id)
    dialog.furigana.editor.clear()
    type_japanese(dialog.furigana.editor, "やまだ　たろお")
    with qtbot.waitSignal(runner.changed):
        assert dialog.save() is not None
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_case(store, case.id).patient.furigana == "ヤマダ　タロオ"

    page = CaseListPage(runner)
    qtbot.addWidget(page)
    type_japanese(page.search_edit, "たろお")
    qtbot.waitUntil(lambda: page.count_label.text() == "1件")
    page.search_edit.clear()
    type_japanese(page.search_edit, "たろう")
    qtbot.waitUntil(lambda: page.count_label.text() == "0件")


def test_bad_furigana_is_shown_beside_the_field_and_nothing_written(
    qtbot, store, make_case, dialog_for, shown_errors
) -> None:
    case = make_case()
    dialog = dialog_for(case.id)
    dialog.tabs.setCurrentIndex(TAB_MAIL)
    dialog.furigana.editor.clear()
    qtbot.keyClicks(dialog.furigana.editor, "Yamada")
    before = _audit_count(store)
    assert dialog.save() is None
    assert dialog.error_texts() == {"furigana": "フリガナはカタカナで入力してください。"}
    assert dialog.tabs.currentIndex() == TAB_PATIENT
    assert shown_errors == []  # beside the field, not in a message box
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert _audit_count(store) == before
    assert get_case(store, case.id).patient.furigana == "ヤマダ　タロウ"


def test_impossible_birth_date_and_missing_mail_address(
    qtbot, store, make_case, dialog_for
) -> None:
    case = make_case()
    dialog = dialog_for(case.id)
    dialog.birth.editor.setText("S45.2.30")
    assert dialog.save() is None
    assert set(dialog.error_texts()) == {"birth_date"}
    dialog.birth.editor.setText("S45.3.15")
    dialog.mail_address.editor.clear()
    assert dialog.save() is None
    assert dialog.error_texts() == {"mail_address": "送付先の住所を入力してください。"}
    assert dialog.tabs.currentIndex() == TAB_MAIL
    assert get_case(store, case.id).version == case.version


def test_saving_unchanged_writes_nothing(store, make_case, dialog_for) -> None:
    case = make_case()
    before = _audit_count(store)
    dialog = dialog_for(case.id)
    assert dialog.save() is not None
    assert _audit_count(store) == before


def test_shared_patient_and_closed_case_are_said(store, make_case, dialog_for) -> None:
    first = make_case()
    second = create_case(store, NewCase(existing_patient_id=first.patient.id))
    move_stage(store, second.id, Stage.CANCELLED, reason="都合")
    dialog = dialog_for(second.id)
    assert not dialog.shared_note.isHidden()
    assert "この患者さんの他の案件にも反映されます" in dialog.shared_note.text()
    assert first.case_number in dialog.shared_note.text()
    assert "キャンセル" in dialog.closed_note.text() and not dialog.closed_note.isHidden()


def test_another_desk_first_is_told_and_reloaded(
    store, make_case, dialog_for, shown_errors
) -> None:
    case = make_case()
    dialog = dialog_for(case.id)
    move_stage(store, case.id, Stage.FORMS_SENT)
    dialog.name.editor.setText("山田　太朗")
    assert dialog.save() is None
    assert shown_errors == [CONFLICT_MESSAGE]
    assert dialog.name.editor.text() == "山田　太郎"  # reloaded: the other desk's state
    assert dialog.form_data is not None and dialog.form_data.stage is Stage.FORMS_SENT


def test_edit_button_on_the_case_detail(qtbot, store, runner, make_case) -> None:
    case = make_case()
    detail = CaseDetailDialog(runner, case.id)
    qtbot.addWidget(detail)
    assert detail.load()

    def rename(dialog) -> None:
        assert isinstance(dialog, CaseEditDialog), type(dialog)
        assert dialog.name.editor.text() == "山田　太郎"
        dialog.name.editor.setText("山田　太朗")
        click(dialog, "保存")

    asked = answer_modals(rename)
    detail.edit_button.click()
    assert asked.pending == 0
    assert detail.name_label.text() == "山田　太朗 様"
    assert detail.detail is not None
    assert "患者氏名" in detail.detail.history[-1].summary


def test_the_received_date_is_corrected_on_the_content_tab(
    qtbot, store, runner, make_case, dialog_for
) -> None:
    """受付日 (#25): shown on the 相談内容 tab, corrected there, kept in the history."""
    import datetime as dt

    from PySide6.QtCore import QDate

    case = make_case()
    dialog = dialog_for(case.id)
    edit = dialog.received.editor
    assert edit.date() == QDate(2026, 12, 3)
    edit.setDate(QDate(2026, 12, 9))
    assert edit.date() == QDate(2026, 12, 3), "not after today"
    edit.setDate(QDate(2026, 11, 30))
    with qtbot.waitSignal(runner.changed):
        assert dialog.save() is not None
    saved = get_case(store, case.id)
    assert saved.received_on == dt.date(2026, 11, 30)
    assert "受付日" in saved.history[-1].summary
