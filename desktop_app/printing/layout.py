"""Page geometry and drawing primitives shared by every form.

Forms are faxed: black on white, no grey fills, lines of at least 0.5 pt, text of at least
9 pt, margins of 15 mm. ``fit_text``/``draw_fit`` is the one way text goes into a box: it
shrinks to 9 pt on one line, then wraps (Japanese kinsoku rules), and never overflows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from desktop_app.printing.fonts import GOTHIC

log = logging.getLogger(__name__)

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN
CONTENT_W = RIGHT - LEFT

MIN_SIZE = 9.0  # smallest text a fax still carries legibly
WRITE_SIZE = 10.5  # text inside boxes where people also write by hand
THIN = 0.6  # hairlines vanish on fax; 0.5 pt is the floor
RULE = 0.8
HEAVY = 1.5

# IPAex metrics, as fractions of the font size, for placing single lines in boxes.
ASCENT = 0.88
CJK_MIDDLE = 0.36  # height of the visual centre of a CJK glyph above the baseline

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]
_TA = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


@dataclass(frozen=True)
class Fit:
    """How a text fits a box: the size chosen and, when wrapped, the laid-out paragraph."""

    text: str
    size: float
    leading: float
    lines: int
    width: float
    height: float
    overflow: bool  # True when even 9 pt wrapped did not fit and the text was cut
    paragraph: Paragraph | None = None  # None: one line, drawn with drawString


@lru_cache(maxsize=256)
def paragraph_style(
    size: float, leading: float, align: Align = "left", font: str = GOTHIC
) -> ParagraphStyle:
    """A Japanese paragraph style: CJK word wrap gives kinsoku (no 、。） at a line start)."""
    return ParagraphStyle(
        f"fit-{font}-{size}-{leading}-{align}",
        fontName=font,
        fontSize=size,
        leading=leading,
        alignment=_TA[align],
        wordWrap="CJK",
        splitLongWords=True,
    )


def markup(text: str) -> str:
    """Plain text as Paragraph markup: escaped, newlines kept."""
    return escape(text).replace("\n", "<br/>")


def _wrapped(
    text: str, width: float, height: float, size: float, leading: float, align: Align, font: str
) -> tuple[Paragraph, float, float]:
    para = Paragraph(markup(text), paragraph_style(size, leading, align, font))
    w, h = para.wrap(width, height)
    return para, w, h


def fit_text(
    text: str,
    width: float,
    height: float,
    *,
    size: float = WRITE_SIZE,
    min_size: float = MIN_SIZE,
    font: str = GOTHIC,
    leading: float = 1.25,
    align: Align = "left",
) -> Fit:
    """Fit ``text`` in a ``width`` x ``height`` box: shrink on one line, then wrap, then cut.

    ``leading`` is a factor of the size. The size never goes below ``min_size`` (9 pt).
    """
    text = text.strip()
    min_size = min(min_size, size)
    if not text:
        return Fit("", size, size * leading, 0, 0.0, 0.0, False)
    sizes = _sizes(size, min_size)
    if "\n" not in text:
        # One line is easiest to read: shrink before wrapping.
        for s in sizes:
            w = stringWidth(text, font, s)
            if w <= width and s * leading <= height + 0.01:
                return Fit(text, s, s * leading, 1, w, s * leading, False)
    total = stringWidth(text.replace("\n", ""), font, sizes[-1])
    for s in sizes:
        # Cheap lower bound on the lines needed, to skip sizes that cannot fit.
        needed = max(text.count("\n") + 1, int(total * s / sizes[-1] / width) + 1)
        if needed * s * leading > height + 0.01 and s != sizes[-1]:
            continue
        para, w, h = _wrapped(text, width, height, s, s * leading, align, font)
        if h <= height + 0.01:
            return Fit(text, s, s * leading, len(para.blPara.lines), w, h, False, para)
    return _cut(text, width, height, sizes[-1], sizes[-1] * leading, align, font)


def _sizes(size: float, min_size: float) -> list[float]:
    sizes = []
    s = size
    while s > min_size + 0.001:
        sizes.append(round(s, 2))
        s -= 0.5
    sizes.append(min_size)
    return sizes


def _cut(
    text: str, width: float, height: float, size: float, leading: float, align: Align, font: str
) -> Fit:
    """Longest prefix (plus …) that fits at the minimum size; logged, as it loses text."""
    log.warning("text cut to fit a %.0fx%.0f pt box: %r", width, height, text[:40])
    lo, hi = 0, len(text)
    best: tuple[Paragraph, float, float, str] | None = None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        candidate = text[:mid].rstrip() + "…"
        para, w, h = _wrapped(candidate, width, height, size, leading, align, font)
        if h <= height + 0.01:
            lo, best = mid, (para, w, h, candidate)
        else:
            hi = mid - 1
    if best is None:  # not even one line fits: the box is smaller than 9 pt text
        return Fit("", size, leading, 0, 0.0, 0.0, True)
    para, w, h, cut = best
    return Fit(cut, size, leading, len(para.blPara.lines), w, h, True, para)


def draw_fit(
    c: Canvas,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    size: float = WRITE_SIZE,
    min_size: float = MIN_SIZE,
    pad: float = 1.5 * mm,
    vpad: float = 0.8 * mm,
    align: Align = "left",
    valign: VAlign = "middle",
    font: str = GOTHIC,
    leading: float = 1.25,
) -> Fit:
    """Draw ``text`` fitted inside the box whose lower-left corner is (x, y)."""
    inner_w, inner_h = w - 2 * pad, h - 2 * vpad
    fit = fit_text(
        text,
        inner_w,
        inner_h,
        size=size,
        min_size=min_size,
        font=font,
        leading=leading,
        align=align,
    )
    if not fit.text:
        return fit
    left = x + pad
    if fit.paragraph is None:
        if valign == "top":
            baseline = y + h - vpad - fit.size * ASCENT
        elif valign == "bottom":
            baseline = y + vpad + fit.size * (1 - ASCENT)
        else:
            baseline = y + h / 2 - fit.size * CJK_MIDDLE
        draw_string(c, _ax(left, inner_w, align), baseline, fit.text, fit.size, align=align)
        return fit
    if valign == "top":
        bottom = y + h - vpad - fit.height
    elif valign == "bottom":
        bottom = y + vpad
    else:
        bottom = y + (h - fit.height) / 2
    fit.paragraph.drawOn(c, left, bottom)
    return fit


def _ax(left: float, width: float, align: Align) -> float:
    return {"left": left, "center": left + width / 2, "right": left + width}[align]


def draw_string(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: Align = "left",
    bold: bool = False,
    font: str = GOTHIC,
) -> float:
    """One line at baseline ``y``; returns its width. ``bold`` strokes the outline too,
    as IPAex has no bold face."""
    width = stringWidth(text, font, size)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    t = c.beginText(x, y)
    t.setFont(font, size)
    if bold:
        c.saveState()
        c.setLineWidth(size * 0.035)
        t.setTextRenderMode(2)
    t.textOut(text)
    c.drawText(t)
    if bold:
        c.restoreState()
    return width


def text_width(text: str, size: float, font: str = GOTHIC) -> float:
    return stringWidth(text, font, size)


def box(c: Canvas, x: float, y: float, w: float, h: float, lw: float = RULE) -> None:
    """A rectangle outline; never filled, so nothing grey lies behind text on a fax."""
    c.setLineWidth(lw)
    c.rect(x, y, w, h, stroke=1, fill=0)


def hline(c: Canvas, x1: float, x2: float, y: float, lw: float = THIN) -> None:
    c.setLineWidth(lw)
    c.line(x1, y, x2, y)


def vline(c: Canvas, x: float, y1: float, y2: float, lw: float = THIN) -> None:
    c.setLineWidth(lw)
    c.line(x, y1, x, y2)


def checkbox(c: Canvas, x: float, y: float, checked: bool = False, side: float = 3.6 * mm) -> None:
    """A square to tick, lower-left at (x, y); a printed tick when ``checked``."""
    box(c, x, y, side, side, THIN)
    if checked:
        c.saveState()
        c.setLineWidth(1.4)
        c.setLineCap(1)
        c.setLineJoin(1)
        p = c.beginPath()
        p.moveTo(x + side * 0.18, y + side * 0.52)
        p.lineTo(x + side * 0.42, y + side * 0.2)
        p.lineTo(x + side * 0.85, y + side * 0.88)
        c.drawPath(p, stroke=1, fill=0)
        c.restoreState()


def choices(
    c: Canvas,
    x: float,
    y_mid: float,
    options: list[tuple[str, bool]],
    size: float = WRITE_SIZE,
    gap: float = 5 * mm,
) -> float:
    """Check boxes with labels on one line centred on ``y_mid``; returns the x after them."""
    side = size * 0.95
    for label, checked in options:
        checkbox(c, x, y_mid - side / 2, checked, side)
        x += side + 1.2 * mm
        x += draw_string(c, x, y_mid - size * CJK_MIDDLE, label, size) + gap
    return x


def flow_paragraph(
    c: Canvas,
    text: str,
    x: float,
    y_top: float,
    width: float,
    size: float = 10.0,
    leading: float = 1.5,
    align: Align = "left",
) -> float:
    """Running text (not boxed) from ``y_top`` down; returns the y below it."""
    para = Paragraph(markup(text), paragraph_style(size, size * leading, align))
    _, h = para.wrap(width, PAGE_H)
    para.drawOn(c, x, y_top - h)
    return y_top - h
