"""The status bar's 「担当：…」: who works at this desk, with their password and the lock."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from desktop_app.domain.roles import Actor
from desktop_app.ui.actions import ServiceRunner

STYLE = """
QToolButton#staffButton {
    border: none;
    border-radius: 4px;
    padding: 1px 22px 1px 10px;
    color: #1f2933;
}
QToolButton#staffButton:hover { background: #dde3ea; }
QToolButton#staffButton::menu-indicator {
    subcontrol-origin: padding;
    subcontrol-position: center right;
    right: 6px;
}
"""
CHANGE_PASSWORD = "パスワードの変更…"
LOCK_SCREEN = "画面をロック\tCtrl+L"


class StaffButton(QToolButton):
    """「担当：デモ 受付（受付）」; a click opens パスワードの変更… and 画面をロック."""

    change_password_requested = Signal()
    lock_requested = Signal()

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setObjectName("staffButton")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(STYLE)
        self.menu_ = QMenu(self)
        self.change_password_action = self.menu_.addAction(CHANGE_PASSWORD)
        self.lock_action = self.menu_.addAction(LOCK_SCREEN)
        self.change_password_action.triggered.connect(self.change_password_requested)
        self.lock_action.triggered.connect(self.lock_requested)
        self.setMenu(self.menu_)
        runner.user_changed.connect(self.show_user)
        self.show_user(runner.store.user)

    def show_user(self, user: Actor | None) -> None:
        # A window on a store with no one signed in (a test, a maintenance step) shows the
        # name the audit log records, and has no password of its own to change or unlock with.
        self.setText(f"担当：{user.title if user is not None else self.runner.store.staff}")
        self.setToolTip("パスワードの変更・画面のロック" if user is not None else "")
        self.change_password_action.setEnabled(user is not None)
        self.lock_action.setEnabled(user is not None)
