"""Help on F1: the manual (Markdown pages in desktop_app/manual/) in a window of its own.

The manual travels with the package, so the same folder is found in a source checkout, an
installed wheel and a one-folder bundle. F1 anywhere opens the section of the page or dialog
in front (HELP_SECTIONS, by class name); 「ヘルプ（F1）」 in the main window opens the same.
Screenshots are generated into manual/images/ (tools/manual_screenshots.py); without them
the pages still read, each picture having its caption in the text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.layout_tools import fit_to_screen

INDEX_PAGE = "index.md"
HELP_KEY = Qt.Key.Key_F1
# Screenshots are shown scaled down to the page's width (the window is narrower than the
# desk), and never wider than this.
MAX_IMAGE_WIDTH = 760
HEADING_SPACE = 15

# What F1 opens, by the class name of the page (in the main window) or dialog in front. A
# class not named here takes its nearest base class's section, then its parent window's.
HELP_SECTIONS: dict[str, str] = {
    # The main window and its pages (MainWindow.stack)
    "MainWindow": "index.md",
    "IntakeWizard": "intake.md",
    "BoardPage": "board.md",
    "FaxInboxPage": "fax-inbox.md",
    "CalendarPage": "calendar.md",
    "CaseListPage": "cases.md",
    "StatsPage": "stats.md",
    "SettingsPage": "settings.md",
    # 受信FAX
    "FaxFoldersDialog": "fax-inbox.md#フォルダ設定",
    "FaxPageAssignDialog": "fax-inbox.md#案件を指定",
    "FaxImageDialog": "fax-inbox.md#ページを大きく見る",
    # カレンダー
    "CalendarDialog": "calendar.md#休診日を追加したとき",
    # 案件ウィンドウ and what it opens
    "CaseDetailDialog": "case-window.md",
    "CaseEditDialog": "case-window.md#編集訂正",
    "DecisionDialog": "case-window.md#担当医確認",
    "BookingDialog": "booking.md",
    "ReceiptDialog": "receipt.md",
    # 当日受付・会計
    "_FormDialog": "visit.md",
    "OverrideDialog": "visit.md#当日受付",
    "MinutesDialog": "visit.md#実施時間",
    "ReportDialog": "visit.md#報告書",
    "PaymentDialog": "visit.md#お会計",
    "TextDialog": "visit.md#会計の取消",
    # 印刷
    "PrintPreviewDialog": "print.md",
    "FaxSendDialog": "print.md#faxで送る",
    # 設定 and its windows
    "MastersPage": "settings.md#担当医診療枠休診日",
    "MastersDialog": "settings.md#担当医診療枠休診日",
    "FormDialog": "settings.md#担当医診療枠休診日",
    "DepartmentDialog": "settings.md#担当医診療枠休診日",
    "DoctorDialog": "settings.md#担当医診療枠休診日",
    "WindowDialog": "settings.md#担当医診療枠休診日",
    "ExceptionDialog": "settings.md#担当医診療枠休診日",
    "ClosureDialog": "settings.md#担当医診療枠休診日",
    "RescheduleOffer": "settings.md#休診日と予約",
    "ReasonDialog": "settings.md#対象外の理由",
    "StaffAccountsDialog": "settings.md#職員アカウント",
    "_AccountForm": "settings.md#職員アカウント",
    "NewAccountDialog": "settings.md#職員アカウント",
    "EditAccountDialog": "settings.md#職員アカウント",
    "ResetPasswordDialog": "settings.md#職員アカウント",
    "AuditViewer": "settings.md#変更履歴監査ログ",
    "LedgerImportDialog": "settings.md#受付台帳の取り込み",
    # サインイン・画面ロック
    "StaffForm": "sign-in.md",
    "SignInDialog": "sign-in.md#サインイン",
    "FirstAdminDialog": "first-start.md#最初の管理者",
    "ChangePasswordDialog": "sign-in.md#パスワードの変更",
    "LockCover": "sign-in.md#画面ロック",
}

# The case window's tabs have sections of their own (by the tab's label, count stripped).
TAB_SECTIONS: dict[str, dict[str, str]] = {
    "CaseDetailDialog": {
        "概要": "case-window.md#概要",
        "書類": "case-window.md#書類タブ",
        "連絡記録": "case-window.md#連絡記録タブ",
        "会計": "visit.md",
        "変更履歴": "case-window.md#変更履歴タブ",
    },
}


@cache
def manual_dir() -> Path:
    """The folder of the manual's pages (beside the package's modules, in every install)."""
    return Path(__file__).resolve().parent.parent / "manual"


def heading_anchor(text: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to
    hyphens (「FAXで送る」 -> 「faxで送る」, 「担当医・診療枠」 -> 「担当医診療枠」)."""
    kept = (
        ch
        for ch in text.strip().lower()
        if ch.isalnum() or ch in " -_" or unicodedata.category(ch).startswith("M")
    )
    return "".join(kept).replace(" ", "-")


def manual_url(target: str) -> QUrl:
    """The URL of ``page.md#anchor`` in the manual's folder."""
    page, _, anchor = target.partition("#")
    url = QUrl.fromLocalFile(str(manual_dir() / (page or INDEX_PAGE)))
    if anchor:
        url.setFragment(anchor)
    return url


def _section_of(cls: type) -> str | None:
    for base in cls.__mro__:
        target = HELP_SECTIONS.get(base.__name__)
        if target is not None:
            return target
    return None


def _tab_section(widget: QWidget) -> str | None:
    tabs_by_label = TAB_SECTIONS.get(type(widget).__name__)
    tabs = widget.findChild(QTabWidget) if tabs_by_label else None
    if tabs_by_label is None or tabs is None:
        return None
    label = re.sub(r"（.*）$", "", tabs.tabText(tabs.currentIndex()))
    return tabs_by_label.get(label)


def help_target(widget: QWidget | None) -> str:
    """The manual's ``page.md#anchor`` for the window ``widget`` is in: its page when it
    is the main window, the section of its dialog otherwise (a message box or a plain
    QDialog takes the section of the window it was opened from)."""
    while widget is not None:
        window = widget.window()
        if isinstance(window, QMainWindow):
            stack = window.findChild(QStackedWidget)
            page = stack.currentWidget() if stack is not None else None
            if page is not None and _section_of(type(page)) is not None:
                return _section_of(type(page)) or INDEX_PAGE
        target = _tab_section(window) or _section_of(type(window))
        if target is not None:
            return target
        widget = window.parentWidget()
    return INDEX_PAGE


class HelpBrowser(QTextBrowser):
    """The manual's pages: Markdown, with GitHub's heading anchors, so ``page.md#section``
    links work here as on the web; a picture not generated yet takes no room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(True)
        self._anchored: QTextDocument | None = None
        self._anchored_revision = -1
        self.sourceChanged.connect(self._source_changed)

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        name = QUrl(name)
        if kind == QTextDocument.ResourceType.ImageResource.value:
            url = self.source().resolved(name) if name.isRelative() else name
            path = Path(url.toLocalFile()) if url.isLocalFile() else None
            if path is not None:
                image = QImage(str(path)) if path.is_file() else QImage()
                if image.isNull():
                    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
                    blank.fill(QColor(0, 0, 0, 0))
                    return blank
                # The page's width, less the document's margins and a scroll bar's room.
                room = self.viewport().width() - 2 * int(self.document().documentMargin()) - 20
                width = max(200, min(MAX_IMAGE_WIDTH, room))
                if image.width() > width:
                    return image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                return image
        return super().loadResource(kind, name)

    def anchors(self) -> list[str]:
        """The anchors of the page shown (its headings'), in order."""
        self._add_heading_anchors()
        found: list[str] = []
        block = self.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                found.append(heading_anchor(block.text()))
            block = block.next()
        return found

    def section(self) -> str:
        """``page.md#anchor`` shown now (``page.md`` at the top of a page)."""
        url = self.source()
        page = Path(url.toLocalFile()).name
        return f"{page}#{url.fragment()}" if url.hasFragment() else page

    def _source_changed(self, url: QUrl) -> None:
        self._add_heading_anchors()
        if url.hasFragment():
            self.scrollToAnchor(url.fragment())

    def _add_heading_anchors(self) -> None:
        # Qt's Markdown reader gives headings no anchors: each gets the one GitHub gives it.
        document = self.document()
        if document is self._anchored and document.revision() == self._anchored_revision:
            return
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and block.length() > 1:
                cursor = QTextCursor(block)
                cursor.movePosition(
                    QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
                )
                mark = QTextCharFormat()
                mark.setAnchor(True)
                mark.setAnchorNames([heading_anchor(block.text())])
                cursor.mergeCharFormat(mark)
                # Qt's reader sets headings flush against the text above them.
                spacing = QTextBlockFormat()
                spacing.setTopMargin(HEADING_SPACE if block.blockNumber() else 0)
                spacing.setBottomMargin(HEADING_SPACE // 3)
                cursor.mergeBlockFormat(spacing)
            block = block.next()
        self._anchored = document
        self._anchored_revision = document.revision()


class HelpWindow(QWidget):
    """「SO Desk ヘルプ」: the manual with 戻る・進む・目次 and a search of the page shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("SO Desk ヘルプ")
        self.setObjectName("helpWindow")
        self.browser = HelpBrowser()
        self.browser.setAccessibleName("マニュアル")
        self.back_button = QPushButton("◀ 戻る")
        self.back_button.setToolTip("前に見ていたところへ（Alt+←）")
        self.back_button.setShortcut("Alt+Left")
        self.forward_button = QPushButton("進む ▶")
        self.forward_button.setToolTip("戻る前のところへ（Alt+→）")
        self.forward_button.setShortcut("Alt+Right")
        self.index_button = QPushButton("目次")
        self.index_button.setToolTip("マニュアルの目次へ（Alt+Home）")
        self.index_button.setShortcut("Alt+Home")
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("このページを検索（Enter で次へ）")
        self.find_edit.setAccessibleName("このページを検索")
        self.find_edit.setClearButtonEnabled(True)
        self.find_label = QLabel()
        self.find_label.setObjectName("hint")
        self.close_button = QPushButton("閉じる")
        for button in (self.back_button, self.forward_button, self.index_button):
            button.setAutoDefault(False)

        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.index_button.clicked.connect(lambda: self.show_section(INDEX_PAGE))
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_edit.textChanged.connect(lambda _text: self.find_label.clear())
        self.close_button.clicked.connect(self.close)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)

        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.forward_button)
        bar.addWidget(self.index_button)
        bar.addSpacing(16)
        bar.addWidget(self.find_edit, 1)
        bar.addWidget(self.find_label)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        fit_to_screen(self, 880, 760)

    def show_section(self, target: str) -> None:
        """Show ``page.md#anchor`` (the index when the page is not in the manual)."""
        url = manual_url(target)
        if not Path(url.toLocalFile()).is_file():
            url = manual_url(INDEX_PAGE)
        self.browser.setSource(url)
        if url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())

    def find_next(self) -> None:
        """The next place the search text appears on this page (from the top after the end)."""
        text = self.find_edit.text().strip()
        if not text:
            return
        if self.browser.find(text):
            self.find_label.clear()
            return
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        self.find_label.setText("" if self.browser.find(text) else "見つかりません")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)


_help_window: HelpWindow | None = None


def open_help(target: str = INDEX_PAGE) -> HelpWindow:
    """Show the help window at ``target`` (one window, reused). Over a modal dialog it opens
    as that dialog's own window, the only kind a modal dialog lets the clerk use."""
    global _help_window
    window = _help_window
    if window is None or not shiboken6.isValid(window):
        window = HelpWindow()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        _help_window = window
    modal = QApplication.activeModalWidget()
    owner = modal if modal is not None and modal is not window else None
    if window.parentWidget() is not owner:
        geometry = window.geometry()
        window.setParent(owner, Qt.WindowType.Window)
        window.setGeometry(geometry)
    # Shown first: the section is scrolled to in the layout of the window's final width.
    window.show()
    window.show_section(target)
    window.raise_()
    window.activateWindow()
    return window


def help_window() -> HelpWindow | None:
    """The help window if it has been opened (and not destroyed with a dialog it was over)."""
    window = _help_window
    return window if window is not None and shiboken6.isValid(window) else None


class _HelpKey(QObject):
    """F1 pressed in any window of the application (before the focused widget sees it)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == HELP_KEY
            and not event.modifiers()
            and isinstance(watched, QWidget)
        ):
            shown = help_window()
            if shown is not None and watched.window() is shown:
                return False  # F1 in the help window itself: nothing to open
            open_help(help_target(watched))
            return True
        return False


_INSTALLED = "sodesk_help_installed"


def install_help(app: QApplication) -> None:
    """F1 opens the help at the section of the window in front, in every window; safe to
    call twice."""
    if app.property(_INSTALLED):
        return
    app.installEventFilter(_HelpKey(app))
    app.setProperty(_INSTALLED, True)
