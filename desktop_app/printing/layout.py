"""Page geometry and drawing primitives shared by every form.

Forms are faxed: black on white, no grey fills, lines of at least 0.5 pt, text of at least
9 pt, margins of 15 mm. ``fit_text``/``draw_fit`` is the one way text goes into a box: it
shrinks to 9 pt on one line, then wraps (at phrase boundaries, names whole, kinsoku:
``linebreak``), and never overflows: as a last resort it cuts the text with … and logs a
warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from desktop_app.printing.fonts import GOTHIC
from desktop_app.printing.linebreak import FORCED, SCRIPT, WORD, plain, wrap_ranked, wrap_text

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
SHRINK_FIRST = 0.85  # shrink one line to 85 % of the size before wrapping instead

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class Rect:
    """A box on the page in points: (x, y) is its lower-left corner, as in reportlab."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def below(cls, x: float, top: float, w: float, h: float) -> Rect:
        """The box of height ``h`` hanging from ``top`` (forms are laid out top-down)."""
        return cls(x, top - h, w, h)

    @property
    def top(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True)
class Fit:
    """How a text fits a box: the size chosen and the lines it was broken into."""

    text: str
    size: float
    leading: float
    lines: tuple[str, ...]
    width: float  # of the widest line
    height: float  # from the top of the first line to the bottom of the last
    overflow: bool  # True when even 9 pt wrapped did not fit and the text was cut


class TextBlock(Flowable):
    """Running text for platypus frames (the guide), broken like every other text
    (``linebreak``): phrases, names whole, kinsoku. ``hang`` indents the lines after the
    first (a list item's mark stands out to the left). Splits across frames by lines."""

    def __init__(
        self,
        text: str,
        size: float,
        leading: float,
        *,
        hang: float = 0.0,
        font: str = GOTHIC,
        lines: tuple[str, ...] | None = None,
        first: bool = True,
    ) -> None:
        super().__init__()
        self.text, self.size, self.leading, self.hang, self.font = text, size, leading, hang, font
        self.lines = lines
        self.first = first  # False for the rest of a block split across frames

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        if self.lines is None:
            self.lines = tuple(wrap_text(self.text, avail_w - self.hang, self.size, self.font))
        self.width, self.height = avail_w, len(self.lines) * self.leading
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        self.wrap(avail_w, avail_h)
        assert self.lines is not None
        fit = int((avail_h + 0.01) // self.leading)
        if fit < 1 or fit >= len(self.lines):
            return []
        return [self._part(self.lines[:fit], self.first), self._part(self.lines[fit:], False)]

    def _part(self, lines: tuple[str, ...], first: bool) -> TextBlock:
        return TextBlock(
            self.text,
            self.size,
            self.leading,
            hang=self.hang,
            font=self.font,
            lines=lines,
            first=first,
        )

    def draw(self) -> None:
        assert self.lines is not None
        # Each line sits in a band of `leading`, its glyphs centred in the band.
        baseline = self.height - (self.leading - self.size) / 2 - self.size * ASCENT
        for i, line in enumerate(self.lines):
            x = 0.0 if self.first and i == 0 else self.hang
            draw_string(self.canv, x, baseline, line, self.size, font=self.font)
            baseline -= self.leading


def fit_text(
    text: str,
    width: float,
    height: float,
    *,
    size: float = WRITE_SIZE,
    min_size: float = MIN_SIZE,
    font: str = GOTHIC,
    leading: float = 1.25,
) -> Fit:
    """Fit ``text`` in a ``width`` x ``height`` box: shrink on one line, then wrap (at
    phrases; between any characters but a name's when that is the only way), then cut.

    ``leading`` is a factor of the size. The size never goes below ``min_size`` (9 pt).
    Lines break by Japanese rules (phrases, names whole, kinsoku: see ``linebreak``); the
    lines are plain text, ``text`` may carry the marks of ``linebreak.keep``.
    """
    text = text.strip()
    min_size = min(min_size, size)
    if not plain(text):
        return Fit("", size, size * leading, (), 0.0, 0.0, False)
    sizes = _sizes(size, min_size)
    single: Fit | None = None
    if "\n" not in text:
        line = plain(text)
        for s in sizes:
            w = stringWidth(line, font, s)
            if w <= width and s <= height + 0.01:
                single = Fit(text, s, s * leading, (line,), w, s, False)
                break
        # A slightly smaller single line reads better than a wrapped one.
        if single is not None and single.size >= size * SHRINK_FIRST:
            return single
    # Wrapped at phrases (or words) only, at the largest size that allows it: a slightly
    # smaller text reads better than a word broken in two.
    wrapped = _fit_wrapped(text, width, height, sizes, leading, font, worst=WORD)
    if wrapped is not None and (single is None or wrapped.size > single.size):
        return wrapped
    if single is not None:
        return single
    # Then a long name or word broken where its script changes, then rather than cut the
    # text, between any characters (names stay whole as long as they can).
    for worst, loose in ((SCRIPT, False), (FORCED, False), (FORCED, True)):
        wrapped = _fit_wrapped(text, width, height, sizes, leading, font, worst=worst, loose=loose)
        if wrapped is not None:
            return wrapped
    return _cut(text, width, height, sizes[-1], leading, font)


def _block(text: str, lines: list[str], size: float, leading: float, font: str, cut: bool) -> Fit:
    width = max((stringWidth(line, font, size) for line in lines), default=0.0)
    height = (len(lines) - 1) * size * leading + size if lines else 0.0
    return Fit(text, size, size * leading, tuple(lines), width, height, cut)


def _fit_wrapped(
    text: str,
    width: float,
    height: float,
    sizes: list[float],
    leading: float,
    font: str,
    *,
    worst: int,
    loose: bool = False,
) -> Fit | None:
    """The largest size at which the wrapped text fits the height breaking no worse than
    ``worst`` (a ``linebreak`` rank), if any."""
    for s in sizes:
        max_lines = int((height - s) // (s * leading)) + 1 if height >= s else 0
        if max_lines < 2 and "\n" not in text:
            continue
        lines, rank = wrap_ranked(text, width, s, font, loose=loose)
        if len(lines) <= max_lines and rank <= worst:
            return _block(text, lines, s, leading, font, False)
    return None


def _sizes(size: float, min_size: float) -> list[float]:
    sizes = []
    s = size
    while s > min_size + 0.001:
        sizes.append(round(s, 2))
        s -= 0.5
    sizes.append(min_size)
    return sizes


def _cut(text: str, width: float, height: float, size: float, leading: float, font: str) -> Fit:
    """As many lines as fit at the minimum size, the last ending in …; logged (text is lost)."""
    log.warning("text cut to fit a %.0fx%.0f pt box: %r", width, height, plain(text)[:40])
    max_lines = int((height - size) // (size * leading)) + 1 if height >= size else 0
    if max_lines <= 0:
        return Fit("", size, size * leading, (), 0.0, 0.0, True)
    lines = wrap_text(text, width, size, font, loose=True)[:max_lines]
    last = lines[-1]
    while last and stringWidth(last + "…", font, size) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return _block(text, lines, size, leading, font, True)


def draw_fit(
    c: Canvas,
    text: str,
    rect: Rect,
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
    """Draw ``text`` fitted inside ``rect``, ``pad``/``vpad`` in from its sides."""
    x, y, w, h = rect.x, rect.y, rect.w, rect.h
    inner_w, inner_h = w - 2 * pad, h - 2 * vpad
    fit = fit_text(text, inner_w, inner_h, size=size, min_size=min_size, font=font, leading=leading)
    if not fit.lines:
        return fit
    if valign == "top":
        top = y + h - vpad
    elif valign == "bottom":
        top = y + vpad + fit.height
    else:
        top = y + (h + fit.height) / 2
    # Glyph boxes: ascent 0.88 and descent 0.12 of the size; a block of one line is `size` tall.
    baseline = top - fit.size * ASCENT
    if len(fit.lines) == 1 and valign == "middle":
        baseline = y + h / 2 - fit.size * CJK_MIDDLE  # optical centre of CJK glyphs
    ax = _ax(x + pad, inner_w, align)
    for line in fit.lines:
        draw_string(c, ax, baseline, line, fit.size, align=align, font=font)
        baseline -= fit.leading
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
    text = plain(text)
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
    return stringWidth(plain(text), font, size)


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
    hang: float = 0.0,
) -> float:
    """Running text (not boxed) from ``y_top`` down, broken like every text (``linebreak``);
    ``hang`` indents the lines after the first (a numbered item). Returns the y below."""
    baseline = y_top - size * ASCENT
    lines = wrap_text(text.strip(), width - hang, size, GOTHIC)
    for i, line in enumerate(lines):
        indent = hang if i else 0.0
        draw_string(c, _ax(x + indent, width - indent, align), baseline, line, size, align=align)
        baseline -= size * leading
    return y_top - (len(lines) - 1) * size * leading - size
