"""Saving a PDF or a CSV through the real save dialog: an existing file only after the dialog's
own question, never a database or a backup (a message box says so and nothing is written),
and the saved file private (0600)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_app.domain.forms import FormKind
from desktop_app.services.cases import get_case
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.print_preview import PrintPreviewDialog
from desktop_app.ui.stats_page import StatsPage
from tests.ui.modals import answer_modals, message_text, no, yes

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and links")
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
SQLITE_HEADER = b"SQLite format 3\x00"


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def choose(path: Path) -> Callable[[QWidget], None]:
    """The clerk types the file's full name in the save dialog and presses 保存."""

    def step(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog), type(dialog)
        dialog.selectFile(str(path))
        dialog.accept()

    return step


def cancel(dialog: QWidget) -> None:
    assert isinstance(dialog, QFileDialog), type(dialog)
    dialog.reject()


def refusal(seen: list[str]) -> Callable[[QWidget], None]:
    """Read the warning box the clerk gets, and press its OK."""

    def step(dialog: QWidget) -> None:
        seen.append(message_text(dialog))
        assert isinstance(dialog, QMessageBox)
        dialog.button(QMessageBox.StandardButton.Ok).click()

    return step


def _backup_copy(store: Store, target: Path) -> Path:
    assert store.file is not None
    with closing(sqlite3.connect(store.file)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def _temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def preview(qtbot, runner: ServiceRunner, make_case) -> PrintPreviewDialog:
    detail = CaseDetailDialog(runner, make_case().id)
    qtbot.addWidget(detail)
    assert detail.load()
    dialog = detail.open_form(FormKind.APPLICATION)
    assert isinstance(dialog, PrintPreviewDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready)
    return dialog


def _saved_entries(store: Store, case_id: int) -> int:
    return sum("PDF保存" in e.summary for e in get_case(store, case_id).history)


@posix_only
def test_the_pdf_replaces_a_file_after_the_dialogs_question_and_is_private(
    qtbot, store: Store, runner: ServiceRunner, preview: PrintPreviewDialog, tmp_path: Path
) -> None:
    target = tmp_path / "申込書.pdf"
    target.write_bytes(b"last week's")
    target.chmod(0o644)
    case_id = preview.form.case_id
    assert case_id is not None
    # The clerk first says no to replacing it, backs out; then saves again and says yes.
    asked = answer_modals(choose(target), no, cancel)
    with qtbot.assertNotEmitted(runner.changed):
        assert not preview.save_form()
    assert not asked.pending
    assert target.read_bytes() == b"last week's"
    asked = answer_modals(choose(target), yes)
    with qtbot.waitSignal(runner.changed):
        assert preview.save_form()
    assert not asked.pending
    assert target.read_bytes() == preview.form.pdf
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    new = tmp_path / "new.pdf"
    asked = answer_modals(choose(tmp_path / "new"))  # the dialog adds .pdf
    assert preview.save_form()
    assert not asked.pending
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert _saved_entries(store, case_id) == 2
    assert _temps(tmp_path) == []


@posix_only
def test_a_database_or_a_backup_is_refused_with_a_message_and_nothing_written(
    qtbot, store: Store, runner: ServiceRunner, preview: PrintPreviewDialog, tmp_path: Path
) -> None:
    db = store.file
    assert db is not None
    out = tmp_path / "out"
    out.mkdir()
    wal = Path(f"{db}-wal")
    assert wal.exists()  # the window has the store open
    backup = _backup_copy(store, out / "控え.pdf")
    kept = backup.read_bytes()
    link = out / "link.pdf"
    link.symlink_to(db)
    case_id = preview.form.case_id
    assert case_id is not None
    for target in (db, wal, backup, link):
        seen: list[str] = []
        # The dialog asks whether to replace the existing file; the clerk says yes.
        asked = answer_modals(choose(target), yes, refusal(seen))
        with qtbot.assertNotEmitted(runner.changed):
            assert not preview.save_form()
        assert not asked.pending, target
        assert len(seen) == 1, target
        assert "PDFを保存できませんでした" in seen[0] and "書き込めません" in seen[0]
        assert target.name in seen[0]
    assert db.read_bytes().startswith(SQLITE_HEADER)
    assert backup.read_bytes() == kept
    assert _saved_entries(store, case_id) == 0
    assert _temps(out) == [] and _temps(db.parent) == []
    assert get_case(store, case_id).case_number  # the store still reads


def test_a_csv_export_onto_a_backup_is_refused_with_a_message(
    qtbot, store: Store, runner: ServiceRunner, tmp_path: Path
) -> None:
    page = StatsPage(runner)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=20_000)
    backup = _backup_copy(store, tmp_path / "統計.csv")
    kept = backup.read_bytes()
    seen: list[str] = []
    asked = answer_modals(choose(backup), yes, refusal(seen))
    assert page.export_all() is None
    assert not asked.pending
    assert len(seen) == 1 and "バックアップ" in seen[0] and "統計.csv" in seen[0]
    assert backup.read_bytes() == kept
    assert _temps(tmp_path) == []
