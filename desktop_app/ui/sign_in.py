"""Who works at this desk: sign-in at start, the first administrator, password change.

The checks themselves are in services/staff.py; these dialogs only collect what the clerk
types and show the service's message beside the field it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import MIN_PASSWORD
from desktop_app.services import staff
from desktop_app.services.demo_mark import is_demo_store
from desktop_app.services.staff import StaffAccount
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.layout_tools import grow_to_fit

FIELD_WIDTH = 360
LOGIN_HINT = "半角の英小文字・数字・「.」「_」「-」、2〜32文字"
PASSWORD_RULES = (
    f"{MIN_PASSWORD}文字以上。ログインIDと同じもの、\n同じ文字ばかりのものは使えません。"
)


@contextmanager
def busy() -> Iterator[None]:
    """A password check takes a noticeable moment (argon2 on purpose): show the wait cursor."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def login_edit(text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setInputMethodHints(
        Qt.InputMethodHint.ImhPreferLatin | Qt.InputMethodHint.ImhNoAutoUppercase
    )
    edit.setMaxLength(64)
    return edit


def password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(128)
    return edit


class StaffForm(QDialog):
    """A heading, an optional note, labelled fields with their error under each, buttons."""

    def __init__(
        self,
        runner: ServiceRunner,
        title: str,
        heading: str,
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        text_size.keep(self, minimum_width=600)
        self.runner = runner
        self.editors: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.account: StaffAccount | None = None

        heading_label = QLabel(heading)
        heading_label.setObjectName("pageTitle")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.form = QFormLayout()
        self.form.setVerticalSpacing(8)
        self.form.setHorizontalSpacing(14)
        self.general_error = QLabel()
        self.general_error.setObjectName("fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.buttons = QDialogButtonBox()
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        layout.addWidget(heading_label)
        layout.addWidget(self.note)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addSpacing(4)
        layout.addWidget(self.buttons)

    def add_field(self, name: str, label: str, editor: QLineEdit, hint: str = "") -> QLineEdit:
        text_size.keep(editor, minimum_width=FIELD_WIDTH)
        cell = QWidget()
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(2)
        cell_layout.addWidget(editor)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setObjectName("muted")
            hint_label.setWordWrap(True)
            cell_layout.addWidget(hint_label)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        cell_layout.addWidget(error)
        self.form.addRow(label, cell)
        self.editors[name] = editor
        self.errors[name] = error
        editor.textEdited.connect(lambda _text, name=name: self._clear_field(name))
        return editor

    def add_buttons(self, accept: str, reject: str) -> QPushButton:
        ok = QPushButton(accept)
        ok.setObjectName("primary")
        self.buttons.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        ok.clicked.connect(self.submit)
        self.buttons.addButton(reject, QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button = ok
        return ok

    def reject_button(self) -> QPushButton:
        for button in self.buttons.buttons():
            if self.buttons.buttonRole(button) == QDialogButtonBox.ButtonRole.RejectRole:
                assert isinstance(button, QPushButton)
                return button
        raise LookupError("no reject button")

    def text(self, name: str) -> str:
        return self.editors[name].text()

    def call(self) -> StaffAccount | None:
        """The service call; its account, or None after a refusal (already shown)."""
        raise NotImplementedError

    def run(self, fn: Callable[..., StaffAccount], *args: Any) -> StaffAccount | None:
        with busy():
            return self.runner.run(self, fn, *args, on_error=self.show_error)

    def submit(self) -> None:
        self.clear_errors()
        self.ok_button.setEnabled(False)
        try:
            account = self.call()
        finally:
            self.ok_button.setEnabled(True)
        if account is not None:
            self.account = account
            self.accept()

    def clear_errors(self) -> None:
        for name in self.errors:
            self._clear_field(name)
        self.general_error.clear()
        self.general_error.hide()

    def _clear_field(self, name: str) -> None:
        error, editor = self.errors[name], self.editors[name]
        error.clear()
        error.hide()
        if editor.property("invalid"):
            editor.setProperty("invalid", False)
            editor.style().polish(editor)

    def show_error(self, error: ValidationError) -> None:
        """Beside the field the message names, or under the form."""
        label = self.errors.get(error.field or "", self.general_error)
        label.setText(error.message)
        label.show()
        grow_to_fit(self)
        editor = self.editors.get(error.field or "")
        if editor is not None:
            editor.setProperty("invalid", True)
            editor.style().polish(editor)
            editor.setFocus()
            editor.selectAll()


class SignInDialog(StaffForm):
    """ログインID and パスワード at start. A wrong password keeps the dialog, the ID and the
    message beside the field; only the password is cleared."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None, login: str = ""):
        super().__init__(
            runner,
            "SO Desk サインイン",
            "サインイン",
            "ご自分のログインIDとパスワードを入力してください。",
            parent,
        )
        self.login_edit = self.add_field("login", "ログインID", login_edit(login))
        self.password_edit = self.add_field("password", "パスワード", password_edit())
        self.add_buttons("サインイン", "終了")
        self.password = ""
        (self.password_edit if login else self.login_edit).setFocus()

    def call(self) -> StaffAccount | None:
        account = self.run(staff.sign_in, self.text("login"), self.text("password"))
        if account is None:
            self.password_edit.clear()
            self.password_edit.setFocus()
        else:
            # Kept only for a forced password change right after this sign-in.
            self.password = self.text("password")
            self.password_edit.clear()
        return account


class FirstAdminDialog(StaffForm):
    """First start on a database with no account: make the administrator, signed in at once."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(
            runner,
            "SO Desk 初回の設定",
            "最初の管理者を作成",
            "このデータベースには、まだ職員のアカウントがありません。"
            "ここで作るアカウントが管理者になり、ほかの職員のアカウントを追加できます。",
            parent,
        )
        self.add_field("login", "ログインID", login_edit(), LOGIN_HINT)
        self.add_field("display_name", "氏名", QLineEdit())
        self.add_field("password", "パスワード", password_edit(), PASSWORD_RULES)
        self.add_field("repeated", "パスワード（確認）", password_edit())
        self.add_buttons("作成してサインイン", "終了")
        self.editors["login"].setFocus()

    def call(self) -> StaffAccount | None:
        return self.run(
            staff.create_first_admin,
            self.text("login"),
            self.text("display_name"),
            self.text("password"),
            self.text("repeated"),
        )


class ChangePasswordDialog(StaffForm):
    """The signed-in clerk's own password. ``forced`` after a sign-in with a temporary one:
    the current password was just typed (``current``), and 終了 (``quit_text``) leaves."""

    def __init__(
        self,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        *,
        forced: bool = False,
        current: str | None = None,
        quit_text: str = "終了",
    ) -> None:
        user = runner.store.user
        who = f"{user.display_name}（{user.login}）" if user is not None else ""
        note = (
            f"{who}さんのパスワードは、管理者が設定した仮のものです。"
            "使い始める前に、ご自分だけが知るパスワードに変えてください。"
            if forced
            else f"{who}のパスワードを変更します。"
        )
        super().__init__(runner, "パスワードの変更", "パスワードの変更", note, parent)
        self.current = current
        self.add_field("current", "現在のパスワード", password_edit())
        if current is not None:
            self.form.setRowVisible(0, False)
        self.add_field("password", "新しいパスワード", password_edit(), PASSWORD_RULES)
        self.add_field("repeated", "新しいパスワード（確認）", password_edit())
        self.add_buttons("変更", quit_text if forced else "キャンセル")
        self.editors["password" if current is not None else "current"].setFocus()

    def call(self) -> StaffAccount | None:
        current = self.current if self.current is not None else self.text("current")
        account = self.run(
            staff.change_password, current, self.text("password"), self.text("repeated")
        )
        if account is None and self.current is not None and not self.errors["current"].isHidden():
            # The remembered password no longer fits (changed elsewhere): ask for it.
            self.form.setRowVisible(0, True)
            self.current = None
        return account


def sign_in_at_start(runner: ServiceRunner, parent: QWidget | None = None) -> bool:
    """Before the main window: the first administrator, the demo clerk, or a sign-in (and a
    forced password change). False when the clerk chose 終了: the window does not open."""
    store = runner.store
    if runner.call(parent, is_demo_store, store):
        # Logged once the window's first page is up (MainWindow.finish_start).
        return runner.run(parent, staff.open_demo_session) is not None
    has_accounts = runner.call(parent, staff.has_accounts, store)
    if has_accounts is None:
        return False
    dialog: StaffForm = (
        SignInDialog(runner, parent) if has_accounts else FirstAdminDialog(runner, parent)
    )
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.account is None:
        return False
    if dialog.account.must_change_password:
        current = dialog.password if isinstance(dialog, SignInDialog) else None
        change = ChangePasswordDialog(runner, parent, forced=True, current=current)
        if change.exec() != QDialog.DialogCode.Accepted:
            runner.call(parent, staff.sign_out, store)
            return False
    return store.user is not None
