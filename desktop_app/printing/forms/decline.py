"""お受けできないことのご連絡: the letter to the caller when the specialist declines.

The guide: the second-opinion doctor judges each request beforehand and decides whether a
second opinion is possible; some requests are declined. The letter says so politely, gives the
reason only when the clerk wrote one, and where to phone with questions.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.printing.context import (
    CONTENT_BOTTOM,
    FormContext,
    draw_case_number,
    draw_sender_block,
    draw_title,
    finish_page,
    label_cell,
    start_page,
    value_cell,
)
from desktop_app.printing.layout import (
    CONTENT_W,
    HEAVY,
    LEFT,
    RIGHT,
    RULE,
    THIN,
    TOP,
    Align,
    Rect,
    box,
    draw_fit,
    draw_string,
    fit_text,
    flow_paragraph,
    hline,
)

BODY = 10.5
LABEL_W = 30 * mm
ADDRESS_W = 95 * mm
PAD, VPAD = 2.5 * mm, 2 * mm  # inside the reason box
REASON_MAX = 45 * mm  # the window of a 長形3号 envelope, as on the cover letter


def draw_decline(c: Canvas, ctx: FormContext) -> None:
    """A4 letter: addressee for a window envelope, the decision, the reason if any, contact."""
    start_page(c)
    case = ctx.case
    y = _addressee(c, ctx)
    draw_case_number(c, ctx, RIGHT, TOP)
    draw_string(c, RIGHT, TOP - 24 * mm, ctx.date(ctx.today), 11, align="right")
    draw_sender_block(c, ctx, RIGHT - 72 * mm, TOP - 28 * mm, 72 * mm, size=10)
    y = draw_title(
        c, "セカンドオピニオン外来\u3000お受けできないことのご連絡", TOP - 52 * mm, size=16
    )

    # A blank letter names no one in the sentence (a gap there has no line to write on): the
    # patient's name is written in the table below.
    patient = f"{case.patient.name}様" if case.patient.name else "下記の患者さん"
    paragraphs = [
        "拝啓\u3000時下ますますご清祥のこととお慶び申し上げます。",
        f"このたびは、当院のセカンドオピニオン外来に{patient}のご相談をお申し込みいただき、"
        "誠にありがとうございました。",
        "お寄せいただいたご相談の内容について、セカンドオピニオン外来担当医が確認いたしました"
        "ところ、誠に申し訳ございませんが、今回は当院のセカンドオピニオン外来ではお受けすることが"
        "できないとの判断となりました。",
        "ご期待に沿えず大変心苦しく存じますが、何卒ご了承くださいますようお願い申し上げます。",
    ]
    y -= 2 * mm
    for text in paragraphs:
        y = flow_paragraph(c, text, LEFT, y, CONTENT_W, size=BODY, leading=1.7)
        y -= 3 * mm
    draw_string(c, RIGHT, y - 5 * mm, "敬具", BODY, align="right")
    y -= 12 * mm

    y = _facts(c, ctx, y) - 8 * mm
    y = _contact(c, ctx, y)
    draw_string(c, RIGHT, max(y - 8 * mm, CONTENT_BOTTOM), "以上", BODY, align="right")
    finish_page(c, ctx, case.case_number)


def _addressee(c: Canvas, ctx: FormContext) -> float:
    """Postal code, address and name where a window envelope shows them; returns y below."""
    case = ctx.case
    y = TOP - 2 * mm
    draw_fit(
        c, ctx.postal(case.mail_postal), Rect.below(LEFT, y, ADDRESS_W, 6 * mm), size=11, pad=0
    )
    draw_fit(
        c,
        case.mail_address,
        Rect(LEFT, y - 18 * mm, ADDRESS_W, 12 * mm),
        size=11,
        pad=0,
        valign="top",
    )
    # Blank: 様 at the end of the line, the name to be written before it.
    name = f"{case.mail_name}\u3000様" if case.mail_name else "様"
    align: Align = "left" if case.mail_name else "right"
    draw_fit(c, name, Rect(LEFT, y - 28 * mm, ADDRESS_W, 9 * mm), size=15, pad=0, align=align)
    hline(c, LEFT, LEFT + ADDRESS_W, y - 29 * mm, RULE)
    return y - 29 * mm


def _facts(c: Canvas, ctx: FormContext, y: float) -> float:
    """受付番号, 患者氏名 and, when the clerk wrote one (or on a blank letter), the reason."""
    case = ctx.case
    rows: list[tuple[str, str, float, float]] = [
        ("受付番号", case.case_number, 9 * mm, 12.0),
        ("患者氏名", f"{case.patient.name}\u3000様" if case.patient.name else "", 9 * mm, 12.0),
    ]
    reason = case.decision_reason.strip()
    if reason or ctx.blank:
        rows.append(("理由", reason, _reason_height(reason), 11.0))
    top = y
    for label, value, h, size in rows:
        label_cell(c, LEFT, y - h, LABEL_W, h, label, 11)
        valign = "top" if h > 10 * mm else "middle"
        value_cell(
            c,
            LEFT + LABEL_W,
            y - h,
            CONTENT_W - LABEL_W,
            h,
            value,
            size=size,
            valign=valign,
            pad=PAD,
            vpad=VPAD,
        )
        y -= h
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    return y


def _reason_height(reason: str) -> float:
    """Room for the reason at 11 pt: 18 mm (space to write by hand), more for a long text."""
    fit = fit_text(reason, CONTENT_W - LABEL_W - 2 * PAD, REASON_MAX - 2 * VPAD, size=11)
    return min(REASON_MAX, max(18 * mm, fit.height + 2 * VPAD + 2 * mm))


def _contact(c: Canvas, ctx: FormContext, y: float) -> float:
    """Where to phone with questions, the number big enough to read from across a desk."""
    s = ctx.settings
    draw_string(c, LEFT, y - 4 * mm, "■ お問い合わせ先", 11.5)
    y -= 7 * mm
    y = (
        flow_paragraph(
            c,
            "ご不明な点やお送りいただいた書類のお取り扱いについては、下記までお電話でお問い合わせ"
            "ください。お問い合わせの際は受付番号をお知らせください。",
            LEFT + 4 * mm,
            y,
            CONTENT_W - 4 * mm,
            size=BODY,
            leading=1.6,
        )
        - 3 * mm
    )
    h = 17 * mm
    box(c, LEFT, y - h, CONTENT_W, h, THIN)
    draw_fit(c, ctx.office, Rect(LEFT, y - 7 * mm, CONTENT_W, 6 * mm), size=11)
    draw_fit(
        c,
        f"TEL {ctx.phone(s.tel)}\u3000\u3000FAX {ctx.phone(s.fax)}",
        Rect(LEFT, y - h + 1 * mm, CONTENT_W, 9 * mm),
        size=15,
    )
    return y - h
