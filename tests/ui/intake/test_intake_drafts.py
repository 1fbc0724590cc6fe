"""Nothing typed is lost: drafts, recovery, duplicates offered, failures at 登録."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import func, select

from desktop_app.db.models import Patient, SOCase
from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.services import drafts
from desktop_app.services.cases import get_case
from desktop_app.ui.intake import prompts
from desktop_app.ui.intake import wizard as wizard_module
from desktop_app.ui.intake.wizard import IntakeWizard
from desktop_app.ui.main_window import PAGE_INTAKE, MainWindow
from tests.ui.intake.conftest import Driver


def _count(store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_page_change_saves_the_draft(drive, store) -> None:
    drive.caller_family("妻")
    draft = drafts.load_draft(store)
    assert draft is not None
    assert draft.values["caller"]["name"] == "山田　花子"
    assert draft.page == 1


def test_the_timer_saves_what_changed(drive, wizard, store) -> None:
    wizard.autosave.setInterval(20)
    drive.type(wizard.caller.phone, "0144112233", enter=False)
    drive.qtbot.waitUntil(lambda: drafts.load_draft(store) is not None)
    assert drafts.load_draft(store).values["caller"]["phone"] == "0144112233"
    assert "下書きを保存しました" in wizard.saved_label.text()


def test_an_unfinished_intake_is_offered_back_on_the_next_start(
    qtbot, runner, store, monkeypatch
) -> None:
    wizard = IntakeWizard(runner)  # not handed to qtbot: this test destroys it itself
    wizard.setMinimumSize(1100, 760)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    drive = Driver(qtbot, wizard)
    drive.caller_family("娘")
    drive.patient()
    wizard.autosave.setInterval(20)  # a few seconds in use; short here
    drive.type(wizard.doctor.institution, "みなと内科クリニック", enter=False)
    qtbot.waitUntil(
        lambda: drafts.load_draft(store).values["doctor"]["institution"] == "みなと内科クリニック"
    )
    with qtbot.waitSignal(wizard.destroyed):
        wizard.deleteLater()  # gone without 登録

    asked = []
    monkeypatch.setattr(prompts, "ask_resume_draft", lambda _p, d: asked.append(d) or True)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()  # the draft is offered once the first page is on the screen
    qtbot.waitUntil(lambda: bool(asked))
    assert "山田　太郎" in prompts.draft_summary(asked[0])
    assert window.stack.currentIndex() == PAGE_INTAKE
    restored = window.intake
    assert restored.current_step().key == "doctor"
    assert restored.doctor.institution.editor.text() == "みなと内科クリニック"
    assert restored.patient.furigana.editor.text() == "ヤマダ　タロウ"
    assert restored.caller.name.editor.text() == "山田　花子"


def test_a_discarded_draft_is_gone(qtbot, store, monkeypatch) -> None:
    drafts.save_draft(store, {"patient": {"name": "山田　太郎"}}, page=1)
    monkeypatch.setattr(prompts, "ask_resume_draft", lambda _p, _d: False)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()  # the draft is offered once the first page is on the screen
    qtbot.waitUntil(lambda: drafts.load_draft(store) is None)
    assert window.intake.patient.name.editor.text() == ""


def test_a_failure_at_register_keeps_the_draft_and_writes_nothing(
    drive, wizard, store, monkeypatch
) -> None:
    def refuse(_store, _new):
        raise ValidationError("データベースが使用中です。")

    monkeypatch.setattr(wizard_module, "create_case", refuse)
    drive.caller_self()
    drive.patient()
    drive.next()
    drive.next()
    drive.next()
    drive.next()
    assert drive.page() == "confirm"
    drive.qtbot.keyClick(wizard.register_button, Qt.Key.Key_Space)
    assert "データベースが使用中です" in wizard.error_label.text()
    assert wizard.case is None
    assert drafts.load_draft(store).values["patient"]["name"] == "山田　太郎"
    assert _count(store, SOCase) == 0


def test_an_existing_patient_is_offered_instead_of_a_duplicate(
    drive, wizard, store, make_case
) -> None:
    first = make_case()  # 山田　太郎, ヤマダ　タロウ, 1970-03-15
    drive.caller_family("妻")
    page = wizard.patient
    drive.type(page.name, "山田　太郎")
    drive.type(page.furigana, "やまだたろう")
    drive.type(page.birth, "S45.3.15")
    assert page.match_box.isVisible()
    assert len(page.matches) == 1
    assert first.case_number in page.match_box.findChildren(type(page.name.note))[1].text()
    drive.next()
    assert drive.page() == "patient"  # same person or not must be decided
    choose = next(b for b in page.match_box.findChildren(QPushButton) if "この患者" in b.text())
    drive.qtbot.keyClick(choose, Qt.Key.Key_Space)
    assert drive.page() == "doctor"
    assert page.existing_id == first.patient.id
    assert page.address.editor.text() == "北海道苫小牧市表町1-1-1"
    for _ in range(4):
        drive.next()
    assert drive.page() == "confirm"
    drive.qtbot.keyClick(wizard.register_button, Qt.Key.Key_Space)
    drive.qtbot.waitUntil(lambda: wizard.case is not None)
    assert _count(store, Patient) == 1
    assert get_case(store, wizard.case.id).patient.id == first.patient.id


def test_the_same_phone_is_offered_and_can_be_declined(drive, wizard, store, make_case) -> None:
    make_case()
    drive.caller_self(phone="0144-11-2233")
    page = wizard.patient
    drive.type(page.name, "山田　次郎")
    drive.type(page.furigana, "ヤマダ　ジロウ")
    drive.type(page.phone, "0144-11-2233")
    assert page.matches and page.matches[0].reason == "電話番号が同じ"
    drive.qtbot.keyClick(page.new_button, Qt.Key.Key_Space)
    assert not page.match_box.isVisible()
    drive.next()
    assert drive.page() == "doctor"


def test_ctrl_n_opens_the_intake_from_anywhere(qtbot, window) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.intake
    qtbot.waitUntil(window.intake.caller.relationship.focus_target().hasFocus)


def test_a_new_wizard_after_registering_starts_blank(drive, wizard) -> None:
    assert isinstance(wizard, IntakeWizard)
    drive.caller_self()
    drive.patient()
    for _ in range(4):
        drive.next()
    drive.qtbot.keyClick(wizard.register_button, Qt.Key.Key_Space)
    drive.qtbot.waitUntil(lambda: wizard.case is not None)
    drive.qtbot.keyClick(wizard.confirm.restart_button, Qt.Key.Key_Space)
    assert drive.page() == "caller"
    assert wizard.patient.name.editor.text() == ""
    assert wizard.case is None


def _write_draft(store, values: object, page: object = 1) -> None:
    path = drafts.draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": 1, "saved_at": "2026-11-24T10:15:00+09:00", "page": page}
    path.write_text(json.dumps({**payload, "values": values}), encoding="utf-8")


# Drafts that crashed the window at every start before they were checked: the file's shape
# (caught when it is read), a field's type against the page (caught before 再開 is offered),
# and a value of the right type the page still cannot take (caught when it is put back).
BAD_DRAFTS: list[tuple[str, object, bool]] = [
    ("text is a list", {"caller": {"name": ["山田　花子"]}}, False),
    ("a check is a dict", {"content": {"answers": {"complaint": {"yes": True}}}}, False),
    ("a check is text", {"content": {"answers": {"complaint": "yes"}}}, False),
    ("a page is a list", {"patient": ["山田　太郎"]}, False),
    ("a choice is a number", {"caller": {"relationship": 3, "name": "山田　花子"}}, False),
    ("an id is text", {"patient": {"name": "山田　太郎", "existing_id": "12"}}, False),
    ("an id is a bool", {"content": {"department_id": True}}, False),
    ("a list is text", {"attendance": {"materials": "blood_test"}}, False),
    ("values is a list", [["caller", "name"]], False),
    ("an id the page cannot read", {"patient": {"name": "山田　太郎", "dismissed": ["x"]}}, True),
]


def test_bad_drafts_are_set_aside_one_by_one_and_the_window_starts_blank(
    qtbot, store, monkeypatch
) -> None:
    asked: list[drafts.Draft] = []
    told: list[Path] = []
    monkeypatch.setattr(prompts, "ask_resume_draft", lambda _p, d: asked.append(d) or True)
    monkeypatch.setattr(prompts, "tell_draft_set_aside", lambda _p, path: told.append(path))
    path = drafts.draft_path(store)
    for number, (what, values, _offered) in enumerate(BAD_DRAFTS, 1):
        _write_draft(store, values)
        original = path.read_bytes()
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda number=number: len(told) == number)
        assert told[-1] == path.with_name(f"{path.stem}.broken-{number}.json"), what
        assert told[-1].read_bytes() == original, what
        assert len(asked) == sum(o for _, _, o in BAD_DRAFTS[:number]), what
        assert not path.exists(), what
        assert window.intake.snapshot() == window.intake.blank, what
        assert window.stack.currentIndex() != PAGE_INTAKE, what
        window.close()
    assert not path.exists()  # a blank wizard saves nothing on closing
    assert len(list(path.parent.glob(f"{path.stem}.broken-*.json"))) == len(BAD_DRAFTS)


def test_a_good_draft_is_restored_and_unknown_fields_are_ignored(qtbot, store, monkeypatch) -> None:
    told: list[Path] = []
    monkeypatch.setattr(prompts, "ask_resume_draft", lambda _p, _d: True)
    monkeypatch.setattr(prompts, "tell_draft_set_aside", lambda _p, path: told.append(path))
    values = {
        "caller": {"relationship": "spouse", "name": "山田　花子", "from_a_newer_version": [1]},
        "patient": {"name": "山田　太郎", "existing_id": None, "dismissed": [3]},
        "content": {"department_id": None, "answers": {"no_such_question": True}},
        "attendance": {"materials": ["imaging_cd", "not_a_kind"]},
        "a_page_not_known_yet": {"x": {"y": 1}},
    }
    _write_draft(store, values, page=2)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()  # the draft is offered once the first page is on the screen
    qtbot.waitUntil(lambda: window.stack.currentIndex() == PAGE_INTAKE)
    wizard = window.intake
    assert wizard.current_step().key == "doctor"
    assert wizard.caller.name.editor.text() == "山田　花子"
    assert wizard.patient.name.editor.text() == "山田　太郎"
    assert wizard.attendance.values().materials == (DocumentKind.IMAGING_CD,)
    assert told == []
    assert drafts.load_draft(store) is not None  # kept until 登録 or 破棄


def test_a_wizards_own_draft_always_fits_it(drive, wizard, store) -> None:
    """The blank snapshot and a filled one have the same types: nothing typed is refused."""
    drive.caller_family("妻")
    drive.patient()
    drive.doctor()
    wizard.attendance.materials["imaging_cd"].setChecked(True)
    wizard.save_draft_now()
    draft = drafts.load_draft(store)
    assert draft is not None
    assert wizard.check_draft(draft) is None
    assert wizard.restore(draft)
    assert wizard.snapshot().to_json() == draft.values
