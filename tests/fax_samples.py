"""Our own forms as a fax machine sends them back, for the tests of received faxes.

Forms are rendered by the real printing, rasterised with pypdfium2 and degraded with Pillow as
a fax does it: 204×98 dpi (standard) or 204×196 (fine), black and white, skewed, speckled,
turned; saved as PDF and as single- and multi-page TIFF (G3, G4) as a fax server saves them.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.forms import FormKind
from desktop_app.printing.context import BAR_HEIGHT, BAR_MODULE
from desktop_app.services.forms import render_form
from desktop_app.services.store import Store

FAX_X_DPI = 204
STANDARD, FINE = 98, 196  # lines per inch


def render(pdf: bytes) -> list[Image.Image]:
    """Every page at the fax's horizontal resolution, 8-bit gray, square pixels."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            page.render(scale=FAX_X_DPI / 72, grayscale=True).to_pil().convert("L")
            for page in document
        ]
    finally:
        document.close()


def fax(
    page: Image.Image,
    lines: int = STANDARD,
    *,
    skew: float = 0.0,
    specks: float = 0.0,
    upside_down: bool = False,
    sideways: bool = False,
) -> Image.Image:
    """What the far end's fax machine makes of the page: scanned at 204×``lines`` dpi, black
    and white, as fed (skewed, turned) and with dust (``specks``: the share of black dots)."""
    if sideways:
        page = page.rotate(90, expand=True, fillcolor=255)
    if upside_down:
        page = page.rotate(180)
    if skew:
        page = page.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    w, h = page.size
    scanned = page.resize((w, round(h * lines / FAX_X_DPI)), Image.Resampling.BILINEAR)
    bw = scanned.point(lambda v: 255 if v > 160 else 0).convert("1")
    if specks:
        dots = random.Random(26)
        pixels = bw.load()
        assert pixels is not None
        for _ in range(int(bw.width * bw.height * specks)):
            pixels[dots.randrange(bw.width), dots.randrange(bw.height)] = 0
    bw.info["dpi"] = (FAX_X_DPI, lines)
    return bw


def tiff(path: Path, pages: list[Image.Image], compression: str = "group4") -> Path:
    dpi = pages[0].info.get("dpi", (FAX_X_DPI, FINE))
    pages[0].save(path, save_all=True, append_images=pages[1:], compression=compression, dpi=dpi)
    return path


def pdf(path: Path, pages: list[Image.Image]) -> Path:
    dpi = pages[0].info.get("dpi", (FAX_X_DPI, FINE))
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=dpi)
    return path


def bars_page(text: str) -> Image.Image:
    """A page with only a Code 128 of ``text`` where our forms print theirs."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4)
    bars = Code128(text, barWidth=BAR_MODULE, barHeight=BAR_HEIGHT, humanReadable=False)
    bars.drawOn(c, A4[0] - 20 * mm - bars.width, A4[1] - 30 * mm)
    c.drawString(30 * mm, A4[1] / 2, "Lorem ipsum 1234567890")
    c.showPage()
    c.save()
    return render(buffer.getvalue())[0]


def blank_page(text: str = "Lab results 2026-11-30") -> Image.Image:
    """A page of someone else's (a lab report, a letter): no barcode at all."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4)
    c.drawString(30 * mm, A4[1] / 2, text)
    c.showPage()
    c.save()
    return render(buffer.getvalue())[0]


def form(store: Store, kind: FormKind, case_id: int) -> Image.Image:
    return render(render_form(store, kind, case_id).pdf)[0]
