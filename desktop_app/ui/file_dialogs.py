"""Save and folder dialogs that speak Japanese and start in the clerk's documents folder.

Qt's own file dialog (used where the system offers none, as on a bare Linux desk) keeps a
few English labels that its Japanese translation lacks (Look in:, Files of type:), and a
start folder that does not exist sends it to the program's folder. Here every label is set,
and the start is the documents folder, or the home folder when there is none.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_LABELS = {
    QFileDialog.DialogLabel.LookIn: "場所：",
    QFileDialog.DialogLabel.FileName: "ファイル名：",
    QFileDialog.DialogLabel.FileType: "ファイルの種類：",
    QFileDialog.DialogLabel.Reject: "キャンセル",
}


def documents_folder() -> Path:
    """The clerk's documents folder if it exists, else their home folder."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path = Path(folder) if folder else Path.home()
    return path if path.is_dir() else Path.home()


def _dialog(parent: QWidget | None, title: str, start: str) -> QFileDialog:
    dialog = QFileDialog(parent, title, start)
    for label, text in _LABELS.items():
        dialog.setLabelText(label, text)
    return dialog


def ask_save_file(
    parent: QWidget | None, title: str, suggested: str, name_filter: str, suffix: str
) -> str | None:
    """Where to save ``suggested`` (in the documents folder to start); None when cancelled.
    The path ends in ``suffix`` (".pdf", ".csv") whatever the clerk typed."""
    dialog = _dialog(parent, title, str(documents_folder() / suggested))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(name_filter)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "保存")
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    path = dialog.selectedFiles()[0]
    return path if path.lower().endswith(suffix) else f"{path}{suffix}"


def ask_folder(parent: QWidget | None, title: str, start: str) -> str:
    """A folder; "" when cancelled."""
    dialog = _dialog(parent, title, start if Path(start).is_dir() else str(documents_folder()))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "選択")
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return ""
    return dialog.selectedFiles()[0]
