"""受信FAX as a clerk uses it: the page opened from the navigation, the inbox folder read, a page
without a barcode named by its case in the real dialog, Ctrl+Enter to file everything, the file
moved to the archive; then the kept page shown from the case window's 書類 tab."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case
from desktop_app.services.desk_settings import load_desk_settings, update_desk_settings
from desktop_app.ui.case_detail import CaseDetailDialog
from desktop_app.ui.fax_dialogs import FaxFoldersDialog, FaxImageDialog, FaxPageAssignDialog
from desktop_app.ui.fax_inbox_page import FaxInboxPage
from desktop_app.ui.fax_inbox_watch import FileState
from desktop_app.ui.main_window import PAGE_FAX, MainWindow
from tests.fax_samples import FINE, blank_page, fax, form, tiff
from tests.ui.modals import answer_modals, click, input_text

FAX_DAY = dt.datetime(2026, 12, 2, 16, 40).astimezone()
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", r"does not support raise\(\)")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    inbox, archive = tmp_path / "fax-in", tmp_path / "fax-done"
    inbox.mkdir()
    archive.mkdir()
    update_desk_settings(fax_inbox=str(inbox), fax_archive=str(archive))
    return inbox, archive


def _received(path: Path) -> Path:
    stamp = FAX_DAY.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _open_page(qtbot, window: MainWindow) -> FaxInboxPage:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # 受信FAX
    assert window.stack.currentIndex() == PAGE_FAX
    page = window.fax_page
    assert isinstance(page, FaxInboxPage)
    return page


def _until_read(qtbot, page: FaxInboxPage, count: int = 1) -> None:
    """Look at the folder until ``count`` files are read (a file is read once two looks found
    it unchanged: services/fax_inbox.InboxWatch)."""

    def read() -> bool:
        page.inbox.look()
        files = page.inbox.files.values()
        return len(files) == count and all(f.state == FileState.READ for f in files)

    qtbot.waitUntil(read, timeout=15000)


def _line(store, case_id: int, kind: DocumentKind):
    return next(
        d
        for d in get_case(store, case_id).documents
        if d.kind == kind and d.direction == Direction.IN
    )


def test_a_fax_of_two_cases_is_filed_in_one_key_after_the_clerk_names_the_unread_page(
    qtbot, window: MainWindow, store, make_case, folders
) -> None:
    inbox, archive = folders
    first = make_case()
    second = make_case(name="佐藤　花子", furigana="サトウ　ハナコ")
    pages = [fax(form(store, FormKind.APPLICATION, first.id), FINE), fax(blank_page(), FINE)]
    _received(tiff(inbox / "20261202-1640.tif", pages))

    page = _open_page(qtbot, window)
    _until_read(qtbot, page)
    assert page.files_model.data(page.files_model.index(0, 1)) == "要確認：1ページ"
    assert window.nav.item(PAGE_FAX).text() == "受信FAX（1）"
    assert page.pages_model.rowCount() == 2
    assert page.pages_model.data(page.pages_model.index(0, 3)).startswith("OK")
    assert "バーコードが読めません" in page.pages_model.data(page.pages_model.index(1, 3))

    # Ctrl+Enter with a page still waiting: told which, nothing recorded.
    page.pages_view.setFocus()
    qtbot.keyClick(page.pages_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "2ページ目" in page.message_label.text()
    assert page.current_page() is not None and page.current_page().page == 2
    assert _line(store, first.id, DocumentKind.APPLICATION).received_on is None

    # Plain Enter never confirms.
    qtbot.keyClick(page.pages_view, Qt.Key.Key_Return)
    assert _line(store, first.id, DocumentKind.APPLICATION).received_on is None

    # Ctrl+K: the real dialog; the clerk types the second case's number, Enter, picks the
    # referral letter and names the case.
    def name_the_case(dialog: QWidget) -> None:
        assert isinstance(dialog, FaxPageAssignDialog)
        qtbot.keyClicks(dialog.query_edit, second.case_number)
        qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)
        assert dialog.case_panel.isVisible()
        letter = _line(store, second.id, DocumentKind.REFERRAL_LETTER)
        assert dialog.line_combo.set_value(letter.id)
        click(dialog, "この案件に指定 (Ctrl+Enter)")

    asked = answer_modals(name_the_case)
    qtbot.keyClick(page.pages_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert asked.pending == 0
    assert page.pages_model.data(page.pages_model.index(1, 3)).startswith("OK")
    assert page.files_model.data(page.files_model.index(0, 1)) == "確定できます"

    window.activateWindow()  # offscreen Qt gives the window back no focus after a modal
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(page.pages_view.hasFocus)
    qtbot.keyClick(page.pages_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    application = _line(store, first.id, DocumentKind.APPLICATION)
    assert application.received_on == FAX_DAY.date()
    assert type(application.channel) is Channel and application.channel is Channel.FAX
    assert get_case(store, first.id).stage == Stage.APPLICATION_RECEIVED
    letter = _line(store, second.id, DocumentKind.REFERRAL_LETTER)
    assert letter.received_on == FAX_DAY.date() and letter.channel is Channel.FAX
    assert not (inbox / "20261202-1640.tif").exists()
    assert (archive / "2026-12" / "20261202-1640.tif").is_file()
    assert "記録しました" in page.message_label.text()
    assert page.files_model.rowCount() == 0
    assert window.nav.item(PAGE_FAX).text() == "受信FAX"
    with store.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.FAX_RECEIVE)
        ).all()
    assert sorted(e.case_id for e in entries) == sorted([first.id, second.id])

    # The case window's 書類 tab shows the kept page.
    case_window = CaseDetailDialog(window.runner, second.id, window)
    qtbot.addWidget(case_window)
    assert case_window.load()
    button = case_window.documents_panel.fax_button
    assert button.isEnabled() and button.text() == "受信FAX（1ページ）"

    def look_at_it(dialog: QWidget) -> None:
        assert isinstance(dialog, FaxImageDialog)
        pixmap = dialog.image_label.pixmap()
        assert pixmap is not None and not pixmap.isNull() and pixmap.width() > 100
        assert "2ページ" in dialog.page_list.item(0).text()
        dialog.reject()

    asked = answer_modals(look_at_it)
    button.click()
    assert asked.pending == 0


def test_del_leaves_a_page_out_and_the_rest_is_filed(
    qtbot, window: MainWindow, store, make_case, folders
) -> None:
    inbox, archive = folders
    case = make_case()
    pages = [fax(form(store, FormKind.APPLICATION, case.id), FINE), fax(blank_page("AD"), FINE)]
    _received(tiff(inbox / "ad.tif", pages))
    page = _open_page(qtbot, window)
    _until_read(qtbot, page)
    page.select_page(2)
    page.pages_view.setFocus()
    qtbot.keyClick(page.pages_view, Qt.Key.Key_Delete)
    assert page.pages_model.data(page.pages_model.index(1, 3)) == "記録しない"
    assert page.leave_out_button.text() == "記録する (Del)"
    page.confirm_button.click()
    assert _line(store, case.id, DocumentKind.APPLICATION).channel is Channel.FAX
    assert "記録しないページ：2" in page.message_label.text()
    assert (archive / "2026-12" / "ad.tif").is_file()


def test_an_unreadable_file_is_set_aside_with_a_reason(
    qtbot, window: MainWindow, store, folders
) -> None:
    inbox, archive = folders
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 torn")
    _received(inbox / "broken.pdf")
    page = _open_page(qtbot, window)
    _until_read(qtbot, page)
    assert page.files_model.data(page.files_model.index(0, 1)).startswith("読めません")
    assert not page.confirm_button.isEnabled() and page.set_aside_button.isEnabled()
    asked = answer_modals(input_text("読めないため再送を依頼"))
    page.set_aside_button.click()
    assert asked.pending == 0
    assert (archive / "2026-12" / "broken.pdf").is_file()
    with store.read() as session:
        (entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.FAX_SET_ASIDE)
        ).all()
    assert "読めないため再送を依頼" in entry.summary


def test_the_same_fax_again_is_shown_as_recorded_and_only_archived(
    qtbot, window: MainWindow, store, make_case, folders
) -> None:
    inbox, archive = folders
    case = make_case()
    original = _received(tiff(inbox / "a.tif", [fax(form(store, FormKind.APPLICATION, case.id))]))
    twin = inbox / "b.tif"
    shutil.copy2(original, twin)
    page = _open_page(qtbot, window)
    _until_read(qtbot, page, count=2)
    assert "同じ内容" in page.files_model.data(page.files_model.index(1, 1))
    page.select_file(original)
    page.confirm_button.click()
    qtbot.waitUntil(lambda: twin in page.inbox.files and page.inbox.files[twin].read is not None)
    _until_read(qtbot, page)
    page.select_file(twin)
    assert page.files_model.data(page.files_model.index(0, 1)).startswith("記録済み")
    assert not page.confirm_button.isEnabled() and page.archive_button.isEnabled()
    page.archive_button.click()
    assert (archive / "2026-12" / "b.tif").is_file() and not twin.exists()
    with store.read() as session:
        received = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.FAX_RECEIVE)
        ).all()
    assert len(received) == 1


def test_the_folders_are_this_desks_and_checked(qtbot, window: MainWindow, tmp_path) -> None:
    page = _open_page(qtbot, window)
    assert "受信フォルダが設定されていません" in page.folder_label.text()
    inbox = tmp_path / "in"
    inbox.mkdir()

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, FaxFoldersDialog)
        qtbot.keyClick(dialog.inbox_edit, Qt.Key.Key_Return)
        assert dialog.isVisible() and "受信フォルダを入力" in dialog.message_label.text()
        dialog.inbox_edit.setText(str(inbox))
        dialog.archive_edit.setText(str(inbox))
        click(dialog, "保存")
        assert dialog.isVisible() and "別のフォルダ" in dialog.message_label.text()
        dialog.archive_edit.setText(str(tmp_path / "none"))
        click(dialog, "保存")
        assert dialog.isVisible() and "保管フォルダが見つかりません" in dialog.message_label.text()
        (tmp_path / "none").mkdir()
        click(dialog, "保存")

    asked = answer_modals(fill)
    page.folders_button.click()
    assert asked.pending == 0
    assert load_desk_settings().fax_inbox == str(inbox)
    assert load_desk_settings().fax_archive == str(tmp_path / "none")
    qtbot.waitUntil(lambda: "最終確認" in page.folder_label.text())
