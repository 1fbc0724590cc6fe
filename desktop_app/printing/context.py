"""What every form draws the same way: dates, numbers, the office block, titles, case number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.barcodes import KIND_CODES, payload
from desktop_app.domain.contact import format_phone, format_postal
from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import ClinicSettings, DateStyle
from desktop_app.domain.wareki import format_date, format_wareki
from desktop_app.printing.layout import (
    BOTTOM,
    CJK_MIDDLE,
    CONTENT_W,
    HEAVY,
    LEFT,
    MIN_SIZE,
    RIGHT,
    RULE,
    THIN,
    Rect,
    box,
    draw_fit,
    draw_string,
    hline,
    text_width,
    vline,
)
from desktop_app.printing.model import CaseInfo

FOOTER_H = 12 * mm
BAR_MODULE = 1.08  # pt: 0.38 mm modules, about 3 pixels per bar at fax fine resolution
BAR_HEIGHT = 9 * mm
QUIET_MODULES = 10  # Code 128's quiet zone: nothing printed this close to the bars
CONTENT_BOTTOM = BOTTOM + FOOTER_H + 3 * mm  # forms draw nothing below this
BLANK = "\u3000"  # a full-width space holds room for a handwritten digit


@dataclass(frozen=True)
class FormContext:
    """Everything a form function needs besides the canvas."""

    settings: ClinicSettings
    today: date
    case: CaseInfo = field(default_factory=CaseInfo)
    blank: bool = False  # no case: lines to fill in by hand
    form: FormKind | None = None  # the form being drawn: its barcode says which it is

    def date(self, d: date | None, *, weekday: bool = False) -> str:
        """``d`` per the date style; a template to fill in by hand when ``d`` is None."""
        if d is not None:
            return format_date(d, self.settings.date_style, weekday=weekday)
        return blank_date(self.settings.date_style, weekday=weekday)

    def phone(self, digits: str) -> str:
        return format_phone(digits) if digits else ""

    def postal(self, code: str, mark: bool = True) -> str:
        return format_postal(code, mark=mark) if code else ""

    @property
    def office(self) -> str:
        """'苫小牧市立病院　地域医療連携室'."""
        s = self.settings
        return f"{s.hospital_name}\u3000{s.office_name}".strip()

    @property
    def office_address(self) -> str:
        s = self.settings
        return f"{self.postal(s.postal_code)} {s.address}".strip()

    @property
    def office_numbers(self) -> str:
        s = self.settings
        return f"TEL {self.phone(s.tel)}\u3000FAX {self.phone(s.fax)}"


def blank_date(style: DateStyle, *, weekday: bool = False) -> str:
    """'令和　　年　　月　　日（　）' and the like, to be completed by hand."""
    gap = BLANK * 2
    if style == DateStyle.SEIREKI:
        text = f"{BLANK * 3}年{gap}月{gap}日"
    elif style == DateStyle.BOTH:
        text = f"令和{gap}年（{BLANK * 3}年）{gap}月{gap}日"
    else:
        text = f"令和{gap}年{gap}月{gap}日"
    return text + (f"（{BLANK}）" if weekday else "")


def birth_date_text(d: date | None) -> str:
    """和暦 and 西暦 together: a clerk reads one, the patient wrote the other."""
    if d is None:
        return ""
    return f"{format_wareki(d)}（{d.year}年）"


def start_page(c: Canvas, size: tuple[float, float] = A4) -> None:
    """Set the page size before drawing (forms of one packet may differ)."""
    c.setPageSize(size)
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(0, 0, 0)


def draw_footer(c: Canvas, ctx: FormContext, note: str = "") -> None:
    """The office's name, address, TEL and FAX at the foot of every page."""
    top = BOTTOM + FOOTER_H
    hline(c, LEFT, RIGHT, top, RULE)
    line1 = ctx.office + (f"\u3000{ctx.office_address}" if ctx.office_address else "")
    draw_fit(c, line1, Rect.below(LEFT, top, CONTENT_W - 30 * mm, 6 * mm), size=10, pad=0)
    draw_fit(c, ctx.office_numbers, Rect(LEFT, BOTTOM, CONTENT_W - 30 * mm, 6 * mm), size=10, pad=0)
    if note:
        draw_fit(
            c,
            note,
            Rect(RIGHT - 30 * mm, BOTTOM, 30 * mm, 6 * mm),
            size=MIN_SIZE,
            pad=0,
            align="right",
        )


def finish_page(c: Canvas, ctx: FormContext, note: str = "") -> None:
    draw_footer(c, ctx, note)
    c.showPage()


def draw_title(c: Canvas, text: str, y_top: float, size: float = 18) -> float:
    """A centred title with a rule under it; returns the y below."""
    draw_fit(
        c, text, Rect.below(LEFT, y_top, CONTENT_W, size * 1.5), size=size, pad=0, align="center"
    )
    return y_top - size * 1.5 - 3 * mm


def draw_case_number(c: Canvas, ctx: FormContext, x_right: float, y_top: float) -> float:
    """'受付番号' with the number as text and as a Code 128 barcode; returns the y below.

    A returned fax is matched to its case by scanning or reading this number.
    """
    number = ctx.case.case_number
    size = 10.5
    label = "受付番号"
    if not number:
        if not ctx.blank:
            return y_top
        # A blank form: a box for the number, written in when the office gives one by phone.
        w, h = 62 * mm, 10 * mm
        box(c, x_right - w, y_top - h, w, h, RULE)
        vline(c, x_right - w + 20 * mm, y_top - h, y_top, THIN)
        draw_fit(c, label, Rect(x_right - w, y_top - h, 20 * mm, h), size=size, align="center")
        return y_top - h
    baseline = y_top - size
    width = text_width(f"{label}\u3000{number}", size)
    draw_string(c, x_right - width, baseline, label, size)
    draw_string(c, x_right, baseline, number, size + 1, align="right", bold=True)
    y = baseline - 2 * mm
    barcode = case_barcode(number, ctx.form)
    if barcode is not None:
        y -= barcode.height
        barcode.drawOn(c, x_right - barcode.width, y)
    return y


def case_barcode(number: str, form: FormKind | None = None) -> Code128 | None:
    """The case number and the form as Code 128 (domain/barcodes.payload: bars only, the
    number is printed beside it as text)."""
    text = payload(number, form) if number else ""
    if not text or not (text.isascii() and text.isprintable()):
        return None
    return Code128(
        text, barWidth=BAR_MODULE, barHeight=BAR_HEIGHT, humanReadable=False, quiet=False
    )


def case_number_width(number: str) -> float:
    """How wide the case number block is at the top right (bars or the blank box), without
    its quiet zone: the widest of the forms' barcodes, so every form keeps the same room."""
    bars = [case_barcode(number, form) for form in (None, *KIND_CODES)]
    widths = [barcode.width for barcode in bars if barcode is not None]
    if widths:
        return max(*widths, text_width(f"受付番号\u3000{number}", 11.5))
    return 62 * mm


def draw_fax_banner(c: Canvas, ctx: FormContext, x: float, y_top: float, w: float) -> float:
    """「FAX送信先」: the office's FAX number big and bold in a black frame; returns y below."""
    h = 19 * mm
    y = y_top - h
    box(c, x, y, w, h, HEAVY)
    label_w = 26 * mm
    vline(c, x + label_w, y, y + h, RULE)
    draw_fit(c, "FAX送信先", Rect(x, y, label_w, h), size=12, align="center")
    number = f"FAX {ctx.phone(ctx.settings.fax)}"
    size = 22.0
    while text_width(number, size) > w - label_w - 6 * mm and size > 14:
        size -= 1
    draw_string(c, x + label_w + 3 * mm, y + h - 3 * mm - size * 0.88, number, size, bold=True)
    draw_fit(
        c, f"{ctx.office}\u3000行", Rect(x + label_w, y, w - label_w, 8 * mm), size=11, pad=3 * mm
    )
    return y


def draw_sender_block(
    c: Canvas, ctx: FormContext, x: float, y_top: float, w: float, size: float = 10.5
) -> float:
    """The office as sender (name, address, TEL/FAX), left-aligned at x; returns y below."""
    lines = [
        ctx.settings.hospital_name,
        ctx.settings.office_name,
        ctx.office_address,
        ctx.office_numbers,
    ]
    y = y_top
    for i, line in enumerate(lines):
        h = size * 1.45 if i else size * 1.7
        draw_fit(c, line, Rect.below(x, y, w, h), size=size + (1.5 if i == 0 else 0), pad=0)
        y -= h
    return y


def label_cell(
    c: Canvas, x: float, y: float, w: float, h: float, label: str, size: float = 10.5
) -> None:
    """A table cell holding a field name, framed."""
    box(c, x, y, w, h, THIN)
    draw_fit(c, label, Rect(x, y, w, h), size=size, align="center", pad=1 * mm)


def value_cell(
    c: Canvas, x: float, y: float, w: float, h: float, value: str, size: float = 11.5, **kw: object
) -> None:
    """A framed cell with a value fitted into it (blank to write in by hand)."""
    box(c, x, y, w, h, THIN)
    draw_fit(c, value, Rect(x, y, w, h), size=size, **kw)  # type: ignore[arg-type]


def underline_field(
    c: Canvas, x: float, y: float, w: float, label: str, value: str = "", size: float = 10.5
) -> None:
    """'label ______' on baseline y: a line to write on, pre-filled when value is given."""
    lw = text_width(label, size)
    draw_string(c, x, y, label, size)
    hline(c, x + lw + 1 * mm, x + w, y - 1.5 * mm, THIN)
    if value:
        draw_fit(
            c,
            value,
            Rect(x + lw + 1 * mm, y - 1.2 * mm, w - lw - 1 * mm, size * 1.5),
            size=size + 0.5,
            valign="bottom",
            vpad=0.4 * mm,
        )


def centre_y(y: float, h: float, size: float) -> float:
    """Baseline that centres one line of CJK text of ``size`` in a band [y, y+h]."""
    return y + h / 2 - size * CJK_MIDDLE
