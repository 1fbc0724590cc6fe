"""印刷プレビュー: show a form's PDF as it will print, then print it or save it as PDF.

The PDF itself is made by the forms service; this dialog only shows, prints and saves those
bytes. Printing sends the PDF itself where it can: to a file when the print dialog says so,
to the CUPS queue through ``lp`` on Linux and macOS (off the UI thread), and only elsewhere as
grey or 1-bit page images (ui/print_job.py). Each page goes on its own paper, unscaled.
Printing or saving a case's form is recorded on the case (documents sent, history) through
the ServiceRunner, so every open page refreshes itself; nothing is recorded when it failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMargins,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.services.fax_send import FaxDestination, can_fax, fax_destinations
from desktop_app.services.forms import RenderedForm, is_tracked, record_printed, record_sent
from desktop_app.services.output_files import save_output
from desktop_app.services.print_job import (
    PrintRoute,
    SentJob,
    choose_route,
    lp_program,
    send_to_cups,
)
from desktop_app.services.settings import get_settings
from desktop_app.ui import actions, text_size
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.fax_send_dialog import FaxSendDialog, fax_printer_problem
from desktop_app.ui.file_dialogs import ask_save_file
from desktop_app.ui.layout_tools import fit_to_screen
from desktop_app.ui.print_job import (
    chosen_pages,
    cups_job,
    forget_page_ranges,
    page_papers,
    print_raster,
    setup_printer,
)

log = logging.getLogger(__name__)

HOW_PRINTED = "印刷"
HOW_SAVED = "PDF保存"
PDF_FILTER = "PDFファイル (*.pdf)"
NOT_PRINTED = "印刷できませんでした。プリンターの電源と接続を確認してください。"
NO_PAGES = "指定したページはこの書類にありません。印刷するページを確かめてください。"
ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0
POINTS_PER_INCH = 72.0


# Module-level so tests can answer them without a modal dialog --------------------------


def ask_save_path(parent: QWidget | None, suggested: str) -> str | None:
    """Ask where to save the PDF, starting in Documents; None if the clerk backs out."""
    return ask_save_file(parent, "PDFとして保存", suggested, PDF_FILTER, ".pdf")


def ask_printer(parent: QWidget | None, printer: QPrinter) -> bool:
    """Let the clerk choose the printer (PC-FAX drivers are listed there too), copies and
    pages (the printer's from–to range holds the form's pages)."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("印刷")
    dialog.setMinMax(1, max(1, printer.toPage()))
    return dialog.exec() == QDialog.DialogCode.Accepted


SENT_CHOICES = (
    (Channel.MAIL, "郵送で送付した"),
    (Channel.FAX, "FAXで送付した"),
    (Channel.HANDED, "手渡しした"),
)


def ask_sent(parent: QWidget | None, title: str) -> Channel | None:
    """Printing is not sending: ask whether it went out now, and how. None: not yet."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("送付の記録")
    box.setText(f"{title}を送付しましたか？")
    box.setInformativeText("送付したときに記録すると、書類ボードと案件の送付記録に反映されます。")
    buttons = [
        (box.addButton(label, QMessageBox.ButtonRole.AcceptRole), ch) for ch, label in SENT_CHOICES
    ]
    later = box.addButton("まだ送っていない", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(later)
    box.exec()
    clicked = box.clickedButton()
    return next((ch for button, ch in buttons if button is clicked), None)


# The dialog -------------------------------------------------------------------------------


class PrintPreviewDialog(QDialog):
    # Emitted when a print has finished, True when the pages went to the printer (a CUPS job
    # finishes after print_form has returned: tests and the walk wait for this).
    print_finished = Signal(bool)

    def __init__(
        self,
        runner: ServiceRunner,
        form: RenderedForm,
        parent: QWidget | None = None,
        *,
        heading: str = "",
        record: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.form = form
        # Who notes a print or a save ("印刷", "PDF保存"): the form's own log by default; an
        # office report (the 月報) that is no case form passes its own.
        self._recorder = record
        self.sent_recorded: Channel | None = None  # how the clerk said it went out, if asked
        self.last_job: SentJob | None = None  # what CUPS accepted last, if it went that way
        self._sending = False  # a CUPS job is on its way: the dialog stays open till it is
        heading = heading or form.title
        self.setWindowTitle(f"印刷プレビュー － {heading}")
        fit_to_screen(self, 1000, 880)

        self.document = QPdfDocument(self)
        # The document reads from the buffer for as long as it is open, so the buffer is its
        # child: it goes only after the document has closed.
        self._buffer = QBuffer(self.document)
        self._buffer.setData(QByteArray(form.pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)

        title = QLabel(heading)
        title.setObjectName("pageTitle")
        self.pages_label = QLabel()
        self.pages_label.setObjectName("muted")

        self.zoom_out_button = QPushButton("－")
        self.zoom_out_button.setToolTip("縮小（Ctrl+－）")
        self.zoom_out_button.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut))
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button = QPushButton("＋")
        self.zoom_in_button.setToolTip("拡大（Ctrl+＋）")
        self.zoom_in_button.setShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn))
        self.zoom_in_button.clicked.connect(self.zoom_in)
        for button in (self.zoom_out_button, self.zoom_in_button):
            text_size.keep(button, fixed_width=40)
        self.fit_button = QPushButton("幅に合わせる")
        self.fit_button.clicked.connect(self.fit_to_width)
        self.whole_button = QPushButton("ページ全体")
        self.whole_button.clicked.connect(self.fit_whole_page)
        self.zoom_label = QLabel()
        text_size.keep(self.zoom_label, minimum_width=52)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.pages_label, 0, Qt.AlignmentFlag.AlignBottom)
        top.addStretch(1)
        top.addWidget(QLabel("表示"))
        top.addWidget(self.zoom_out_button)
        top.addWidget(self.zoom_label)
        top.addWidget(self.zoom_in_button)
        top.addSpacing(6)
        top.addWidget(self.fit_button)
        top.addWidget(self.whole_button)

        self.view = QPdfView()
        self.view.setAccessibleName("印刷する用紙のプレビュー")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setPageSpacing(32)
        # Room around the sheet so it reads as paper on the grey desk. QPdfView fits a whole page
        # by taking the page spacing off the height, so the spacing equals both margins.
        self.view.setDocumentMargins(QMargins(16, 16, 16, 16))

        self.status_label = QLabel()
        self.status_label.setObjectName("savedLabel")
        self.print_button = QPushButton("印刷…")
        self.print_button.setObjectName("primary")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_form)
        self.save_button = QPushButton("PDF保存…")
        self.save_button.clicked.connect(self.save_form)
        # A case's form that goes out, to a party with a FAX number: never the default button.
        self.fax_button = QPushButton("FAXで送る…")
        self.fax_button.setAutoDefault(False)
        self.fax_button.clicked.connect(self.fax_form)
        self.fax_dialog: FaxSendDialog | None = None
        self._fax_to: tuple[FaxDestination, ...] = ()
        if record is None and can_fax(form.kind, form.case_id) and form.case_id is not None:
            self._fax_to = runner.read(self, fax_destinations, form.case_id) or ()
        self.fax_button.setVisible(bool(self._fax_to))
        self.close_button = QPushButton("閉じる")
        self.close_button.clicked.connect(self.reject)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.fax_button)
        bottom.addWidget(self.save_button)
        bottom.addSpacing(16)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self.document.pageCountChanged.connect(self._show_page_count)
        self._show_page_count()
        self.fit_to_width()

    def _show_page_count(self, _count: int = 0) -> None:
        papers = dict.fromkeys(paper.label for paper in page_papers(self.document))
        on = f"・{'／'.join(papers)}" if papers else ""
        self.pages_label.setText(f"全{self.document.pageCount()}ページ{on}")

    # Zoom ---------------------------------------------------------------------------------

    def effective_zoom(self) -> float:
        """The zoom on screen (1 = real size); in the fit modes QPdfView keeps its factor at 1."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.Custom or self.document.pageCount() == 0:
            return self.view.zoomFactor()
        sizes = [self.document.pagePointSize(p) for p in range(self.document.pageCount())]
        widest = max(size.width() for size in sizes)
        tallest = max(size.height() for size in sizes)
        margins = self.view.documentMargins()
        viewport = self.view.viewport()
        room_w = viewport.width() - margins.left() - margins.right()
        room_h = viewport.height() - margins.top() - margins.bottom()
        scale = self.logicalDpiX() / POINTS_PER_INCH
        factor = room_w / (widest * scale)
        if mode == QPdfView.ZoomMode.FitInView:
            factor = min(factor, room_h / (tallest * scale))
        return factor if factor > 0 else 1.0

    def _set_zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(max(factor, ZOOM_MIN), ZOOM_MAX))
        self._show_zoom()

    def zoom_in(self) -> None:
        self._set_zoom(self.effective_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.effective_zoom() / ZOOM_STEP)

    def fit_to_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._show_zoom()

    def fit_whole_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self._show_zoom()

    def _show_zoom(self) -> None:
        mode = self.view.zoomMode()
        self.fit_button.setEnabled(mode != QPdfView.ZoomMode.FitToWidth)
        self.whole_button.setEnabled(mode != QPdfView.ZoomMode.FitInView)
        self.zoom_label.setText(f"{round(self.effective_zoom() * 100)}%")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # In the fit modes the zoom follows the window size.
        self._show_zoom()

    # Print and save -------------------------------------------------------------------------

    def print_form(self) -> bool:
        """Choose a printer and print; True when the pages went, or are going, to the printer.

        To a CUPS queue the job is handed over off the UI thread: ``print_finished`` tells
        when it went (True) or was refused (False, the clerk was told why).
        """
        if self._sending:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_printer(printer, self.document, self.form.title)
        if not ask_printer(self, printer):
            return False
        if chosen_pages(printer, self.document.pageCount()) == ():
            actions.show_error(self, f"{NO_PAGES}（全{self.document.pageCount()}ページ）")
            return False
        route = choose_route(
            to_file=printer.outputFormat() == QPrinter.OutputFormat.PdfFormat,
            printer_name=printer.printerName(),
            lp=lp_program(),
        )
        log.info("printing %s: %s", self.form.file_name, route.value)
        if route is PrintRoute.FILE:
            return self._print_to_file(printer.outputFileName())
        if route is PrintRoute.CUPS:
            return self._send_to_cups(printer)
        return self._print_raster(printer)

    def _print_to_file(self, path: str) -> bool:
        """The print dialog's PDF file: the form's own bytes, exact (never over a database)."""
        written = self._runner.run(
            self, save_output, path, self.form.pdf, overwrite=True, on_error=self._file_refused
        )
        if written is None:
            self.print_finished.emit(False)
            return False
        self._printed()
        return True

    def _file_refused(self, exc: ValidationError) -> None:
        log.warning("print to file refused: %s", exc.message)
        actions.show_error(self, f"印刷できませんでした。{exc.message}")

    def _send_to_cups(self, printer: QPrinter) -> bool:
        job = cups_job(printer, self.form.title, self.document.pageCount())
        papers = page_papers(self.document)
        pdf = self.form.pdf
        lp = lp_program() or "lp"
        self._sending = True
        self.print_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.status_label.setText(f"プリンター「{job.printer}」に送っています…")
        self._runner.run_in_background(
            self,
            lambda _store: send_to_cups(pdf, papers, job, lp=lp),
            on_done=self._sent_to_cups,
            on_failed=self._cups_refused,
        )
        return True

    def _end_sending(self) -> None:
        self._sending = False
        self.print_button.setEnabled(True)
        self.close_button.setEnabled(True)

    def _sent_to_cups(self, job: SentJob) -> None:
        self._end_sending()
        self.last_job = job
        self._printed()

    def _cups_refused(self, exc: Exception) -> None:
        self._end_sending()
        self.status_label.setText("")
        message = exc.message if isinstance(exc, ValidationError) else NOT_PRINTED
        actions.show_error(self, message)
        self.print_finished.emit(False)

    def _print_raster(self, printer: QPrinter) -> bool:
        # Page images take a moment (a packet about a second); show that something happens.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = chosen_pages(printer, self.document.pageCount()) or ()
            forget_page_ranges(printer)
            printed = print_raster(self.document, printer, pages)
        finally:
            QApplication.restoreOverrideCursor()
        if not printed:
            log.error("printing %s failed", self.form.file_name)
            actions.show_error(self, NOT_PRINTED)
            self.print_finished.emit(False)
            return False
        self._printed()
        return True

    def _printed(self) -> None:
        # Said first: recording may ask (送付の記録) whether it went out.
        self.status_label.setText("印刷しました。")
        self._record(HOW_PRINTED)
        self.print_finished.emit(True)

    def fax_form(self) -> bool:
        """「FAXで送る…」: to whom, then the FAX printer of the settings (no print dialog);
        True when the dialog opened. Without a FAX printer, one line says so, nothing goes."""
        if self._sending or not self._fax_to:
            return False
        settings = self._runner.read(self, get_settings)
        printer = settings.fax_printer if settings is not None else ""
        problem = fax_printer_problem(printer)
        if problem is not None:
            actions.show_error(self, problem)
            return False
        dialog = FaxSendDialog(
            self._runner, self.form, self._fax_to, printer, self.document.pageCount(), self
        )
        dialog.sent.connect(self._faxed)
        self.fax_dialog = dialog
        dialog.open()
        return True

    def _faxed(self, pages: int) -> None:
        self.status_label.setText(f"FAXで送信しました（{pages}枚）。")
        if is_tracked(self.form.kind):
            self.sent_recorded = Channel.FAX

    def reject(self) -> None:
        # Not while a job is being handed to CUPS: its answer comes back to this dialog.
        if self._sending:
            return
        super().reject()

    def save_form(self) -> bool:
        """Ask for a file name and write the PDF; True when it was written."""
        path = ask_save_path(self, self.form.file_name)
        if path is None:
            return False
        # The save dialog asked before replacing an existing file, so the clerk chose to: but
        # a database or a backup is refused all the same, and nothing is written (0600).
        written = self._runner.run(
            self, save_output, path, self.form.pdf, overwrite=True, on_error=self._not_saved
        )
        if written is None:
            return False
        self._record(HOW_SAVED)
        self.status_label.setText(f"保存しました：{Path(written).name}")
        return True

    def _not_saved(self, exc: ValidationError) -> None:
        log.warning("PDF not saved: %s", exc.message)
        actions.show_error(self, f"PDFを保存できませんでした。{exc.message}")

    def _record(self, how: str) -> None:
        if self._recorder is not None:
            self._recorder(how)
            return
        if self.form.case_id is None or self.form.kind == FormKind.DAYLIST:
            # Blank forms and the day list belong to no case: the log alone notes them.
            self._runner.run(self, record_printed, self.form.kind, None, how=how, day=self.form.day)
            return
        case_ids = frozenset({self.form.case_id})
        self._runner.run(
            self,
            record_printed,
            self.form.kind,
            self.form.case_id,
            how=how,
            changes=Change.CASES,
            case_ids=case_ids,
        )
        if not is_tracked(self.form.kind):
            return
        channel = ask_sent(self, self.form.kind.label)
        if channel is None:
            return
        sent = self._runner.run(
            self,
            record_sent,
            self.form.kind,
            self.form.case_id,
            channel=channel,
            changes=Change.CASES,
            case_ids=case_ids,
        )
        if sent is not None:
            self.sent_recorded = channel
