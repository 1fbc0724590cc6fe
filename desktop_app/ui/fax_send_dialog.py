"""「FAXで送る」 from the print preview: to whom, through the FAX printer of the settings.

送信 builds the packet (the FAX送付状 with its page count, then the form; services/fax_send.py)
and hands it to the FAX printer without a print dialog: the PDF itself to its CUPS queue
through ``lp`` (off the UI thread), elsewhere 1-bit page images through the driver. Once it
went, the print and the send (channel FAX) are recorded on the case; when it did not, nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.changes import Change
from desktop_app.domain.errors import ValidationError
from desktop_app.services.fax_send import FaxDestination, FaxJob, fax_packet, record_faxed
from desktop_app.services.forms import RenderedForm
from desktop_app.services.print_job import CupsJob, SentJob, lp_program, send_to_cups
from desktop_app.ui import actions
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.print_job import print_raster
from desktop_app.ui.value_combo import ValueCombo

log = logging.getLogger(__name__)

WHERE_SET = "設定 → FAX送信のプリンタ"
NOT_SET = f"FAXのプリンタが設定されていません（{WHERE_SET}）。"
NOT_SENT = "FAXを送れませんでした。FAXのプリンタ（PC-FAX）の設定と接続を確認してください。"


def installed_printers() -> list[str]:
    """The printers this computer has (CUPS queues, Windows printers and PC-FAX drivers)."""
    return list(QPrinterInfo.availablePrinterNames())


def fax_printer_problem(name: str) -> str | None:
    """Why a FAX cannot go through ``name`` (one line for the clerk), or None when it can."""
    if not name:
        return NOT_SET
    if name not in installed_printers():
        return f"FAXのプリンタ「{name}」が見つかりません（{WHERE_SET}）。"
    return None


class FaxSendDialog(QDialog):
    # Emitted once the FAX went to the printer: the pages sent (the cover included).
    sent = Signal(int)
    # Emitted when it did not go (the clerk was told why); nothing was recorded.
    refused = Signal()

    def __init__(
        self,
        runner: ServiceRunner,
        form: RenderedForm,
        destinations: Sequence[FaxDestination],
        printer: str,
        form_pages: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.form = form
        self.printer = printer
        self.job: FaxJob | None = None  # the packet last built
        self.last_job: SentJob | None = None  # what CUPS accepted, if it went that way
        self._sending = False
        self.setWindowTitle("FAXで送る")

        what = QLabel(f"{form.title}を、FAX送付状を付けてFAXで送ります。")
        what.setWordWrap(True)
        self.to_combo = ValueCombo()
        for destination in destinations:
            self.to_combo.add(destination.label, destination)
        self.printer_label = QLabel(printer)
        self.pages_label = QLabel(f"{1 + form_pages}枚（送付状 1枚＋書類 {form_pages}枚）")
        form_layout = QFormLayout()
        form_layout.addRow("宛先", self.to_combo)
        form_layout.addRow("FAXのプリンタ", self.printer_label)
        form_layout.addRow("送信枚数", self.pages_label)

        self.status_label = QLabel()
        self.status_label.setObjectName("muted")
        # Sending cannot be taken back: Enter never sends (キャンセル is the default).
        self.send_button = QPushButton("送信")
        self.send_button.setObjectName("primary")
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send)
        self.cancel_button = QPushButton("キャンセル")
        self.cancel_button.setDefault(True)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form_layout)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    def destination(self) -> FaxDestination | None:
        value = self.to_combo.value()
        return value if isinstance(value, FaxDestination) else None

    def send(self) -> bool:
        """Build the packet and hand it to the FAX printer; True when it went or is going."""
        destination = self.destination()
        if self._sending or destination is None or self.form.case_id is None:
            return False
        job = self._runner.run(
            self, fax_packet, self.form.kind, self.form.case_id, to=destination.to
        )
        if job is None:
            self.refused.emit()
            return False
        self.job = job
        lp = lp_program()
        log.info("faxing %s through %s (%d pages)", job.file_name, self.printer, job.pages)
        if lp is None:
            return self._send_raster(job)
        self._set_sending(True)
        self.status_label.setText(f"「{self.printer}」に送っています…")
        cups, program = CupsJob(printer=self.printer, title=job.title), lp
        self._runner.run_in_background(
            self,
            lambda _store: send_to_cups(job.pdf, job.papers, cups, lp=program),
            on_done=self._went,
            on_failed=self._not_sent,
        )
        return True

    def _send_raster(self, job: FaxJob) -> bool:
        # No CUPS (Windows): 1-bit pages through the driver, as a FAX sends them.
        document = QPdfDocument(self)
        buffer = QBuffer(document)
        buffer.setData(QByteArray(job.pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document.load(buffer)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPrinterName(self.printer)
        printer.setDocName(job.title)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            printed = print_raster(document, printer, image_format=QImage.Format.Format_Mono)
        finally:
            QApplication.restoreOverrideCursor()
            document.close()
        if not printed:
            log.error("faxing %s through %s failed", job.file_name, self.printer)
            actions.show_error(self, NOT_SENT)
            self.refused.emit()
            return False
        self._recorded(job)
        return True

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        for widget in (self.send_button, self.cancel_button, self.to_combo):
            widget.setEnabled(not sending)

    def _went(self, sent: SentJob) -> None:
        self._set_sending(False)
        self.last_job = sent
        if self.job is not None:
            self._recorded(self.job)

    def _not_sent(self, exc: Exception) -> None:
        self._set_sending(False)
        self.status_label.setText("")
        message = exc.message if isinstance(exc, ValidationError) else NOT_SENT
        actions.show_error(self, message.replace("印刷できませんでした", "FAXを送れませんでした"))
        self.refused.emit()

    def _recorded(self, job: FaxJob) -> None:
        # Said first, so the clerk knows it went whatever the record says.
        self.status_label.setText(f"送信しました（{job.pages}枚）。")
        self._runner.run(
            self,
            record_faxed,
            job.kind,
            job.case_id,
            job.to.to,
            job.pages,
            changes=Change.CASES,
            case_ids=frozenset({job.case_id}),
        )
        self.sent.emit(job.pages)
        self.accept()

    def reject(self) -> None:
        # Not while the packet is being handed to CUPS: its answer comes back here.
        if self._sending:
            return
        super().reject()
