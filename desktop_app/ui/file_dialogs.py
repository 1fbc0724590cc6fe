"""Save and folder dialogs that speak Japanese and start in the clerk's documents folder.

Qt's own file dialog (used where the system offers none, as on a bare Linux desk) keeps a
few English labels that its Japanese translation lacks (Look in:, Files of type:), and a
start folder that does not exist sends it to the program's folder. Here every label is set,
and the start is the documents folder, or the home folder when there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

_LABELS = {
    QFileDialog.DialogLabel.LookIn: "場所：",
    QFileDialog.DialogLabel.FileName: "ファイル名：",
    QFileDialog.DialogLabel.FileType: "ファイルの種類：",
    QFileDialog.DialogLabel.Reject: "キャンセル",
}
# What an export can be saved as, the first offered first: (the dialog's filter, the suffix).
EXCEL_FILTER = ("Excel ブック (*.xlsx)", ".xlsx")
CSV_FILTER = ("CSV ファイル (*.csv)", ".csv")
EXPORT_FILTERS = (EXCEL_FILTER, CSV_FILTER)


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
    The path ends in ``suffix`` (".pdf", ".csv") unless the clerk chose an existing file by its
    full name; when it names an existing file, the clerk has said to replace it (callers write
    with overwrite=True, which still never replaces a database or a backup)."""
    return _ask_save(parent, title, suggested, ((name_filter, suffix),))


def ask_export_file(parent: QWidget | None, title: str, suggested: str) -> str | None:
    """Where to save an export: Excel (.xlsx) offered first, CSV (.csv) second, and the name's
    suffix follows the type the clerk picks (``suggested`` is given with .xlsx). A name typed
    with .xlsx or .csv keeps it; the writer takes the format from the suffix. None when
    cancelled; an existing file chosen means replace it, as for ``ask_save_file``."""
    return _ask_save(parent, title, suggested, EXPORT_FILTERS)


def _ask_save(
    parent: QWidget | None, title: str, suggested: str, filters: Sequence[tuple[str, str]]
) -> str | None:
    dialog = _dialog(parent, title, str(documents_folder() / suggested))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilters([name for name, _suffix in filters])
    suffixes = dict(filters)
    # The dialog adds the suffix itself, so the name it asks about replacing is the one saved.
    dialog.setDefaultSuffix(filters[0][1].lstrip("."))
    if len(filters) > 1:
        # Picking another type: the dialog changes the suffix in its name field itself, and
        # the one it adds to a name typed without any becomes that type's.
        dialog.filterSelected.connect(
            lambda name: dialog.setDefaultSuffix(suffixes.get(name, filters[0][1]).lstrip("."))
        )
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "保存")
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    path = dialog.selectedFiles()[0]
    suffix = suffixes.get(dialog.selectedNameFilter(), filters[0][1])
    if path.lower().endswith(tuple(suffixes.values())) or Path(path).exists():
        # A name typed with one of the offered suffixes keeps it; an existing file is the one
        # the dialog asked about replacing, and the clerk chose it: it is returned as chosen
        # (the writer refuses a database, a backup, or a suffix it cannot write).
        return path
    path = f"{path}{suffix}"
    if Path(path).exists() and not _replace_confirmed(parent, title, path):
        return None
    return path


def _replace_confirmed(parent: QWidget | None, title: str, path: str) -> bool:
    """The dialog's own question, for a name it did not see (another suffix typed)."""
    answer = QMessageBox.question(
        parent,
        title,
        f"{Path(path).name} は既にあります。置き換えますか？",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_folder(parent: QWidget | None, title: str, start: str) -> str:
    """A folder; "" when cancelled."""
    dialog = _dialog(parent, title, start if Path(start).is_dir() else str(documents_folder()))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "選択")
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return ""
    return dialog.selectedFiles()[0]
