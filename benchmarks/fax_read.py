"""Received-fax reading benchmark (issue #26 item 2): a 10-page fax read and matched to its
cases (target: under 1 s).

Run: python benchmarks/fax_read.py [--pages N] [--repeat N] [--fine]
Our own forms (a cover sheet without a barcode, then 申込書, 専用診療情報提供書 and
相談同意書 of a few cases) are rendered, made into a fax as a machine sends it
(204×98 dpi standard mode, or --fine 204×196; black and white; a few skewed 1.5°, one upside
down) and saved as a multi-page G3 TIFF and as a PDF. Each is read (services/fax_read.read_fax)
and matched against the database (match_cases); the best and median of --repeat runs are
printed, with the pages matched. Prints figures; asserts nothing (timed tests do not belong in
the suite).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from desktop_app.domain.forms import FormKind
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCaller, NewCase, NewPatient
from desktop_app.services.fax_inbox import read_inbox_file
from desktop_app.services.fax_read import match_cases, read_fax
from desktop_app.services.forms import render_form
from desktop_app.services.store import Store, open_store

X_DPI = 204
TARGET_S = 1.0


def _case(store: Store, k: int) -> int:
    new = NewCase(
        patient=NewPatient(name=f"試験　{k}郎", furigana="シケン　タロウ"),
        caller=NewCaller(name="試験　花子", relationship=Relationship.SPOUSE),
        attendance=Attendance.FAMILY_ONLY,
    )
    return create_case(store, new).id


def _render(pdf: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    pages = [p.render(scale=X_DPI / 72, grayscale=True).to_pil().convert("L") for p in document]
    document.close()
    return pages


def _pages(store: Store, count: int) -> list[Image.Image]:
    """``count`` A4 pages at 204 dpi, gray: first the sender's cover sheet (our packet's
    cover letter stands in: no barcode), then 申込書, 提供書 and 同意書 of case after case."""
    pages = _render(render_form(store, FormKind.COVER, _case(store, 0)).pdf)[:1]
    k = 1
    while len(pages) < count:
        case_id = _case(store, k)
        for kind in (FormKind.APPLICATION, FormKind.REFERRAL, FormKind.CONSENT):
            pages += _render(render_form(store, kind, case_id).pdf)
        k += 1
    return pages[:count]


def _fax(page: Image.Image, lines: int, i: int) -> Image.Image:
    if i % 5 == 3:
        page = page.rotate(180)
    elif i % 3 == 1:
        page = page.rotate(1.5, resample=Image.Resampling.BILINEAR, fillcolor=255)
    w, h = page.size
    scanned = page.resize((w, round(h * lines / X_DPI)), Image.Resampling.BILINEAR)
    bw = scanned.point(lambda v: 255 if v > 160 else 0).convert("1")
    bw.info["dpi"] = (X_DPI, lines)
    return bw


def _time(store: Store, path: Path, repeat: int) -> tuple[list[float], int, int, int]:
    runs: list[float] = []
    matched = unread = pages = 0
    for _ in range(repeat):
        start = time.perf_counter()
        fax = read_fax(path)
        entries = match_cases(store, fax)
        runs.append(time.perf_counter() - start)
        pages = len(fax.pages)
        matched = sum(1 for e in entries if e.case_id is not None)
        unread = sum(1 for p in fax.pages if not p.matched)
    return runs, matched, unread, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fine", action="store_true", help="204×196 dpi instead of 204×98")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    store = open_store(folder / "bench.db", create=True, staff="bench")
    lines = 196 if args.fine else 98
    faxed = [_fax(p, lines, i) for i, p in enumerate(_pages(store, args.pages))]
    tiff, pdf = folder / "fax.tif", folder / "fax.pdf"
    faxed[0].save(
        tiff, save_all=True, append_images=faxed[1:], compression="group3", dpi=(X_DPI, lines)
    )
    faxed[0].save(pdf, save_all=True, append_images=faxed[1:], dpi=(X_DPI, lines))
    mode = "fine 204×196" if args.fine else "standard 204×98"
    print(f"fax: {args.pages} pages, {mode} dpi, black and white; best and median of {args.repeat}")
    for path, label in ((tiff, "G3 TIFF"), (pdf, "PDF")):
        runs, matched, unread, pages = _time(store, path, args.repeat)
        best, median = min(runs), statistics.median(runs)
        per_page = median / max(pages, 1) * 1000
        verdict = "met" if median < TARGET_S else "NOT met"
        print(
            f"{label:<8} {path.stat().st_size / 1024:7,.0f} KB  read and matched: best {best:6.3f} s,"
            f" median {median:6.3f} s ({per_page:4.0f} ms a page); {pages} pages: {matched}"
            f" matched to a case, {unread} without a barcode (target under {TARGET_S:g} s:"
            f" {verdict})"
        )
        inbox = _time_inbox(store, path, args.repeat)
        print(
            f"{'':<8} {'':>10}  as the 受信FAX screen reads it (hash, pages kept upright as PNG,"
            f" thumbnails, each page's case and line): best {min(inbox):6.3f} s,"
            f" median {statistics.median(inbox):6.3f} s"
        )
    store.close()


def _time_inbox(store: Store, path: Path, repeat: int) -> list[float]:
    runs: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        read_inbox_file(store, path)
        runs.append(time.perf_counter() - start)
    return runs


if __name__ == "__main__":
    main()
