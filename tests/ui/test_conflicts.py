"""The loser of a race between two desks is told, and the screen shows the winner's data."""

from __future__ import annotations

import dataclasses

from desktop_app.domain.errors import CONFLICT_MESSAGE
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import open_store
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.settings_page import SettingsPage


def _other_desk_saves(db_path, **changes: str) -> None:
    """Desk B, on its own connection, saves settings changes while this screen is open."""
    other_desk = open_store(db_path, staff="受付B")
    try:
        update_settings(other_desk, dataclasses.replace(get_settings(other_desk), **changes))
    finally:
        other_desk.close()


def test_settings_saved_elsewhere_meanwhile_are_not_reverted(
    qtbot, runner, store, db_path, shown_errors
) -> None:
    page = SettingsPage(runner)
    qtbot.addWidget(page)
    _other_desk_saves(db_path, fax="0144-33-9999")
    # This screen changes the same field the other desk changed: refused, and reloaded.
    page.edits["fax"].clear()
    qtbot.keyClicks(page.edits["fax"], "0144-33-1111")
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    assert shown_errors == [CONFLICT_MESSAGE]
    assert get_settings(store).fax == "0144339999", "the other desk's change stands"
    assert get_settings(store).tel == "0144840158", "nothing of the stale screen was written"
    assert page.edits["fax"].text() == "0144-33-9999", "the page shows the latest"
    assert page.saved_label.text() == ""


def test_a_different_field_saved_meanwhile_is_kept_beside_this_save(
    qtbot, runner, store, db_path, shown_errors
) -> None:
    page = SettingsPage(runner)
    qtbot.addWidget(page)
    _other_desk_saves(db_path, fax="0144-33-9999")
    page.edits["tel"].clear()
    qtbot.keyClicks(page.edits["tel"], "0144-84-0000")
    page.save_button.click()
    assert shown_errors == []
    saved = get_settings(store)
    assert (saved.tel, saved.fax) == ("0144840000", "0144339999"), "both desks' changes kept"


def test_a_case_moved_elsewhere_meanwhile_is_reloaded_not_moved(
    qtbot, runner, store, db_path, make_case, shown_errors
) -> None:
    case = make_case()
    dialog = CaseDetailDialog(runner, case.id)
    qtbot.addWidget(dialog)
    assert dialog.load()
    other_desk = open_store(db_path, staff="受付B")
    try:
        move_stage(other_desk, case.id, Stage.FORMS_SENT)
    finally:
        other_desk.close()
    dialog.select_target(Stage.FORMS_SENT)  # this screen still shows 問い合わせ受付
    with qtbot.waitSignal(runner.changed):
        dialog.move_button.click()
    assert shown_errors == [CONFLICT_MESSAGE]
    assert dialog.stage_label.text() == Stage.FORMS_SENT.label
    history = get_case(store, case.id).history
    assert [h.action for h in history] == ["case.create", "case.stage"], "moved once, not twice"


def test_another_desks_save_does_not_wipe_what_is_being_typed(
    qtbot, runner, store, db_path, shown_errors
) -> None:
    from desktop_app.domain.changes import Change, OpChanges
    from desktop_app.ui.actions import ChangeNotice

    page = SettingsPage(runner)
    qtbot.addWidget(page)
    page.edits["tel"].clear()
    qtbot.keyClicks(page.edits["tel"], "0144-84-0000")
    _other_desk_saves(db_path, fax="0144-33-9999")
    # What a live update from the other desk delivers (ui/live_updates.py): origin None.
    runner.changed.emit(ChangeNotice(OpChanges(Change.SETTINGS), origin=None))
    assert page.edits["tel"].text() == "0144-84-0000", "what the clerk typed stays"
    assert "他の端末で設定が保存されました" in page.saved_label.text()
    page.save_button.click()
    assert shown_errors == []
    saved = get_settings(store)
    assert (saved.tel, saved.fax) == ("0144840000", "0144339999")
    assert page.edits["fax"].text() == "0144-33-9999", "the page shows both now"

    # With nothing typed, a save elsewhere simply shows.
    _other_desk_saves(db_path, fax="0144-33-7777")
    runner.changed.emit(ChangeNotice(OpChanges(Change.SETTINGS), origin=None))
    assert page.edits["fax"].text() == "0144-33-7777"
