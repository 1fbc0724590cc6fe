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


def test_settings_saved_elsewhere_meanwhile_are_not_reverted(
    qtbot, runner, store, db_path, shown_errors
) -> None:
    page = SettingsPage(runner)
    qtbot.addWidget(page)
    other_desk = open_store(db_path, staff="受付B")
    try:
        theirs = get_settings(other_desk)
        update_settings(other_desk, dataclasses.replace(theirs, fax="0144-33-9999"))
    finally:
        other_desk.close()
    page.edits["tel"].clear()
    qtbot.keyClicks(page.edits["tel"], "0144-84-0000")
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    assert shown_errors == [CONFLICT_MESSAGE]
    assert get_settings(store).fax == "0144339999", "the other desk's change stands"
    assert get_settings(store).tel == "0144840158", "nothing of the stale screen was written"
    assert page.edits["fax"].text() == "0144-33-9999", "the page shows the latest"
    assert page.saved_label.text() == ""


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
