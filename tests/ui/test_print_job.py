"""The print path from the preview: the PDF itself to CUPS, grey or 1-bit page images elsewhere,
and every page on its own paper, unscaled (the 長形3号 label on 長形3号, the day list on A4
landscape). The CUPS tests print to a real cups-pdf queue and read the job back; without one
they are skipped."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PageObject, PdfReader, PdfWriter
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from desktop_app.domain.forms import FormKind
from desktop_app.services.cases import get_case
from desktop_app.services.forms import RenderedForm, render_form
from desktop_app.services.print_job import Sides
from desktop_app.ui import print_preview
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.print_job import (
    CUPS_OPTIONS,
    chosen_pages,
    cups_job,
    forget_page_ranges,
    is_fax,
    page_image,
    print_raster,
    raster_dpi,
    raster_format,
    setup_printer,
    sides_of,
)
from desktop_app.ui.print_preview import PrintPreviewDialog
from tests.services.test_print_job import (
    cups_pdf_queue,
    has_images,
    mm_size,
    take_cups_pdf,
    take_cups_pdf_titled,
)

GREY = QImage.Format.Format_Grayscale8
MONO = QImage.Format.Format_Mono


def _document(pdf: bytes) -> QPdfDocument:
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    assert document.status() == QPdfDocument.Status.Ready
    return document


def _pdf_printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def _images(page: PageObject) -> list[Any]:
    xobjects = page["/Resources"].get("/XObject") or {}
    return [xobjects[name].get_object() for name in xobjects]


def _joined(*pdfs: bytes) -> bytes:
    writer = PdfWriter()
    for pdf in pdfs:
        for page in PdfReader(io.BytesIO(pdf)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _grey(image: QImage) -> QImage:
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper.convertToFormat(GREY)


def _difference(a: QImage, b: QImage) -> float:
    """Mean grey-level difference of two images of one size (0 same … 255 opposite)."""
    assert a.size() == b.size()
    total = sum(
        abs(a.pixelColor(x, y).value() - b.pixelColor(x, y).value())
        for y in range(a.height())
        for x in range(a.width())
    )
    return total / (a.width() * a.height())


# The raster fallback's images ---------------------------------------------------------------------


def test_a_page_image_is_grey_on_white_at_the_given_resolution(store) -> None:
    document = _document(render_form(store, FormKind.LABEL).pdf)
    image = page_image(document, 0, 300, GREY)
    assert image.format() == GREY
    # 120 × 235 mm at 300 dpi, pixel for pixel.
    assert (image.width(), image.height()) == (1417, 2776)
    assert round(image.dotsPerMeterX() * 0.0254) == 300
    values = [image.pixelColor(x, y).value() for y in range(0, 2776, 8) for x in range(0, 1417, 8)]
    assert image.pixelColor(0, 0).value() == 255  # white paper, not transparent black
    assert 0.5 < sum(v == 255 for v in values) / len(values) < 1
    assert min(values) < 80


def test_a_fax_driver_gets_1_bit_black_on_white_pages(store) -> None:
    for name in ("Brother PC-FAX", "Microsoft FAX", "ＦＡＸ送信", "fax-g3"):
        assert is_fax(name) and raster_format(name) == MONO
    assert raster_format("EPSON LP-S180") == GREY and not is_fax("Canon LBP")
    document = _document(render_form(store, FormKind.APPLICATION).pdf)
    image = page_image(document, 0, 200, MONO)
    assert image.format() == MONO
    assert image.colorTable() == [QColor("black").rgba(), QColor("white").rgba()]
    assert (image.width(), image.height()) == (1654, 2339)  # A4 at 200 dpi
    black = sum(
        image.pixelIndex(x, y) == 0 for y in range(0, image.height(), 4) for x in range(0, 1654, 4)
    )
    assert image.pixelIndex(0, 0) == 1 and black > 1000


def test_the_printers_resolution_or_a_whole_fraction_of_it() -> None:
    assert raster_dpi(1200, GREY) == 300 and raster_dpi(1200, MONO) == 600
    assert raster_dpi(600, GREY) == 300 and raster_dpi(600, MONO) == 600
    assert raster_dpi(204, MONO) == 204 and raster_dpi(200, GREY) == 200
    assert raster_dpi(360, GREY) == 300  # not 180: no whole fraction near the limit


def test_the_raster_fallback_puts_each_page_on_its_own_paper_in_grey(store, tmp_path: Path) -> None:
    both = _joined(render_form(store, FormKind.LABEL).pdf, render_form(store, FormKind.DAYLIST).pdf)
    document = _document(both)
    target = tmp_path / "raster.pdf"
    printer = _pdf_printer(target)
    setup_printer(printer, document, "宛名と予約一覧")
    assert print_raster(document, printer)

    pages = PdfReader(target).pages
    assert len(pages) == document.pageCount() >= 2
    assert mm_size(pages[0]) == pytest.approx((120, 235), abs=0.5)  # not A4, not 126 %
    assert mm_size(pages[1]) == pytest.approx((297, 210), abs=0.5)
    for page in pages:
        [image] = _images(page)
        assert image["/ColorSpace"] == "/DeviceGray" and image["/BitsPerComponent"] == 8
        assert image.get("/Filter") != "/DCTDecode"  # no JPEG
    # The whole sheet, 300 dpi (the PDF "printer" is 1200 dpi): 120 mm = 1417 px.
    assert _images(pages[0])[0]["/Width"] == 1417


def test_the_raster_fallback_to_a_fax_is_1_bit_and_honours_a_page_range(
    store, tmp_path: Path
) -> None:
    document = _document(render_form(store, FormKind.DAYLIST).pdf)
    target = tmp_path / "fax.pdf"
    printer = _pdf_printer(target)
    setup_printer(printer, document, "予約一覧")
    assert print_raster(document, printer, (0,), image_format=MONO)
    [page] = PdfReader(target).pages
    [image] = _images(page)
    assert image["/BitsPerComponent"] == 1
    assert mm_size(page) == pytest.approx((297, 210), abs=0.5)
    assert target.stat().st_size < 400_000


# The printer as the dialog leaves it ------------------------------------------------------------------


def test_the_printer_is_set_to_the_first_pages_paper(store) -> None:
    for kind, size_id, orientation in (
        (FormKind.LABEL, QPageSize.PageSizeId.EnvelopeChou3, QPageLayout.Orientation.Portrait),
        (FormKind.DAYLIST, QPageSize.PageSizeId.A4, QPageLayout.Orientation.Landscape),
        (FormKind.APPLICATION, QPageSize.PageSizeId.A4, QPageLayout.Orientation.Portrait),
    ):
        document = _document(render_form(store, kind).pdf)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_printer(printer, document, kind.label)
        layout = printer.pageLayout()
        assert layout.pageSize().id() == size_id, kind
        assert layout.orientation() == orientation, kind
        assert printer.fullPage() and printer.docName() == kind.label
        assert (printer.fromPage(), printer.toPage()) == (1, document.pageCount())


def test_the_cups_job_is_what_the_print_dialog_says() -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setCopyCount(3)
    printer.setCollateCopies(False)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 9)
    job = cups_job(printer, "送付書類一式", 6)
    assert job.printer == printer.printerName()
    assert (job.title, job.copies, job.collate) == ("送付書類一式", 3, False)
    assert job.pages == (1, 2, 3, 4, 5)
    printer.setPrintRange(QPrinter.PrintRange.AllPages)
    assert cups_job(printer, "x", 6).pages == ()
    # Duplex as the dialog sets it (a queue or the PDF file keeps it only where supported).
    assert sides_of(QPrinter.DuplexMode.DuplexLongSide) is Sides.LONG_EDGE
    assert sides_of(QPrinter.DuplexMode.DuplexShortSide) is Sides.SHORT_EDGE
    assert sides_of(QPrinter.DuplexMode.DuplexNone) is None


def test_the_dialogs_cups_options_are_kept_and_its_pages_field_read() -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    engine = printer.printEngine()
    # What Qt's dialog leaves on the printer when the clerk types "2-3" in its Pages field
    # and picks odd pages (seen from the real dialog on CUPS).
    engine.setProperty(
        CUPS_OPTIONS,
        ["number-up", "1", "job-billing", "", "page-set", "odd", "page-ranges", "2-3"],
    )
    if not engine.property(CUPS_OPTIONS):
        pytest.skip("Qt's CUPS print engine is not in use (no CUPS scheduler running)")
    printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    assert chosen_pages(printer, 5) == (1, 2)
    job = cups_job(printer, "一式", 5)
    assert job.pages == (1, 2) and job.reverse
    assert ("page-set", "odd") in job.options and ("number-up", "1") in job.options
    assert chosen_pages(printer, 1) == ()  # pages the form does not have
    forget_page_ranges(printer)
    assert engine.property(CUPS_OPTIONS) == [
        "number-up",
        "1",
        "job-billing",
        "",
        "page-set",
        "odd",
    ]
    assert chosen_pages(printer, 5) is None  # all of them


# Through the preview --------------------------------------------------------------------------------


def _preview(qtbot, runner: ServiceRunner, form: RenderedForm) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(runner, form)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready)
    return dialog


def _choose_queue(monkeypatch: pytest.MonkeyPatch, queue: str) -> None:
    def choose(_parent, printer: QPrinter) -> bool:
        printer.setPrinterName(queue)
        assert printer.printerName() == queue
        return True

    monkeypatch.setattr(print_preview, "ask_printer", choose)


@pytest.fixture
def cups_queue() -> str:
    queue = cups_pdf_queue()
    if queue is None:
        pytest.skip("no running CUPS with a cups-pdf queue (tools/install-os-packages.sh)")
    return queue


def test_the_label_goes_to_cups_as_its_pdf_on_chou3(
    qtbot, store, runner: ServiceRunner, make_case, monkeypatch, cups_queue: str
) -> None:
    case = make_case()
    dialog = _preview(qtbot, runner, render_form(store, FormKind.LABEL, case.id))
    assert dialog.pages_label.text() == "全1ページ・長形3号"
    _choose_queue(monkeypatch, cups_queue)
    dialog.show()
    with qtbot.waitSignal(dialog.print_finished, timeout=30_000) as finished:
        assert dialog.print_form()
        assert not dialog.print_button.isEnabled()  # one job at a time
        assert not dialog.close_button.isEnabled()
        dialog.reject()  # Esc: not while the job is on its way
        assert dialog.isVisible()
    assert finished.args == [True]
    assert dialog.status_label.text() == "印刷しました。"
    assert dialog.print_button.isEnabled()
    job = dialog.last_job
    assert job is not None and job.printer == cups_queue and job.papers == ("長形3号",)
    assert job.bytes_sent == len(dialog.form.pdf)

    printed = PdfReader(io.BytesIO(take_cups_pdf(job.request_ids[0])))
    [page] = printed.pages
    assert mm_size(page) == pytest.approx((120, 235), abs=0.5)
    assert not has_images(page) and "様" in page.extract_text()
    history = [entry.summary for entry in get_case(store, case.id).history]
    assert any(s.startswith(FormKind.LABEL.label) and s.endswith("を印刷") for s in history)


def test_the_day_list_lies_on_a4_turned_and_unscaled(
    qtbot, store, runner: ServiceRunner, monkeypatch, cups_queue: str
) -> None:
    dialog = _preview(qtbot, runner, render_form(store, FormKind.DAYLIST))
    assert dialog.pages_label.text().endswith("・A4 横")
    _choose_queue(monkeypatch, cups_queue)
    with qtbot.waitSignal(dialog.print_finished, timeout=30_000) as finished:
        assert dialog.print_form()
    assert finished.args == [True] and dialog.last_job is not None
    printed = _document(take_cups_pdf(dialog.last_job.request_ids[0]))
    sheet = printed.pagePointSize(0)
    assert sorted((round(sheet.width()), round(sheet.height()))) == [595, 842]
    # The printed sheet is the page turned a quarter, ink for ink: no shrinking to fit.
    sheet_image = _grey(printed.render(0, QSize(105, 148)))
    page = _grey(dialog.document.render(0, QSize(148, 105)))
    turned = min(
        _difference(sheet_image, page.transformed(QTransform().rotate(angle)))
        for angle in (90, 270)
    )
    assert turned < 12, turned


def test_when_cups_refuses_the_clerk_is_told_and_nothing_is_recorded(
    qtbot, store, runner: ServiceRunner, make_case, monkeypatch, shown_errors, tmp_path: Path
) -> None:
    case = make_case()
    dialog = _preview(qtbot, runner, render_form(store, FormKind.APPLICATION, case.id))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if not printer.printerName():
        pytest.skip("no printer queue on this machine")
    monkeypatch.setattr(print_preview, "ask_printer", lambda _parent, _printer: True)
    # CUPS is the printing system, but its lp command has gone.
    monkeypatch.setattr(print_preview, "lp_program", lambda: str(tmp_path / "lp"))
    before = get_case(store, case.id).history
    with qtbot.assertNotEmitted(runner.changed), qtbot.waitSignal(dialog.print_finished) as done:
        assert dialog.print_form()
    assert done.args == [False]
    assert len(shown_errors) == 1 and "印刷できませんでした" in shown_errors[0]
    assert "lp コマンド" in shown_errors[0]
    assert dialog.status_label.text() == "" and dialog.print_button.isEnabled()
    assert get_case(store, case.id).history == before


def test_pages_the_form_does_not_have_are_refused_before_printing(
    qtbot, store, runner: ServiceRunner, make_case, monkeypatch, shown_errors
) -> None:
    case = make_case()
    dialog = _preview(qtbot, runner, render_form(store, FormKind.LABEL, case.id))

    def pages_three_to_four(_parent, printer: QPrinter) -> bool:
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(3, 4)
        return True

    monkeypatch.setattr(print_preview, "ask_printer", pages_three_to_four)
    before = get_case(store, case.id).history
    with qtbot.assertNotEmitted(runner.changed), qtbot.assertNotEmitted(dialog.print_finished):
        assert not dialog.print_form()
    assert shown_errors == [f"{print_preview.NO_PAGES}（全1ページ）"]
    assert get_case(store, case.id).history == before


def test_two_reversed_copies_of_two_pages_of_the_packet(
    qtbot, store, runner: ServiceRunner, make_case, monkeypatch, cups_queue: str
) -> None:
    case = make_case()
    dialog = _preview(qtbot, runner, render_form(store, FormKind.PACKET, case.id))
    assert dialog.document.pageCount() >= 3

    def choose(_parent, printer: QPrinter) -> bool:
        printer.setPrinterName(cups_queue)
        printer.setCopyCount(2)
        printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
        printer.printEngine().setProperty(CUPS_OPTIONS, ["page-ranges", "2-3"])
        return True

    monkeypatch.setattr(print_preview, "ask_printer", choose)
    with qtbot.waitSignal(dialog.print_finished, timeout=30_000) as finished:
        assert dialog.print_form()
    assert finished.args == [True] and dialog.last_job is not None
    printed = PdfReader(io.BytesIO(take_cups_pdf(dialog.last_job.request_ids[0]))).pages
    assert len(printed) == 4
    source = PdfReader(io.BytesIO(dialog.form.pdf)).pages

    def chars(page: PageObject) -> set[str]:
        return {c for c in page.extract_text() if ord(c) > 0x3000}

    def closest(page: PageObject) -> int:
        def likeness(i: int) -> float:
            return len(chars(page) & chars(source[i])) / max(1, len(chars(page) | chars(source[i])))

        return max((1, 2), key=likeness)

    # Last page first, each copy whole: pages 3, 2, 3, 2 of the form.
    assert [closest(page) for page in printed] == [2, 1, 2, 1]


def test_without_lp_the_preview_paints_grey_pages_through_the_driver(
    qtbot, store, runner: ServiceRunner, monkeypatch, cups_queue: str
) -> None:
    """The fallback as Windows takes it: page images through the platform's print engine
    (here Qt's own CUPS engine, to the cups-pdf queue), on the page's own paper."""
    form = render_form(store, FormKind.LABEL)
    title = f"raster-{uuid.uuid4().hex[:12]}"  # cups-pdf names the file after the job
    dialog = _preview(qtbot, runner, replace(form, title=title))
    monkeypatch.setattr(print_preview, "lp_program", lambda: None)
    _choose_queue(monkeypatch, cups_queue)
    with qtbot.waitSignal(dialog.print_finished) as finished:
        assert dialog.print_form()
    assert finished.args == [True] and dialog.last_job is None
    [page] = PdfReader(io.BytesIO(take_cups_pdf_titled(title))).pages
    assert mm_size(page) == pytest.approx((120, 235), abs=0.5)
    assert has_images(page)
