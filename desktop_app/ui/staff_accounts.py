"""職員アカウント: the administrator's list of staff accounts, and its small forms.

Accounts are added with a temporary password, renamed, given another role, given a new
temporary password, disabled and enabled again; never deleted, so the audit log keeps
naming whoever did what. The services refuse whoever is not an administrator, the last
administrator's demotion and one's own disabling; the refusal shows beside its field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.roles import MIN_PASSWORD, Role
from desktop_app.services.staff import StaffAccount
from desktop_app.services.staff_admin import (
    add_account,
    list_accounts,
    reset_password,
    set_active,
    update_account,
)
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.formats import BLANK, local_time_text
from desktop_app.ui.layout_tools import fit_to_screen
from desktop_app.ui.masters_dialogs import FormDialog, confirm
from desktop_app.ui.rows_model import AnyIndex, ReadOnlyTableModel
from desktop_app.ui.style import MUTED
from desktop_app.ui.value_combo import ValueCombo

HEADERS = ("ログインID", "氏名", "役割", "状態", "最終サインイン", "パスワード")
TEMPORARY = "仮パスワード（次回サインインで変更）"
PASSWORD_HINT = (
    f"{MIN_PASSWORD}文字以上。本人に口頭か紙で伝えてください。"
    "次回のサインインで、本人が自分のパスワードに変更します。"
)
ACCOUNTS_NOTE = (
    "アカウントは削除できません。辞めた職員のアカウントは「無効にする」で"
    "サインインできなくします（変更履歴には氏名が残ります）。"
)


def run_form(dialog: QDialog) -> bool:
    """Show a form modally; True when it saved. Tests patch this to fill the form in."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(128)
    return edit


def _role_combo(selected: Role = Role.RECEPTION) -> ValueCombo:
    combo = ValueCombo()
    for role in (Role.RECEPTION, Role.DOCTOR, Role.ADMIN):
        combo.add(role.label, role)
    combo.setCurrentIndex(combo.index_of(selected))
    return combo


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


class _AccountForm(FormDialog):
    """FormDialog's fields and errors, its saves announced as no page's data."""

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.runner.run(self, fn, *args, on_error=self.show_error, **kwargs)

    def add_hint(self, text: str) -> None:
        self.form.addRow("", _hint(text))


class NewAccountDialog(_AccountForm):
    """追加: login ID, name, role and a temporary password, twice."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "職員アカウントを追加", parent)
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText("例：suzuki.h（半角英小文字・数字）")
        self.login_edit.setMaxLength(32)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例：鈴木 花子")
        self.role_combo = _role_combo()
        self.password_edit = _password_edit()
        self.repeated_edit = _password_edit()
        self.add_field("login", "ログインID", self.login_edit)
        self.add_field("display_name", "氏名", self.name_edit)
        self.add_field("role", "役割", self.role_combo)
        self.add_field("password", "仮パスワード", self.password_edit)
        self.add_field("repeated", "仮パスワード（確認）", self.repeated_edit)
        self.add_hint(PASSWORD_HINT)

    def save(self) -> StaffAccount | None:
        result: StaffAccount | None = self.run(
            add_account,
            self.login_edit.text(),
            self.name_edit.text(),
            self.role_combo.value(),
            self.password_edit.text(),
            self.repeated_edit.text(),
        )
        return result


class EditAccountDialog(_AccountForm):
    """編集: the name shown and the role (the login ID never changes)."""

    def __init__(
        self, runner: ServiceRunner, account: StaffAccount, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, "職員アカウントを編集", parent)
        self.account = account
        login = QLabel(account.login)
        login.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_edit = QLineEdit(account.display_name)
        self.role_combo = _role_combo(account.role)
        self.form.addRow("ログインID", login)
        self.add_field("display_name", "氏名", self.name_edit)
        self.add_field("role", "役割", self.role_combo)
        self.add_hint("ログインIDは変更できません。")

    def save(self) -> StaffAccount | None:
        result: StaffAccount | None = self.run(
            update_account,
            self.account.id,
            display_name=self.name_edit.text(),
            role=self.role_combo.value(),
            version=self.account.version,
        )
        return result


class ResetPasswordDialog(_AccountForm):
    """パスワード再設定: a temporary password, twice, to be changed at the next sign-in."""

    def __init__(
        self, runner: ServiceRunner, account: StaffAccount, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, "パスワードを再設定", parent)
        self.account = account
        self.form.addRow("職員", QLabel(f"{account.display_name}（{account.login}）"))
        self.password_edit = _password_edit()
        self.repeated_edit = _password_edit()
        self.add_field("password", "仮パスワード", self.password_edit)
        self.add_field("repeated", "仮パスワード（確認）", self.repeated_edit)
        self.add_hint("今までのパスワードは使えなくなります。" + PASSWORD_HINT)

    def save(self) -> StaffAccount | None:
        result: StaffAccount | None = self.run(
            reset_password,
            self.account.id,
            self.password_edit.text(),
            self.repeated_edit.text(),
            version=self.account.version,
        )
        return result


class StaffAccountsModel(ReadOnlyTableModel):
    """Every account, active first; disabled ones in grey."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)
        self._rows: list[StaffAccount] = []

    def set_accounts(self, accounts: tuple[StaffAccount, ...]) -> None:
        self.beginResetModel()
        self._rows = list(accounts)
        self.endResetModel()

    def account_at(self, row: int) -> StaffAccount | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, account_id: int) -> int | None:
        for row, account in enumerate(self._rows):
            if account.id == account_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        account = self.account_at(index.row()) if index.isValid() else None
        if account is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                account.login,
                account.display_name,
                account.role.label,
                "有効" if account.active else "無効",
                local_time_text(account.last_sign_in_at) if account.last_sign_in_at else BLANK,
                TEMPORARY if account.must_change_password else "",
            )
            return values[index.column()] if 0 <= index.column() < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and not account.active:
            return QColor(MUTED)
        return None


class StaffAccountsDialog(QDialog):
    """The accounts table with 追加… 編集… パスワード再設定… 無効にする／有効にする."""

    def __init__(self, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("職員アカウント")
        fit_to_screen(self, 900, 480)

        self.model = StaffAccountsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        text_size.keep_columns(header, dict(enumerate((130, 150, 80, 60, 150))))
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.edit())

        self.add_button = QPushButton("追加…")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("編集…")
        self.edit_button.setToolTip("氏名と役割を変更します。")
        self.edit_button.clicked.connect(self.edit)
        self.password_button = QPushButton("パスワード再設定…")
        self.password_button.clicked.connect(self.reset_password)
        self.active_button = QPushButton("無効にする")
        self.active_button.clicked.connect(self.toggle_active)
        close = QPushButton("閉じる")
        close.clicked.connect(self.accept)
        self.message = QLabel()
        self.message.setObjectName("savedLabel")
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.password_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(_hint(ACCOUNTS_NOTE))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.reload()

    # Loading ---------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Read the accounts again; the row of ``select_id`` (or the one selected) stays chosen."""
        current = self.selected()
        if select_id is None and current is not None:
            select_id = current.id
        accounts = self.runner.read(self, list_accounts)
        self.model.set_accounts(accounts or ())
        row = self.model.row_of(select_id) if select_id is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> StaffAccount | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.account_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        account = self.selected()
        for button in (self.edit_button, self.password_button, self.active_button):
            button.setEnabled(account is not None)
        active = account is None or account.active
        self.active_button.setText("無効にする" if active else "有効にする")

    # Actions ---------------------------------------------------------------------------

    def add(self) -> None:
        dialog = NewAccountDialog(self.runner, self)
        if run_form(dialog) and dialog.result_value is not None:
            account: StaffAccount = dialog.result_value
            self._done(
                account,
                f"{account.display_name}（{account.login}）を追加しました。"
                "仮パスワードを本人に伝えてください。",
            )

    def edit(self) -> None:
        account = self.selected()
        if account is None:
            return
        dialog = EditAccountDialog(self.runner, account, self)
        if run_form(dialog) and dialog.result_value is not None:
            changed: StaffAccount = dialog.result_value
            self._done(changed, f"{changed.display_name}（{changed.login}）を変更しました。")
            self._follow_own_account(changed)

    def reset_password(self) -> None:
        account = self.selected()
        if account is None:
            return
        dialog = ResetPasswordDialog(self.runner, account, self)
        if run_form(dialog) and dialog.result_value is not None:
            self._done(
                account,
                f"{account.display_name}（{account.login}）に仮パスワードを設定しました。"
                "次回のサインインで本人が変更します。",
            )

    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        who = f"{account.display_name}（{account.login}）"
        if account.active:
            title = "アカウントを無効にする"
            question = (
                f"{who}のアカウントを無効にしますか？\n\n"
                "無効にすると、このアカウントではサインインできなくなります。"
                "アカウントは削除されず、変更履歴には今までどおりこの氏名が残ります。"
                "あとで「有効にする」で戻せます。"
            )
        else:
            title = "アカウントを有効にする"
            question = (
                f"{who}のアカウントを有効に戻しますか？\n\n"
                "今までのパスワードで、またサインインできるようになります。"
            )
        if not confirm(self, title, question):
            return
        changed = self.runner.run(
            self, set_active, account.id, not account.active, version=account.version
        )
        if changed is None:
            self.reload()  # another desk may have changed it: show the list as it is now
            return
        done = "無効にしました" if not changed.active else "有効にしました"
        self._done(changed, f"{who}を{done}。")

    def _done(self, account: StaffAccount, message: str) -> None:
        self.reload(select_id=account.id)
        self.message.setText(message)

    def _follow_own_account(self, account: StaffAccount) -> None:
        """Renamed or given another role oneself: the desk works as the account now is."""
        store = self.runner.store
        user = store.user
        if user is not None and user.login == account.login and user != account.actor:
            store.sign_in(account.actor)
            self.runner.signed_in()
