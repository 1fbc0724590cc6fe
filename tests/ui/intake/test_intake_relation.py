"""1 相談者 asks ONE question, the caller's own 続柄 (母, 妻…); the category follows for
statistics, a relation is typed under その他の親族, and the draft keeps it (issue #24 item 3)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.domain.people import Relationship
from desktop_app.services.cases import get_case
from desktop_app.ui.intake.state import build_new_case
from desktop_app.ui.intake.values import CallerValues, IntakeSnapshot
from tests.ui.intake.conftest import TODAY


def _register(drive, wizard) -> None:
    assert drive.page() == "confirm"
    drive.qtbot.keyClick(wizard.register_button, Qt.Key.Key_Space)
    drive.qtbot.waitUntil(lambda: wizard.case is not None)


def _to_the_end(drive, wizard) -> None:
    drive.patient()
    drive.doctor()
    drive.content()
    drive.next()  # attendance, as chosen by default
    drive.next()  # mail
    _register(drive, wizard)


def test_the_relation_is_asked_and_the_category_follows(drive, wizard, store) -> None:
    page = wizard.caller
    assert "続柄" in page.lead
    for relation, category in (("父", Relationship.PARENT), ("妻", Relationship.SPOUSE)):
        drive.choose(page.relationship, relation)
        assert page.current_relationship() is category
        assert page.values().relation == relation
        assert not page.relationship.other_text.isVisible()
    drive.choose(page.relationship, "母")
    drive.type(page.name, "佐藤　恵")
    drive.type(page.furigana, "さとう　めぐみ")
    drive.type(page.phone, "09012345678")
    drive.next()
    assert drive.page() == "patient"
    _to_the_end(drive, wizard)
    confirmed = wizard.confirm.sections["caller"].text()
    assert "母" in confirmed and "父母" not in confirmed
    case = get_case(store, wizard.case.id)
    assert case.caller is not None
    assert (case.caller.relationship, case.caller.relation) == (Relationship.PARENT, "母")


def test_another_relative_is_typed(drive, wizard, store) -> None:
    page = wizard.caller
    drive.choose(page.relationship, "other_relative")
    assert page.relationship.other_text.isVisible()
    drive.type(page.relationship.other_text, "義母")
    assert page.values() == CallerValues(Relationship.OTHER_RELATIVE, relation="義母")
    drive.type(page.name, "山田　花子")
    drive.type(page.phone, "09012345678")
    drive.next()
    _to_the_end(drive, wizard)
    case = get_case(store, wizard.case.id)
    assert case.caller is not None
    assert (case.caller.relationship, case.caller.relation) == (
        Relationship.OTHER_RELATIVE,
        "義母",
    )
    assert case.caller.relation_label == "義母"


def test_a_typed_relation_that_has_its_own_button_is_refused(drive, wizard) -> None:
    page = wizard.caller
    drive.choose(page.relationship, "other_relative")
    drive.type(page.relationship.other_text, "父")
    drive.type(page.name, "山田　一郎")
    drive.type(page.phone, "09012345678")
    drive.next()
    assert drive.page() == "caller"
    assert page.relationship.error() == "続柄「父」は父母です（その他の親族ではありません）。"
    drive.choose(page.relationship, "父")
    assert page.relationship.error() == ""


def test_the_draft_keeps_the_relation(drive, wizard) -> None:
    drive.caller_family("娘")
    snapshot = wizard.snapshot()
    saved = snapshot.to_json()["caller"]
    assert saved["relationship"] == "child" and saved["relation"] == "娘"
    again = IntakeSnapshot.from_json(snapshot.to_json())
    assert again.caller.relation == "娘"
    wizard.caller.load(CallerValues())
    assert wizard.caller.values().relation == ""
    wizard.caller.load(again.caller)
    assert wizard.caller.relationship.value() == "娘"
    new = build_new_case(again, wizard.context.settings, TODAY)
    assert new.caller is not None and new.caller.relation == "娘"


def test_a_draft_from_before_shows_the_category_until_a_relation_is_picked(drive, wizard) -> None:
    page = wizard.caller
    page.load(CallerValues(Relationship.SPOUSE, "山田　花子"))
    assert page.relationship.value() is None
    assert page.current_relationship() is Relationship.SPOUSE
    assert "未登録" in page.relationship.note.text() and "配偶者" in page.relationship.note.text()
    drive.choose(page.relationship, "夫")
    assert page.values().relation == "夫"
    assert page.relationship.note.isHidden()


def test_a_call_written_up_later_keeps_its_own_received_date(drive, wizard, store) -> None:
    """受付日 on the 確認 page: today unless the clerk sets the day the call came (#25); it
    cannot be after today, and the next intake starts on today again."""
    import datetime as dt

    from PySide6.QtCore import QDate

    drive.choose(wizard.caller.relationship, "self")
    drive.type(wizard.caller.phone, "09012345678")
    drive.next()
    drive.patient()
    drive.doctor()
    drive.content()
    drive.next()
    drive.next()
    edit = wizard.confirm.received_edit
    assert edit.isVisible() and edit.date() == QDate(TODAY)
    edit.setDate(QDate(TODAY + dt.timedelta(days=3)))
    assert edit.date() == QDate(TODAY), "no day after today"
    edit.setDate(QDate(2026, 11, 20))
    _register(drive, wizard)
    assert get_case(store, wizard.case.id).received_on == dt.date(2026, 11, 20)
    wizard.reset()
    assert wizard.confirm.received_edit.date() == QDate(TODAY)
