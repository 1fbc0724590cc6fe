"""受信FAX: the received files, each page's case and form, and one key to confirm.

Left, the files in this desk's inbox folder (services/fax_inbox via ui/fax_inbox_watch);
middle, the chosen file's pages with their thumbnails, the case and checklist line each was
matched to, or why it waits; right, the chosen page, large enough to read. A page without a
barcode waits for the clerk: 案件を指定 (Ctrl+K) names its case, 記録しない (Del) leaves it
out. 確定して記録 (Ctrl+Enter) files every page at once and moves the file to the archive.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.services.fax_inbox import (
    FaxRecorded,
    PageProposal,
    archive_fax,
    record_fax,
    set_aside_fax,
)
from desktop_app.ui import text_size
from desktop_app.ui.actions import ServiceRunner, show_error
from desktop_app.ui.fax_dialogs import (
    FaxFoldersDialog,
    FaxImageDialog,
    FaxPageAssignDialog,
    png_pixmap,
)
from desktop_app.ui.fax_inbox_watch import FaxInbox, FileState, InboxFile
from desktop_app.ui.layout_tools import TwoPartRow, WrappedCells
from desktop_app.ui.permissions import gate
from desktop_app.ui.rows_model import ReadOnlyTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
THUMB = QSize(54, 76)
DOCUMENT_COLUMN_WIDTH = 110  # 「セカンドオピニオン外来申込書」 on two lines
FILES_MINIMUM_WIDTH = 170  # 「12/04 13:42」 and 「要確認：1ページ」 side by side
NOT_SET = "受信フォルダが設定されていません。「フォルダ設定…」で、複合機・FAXサーバーが受信FAXを保存するフォルダを選んでください。"


def ask_set_aside_reason(parent: QWidget, name: str) -> str | None:
    """Why a file is archived with nothing recorded; None when the clerk backs out."""
    text, ok = QInputDialog.getText(
        parent,
        "記録せずに保管",
        f"「{name}」を記録せずに保管フォルダへ移します。理由を入力してください\n"
        "（例：広告、白紙、読めないため送信元に再送を依頼）：",
    )
    return text if ok else None


class FilesModel(ReadOnlyTableModel):
    """The files in the inbox: when they came and how many pages (the name in the tooltip and
    above the pages), and what is to be done with each."""

    HEADERS = ("受信", "状態")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.HEADERS, parent)
        self.files: list[InboxFile] = []

    def set_files(self, files: list[InboxFile]) -> None:
        if [f.path for f in files] == [f.path for f in self.files]:
            self.files = files
            if files:  # the same rows: their text changes, the selection stays
                last = self.index(len(files) - 1, len(self.HEADERS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self.files = files
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.files)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self.files[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{f.name}\n{f.status}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if index.column() == 0:
            return received_text(f)
        return f.status


def received_text(f: InboxFile) -> str:
    """「12/04 09:15」 and the page count, on two lines."""
    read = f.read
    if read is None or not read.sha256:
        return "—"
    when = read.modified.astimezone().strftime("%m/%d %H:%M")
    pages = f"{len(read.pages)}ページ" if read.pages else ""
    return f"{when}\n{pages}" if pages else when


class PagesModel(ReadOnlyTableModel):
    HEADERS = ("ページ", "案件", "書類", "状態")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.HEADERS, parent)
        self.entry: InboxFile | None = None
        self.pages: tuple[PageProposal, ...] = ()
        self._icons: dict[tuple[str, int], QIcon] = {}

    def set_entry(self, entry: InboxFile | None) -> None:
        pages = entry.pages if entry is not None else ()
        same = entry is self.entry and [p.page for p in pages] == [p.page for p in self.pages]
        if same and pages:
            self.pages = pages
            self.dataChanged.emit(self.index(0, 0), self.index(len(pages) - 1, 3))
            return
        self.beginResetModel()
        self.entry, self.pages = entry, pages
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pages)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self.pages[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._icon(p)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if column == 0:
            return f"{p.page}"
        if column == 1:
            if p.case_id is None:
                return p.case_number or "—"
            return f"{p.case_number}\n{p.patient_name} 様"
        if column == 2:
            if p.document_label:
                return p.document_label
            return p.form.menu_label if p.form is not None else "—"
        return self.state_text(p)

    def state_text(self, p: PageProposal) -> str:
        entry = self.entry
        if entry is not None and p.page in entry.left_out:
            return "記録しない"
        if p.problem is not None:
            return f"要確認：{p.problem}"
        named = "　案件は手で指定" if entry is not None and p.page in entry.named else ""
        return "OK" + named + (f"　{p.note}" if p.note else "")

    def _icon(self, p: PageProposal) -> QIcon:
        key = (self.entry.read.sha256 if self.entry and self.entry.read else "", p.page)
        icon = self._icons.get(key)
        if icon is None:
            icon = QIcon(png_pixmap(p.thumbnail))
            self._icons[key] = icon
        return icon


class PagePreview(QLabel):
    """The chosen page drawn to the pane's width (again when the pane is resized)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._pixmap = QPixmap()

    def show_png(self, data: bytes) -> None:
        self._pixmap = png_pixmap(data)
        self._draw()

    def clear(self) -> None:
        self._pixmap = QPixmap()
        super().clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._draw()

    def _draw(self) -> None:
        if self._pixmap.isNull():
            return
        width = max(100, self.width() - 8)
        scaled = self._pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        if scaled.height() > self.height() > 100:  # the whole page in view
            scaled = self._pixmap.scaledToHeight(
                self.height() - 8, Qt.TransformationMode.SmoothTransformation
            )
        self.setPixmap(scaled)


class FaxInboxPage(QWidget):
    """The 受信FAX page."""

    def __init__(
        self, runner: ServiceRunner, inbox: FaxInbox, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.inbox = inbox

        title = QLabel("受信FAX")
        title.setObjectName("pageTitle")
        self.folder_label = QLabel()
        self.folder_label.setObjectName("muted")
        self.folder_label.setWordWrap(True)
        self.look_button = QPushButton("今すぐ確認 (F5)")
        self.look_button.clicked.connect(self.look_now)
        folders_button = QPushButton("フォルダ設定…")
        folders_button.clicked.connect(self.open_folders)
        self.folders_button = folders_button
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.folder_label, 1)
        head.addWidget(self.look_button)
        head.addWidget(folders_button)

        self.files_model = FilesModel(self)
        self.files_view = self._table(self.files_model, "受信したファイル")
        self.files_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.files_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.files_view.setWordWrap(True)
        self.files_view.setItemDelegate(WrappedCells(self.files_view))
        self.files_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.files_view.selectionModel().currentRowChanged.connect(lambda *_: self._file_chosen())

        self.pages_model = PagesModel(self)
        self.pages_view = self._table(self.pages_model, "ページと照合結果")
        self.pages_view.setIconSize(THUMB)
        # Each row as tall as its thumbnail, or as its wrapped 書類 and 状態 lines where they
        # need more (a narrow pane, or 文字の大きさ 大 and 特大): never cut off.
        rows = self.pages_view.verticalHeader()
        rows.setMinimumSectionSize(THUMB.height() + 8)
        rows.setDefaultSectionSize(THUMB.height() + 8)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.pages_view.setItemDelegate(WrappedCells(self.pages_view))
        header = self.pages_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        text_size.keep_columns(header, {2: DOCUMENT_COLUMN_WIDTH})  # 書類: two lines at most
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.pages_view.setWordWrap(True)
        self.pages_view.selectionModel().currentRowChanged.connect(lambda *_: self._page_chosen())
        self.pages_view.doubleClicked.connect(lambda _index: self.show_large())

        self.preview = PagePreview()
        self.preview.setMinimumWidth(220)  # a picture: no larger with the text
        # The page is drawn to the pane's width: it never asks the splitter for its own size.
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setStyleSheet("background: white; border: 1px solid #c8c8c8;")
        self.preview.setAccessibleName("選んだページ")
        self.preview.setToolTip("ダブルクリックまたは Space で拡大表示")

        self.assign_button = QPushButton("案件を指定… (Ctrl+K)")
        self.assign_button.clicked.connect(self.assign)
        self.leave_out_button = QPushButton("記録しない (Del)")
        self.leave_out_button.clicked.connect(self.toggle_left_out)
        self.large_button = QPushButton("拡大 (Space)")
        self.large_button.clicked.connect(self.show_large)
        # The page's buttons in one row, or two where the middle pane is narrow (特大): the
        # row never squeezes the list of files.
        naming = QHBoxLayout()
        naming.addWidget(self.assign_button)
        naming.addWidget(self.leave_out_button)
        naming.addStretch(1)
        looking = QHBoxLayout()
        looking.addWidget(self.large_button)
        looking.addStretch(1)
        page_buttons = TwoPartRow(naming, looking)

        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.file_label)
        middle_layout.addWidget(self.pages_view, 1)
        middle_layout.addWidget(page_buttons)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.files_view)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setChildrenCollapsible(False)
        text_size.keep(self.files_view, minimum_width=FILES_MINIMUM_WIDTH)
        # What a larger text needs goes to the pages' table; the list and the picture keep theirs.
        self.splitter.setSizes([300, text_size.px(460), 320])

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("muted")
        self.set_aside_button = QPushButton("記録せずに保管…")
        self.set_aside_button.clicked.connect(self.set_aside)
        self.archive_button = QPushButton("保管へ移動")
        self.archive_button.clicked.connect(self.archive_recorded)
        self.confirm_button = QPushButton("確定して記録 (Ctrl+Enter)")
        self.confirm_button.setObjectName("primary")
        self.confirm_button.clicked.connect(self.confirm)
        for button in (
            self.look_button, folders_button, self.assign_button, self.leave_out_button,
            self.large_button, self.set_aside_button, self.archive_button, self.confirm_button,
        ):  # fmt: skip
            button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.set_aside_button)
        bottom.addWidget(self.archive_button)
        bottom.addWidget(self.confirm_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        for keys, slot in (
            ("Ctrl+Return", self.confirm),
            ("Ctrl+Enter", self.confirm),
            ("Ctrl+K", self.assign),
            ("F5", self.look_now),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        for keys, slot in (("Delete", self.toggle_left_out), ("Space", self.show_large)):
            shortcut = QShortcut(QKeySequence(keys), self.pages_view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

        inbox.changed.connect(self.refresh)
        runner.user_changed.connect(lambda _actor: self._update_buttons())
        self.refresh()

    def _table(self, model: ReadOnlyTableModel, name: str) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setAccessibleName(name)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.setAlternatingRowColors(True)
        view.setTabKeyNavigation(False)
        return view

    # What is shown ------------------------------------------------------------------------

    def refresh(self) -> None:
        """The list as the inbox knows it now; the chosen file and page stay chosen."""
        chosen = self.current_file()
        files = sorted(self.inbox.files.values(), key=lambda f: f.name)
        self.files_model.set_files(files)
        if chosen is not None and chosen.path in self.inbox.files:
            self.select_file(chosen.path)
        elif files and self.files_view.currentIndex().row() < 0:
            self.files_view.selectRow(0)
        self._file_chosen()
        self._show_folder()

    def _show_folder(self) -> None:
        if not self.inbox.inbox:
            self.folder_label.setText(NOT_SET)
            return
        looked = self.inbox.last_look
        parts = [f"受信フォルダ：{self.inbox.inbox}"]
        parts.append(f"保管フォルダ：{self.inbox.archive or '未設定'}")
        if self.inbox.problem:
            parts.append(self.inbox.problem)
        elif looked is not None:
            parts.append(f"最終確認 {looked.strftime('%H:%M:%S')}・{len(self.inbox.files)}件")
        self.folder_label.setText("　".join(parts))

    def current_file(self) -> InboxFile | None:
        row = self.files_view.currentIndex().row()
        files = self.files_model.files
        return files[row] if 0 <= row < len(files) else None

    def current_page(self) -> PageProposal | None:
        row = self.pages_view.currentIndex().row()
        pages = self.pages_model.pages
        return pages[row] if 0 <= row < len(pages) else None

    def select_file(self, path: Path) -> None:
        for row, f in enumerate(self.files_model.files):
            if f.path == path:
                if self.files_view.currentIndex().row() != row:
                    self.files_view.selectRow(row)
                return

    def select_page(self, page: int) -> None:
        for row, p in enumerate(self.pages_model.pages):
            if p.page == page:
                self.pages_view.selectRow(row)
                return

    def _file_chosen(self) -> None:
        entry = self.current_file()
        if entry is None:
            self.file_label.setText("受信したFAXはありません。" if self.inbox.inbox else "")
        else:
            self.file_label.setText(f"<b>{escape(entry.name)}</b>　{escape(entry.status)}")
        row = self.pages_view.currentIndex().row()
        self.pages_model.set_entry(entry)
        if self.pages_model.pages and self.pages_view.currentIndex().row() < 0:
            self.pages_view.selectRow(max(0, min(row, len(self.pages_model.pages) - 1)))
        self._page_chosen()

    def _page_chosen(self) -> None:
        page = self.current_page()
        if page is None:
            self.preview.clear()
            entry = self.current_file()
            self.preview.setText(entry.status if entry is not None else "")
        else:
            self.preview.show_png(page.image)
        self._update_buttons()

    def _update_buttons(self) -> None:
        entry = self.current_file()
        page = self.current_page()
        confirmable = entry is not None and entry.confirmable
        read = entry.read if entry is not None else None
        recorded = read is not None and read.recorded is not None
        gate(self.assign_button, self._runner, record_fax, enabled=confirmable and page is not None)
        gate(
            self.leave_out_button, self._runner, record_fax,
            enabled=confirmable and page is not None,
        )  # fmt: skip
        if entry is not None and page is not None and page.page in entry.left_out:
            self.leave_out_button.setText("記録する (Del)")
        else:
            self.leave_out_button.setText("記録しない (Del)")
        self.large_button.setEnabled(page is not None)
        gate(self.confirm_button, self._runner, record_fax, enabled=confirmable)
        set_aside_ok = (
            entry is not None
            and entry.state == FileState.READ
            and read is not None
            and read.recorded is None
            and bool(read.sha256)
            and not (entry.duplicate_of and read.problem is None)
        )
        gate(self.set_aside_button, self._runner, set_aside_fax, enabled=set_aside_ok)
        self.archive_button.setEnabled(recorded and bool(self.inbox.archive))
        self.archive_button.setToolTip(
            "" if self.inbox.archive else "保管フォルダを「フォルダ設定…」で選んでください。"
        )

    def say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setObjectName("fieldError" if error else "savedLabel")
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        self.message_label.setText(text)

    # The clerk's actions ------------------------------------------------------------------

    def look_now(self) -> None:
        if not self.inbox.inbox:
            self.say(NOT_SET, error=True)
            return
        self.inbox.look()

    def open_folders(self) -> None:
        dialog = FaxFoldersDialog(self.inbox.inbox, self.inbox.archive, self)
        if dialog.exec() != FaxFoldersDialog.DialogCode.Accepted:
            return
        inbox, archive = dialog.folders()
        try:
            self.inbox.configure(inbox, archive)
        except OSError as exc:
            show_error(self, f"設定を保存できません（{exc.strerror or exc}）")
            return
        self.say("フォルダを設定しました。受信フォルダを確認しています…")

    def assign(self) -> None:
        entry, page = self.current_file(), self.current_page()
        if entry is None or page is None or not entry.confirmable:
            return
        dialog = FaxPageAssignDialog(self._runner, page, self)
        accepted = dialog.exec() == FaxPageAssignDialog.DialogCode.Accepted
        self._back_from_dialog()
        if not accepted:
            return
        named = dialog.result_proposal
        if named is None:
            return
        entry.named[page.page] = named
        entry.left_out.discard(page.page)
        self.inbox.changed.emit()
        self._next_waiting(entry, after=page.page)

    def _back_from_dialog(self) -> None:
        """The keyboard back on the pages once a dialog closes (the window given focus again,
        as some desktops do not by themselves)."""
        self.window().activateWindow()
        self.pages_view.setFocus()

    def toggle_left_out(self) -> None:
        entry, page = self.current_file(), self.current_page()
        if entry is None or page is None or not entry.confirmable:
            return
        if page.page in entry.left_out:
            entry.left_out.discard(page.page)
        else:
            entry.left_out.add(page.page)
        self.inbox.changed.emit()
        self._next_waiting(entry, after=page.page)

    def _next_waiting(self, entry: InboxFile, after: int) -> None:
        waiting = entry.waiting_pages()
        if waiting:
            later = [p for p in waiting if p > after]
            self.select_page((later or waiting)[0])
        self.pages_view.setFocus()

    def show_large(self) -> None:
        entry = self.current_file()
        page = self.current_page()
        if entry is None or page is None:
            return
        pages = [
            (f"{p.page}ページ　{p.case_number or '案件未指定'}", lambda p=p: p.image)
            for p in entry.pages
        ]
        current = [p.page for p in entry.pages].index(page.page)
        FaxImageDialog(pages, self, title=f"受信FAX　{entry.name}", current=current).exec()
        self._back_from_dialog()

    def confirm(self) -> None:
        """確定して記録: every page filed at once, then the file moved to the archive."""
        entry = self.current_file()
        if entry is None or not entry.confirmable or entry.read is None:
            return
        if not self.confirm_button.isEnabled():
            return
        waiting = entry.waiting_pages()
        if waiting:
            self.say(
                f"{waiting[0]}ページ目：案件を指定するか「記録しない」にしてください。", error=True
            )
            self.select_page(waiting[0])
            self.pages_view.setFocus()
            return
        assignments = entry.assignments()
        if all(a.case_id is None for a in assignments):
            self.say(
                "記録するページがありません。「記録せずに保管…」を使ってください。", error=True
            )
            return
        case_ids = frozenset(a.case_id for a in assignments if a.case_id is not None)
        done = self._runner.run(
            self, record_fax, entry.read, assignments, changes=Change.CASES, case_ids=case_ids,
            on_error=lambda exc: self._refused(entry, exc),
        )  # fmt: skip
        if done is None:
            return
        self._after_recording(entry, f"記録しました：{done.summary}", done)

    def _refused(self, entry: InboxFile, exc: ValidationError) -> None:
        self.say(exc.message, error=True)
        self.inbox.read_again(entry.path)  # recorded elsewhere, changed or gone: see it as it is

    def set_aside(self) -> None:
        entry = self.current_file()
        if entry is None or entry.read is None or not self.set_aside_button.isEnabled():
            return
        reason = ask_set_aside_reason(self, entry.name)
        if reason is None:
            return
        done = self._runner.run(
            self, set_aside_fax, entry.read, reason, on_error=lambda exc: self._refused(entry, exc)
        )
        if done is None:
            return
        self._after_recording(entry, f"記録せずに保管しました：{entry.name}", None)

    def archive_recorded(self) -> None:
        entry = self.current_file()
        if entry is None or entry.read is None or entry.read.recorded is None:
            return
        self._archive(entry, f"保管フォルダへ移しました：{entry.name}")

    def _after_recording(self, entry: InboxFile, message: str, done: FaxRecorded | None) -> None:
        if not self.inbox.archive:
            self.say(message + "（保管フォルダが未設定のため、受信フォルダに残しています）")
            self.inbox.read_again(entry.path)
            return
        self._archive(entry, message)

    def _archive(self, entry: InboxFile, message: str) -> None:
        read = entry.read
        assert read is not None
        try:
            archive_fax(entry.path, self.inbox.archive, read.modified)
        except ValidationError as exc:
            self.say(f"{message}。ただし{exc.message}", error=True)
            self.inbox.read_again(entry.path)
            return
        self.say(message)
        self.inbox.forget(entry.path)
        self.files_view.setFocus()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.inbox.look()
