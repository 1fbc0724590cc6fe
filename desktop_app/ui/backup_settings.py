"""The 設定 page's backup box: where backups go, and a button for one now.

The folder is one of the page's fields (saved with 保存); the button backs up to the saved
folder, off the UI thread, and says beside itself what happened.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.backup import BackupResult, default_backup_folder
from desktop_app.ui.backup_status import RUNNING_TEXT, BackgroundBackup
from desktop_app.ui.file_dialogs import ask_folder

BACKUP_HINT = (
    "SO Desk を使っている間、1日1回自動でコピーを作ります。"
    "日ごとに14日分、月ごとに12か月分を残し、古いものは削除します。"
    "USBメモリや別のドライブを選ぶと、パソコンの故障にも備えられます。"
)
FOLDER_TITLE = "バックアップの保存先を選ぶ"


def choose_folder(parent: QWidget | None, title: str, start: str) -> str:
    """Ask for a folder; "" when cancelled. Tests patch this instead of answering the dialog."""
    return ask_folder(parent, title, start)


class BackupBox(QGroupBox):
    def __init__(self, backups: BackgroundBackup, parent: QWidget | None = None) -> None:
        super().__init__("バックアップ", parent)
        self.backups = backups
        self._requested = False

        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(f"既定：{default_backup_folder()}")
        self.folder_edit.setToolTip(
            f"空欄のときは既定のフォルダ（{default_backup_folder()}）に保存します。"
        )
        self.browse_button = QPushButton("参照…")
        self.browse_button.clicked.connect(self.choose_folder)
        self.folder_row = QWidget()
        row = QHBoxLayout(self.folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.browse_button)

        hint = QLabel(BACKUP_HINT)
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.backup_button = QPushButton("今すぐバックアップ")
        self.backup_button.clicked.connect(self.backup_now)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.message, 1)

        # The page puts the folder row (with its error label) in here; see SettingsPage.
        self.body = QVBoxLayout(self)
        self.body.setSpacing(6)
        self.body.addWidget(hint)
        self.body.addLayout(buttons)

        backups.started.connect(self._on_started)
        backups.finished.connect(self._on_finished)
        backups.failed.connect(self._on_failed)
        self.backup_button.setEnabled(not backups.running)

    def choose_folder(self) -> None:
        start = self.folder_edit.text().strip() or str(default_backup_folder())
        chosen = choose_folder(self, FOLDER_TITLE, start)
        if chosen:
            self.folder_edit.setText(chosen)

    def backup_now(self) -> None:
        """A backup to the saved folder; the result shows beside the button."""
        if self.backups.start():
            self._requested = True
            self._note(RUNNING_TEXT, "muted")

    def _on_started(self) -> None:
        self.backup_button.setEnabled(False)

    def _on_finished(self, result: BackupResult) -> None:
        self.backup_button.setEnabled(True)
        if self._requested:
            self._requested = False
            self._note(f"バックアップを作成しました：{result.path}", "savedLabel")

    def _on_failed(self, reason: str) -> None:
        self.backup_button.setEnabled(True)
        if self._requested:
            self._requested = False
            self._note(reason, "fieldError")

    def _note(self, text: str, style: str) -> None:
        self.message.setText(text)
        self.message.setObjectName(style)
        self.message.style().polish(self.message)
