"""Who may change the settings, on real stores signed in as real staff: read-only for a
受付, editable for an administrator, switching when another member of staff takes over
the desk; the screen-lock minutes; and the audit viewer opened by a 受付."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain.roles import Permission, Role
from desktop_app.services.settings import get_settings
from desktop_app.services.staff import create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.audit_viewer import AuditViewer
from desktop_app.ui.settings_page import READ_ONLY_NOTE, SettingsPage
from desktop_app.ui.staff_accounts import StaffAccountsDialog
from tests.ui.modals import answer_modals, click

ADMIN_PW = "kanri-pass-1"
CLERK_PW = "uketsuke-pass"
DOCTOR_PW = "ishi-pass-01"

pytestmark = [
    pytest.mark.usefixtures("quick_hashes"),
    # Shown top-level widgets on the offscreen platform; harmless there, not in real use.
    pytest.mark.qt_log_ignore("propagateSizeHints"),
]


@pytest.fixture
def staffed(store: Store) -> Store:
    """An administrator (signed in), a 受付 and a 医師."""
    create_first_admin(store, "kanri", "管理 花子", ADMIN_PW, ADMIN_PW)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, CLERK_PW, CLERK_PW)
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, DOCTOR_PW, DOCTOR_PW)
    return store


def _page(qtbot, runner: ServiceRunner) -> SettingsPage:
    page = SettingsPage(runner)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def _is_read_only(page: SettingsPage) -> bool:
    """Every part of the page agrees, or the test fails saying which does not."""
    editors = [*page.edits.values(), *page.spins.values(), page.closures_edit, page.methods_edit]
    read_only = {e.isReadOnly() for e in editors}
    hidden = {
        page.save_button.isHidden(),
        page.revert_button.isHidden(),
        page.masters_button.isHidden(),
        page.staff_button.isHidden(),
        page.audit_button.isHidden(),
        page.reasons_editor.add_button.isHidden(),
        page.reasons_editor.remove_button.isHidden(),
        not page.date_style.isEnabled(),
        not page.backup_box.browse_button.isEnabled(),
        not page.read_only_note.isHidden(),
    }
    assert len(read_only | hidden) == 1, (read_only, hidden)
    return read_only.pop()


def test_a_receptionist_sees_the_settings_read_only(qtbot, runner, staffed) -> None:
    sign_in(staffed, "uketsuke", CLERK_PW)
    page = _page(qtbot, runner)
    assert page.read_only and _is_read_only(page)
    assert page.read_only_note.text() == READ_ONLY_NOTE
    assert page.read_only_note.isVisible()
    assert page.edits["hospital_name"].text() == "苫小牧市立病院"  # shown all the same
    assert not page.save_button.isVisible()
    assert not page.audit_button.isVisible() and not page.staff_button.isVisible()
    assert page.backup_box.backup_button.isEnabled()  # a backup now harms nothing


def _double_click_first_reason(qtbot, page: SettingsPage) -> list[str]:
    """Double-click the first reason; the titles of the reason dialogs that opened (each
    closed with キャンセル at once)."""
    opened: list[str] = []

    def note_and_cancel(dialog) -> None:
        opened.append(dialog.windowTitle())
        click(dialog, "キャンセル")

    asked = answer_modals(note_and_cancel)
    view = page.reasons_editor.view
    view.scrollTo(view.model().index(0, 0))
    centre = view.visualRect(view.model().index(0, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # as a hand does
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    asked.clear()  # an answer no dialog took is dropped, not left for a later test
    return opened


def test_a_double_click_on_a_reason_opens_nothing_read_only(qtbot, runner, staffed) -> None:
    page = _page(qtbot, runner)
    assert _double_click_first_reason(qtbot, page) == ["対象外の理由を編集"]  # an admin edits
    sign_in(staffed, "uketsuke", CLERK_PW)
    runner.signed_in()
    assert _double_click_first_reason(qtbot, page) == []


def test_a_doctor_too(qtbot, runner, staffed) -> None:
    sign_in(staffed, "ishi", DOCTOR_PW)
    assert _is_read_only(_page(qtbot, runner))


def test_an_administrator_and_a_program_edit_everything(qtbot, store, staffed) -> None:
    runner = ServiceRunner(staffed)
    page = _page(qtbot, runner)
    assert not page.read_only and not _is_read_only(page)
    assert page.staff_button.isVisible() and page.audit_button.isVisible()
    page.apply_role(None)  # no sign-in at all: a program, which may do everything
    assert not _is_read_only(page)


def test_switches_live_when_another_member_of_staff_takes_over(qtbot, runner, staffed) -> None:
    page = _page(qtbot, runner)
    assert not _is_read_only(page)
    page.edits["office_name"].setText("typed, not saved")
    sign_in(staffed, "uketsuke", CLERK_PW)
    runner.signed_in()  # what the lock screen does after the handover
    assert _is_read_only(page)
    assert page.edits["office_name"].text() == "地域医療連携室"  # the unsaved typing is gone
    sign_in(staffed, "kanri", ADMIN_PW)
    runner.user_changed.emit(staffed.user)
    assert not _is_read_only(page)
    assert page.save_button.isVisible()


def test_lock_minutes_are_saved_through_the_page(qtbot, runner, staffed) -> None:
    page = _page(qtbot, runner)
    spin = page.spins["lock_after_minutes"]
    assert spin.value() == 10
    assert (spin.minimum(), spin.maximum(), spin.suffix()) == (1, 60, " 分")
    spin.setValue(25)
    with qtbot.waitSignal(runner.changed):
        page.save_button.click()
    assert get_settings(staffed).lock_after_minutes == 25
    assert page.saved_label.text() == "保存しました。"


def test_staff_button_opens_the_accounts(qtbot, runner, staffed) -> None:
    page = _page(qtbot, runner)
    page.staff_button.click()
    assert isinstance(page.staff_dialog, StaffAccountsDialog)
    qtbot.waitUntil(page.staff_dialog.isVisible)
    assert page.staff_dialog.model.rowCount() == 3
    page.staff_dialog.close()


def test_the_audit_viewer_shows_the_refusal_once_in_its_window(
    qtbot, runner, staffed, shown_errors
) -> None:
    sign_in(staffed, "uketsuke", CLERK_PW)
    viewer = AuditViewer(runner)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    assert viewer.refused
    assert shown_errors == []  # in the window, not a box after a box
    assert viewer.refusal.isVisible() and not viewer.table.isVisible()
    assert Permission.AUDIT.refusal in viewer.refusal.text()
    assert not viewer.export_button.isVisible() and not viewer.search_button.isVisible()
    viewer.search()  # e.g. Enter in the case-number field: still nothing read
    assert viewer.model.total == 0 and shown_errors == []
