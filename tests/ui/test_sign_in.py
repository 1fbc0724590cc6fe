"""Sign-in at start, the first administrator, the forced and the chosen password change."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.roles import Role
from desktop_app.services import staff
from desktop_app.services.demo import mark_as_demo
from desktop_app.services.staff import has_accounts
from desktop_app.services.staff_admin import add_account, list_accounts, set_active
from desktop_app.services.store import Store, open_store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.app import APP_TITLE, run_gui
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sign_in import (
    ChangePasswordDialog,
    FirstAdminDialog,
    SignInDialog,
    sign_in_at_start,
)
from tests.stores import CLI_PASSWORD, add_cli_admin
from tests.ui.conftest import type_japanese
from tests.ui.modals import answer_modals

pytestmark = [
    pytest.mark.usefixtures("quick_hashes"),
    # The offscreen platform, as a dialog's messages come and go.
    pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)"),
]

CLERK_PW = "uketsuke-tmp1"


@pytest.fixture
def clinic(db_path: Path, store: Store) -> Store:
    """A clinic database with its administrator ``kanri`` (made by another store, as the
    first start did) and a 受付 ``uketsuke`` whose temporary password is still unchanged;
    ``store`` itself has no one signed in, as at start."""
    add_cli_admin(db_path)
    admin = open_store(db_path)
    staff.sign_in(admin, "kanri", CLI_PASSWORD)
    add_account(admin, "uketsuke", "受付 一郎", Role.RECEPTION, CLERK_PW, CLERK_PW)
    admin.close()
    return store


def fill(qtbot, dialog, **values: str) -> None:
    for name, text in values.items():
        editor = dialog.editors[name]
        editor.clear()
        if text.isascii():
            qtbot.keyClicks(editor, text)
        else:
            type_japanese(editor, text)


def test_a_wrong_password_keeps_the_dialog_and_the_id(qtbot, clinic: Store) -> None:
    dialog = SignInDialog(ServiceRunner(clinic))
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, login="kanri", password="not-the-password")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != SignInDialog.DialogCode.Accepted
    assert dialog.errors["password"].text() == staff.WRONG
    assert not dialog.errors["password"].isHidden()
    assert dialog.login_edit.text() == "kanri"
    assert dialog.password_edit.text() == ""
    assert clinic.user is None

    qtbot.keyClicks(dialog.password_edit, CLI_PASSWORD)
    assert dialog.errors["password"].isHidden(), "typing again takes the old message away"
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert clinic.user is not None and clinic.user.login == "kanri"
    assert clinic.staff == "kanri"


def test_a_disabled_account_is_refused(qtbot, clinic: Store, db_path: Path) -> None:
    admin = open_store(db_path)
    staff.sign_in(admin, "kanri", CLI_PASSWORD)
    clerk = next(a for a in list_accounts(admin) if a.login == "uketsuke")
    set_active(admin, clerk.id, False)
    admin.close()

    dialog = SignInDialog(ServiceRunner(clinic))
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, login="uketsuke", password=CLERK_PW)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "無効" in dialog.general_error.text() and not dialog.general_error.isHidden()
    assert clinic.user is None


def test_the_first_start_makes_the_administrator(qtbot, store: Store) -> None:
    assert not has_accounts(store)
    dialog = FirstAdminDialog(ServiceRunner(store))
    qtbot.addWidget(dialog)
    dialog.show()
    fill(
        qtbot,
        dialog,
        login="Suzuki",
        display_name="鈴木　花子",
        password="haru-no-umi",
        repeated="haru-no-um",
    )
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["repeated"].text() == "確認のパスワードが一致しません。"
    assert not has_accounts(store)

    fill(qtbot, dialog, password="short", repeated="short")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "8文字以上" in dialog.errors["password"].text()

    fill(qtbot, dialog, password="haru-no-umi", repeated="haru-no-umi")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == FirstAdminDialog.DialogCode.Accepted
    assert store.user is not None
    assert (store.user.login, store.user.display_name, store.user.role) == (
        "suzuki",
        "鈴木 花子",
        Role.ADMIN,
    )
    assert has_accounts(store)


def test_a_temporary_password_must_be_changed_before_the_window_opens(qtbot, clinic: Store) -> None:
    seen: dict[str, object] = {}

    def sign_in(dialog: QWidget) -> None:
        assert isinstance(dialog, SignInDialog)
        fill(qtbot, dialog, login="uketsuke", password=CLERK_PW)
        dialog.ok_button.click()

    def change(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangePasswordDialog)
        seen["asks_current"] = dialog.editors["current"].isVisible()
        seen["note"] = dialog.note.text()
        fill(qtbot, dialog, password="aki-no-sora", repeated="aki-no-sora")
        dialog.ok_button.click()

    answer_modals(sign_in, change)
    assert sign_in_at_start(ServiceRunner(clinic)) is True
    assert clinic.user is not None and clinic.user.login == "uketsuke"
    assert seen["asks_current"] is False, "the temporary password was typed a moment ago"
    assert "仮" in str(seen["note"])
    account = next(a for a in _accounts(clinic) if a.login == "uketsuke")
    assert not account.must_change_password
    staff.sign_in(clinic, "uketsuke", "aki-no-sora")


def test_refusing_the_forced_change_quits(qtbot, clinic: Store) -> None:
    def sign_in(dialog: QWidget) -> None:
        assert isinstance(dialog, SignInDialog)
        fill(qtbot, dialog, login="uketsuke", password=CLERK_PW)
        dialog.ok_button.click()

    def quit_(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangePasswordDialog)
        assert dialog.reject_button().text() == "終了"
        dialog.reject_button().click()

    answer_modals(sign_in, quit_)
    assert sign_in_at_start(ServiceRunner(clinic)) is False
    account = next(a for a in _accounts(clinic) if a.login == "uketsuke")
    assert account.must_change_password


def test_changing_ones_own_password(qtbot, clinic: Store) -> None:
    staff.sign_in(clinic, "kanri", CLI_PASSWORD)
    dialog = ChangePasswordDialog(ServiceRunner(clinic))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.editors["current"].isVisible()
    assert dialog.reject_button().text() == "キャンセル"
    fill(qtbot, dialog, current="wrong-one", password="fuyu-no-yuki", repeated="fuyu-no-yuki")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["current"].text() == "現在のパスワードが違います。"
    fill(qtbot, dialog, current=CLI_PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == ChangePasswordDialog.DialogCode.Accepted
    staff.sign_in(clinic, "kanri", "fuyu-no-yuki")


def test_run_gui_opens_the_window_for_the_clerk_who_signed_in(qapp, clinic: Store) -> None:
    seen: list[str] = []

    def sign_in(dialog: QWidget) -> None:
        assert isinstance(dialog, SignInDialog)
        dialog.login_edit.setText("kanri")
        dialog.password_edit.setText(CLI_PASSWORD)
        dialog.ok_button.click()
        QTimer.singleShot(50, close)

    def close() -> None:
        seen.extend(w.windowTitle() for w in qapp.topLevelWidgets() if w.isVisible())
        seen.extend(w.text() for w in qapp.allWidgets() if w.objectName() == "staffButton")
        qapp.closeAllWindows()

    answer_modals(sign_in)
    assert run_gui(clinic) == 0
    assert APP_TITLE in seen
    assert "担当：管理 花子（管理者）" in seen


def test_run_gui_leaves_when_the_clerk_chooses_quit(qapp, clinic: Store) -> None:
    answer_modals(lambda dialog: dialog.reject())
    assert run_gui(clinic) == 0
    assert not any(w.windowTitle() == APP_TITLE for w in qapp.topLevelWidgets() if w.isVisible())
    assert clinic.user is None


def test_the_demo_opens_in_one_step_as_its_clerk(qapp, store: Store) -> None:
    mark_as_demo(store)
    seen: list[str] = []
    logged: list[list[tuple[str, AuditAction]]] = []

    def close() -> None:
        windows = [
            w
            for w in qapp.topLevelWidgets()
            if isinstance(w, MainWindow) and w.runner.store is store
        ]
        if not (windows and windows[0].start_done):
            QTimer.singleShot(10, close)  # its sign-in is logged once the first page is up
            return
        modal = QApplication.activeModalWidget()
        seen.append(type(modal).__name__ if modal is not None else "")
        seen.extend(w.windowTitle() for w in qapp.topLevelWidgets() if w.isVisible())
        logged.append(_actions(store))
        qapp.closeAllWindows()

    QTimer.singleShot(0, close)
    assert run_gui(store) == 0
    assert seen[0] == "", "no dialog before the window"
    assert APP_TITLE in seen
    assert store.user is not None and store.user.login == "uketsuke"
    assert logged[0][-1] == ("uketsuke", AuditAction.STAFF_SIGN_IN)
    assert _actions(store)[-2:] == [
        ("uketsuke", AuditAction.STAFF_SIGN_IN),
        ("uketsuke", AuditAction.STAFF_SIGN_OUT),
    ]


def test_a_demo_window_closed_at_once_still_logs_the_sign_in_first(qapp, store: Store) -> None:
    mark_as_demo(store)
    QTimer.singleShot(0, qapp.closeAllWindows)  # before the first paint
    assert run_gui(store) == 0
    assert _actions(store)[-2:] == [
        ("uketsuke", AuditAction.STAFF_SIGN_IN),
        ("uketsuke", AuditAction.STAFF_SIGN_OUT),
    ]


def _actions(store: Store) -> list[tuple[str, AuditAction]]:
    with store.read() as session:
        rows = session.execute(select(AuditEntry.staff, AuditEntry.action).order_by(AuditEntry.id))
        return [(who, action) for who, action in rows]


def _accounts(store: Store):
    reader = open_store(store.file)
    try:
        return list_accounts(reader)
    finally:
        reader.close()
