"""The 受信FAX page's dialogs: this desk's fax folders, a page's case named by the clerk, and
a page shown large (also from the case window's 書類 tab)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.services.fax_inbox import CaseChoice, PageProposal, assign_page, case_choice
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.case_lookup import fill_results, look_up_case
from desktop_app.ui.layout_tools import fit_to_screen
from desktop_app.ui.value_combo import ValueCombo

PAGE_ONLY = "ページのみ保存（受領の記録はしない）"
PREVIEW_WIDTH = 340


def png_pixmap(data: bytes) -> QPixmap:
    """A page's PNG on white (a 1-bit PNG has no alpha, a thumbnail none either: kept simple)."""
    image = QImage.fromData(data)
    if image.isNull():
        return QPixmap()
    return QPixmap.fromImage(image)


# This desk's folders ----------------------------------------------------------------------


class FaxFoldersDialog(QDialog):
    """The inbox the fax server saves into, and the archive a recorded fax moves to."""

    def __init__(self, inbox: str, archive: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("受信FAXのフォルダ")
        fit_to_screen(self, 640, 260)
        hint = QLabel(
            "複合機・FAXサーバーが受信FAXを保存するフォルダ（ネットワーク上のフォルダも可）と、"
            "記録が済んだFAXを移す保管フォルダを選んでください。この端末だけの設定です。"
        )
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        self.inbox_edit = QLineEdit(inbox)
        self.inbox_edit.setPlaceholderText(r"例：\\fax-server\受信  または  C:\FAX\受信")
        self.archive_edit = QLineEdit(archive)
        self.archive_edit.setPlaceholderText(r"例：\\fax-server\受信\保管済み")
        form = QFormLayout()
        form.addRow("受信フォルダ(&I)", self._with_browse(self.inbox_edit))
        form.addRow("保管フォルダ(&A)", self._with_browse(self.archive_edit))
        self.message_label = QLabel()
        self.message_label.setObjectName("fieldError")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        save = QPushButton("保存")
        save.setObjectName("primary")
        save.setAutoDefault(False)
        save.clicked.connect(self.try_accept)
        cancel = QPushButton("キャンセル")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _with_browse(self, edit: QLineEdit) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(edit, 1)
        browse = QPushButton("参照…")
        browse.setAutoDefault(False)
        browse.setAccessibleName(f"{edit.placeholderText()} を参照")
        browse.clicked.connect(lambda: self._browse(edit))
        line.addWidget(browse)
        return row

    def _browse(self, edit: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, "フォルダを選ぶ", edit.text())
        if folder:
            edit.setText(folder)

    def folders(self) -> tuple[str, str]:
        return self.inbox_edit.text().strip(), self.archive_edit.text().strip()

    def problem(self) -> str | None:
        """Why the folders cannot be used, in one sentence; None when they can."""
        inbox, archive = self.folders()
        if not inbox:
            return "受信フォルダを入力してください。"
        if not Path(inbox).is_dir():
            return f"受信フォルダが見つかりません：{inbox}"
        if not archive:
            return "保管フォルダを入力してください（記録したFAXを受信フォルダから移す先です）。"
        if Path(archive).resolve() == Path(inbox).resolve():
            return "保管フォルダは受信フォルダと別のフォルダにしてください。"
        if not Path(archive).is_dir():
            return f"保管フォルダが見つかりません：{archive}"
        return None

    def try_accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.message_label.setText(problem)
            self.message_label.show()
            return
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.try_accept()  # saving two paths: no harm in Enter
            return
        super().keyPressEvent(event)


# A page's case, named by the clerk --------------------------------------------------------


class FaxPageAssignDialog(QDialog):
    """Name the case of a page (by number, barcode or name) and the checklist line it is."""

    def __init__(
        self, runner: ServiceRunner, proposal: PageProposal, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.proposal = proposal
        self.result_proposal: PageProposal | None = None
        self.choice: CaseChoice | None = None
        self.setWindowTitle(f"{proposal.page}ページ目の案件を指定")
        fit_to_screen(self, 900, 600)

        preview = QLabel()
        preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        pixmap = png_pixmap(proposal.image)
        if not pixmap.isNull():  # large enough to read whose paper it is
            preview.setPixmap(
                pixmap.scaledToWidth(PREVIEW_WIDTH, Qt.TransformationMode.SmoothTransformation)
            )
        preview.setAccessibleName(f"{proposal.page}ページ目の画像")
        hint = QLabel(
            "このページの案件を、案件番号（書類のバーコードも読めます）または氏名で探し、"
            "記録する書類を選んでください。"
        )
        hint.setWordWrap(True)
        hint.setObjectName("muted")

        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("例：SO-2026-0001　／　やまだ たろう")
        self.query_edit.setClearButtonEnabled(True)
        query_label = QLabel("案件番号・氏名(&N)")
        query_label.setBuddy(self.query_edit)
        find = QPushButton("検索")
        find.setAutoDefault(False)
        find.clicked.connect(self.look_up)
        query_row = QHBoxLayout()
        query_row.addWidget(query_label)
        query_row.addWidget(self.query_edit, 1)
        query_row.addWidget(find)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setObjectName("fieldError")
        self.message_label.hide()
        self.results_list = QListWidget()
        self.results_list.setAccessibleName("該当する案件")
        self.results_list.itemActivated.connect(self._pick)
        self.results_list.hide()

        self.case_label = QLabel()
        self.case_label.setObjectName("pageTitle")
        self.line_combo = ValueCombo()
        line_label = QLabel("書類(&D)")
        line_label.setBuddy(self.line_combo)
        line_row = QHBoxLayout()
        line_row.addWidget(line_label)
        line_row.addWidget(self.line_combo, 1)
        self.case_panel = QWidget()
        panel = QVBoxLayout(self.case_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.addWidget(self.case_label)
        panel.addLayout(line_row)
        self.case_panel.hide()

        self.ok_button = QPushButton("この案件に指定 (Ctrl+Enter)")
        self.ok_button.setObjectName("primary")
        self.ok_button.setAutoDefault(False)
        self.ok_button.setEnabled(False)
        self.ok_button.clicked.connect(self.try_accept)
        cancel = QPushButton("キャンセル")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)

        right = QVBoxLayout()
        right.addWidget(hint)
        right.addLayout(query_row)
        right.addWidget(self.message_label)
        right.addWidget(self.results_list, 1)
        right.addWidget(self.case_panel)
        right.addStretch(0)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(preview)
        layout.addLayout(right, 1)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.try_accept)
        if proposal.case_id is not None:
            self.show_case(proposal.case_id)
        elif proposal.case_number:
            self.query_edit.setText(proposal.case_number)
        self.query_edit.setFocus()

    def look_up(self) -> None:
        text = self.query_edit.text().strip()
        self.results_list.hide()
        if not text:
            self._say("案件番号または氏名を入力してください。")
            return
        found = look_up_case(self._runner, self, text)
        if found.case_id is not None:
            self.show_case(found.case_id)
            return
        if not found.rows:
            self._say(found.message)
            return
        fill_results(self.results_list, found.rows)
        self._say(
            f"{len(found.rows)}件見つかりました。選んで Enter を押してください。", error=False
        )
        self.results_list.show()
        self.results_list.setFocus()

    def _pick(self, item: QListWidgetItem) -> None:
        self.show_case(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_case(self, case_id: int) -> None:
        choice = self._runner.read(self, case_choice, case_id, self.proposal.form)
        if choice is None:
            return
        self.results_list.hide()
        self.choice = choice
        self.case_label.setText(
            f"{choice.case_number}　{choice.patient_name} 様　（{choice.stage_label}）"
        )
        self.line_combo.clear()
        self.line_combo.add(PAGE_ONLY, None)
        for line in choice.lines:
            self.line_combo.add(line.label + ("（受領済み）" if line.done else ""), line.id)
        if choice.proposed_line is not None:
            self.line_combo.set_value(choice.proposed_line)
        elif self.proposal.case_id == case_id and self.proposal.document_id is not None:
            self.line_combo.set_value(self.proposal.document_id)
        self.case_panel.show()
        if not choice.open:
            self._say(
                f"この案件は「{choice.stage_label}」で終了しています。別の案件を選んでください。"
            )
            self.ok_button.setEnabled(False)
            return
        self._say("", error=False)
        self.ok_button.setEnabled(True)
        self.line_combo.setFocus()

    def try_accept(self) -> None:
        choice = self.choice
        if choice is None or not choice.open:
            return
        named = self._runner.read(
            self, assign_page, self.proposal, choice.case_id, self.line_combo.value()
        )
        if named is None:
            return
        if named.problem is not None:
            self._say(named.problem)
            return
        self.result_proposal = named
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if focus is self.query_edit:
                self.look_up()
            elif focus is self.results_list and self.results_list.currentItem() is not None:
                self._pick(self.results_list.currentItem())
            event.accept()  # naming the case takes Ctrl+Enter or the button, never a stray Enter
            return
        super().keyPressEvent(event)

    def _say(self, text: str, *, error: bool = True) -> None:
        self.message_label.setObjectName("fieldError" if error else "muted")
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))


# A page shown large -----------------------------------------------------------------------


class FaxImageDialog(QDialog):
    """Received pages, one at a time, as large as the window: the list on the left."""

    def __init__(
        self,
        pages: Sequence[tuple[str, Callable[[], bytes | None]]],
        parent: QWidget | None = None,
        *,
        title: str = "受信FAX",
        current: int = 0,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        fit_to_screen(self, 980, 760)
        self._pages = list(pages)
        self._zoom = 1.0
        self._pixmap = QPixmap()
        self.page_list = QListWidget()
        self.page_list.setObjectName("faxPages")
        self.page_list.setStyleSheet("QListWidget#faxPages::item { padding: 6px 4px; }")
        self.page_list.setAccessibleName("ページの一覧")
        for label, _load in self._pages:
            self.page_list.addItem(label)
        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image_label.setAccessibleName("ページの画像")
        self.image_scroll = QScrollArea()
        self.image_scroll.setAccessibleName("ページの画像（矢印キーで動かす）")
        self.image_scroll.setWidget(self.image_label)
        self.image_scroll.setWidgetResizable(True)
        self.image_scroll.setStyleSheet("QScrollArea { background: white; }")
        splitter = QSplitter()
        splitter.addWidget(self.page_list)
        splitter.addWidget(self.image_scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 740])
        zoom_in, zoom_out, fit = (
            QPushButton("拡大 (+)"),
            QPushButton("縮小 (-)"),
            QPushButton("幅に合わせる (0)"),
        )
        close = QPushButton("閉じる")
        for button in (zoom_in, zoom_out, fit, close):
            button.setAutoDefault(False)
        zoom_in.clicked.connect(lambda: self._set_zoom(self._zoom * 1.25))
        zoom_out.clicked.connect(lambda: self._set_zoom(self._zoom / 1.25))
        fit.clicked.connect(lambda: self._set_zoom(1.0))
        close.clicked.connect(self.reject)
        self.message_label = QLabel()
        self.message_label.setObjectName("fieldError")
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        for button in (zoom_in, zoom_out, fit, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        for keys, step in (("+", 1.25), ("=", 1.25), ("-", 1 / 1.25)):
            QShortcut(QKeySequence(keys), self, lambda step=step: self._set_zoom(self._zoom * step))
        QShortcut(QKeySequence("0"), self, lambda: self._set_zoom(1.0))
        self.page_list.currentRowChanged.connect(self.show_page)
        self.page_list.setCurrentRow(max(0, min(current, len(self._pages) - 1)))
        self.page_list.setFocus()

    def show_page(self, row: int) -> None:
        if not 0 <= row < len(self._pages):
            return
        data = self._pages[row][1]()
        self.message_label.clear()
        if data is None:
            self._pixmap = QPixmap()
            self.image_label.clear()
            self.message_label.setText("このページの画像を表示できません。")
            return
        self._pixmap = png_pixmap(data)
        self._render()

    def _set_zoom(self, zoom: float) -> None:
        self._zoom = max(0.25, min(zoom, 4.0))
        self._render()

    def _render(self) -> None:
        if self._pixmap.isNull():
            return
        width = max(200, int((self.image_scroll.viewport().width() - 8) * self._zoom))
        scaled = self._pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        on_white = QPixmap(scaled.size())
        on_white.fill(Qt.GlobalColor.white)
        painter = QPainter(on_white)
        painter.drawPixmap(0, 0, scaled)
        painter.end()
        self.image_label.setPixmap(on_white)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()
