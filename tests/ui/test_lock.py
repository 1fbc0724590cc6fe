"""The screen lock: Ctrl+L and idle minutes cover the screens, keep the work underneath, and
a password (the same clerk's or another's) takes the cover away."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.changes import Change
from desktop_app.domain.roles import Role
from desktop_app.services import staff
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store
from desktop_app.ui.lock import LockCover
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sign_in import ChangePasswordDialog
from tests.stores import CLI_PASSWORD, add_cli_admin
from tests.ui.conftest import type_japanese
from tests.ui.intake.conftest import Driver

pytestmark = [
    pytest.mark.usefixtures("quick_hashes"),
    pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)"),
]

CLERK_PW = "uketsuke-pass"
DOCTOR_TMP = "ishi-tmp-pass"


@pytest.fixture
def desk(qtbot, db_path: Path, store: Store) -> Iterator[MainWindow]:
    """The main window, shown, with the administrator signed in; a 受付 with a password of
    her own and a 医師 still on the temporary one the administrator gave."""
    add_cli_admin(db_path)
    staff.sign_in(store, "kanri", CLI_PASSWORD)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, "uketsuke-tmp1", "uketsuke-tmp1")
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, DOCTOR_TMP, DOCTOR_TMP)
    staff.sign_in(store, "uketsuke", "uketsuke-tmp1")
    staff.change_password(store, "uketsuke-tmp1", CLERK_PW, CLERK_PW)
    staff.sign_in(store, "kanri", CLI_PASSWORD)
    window = MainWindow(store, auto_backup=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    window.screen_lock.release()
    window.runner.wait_for_background()


def unlock(qtbot, window: MainWindow, password: str, login: str | None = None) -> None:
    form = window.screen_lock.form()
    if login is not None:
        form.login.clear()
        qtbot.keyClicks(form.login, login)
    qtbot.keyClicks(form.password, password)
    qtbot.mouseClick(form.unlock_button, Qt.MouseButton.LeftButton)


def actions(store: Store) -> list[tuple[str, AuditAction]]:
    with store.read() as session:
        rows = session.execute(select(AuditEntry.staff, AuditEntry.action).order_by(AuditEntry.id))
        return [(who, action) for who, action in rows]


def test_ctrl_l_locks_and_the_intake_is_kept(qtbot, desk: MainWindow, store: Store) -> None:
    desk.new_intake()
    drive = Driver(qtbot, desk.intake)
    drive.caller_self()
    name = desk.intake.patient.name.editor
    type_japanese(name, "山田　太郎")
    assert name.text() == "山田　太郎"

    qtbot.keyClick(name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = desk.screen_lock
    assert lock.is_locked
    covers = lock.covers
    assert covers and all(c.isVisible() for c in covers)
    screen_covers = [c for c in covers if c.screen() is desk.screen()]
    assert screen_covers and screen_covers[0].geometry() == desk.screen().geometry()
    assert screen_covers[0].geometry().contains(desk.geometry().center())
    flags = covers[-1].windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert QApplication.activeModalWidget() is covers[-1]
    assert "管理 花子 がロック中" in lock.form().who.text()
    assert lock.form().login.text() == "kanri"
    assert desk.isVisible() and desk.intake.isVisible(), "the work underneath is untouched"

    # Neither Esc nor closing the window takes the lock away.
    qtbot.keyClick(lock.form().password, Qt.Key.Key_Escape)
    assert not covers[-1].close()
    assert lock.is_locked and covers[-1].isVisible()

    unlock(qtbot, desk, "not-it-at-all")
    assert lock.is_locked
    assert lock.form().error.text() == staff.WRONG
    assert lock.form().password.text() == ""

    unlock(qtbot, desk, CLI_PASSWORD)
    assert not lock.is_locked
    assert not any(
        isinstance(w, LockCover) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    assert name.text() == "山田　太郎"
    assert desk.intake.current_step().key == "patient"
    assert store.staff == "kanri"
    done = actions(store)
    assert done[-5:] == [  # each password check is logged as an attempt before it is made
        ("kanri", AuditAction.STAFF_LOCK),
        ("kanri", AuditAction.STAFF_SIGN_IN_ATTEMPT),
        ("kanri", AuditAction.STAFF_SIGN_IN_FAILED),
        ("kanri", AuditAction.STAFF_SIGN_IN_ATTEMPT),
        ("kanri", AuditAction.STAFF_UNLOCK),
    ]


def test_another_clerk_unlocks_and_works_as_themselves(
    qtbot, desk: MainWindow, store: Store
) -> None:
    assert desk.staff_label.text() == "担当：管理 花子（管理者）"
    desk.staff_label.lock_action.trigger()  # the status bar's 画面をロック
    assert desk.screen_lock.is_locked
    with qtbot.waitSignal(desk.runner.user_changed) as changed:
        unlock(qtbot, desk, CLERK_PW, login="uketsuke")
    assert not desk.screen_lock.is_locked
    assert store.staff == "uketsuke"
    assert store.user is not None and store.user.role is Role.RECEPTION
    assert changed.args[0] == store.user
    assert desk.staff_label.text() == "担当：受付 一郎（受付）"
    assert actions(store)[-1] == ("uketsuke", AuditAction.STAFF_UNLOCK)


def test_a_dialog_open_under_the_lock_stays_open(qtbot, desk: MainWindow) -> None:
    """Ctrl+L from inside a modal dialog: the dialog is still there, with its text, after."""
    dialog = QDialog(desk)
    seen: dict[str, object] = {}

    def lock_and_unlock() -> None:
        qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        seen["locked"] = desk.screen_lock.is_locked
        unlock(qtbot, desk, CLI_PASSWORD)
        seen["dialog_after"] = dialog.isVisible()
        dialog.accept()

    QTimer.singleShot(0, lock_and_unlock)
    assert dialog.exec() == QDialog.DialogCode.Accepted
    assert seen == {"locked": True, "dialog_after": True}


def test_idle_minutes_lock_the_screen(qtbot, desk: MainWindow, store: Store) -> None:
    lock = desk.screen_lock
    assert lock.lock_after_minutes == 10
    changed = dataclasses.replace(get_settings(store), lock_after_minutes=3)
    desk.runner.run(None, update_settings, changed, changes=Change.SETTINGS)
    assert lock.lock_after_minutes == 3, "the new setting is read at once"

    lock.set_minute_ms(200)  # three "minutes" are 600 ms
    qtbot.wait(300)
    qtbot.mouseMove(desk.nav.viewport())  # input resets the count
    qtbot.wait(400)
    assert not lock.is_locked
    qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)
    with store.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == AuditAction.STAFF_LOCK
    assert "一定時間操作がなかった" in (last.summary or "")


def test_a_window_with_no_one_signed_in_does_not_lock(qtbot, window: MainWindow) -> None:
    """A test or maintenance window has no password to unlock with."""
    assert window.runner.store.user is None
    assert window.screen_lock.lock() is False
    assert not window.screen_lock.is_locked
    assert not window.staff_label.lock_action.isEnabled()


def test_a_clerk_on_a_temporary_password_changes_it_at_the_lock(
    qtbot, desk: MainWindow, store: Store
) -> None:
    seen: list[str] = []

    def change() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ChangePasswordDialog)
        seen.append(dialog.reject_button().text())
        dialog.editors["password"].setText("natsu-no-kaze")
        dialog.editors["repeated"].setText("natsu-no-kaze")
        dialog.ok_button.click()

    desk.lock_screen()
    QTimer.singleShot(0, change)
    unlock(qtbot, desk, DOCTOR_TMP, login="ishi")
    assert seen == ["ロックに戻る"]
    assert not desk.screen_lock.is_locked
    staff.sign_in(store, "ishi", "natsu-no-kaze")


def test_refusing_the_temporary_password_change_locks_again(
    qtbot, desk: MainWindow, store: Store
) -> None:
    def back_to_the_lock() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ChangePasswordDialog)
        dialog.reject_button().click()

    desk.lock_screen()
    QTimer.singleShot(0, back_to_the_lock)
    unlock(qtbot, desk, DOCTOR_TMP, login="ishi")
    assert desk.screen_lock.is_locked
    assert desk.screen_lock.form().login.text() == "ishi"
