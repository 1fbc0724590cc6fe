"""The save and folder dialogs speak Japanese and start in the documents (or home) folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.ui.file_dialogs import ask_folder, ask_save_file, documents_folder
from tests.ui.modals import answer_modals


def test_documents_folder_exists_or_is_home(tmp_path, monkeypatch) -> None:
    folder = documents_folder()
    assert folder.is_dir()


def test_save_dialog_is_japanese_starts_in_documents_and_adds_the_suffix(qtbot, tmp_path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, object] = {}

    def save_here(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        seen["labels"] = [
            dialog.labelText(label)
            for label in (
                QFileDialog.DialogLabel.LookIn,
                QFileDialog.DialogLabel.FileName,
                QFileDialog.DialogLabel.FileType,
                QFileDialog.DialogLabel.Accept,
                QFileDialog.DialogLabel.Reject,
            )
        ]
        seen["start"] = Path(dialog.directory().absolutePath())
        dialog.selectFile(str(tmp_path / "一覧"))
        dialog.accept()

    asked = answer_modals(save_here)
    path = ask_save_file(parent, "CSVに書き出す", "統計.csv", "CSV (*.csv)", ".csv")
    assert not asked.pending
    assert seen["labels"] == ["場所：", "ファイル名：", "ファイルの種類：", "保存", "キャンセル"]
    assert seen["start"] == documents_folder()
    assert path == str(tmp_path / "一覧.csv")


def test_folder_dialog_starts_where_asked_and_cancel_gives_nothing(qtbot, tmp_path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[Path] = []

    def cancel(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        seen.append(Path(dialog.directory().absolutePath()))
        dialog.reject()

    asked = answer_modals(cancel)
    assert ask_folder(parent, "バックアップの保存先を選ぶ", str(tmp_path)) == ""
    assert not asked.pending and seen == [tmp_path]
