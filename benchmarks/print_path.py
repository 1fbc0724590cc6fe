"""The print path's figures: job size per page and time per call, for both ways a form prints.

Run: .venv/bin/python benchmarks/print_path.py [--printer QUEUE] [--rounds N]

- CUPS (Linux, macOS): the PDF itself handed to a queue with ``lp`` (services/print_job.py).
  The job is the form's PDF; the time is the ``lp`` call (the spooler has the job). With a
  cups-pdf queue the printed file is read back too: its size and the time until it appeared.
  Without ``--printer`` only a cups-pdf queue is used (never a real printer by accident); the
  files this benchmark makes there are removed again.
- Raster fallback (Windows, or no ``lp``): page images painted through Qt's print engine
  (ui/print_job.py), grey at 300 dpi from a 1200-dpi driver, 1-bit at 600 dpi for a FAX
  driver. Qt's PDF engine stands in for the driver: its file is what Qt hands to CUPS, and
  close to what a Windows driver is given (the same images).

Forms: the mail-out packet of the longest case with a consent form (6 pages), the 長形3号
envelope label, and the day list (A4 landscape). Figures to read, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QBuffer, QByteArray, QIODevice  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtPdf import QPdfDocument  # noqa: E402
from PySide6.QtPrintSupport import QPrinter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.domain.forms import FormKind  # noqa: E402
from desktop_app.domain.settings import DEFAULT_SETTINGS  # noqa: E402
from desktop_app.printing import build_form  # noqa: E402
from desktop_app.services.print_job import CupsJob, lp_program, send_to_cups  # noqa: E402
from desktop_app.ui.print_job import page_papers, print_raster, setup_printer  # noqa: E402
from tests.printing.samples import (  # noqa: E402
    SAMPLE_TODAY,
    long_case,
    sample_case,
    sample_day_entries,
)
from tests.services.test_print_job import cups_pdf_queue, take_cups_pdf  # noqa: E402

KiB = 1024


def forms() -> list[tuple[str, bytes]]:
    family = replace(long_case(), needs_consent=True)
    entries = sample_day_entries(count=12)
    return [
        ("packet", build_form(FormKind.PACKET, DEFAULT_SETTINGS, family, today=SAMPLE_TODAY)),
        ("label", build_form(FormKind.LABEL, DEFAULT_SETTINGS, sample_case(), today=SAMPLE_TODAY)),
        (
            "daylist",
            build_form(
                FormKind.DAYLIST, DEFAULT_SETTINGS, None, today=SAMPLE_TODAY, day_entries=entries
            ),
        ),
    ]


def document(pdf: bytes) -> QPdfDocument:
    doc = QPdfDocument()
    buffer = QBuffer(doc)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    return doc


def row(path: str, name: str, pages: int, size: int, times: list[float], extra: str = "") -> None:
    print(
        f"{path:<22} {name:<8} {pages:>2} p  {size / KiB:8.0f} KiB  {size / pages / KiB:7.0f} KiB/p"
        f"  median {statistics.median(times):5.2f} s  max {max(times):5.2f} s  {extra}"
    )


def bench_cups(queue: str | None, rounds: int) -> None:
    lp = lp_program()
    chosen = queue or cups_pdf_queue()
    if lp is None or chosen is None:
        print("CUPS: skipped (no lp, or no cups-pdf queue: pass --printer QUEUE)")
        return
    readback = queue is None  # a cups-pdf queue chosen here: read its files back
    print(f"CUPS queue {chosen!r} via {lp}")
    for name, pdf in forms():
        doc = document(pdf)
        papers = page_papers(doc)
        times, waits, outputs = [], [], []
        for _ in range(rounds):
            start = time.perf_counter()
            sent = send_to_cups(pdf, papers, CupsJob(chosen, f"bench-{name}"), lp=lp)
            times.append(time.perf_counter() - start)
            if readback:
                for request in sent.request_ids:
                    outputs.append(len(take_cups_pdf(request)))
                    waits.append(time.perf_counter() - start)
        extra = f"(paper {'+'.join(sent.papers)})"
        if outputs:
            extra += (
                f"  printed file {statistics.median(outputs) / len(papers) / KiB:.0f} KiB/p,"
                f" out after {statistics.median(waits):.1f} s"
            )
        row("CUPS (PDF via lp)", name, len(papers), sent.bytes_sent, times, extra)


def bench_raster(rounds: int) -> None:
    grey, mono = QImage.Format.Format_Grayscale8, QImage.Format.Format_Mono
    with tempfile.TemporaryDirectory() as folder:
        for label, dpi, image_format in (
            ("raster grey 1200→300", 1200, grey),
            ("raster grey 600→300", 600, grey),
            ("raster 1-bit FAX 200", 200, mono),
            ("raster 1-bit 1200→600", 1200, mono),
        ):
            for name, pdf in forms():
                doc = document(pdf)
                target = Path(folder) / f"{name}.pdf"
                times = []
                for _ in range(rounds):
                    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
                    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
                    printer.setOutputFileName(str(target))
                    printer.setResolution(dpi)
                    setup_printer(printer, doc, name)
                    start = time.perf_counter()
                    assert print_raster(doc, printer, image_format=image_format)
                    times.append(time.perf_counter() - start)
                row(label, name, doc.pageCount(), target.stat().st_size, times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printer", help="a CUPS queue (default: the cups-pdf queue)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    for name, pdf in forms():
        print(f"form {name}: {len(pdf) / KiB:.0f} KiB PDF")
    bench_cups(args.printer, args.rounds)
    bench_raster(args.rounds)
    del app


if __name__ == "__main__":
    main()
