"""The printer's side of printing a form: its paper, the CUPS job, and the raster fallback.

Where CUPS prints (Linux, macOS) the PDF itself is sent (services/print_job.py). Elsewhere
(Windows, or a system without ``lp``) each page is painted as an image through the printer
driver: grey at the printer's own resolution, or 1-bit for a FAX driver, so a page is not a
colour photograph of itself. Either way a page lands 1:1 on paper of its own size and
orientation: the 長形3号 label on 長形3号, the day list on A4 landscape, nothing scaled.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrintEngine, QPrinter

from desktop_app.services.print_job import CupsJob, Paper, Sides, parse_page_ranges

POINTS_PER_INCH = 72.0
# Where Qt's print dialog keeps the CUPS options it sets (PPK_CupsOptions in Qt's qcups_p.h).
CUPS_OPTIONS = QPrintEngine.PrintEnginePropertyKey(0xFE00)
# The raster fallback renders at the printer's resolution, divided by a whole number down to
# no more than this (so each image pixel covers whole printer dots): grey at 300 dpi (an A4
# page is an 8.7 MB image, 35 MB while pdfium draws it), 1-bit at 600 dpi (4.3 MB), where
# the finer grid is what keeps small kanji legible without grey edges.
MAX_GREY_DPI = 300
MAX_MONO_DPI = 600
# A FAX driver sends 1-bit pages: send it 1-bit pages, not grey it would dither itself.
FAX_WORDS = ("fax", "ｆａｘ", "ファクス", "ファックス")


# Paper ----------------------------------------------------------------------------------------


def page_papers(document: QPdfDocument) -> tuple[Paper, ...]:
    """Each page's paper, as the PDF draws it."""
    sizes = (document.pagePointSize(page) for page in range(document.pageCount()))
    return tuple(Paper.from_points(size.width(), size.height()) for size in sizes)


def page_layout(paper: Paper) -> QPageLayout:
    """The whole sheet of ``paper`` (no margins: the forms carry their own), turned as it is."""
    short, long = paper.portrait_mm
    size = QPageSize(
        QSizeF(short, long), QPageSize.Unit.Millimeter, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    orientation = (
        QPageLayout.Orientation.Landscape if paper.landscape else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def setup_printer(printer: QPrinter, document: QPdfDocument, title: str) -> None:
    """The first page's paper and orientation, the whole sheet, and every page offered."""
    papers = page_papers(document)
    if papers:
        printer.setPageLayout(page_layout(papers[0]))
    printer.setFullPage(True)
    printer.setDocName(title)
    printer.setFromTo(1, max(1, len(papers)))


def chosen_pages(printer: QPrinter, page_count: int) -> tuple[int, ...] | None:
    """The 0-based pages the print dialog asked for; None: all of them; (): none it has.

    "Pages from … to" is the printer's page range; the "Pages" field ("1,3-4") of Qt's dialog
    on CUPS is a ``page-ranges`` job option instead.
    """
    if printer.printRange() == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        return tuple(page - 1 for page in range(1, page_count + 1) if ranges.contains(page))
    asked = dict(dialog_options(printer)).get("page-ranges", "")
    return parse_page_ranges(asked, page_count) if asked else None


def dialog_options(printer: QPrinter) -> tuple[tuple[str, str], ...]:
    """The CUPS options Qt's print dialog keeps on the printer (page-set, number-up, a tray,
    banner pages...), as (name, value) pairs."""
    engine = printer.printEngine()
    values = engine.property(CUPS_OPTIONS) if engine is not None else None
    if not isinstance(values, list):
        return ()
    names, settings = values[0::2], values[1::2]
    return tuple((str(n), str(v)) for n, v in zip(names, settings, strict=False))


def sides_of(duplex: QPrinter.DuplexMode) -> Sides | None:
    """The print dialog's duplex as CUPS ``sides``; None (the queue's default) for none, as
    the dialog says "none" also when the clerk left it alone."""
    return {
        QPrinter.DuplexMode.DuplexLongSide: Sides.LONG_EDGE,
        QPrinter.DuplexMode.DuplexShortSide: Sides.SHORT_EDGE,
        QPrinter.DuplexMode.DuplexAuto: Sides.LONG_EDGE,
    }.get(duplex)


def forget_page_ranges(printer: QPrinter) -> None:
    """Drop the dialog's ``page-ranges`` option once the pages it names are the only ones
    painted: Qt's own CUPS engine would otherwise pick those pages again from the few sent."""
    engine = printer.printEngine()
    values = engine.property(CUPS_OPTIONS) if engine is not None else None
    if not isinstance(values, list) or "page-ranges" not in values[0::2]:
        return
    pairs = [(n, v) for n, v in zip(values[0::2], values[1::2], strict=False) if n != "page-ranges"]
    engine.setProperty(CUPS_OPTIONS, [item for pair in pairs for item in pair])


def cups_job(printer: QPrinter, title: str, page_count: int) -> CupsJob:
    """The CUPS job the print dialog describes: queue, copies, collation, pages, sides."""
    return CupsJob(
        printer=printer.printerName(),
        title=title,
        copies=max(1, printer.copyCount()),
        collate=printer.collateCopies(),
        pages=chosen_pages(printer, page_count) or (),
        sides=sides_of(printer.duplex()),
        reverse=printer.pageOrder() == QPrinter.PageOrder.LastPageFirst,
        options=dialog_options(printer),
    )


# The raster fallback --------------------------------------------------------------------------


def is_fax(printer_name: str) -> bool:
    """A PC-FAX driver, by its name (ブラザー PC-FAX, Microsoft FAX, …)."""
    name = printer_name.casefold()
    return any(word in name for word in FAX_WORDS)


def raster_format(printer_name: str) -> QImage.Format:
    """1-bit for a FAX driver, grey for any other printer."""
    return QImage.Format.Format_Mono if is_fax(printer_name) else QImage.Format.Format_Grayscale8


def raster_dpi(printer_dpi: int, image_format: QImage.Format) -> int:
    """The printer's resolution, or a whole fraction of it no finer than the format's limit
    (1200 → 300 grey, 600 1-bit; a 204-dpi FAX driver gets 204)."""
    limit = MAX_MONO_DPI if image_format == QImage.Format.Format_Mono else MAX_GREY_DPI
    dpi = max(1, printer_dpi)
    if dpi <= limit:
        return dpi
    divisor = 2
    while dpi / divisor > limit:
        divisor += 1
    # No whole fraction near the limit (a 360-dpi inkjet would get 180): the limit itself.
    return dpi // divisor if dpi // divisor * 3 >= limit * 2 else limit


def page_image(document: QPdfDocument, page: int, dpi: int, image_format: QImage.Format) -> QImage:
    """One page at ``dpi`` as an opaque grey (or 1-bit) image on white paper.

    QPdfDocument.render() leaves everything outside the ink transparent; a driver that drops
    the alpha channel turns that into black, so the page is painted onto white first. For
    1-bit, text and lines are drawn without anti-aliasing (crisp black, no grey fringe to
    dither) and any grey fill becomes an ordered pattern.
    """
    points = document.pagePointSize(page)
    size = QSize(
        round(points.width() * dpi / POINTS_PER_INCH),
        round(points.height() * dpi / POINTS_PER_INCH),
    )
    options = QPdfDocumentRenderOptions()
    flags = QPdfDocumentRenderOptions.RenderFlag.Grayscale
    if image_format == QImage.Format.Format_Mono:
        flags |= (
            QPdfDocumentRenderOptions.RenderFlag.TextAliased
            | QPdfDocumentRenderOptions.RenderFlag.PathAliased
        )
    options.setRenderFlags(flags)
    ink = document.render(page, size, options)
    paper = QImage(size, QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, ink)
    painter.end()
    paper.setDotsPerMeterX(round(dpi / 0.0254))
    paper.setDotsPerMeterY(round(dpi / 0.0254))
    if image_format == QImage.Format.Format_Mono:
        return _black_on_white(
            paper.convertToFormat(
                image_format,
                Qt.ImageConversionFlag.MonoOnly | Qt.ImageConversionFlag.OrderedDither,
            )
        )
    return paper.convertToFormat(image_format)


BLACK, WHITE = QColor("black").rgba(), QColor("white").rgba()


def _black_on_white(image: QImage) -> QImage:
    """A 1-bit image whose colour table reads (black, white): the order Qt's PDF engine and
    the printer drivers take as a bitmap (the other order is sent as a grey image)."""
    if image.colorTable() == [WHITE, BLACK]:
        image.invertPixels()
        image.setColorTable([BLACK, WHITE])
    return image


def print_raster(
    document: QPdfDocument,
    printer: QPrinter,
    pages: tuple[int, ...] = (),
    image_format: QImage.Format | None = None,
) -> bool:
    """Paint ``pages`` (default: all) as images, each on its own paper, 1:1; False on failure.

    ``image_format`` (default: by the printer's name) is grey, or 1-bit for a FAX driver.
    """
    papers = page_papers(document)
    chosen = pages or tuple(range(len(papers)))
    if not chosen:
        return False
    if image_format is None:
        image_format = raster_format(printer.printerName())
    # Grey pages, and a driver (or Qt's own PDF output) told so: left in colour, Qt's PDF
    # engine would store even a 1-bit page as an RGB JPEG.
    printer.setColorMode(QPrinter.ColorMode.GrayScale)
    printer.setFullPage(True)
    printer.setPageLayout(page_layout(papers[chosen[0]]))
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        for index, page in enumerate(chosen):
            if index > 0:
                printer.setPageLayout(page_layout(papers[page]))
                if not printer.newPage():
                    return False
            dpi = raster_dpi(printer.resolution(), image_format)
            image = page_image(document, page, dpi, image_format)
            # The whole sheet in the printer's pixels: the page's image covers it exactly.
            sheet = printer.paperRect(QPrinter.Unit.DevicePixel)
            painter.drawImage(QRectF(0, 0, sheet.width(), sheet.height()), image)
    finally:
        painter.end()
    return True
