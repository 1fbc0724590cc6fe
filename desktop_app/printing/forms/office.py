"""領収書, the report's cover page and the day list for the information desk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.fees import CONSUMPTION_TAX_PERCENT
from desktop_app.printing.context import (
    BLANK,
    FormContext,
    birth_date_text,
    draw_case_number,
    draw_sender_block,
    draw_title,
    finish_page,
    label_cell,
    start_page,
    value_cell,
)
from desktop_app.printing.layout import (
    CJK_MIDDLE,
    CONTENT_W,
    HEAVY,
    LEFT,
    MARGIN,
    RIGHT,
    RULE,
    THIN,
    TOP,
    Rect,
    box,
    draw_fit,
    draw_string,
    fit_text,
    flow_paragraph,
    hline,
)
from desktop_app.printing.model import DayListEntry

LABEL_W = 34 * mm


def draw_receipt(c: Canvas, ctx: FormContext) -> None:
    """領収書: number, date, amount, base/extension, tax contained, 自由診療, 登録番号."""
    start_page(c)
    s, case = ctx.settings, ctx.case
    pay = case.payment
    y = TOP
    draw_string(
        c, RIGHT, y - 10, f"No. {pay.receipt_number}" if pay else "No.", 10.5, align="right"
    )
    draw_string(c, RIGHT, y - 26, ctx.date(pay.paid_on if pay else None), 10.5, align="right")
    y = draw_title(c, "領\u3000収\u3000書", y - 12 * mm, size=24) - 4 * mm
    payer = pay.payer_name if pay and pay.payer_name else case.patient.name
    draw_fit(
        c,
        f"{payer}\u3000様" if payer else f"{BLANK * 10}様",
        Rect.below(LEFT, y, 110 * mm, 12 * mm),
        size=16,
        pad=0,
        valign="bottom",
    )
    hline(c, LEFT, LEFT + 110 * mm, y - 12.5 * mm, RULE)
    y -= 22 * mm
    amount_top = y
    box(c, LEFT + 20 * mm, y - 20 * mm, CONTENT_W - 40 * mm, 20 * mm, HEAVY)
    amount = f"¥{pay.fee.total_yen:,}-" if pay else ""
    draw_string(c, LEFT + 25 * mm, y - 12.5 * mm, "金額", 13)
    draw_string(c, RIGHT - 25 * mm, y - 14 * mm, amount, 26, align="right", bold=True)
    y -= 26 * mm
    draw_fit(
        c,
        "但し、セカンドオピニオン外来料（自由診療・報告書作成費を含む）として、"
        "上記正に領収いたしました。",
        Rect.below(LEFT, y, CONTENT_W, 7 * mm),
        size=11,
        pad=0,
        align="center",
    )
    y -= 14 * mm
    if pay and pay.voided:
        y = _draw_void_note(c, pay.void_reason, y)

    top = y
    fee = pay.fee if pay else None
    rows = [
        ("受付番号", case.case_number),
        ("実施時間", f"{fee.minutes}分" if fee else ""),
        (f"基本料（{s.session_minutes}分まで）", f"{fee.base_yen:,}円" if fee else ""),
        ("延長料", f"{fee.extension_yen:,}円" if fee else ""),
    ]
    adjustment = fee.total_yen - fee.base_yen - fee.extension_yen if fee else 0
    if pay and adjustment:
        # Another amount than the computed fee was agreed: the difference, and why.
        why = f"（{pay.amount_reason}）" if pay.amount_reason else ""
        rows.append((f"調整{why}", f"{adjustment:,}円"))
    rows += [
        ("合計（税込）", f"{fee.total_yen:,}円" if fee else ""),
        (
            f"内消費税額（{CONSUMPTION_TAX_PERCENT}%）",
            f"{fee.consumption_tax_yen:,}円" if fee else "",
        ),
        ("お支払方法", pay.method if pay else ""),
        ("区分", "自由診療（健康保険適用外）"),
    ]
    for label, value in rows:
        label_cell(c, LEFT, y - 9 * mm, 60 * mm, 9 * mm, label, 10.5)
        value_cell(
            c,
            LEFT + 60 * mm,
            y - 9 * mm,
            CONTENT_W - 60 * mm,
            9 * mm,
            value,
            size=12,
            align="right",
            pad=4 * mm,
        )
        y -= 9 * mm
    box(c, LEFT, y, CONTENT_W, top - y, RULE)
    y -= 5 * mm
    draw_fit(
        c,
        f"{CONSUMPTION_TAX_PERCENT}%対象\u3000{fee.total_yen:,}円（内消費税額 "
        f"{fee.consumption_tax_yen:,}円）"
        if fee
        else "",
        Rect.below(LEFT, y, CONTENT_W, 6 * mm),
        size=10.5,
        pad=0,
    )
    y -= 16 * mm
    sender_x = RIGHT - 85 * mm
    y = draw_sender_block(c, ctx, sender_x, y, 85 * mm, size=10.5)
    if s.invoice_registration_number:
        draw_fit(
            c,
            f"登録番号\u3000{s.invoice_registration_number}",
            Rect.below(sender_x, y, 85 * mm, 6 * mm),
            size=10.5,
            pad=0,
        )
        y -= 6 * mm
    # The receiver's stamp.
    box(c, sender_x - 24 * mm, y, 18 * mm, 18 * mm, THIN)
    draw_fit(
        c,
        "領収印",
        Rect(sender_x - 24 * mm, y + 18 * mm, 18 * mm, 5 * mm),
        size=9,
        align="center",
        pad=0,
    )
    if pay and pay.voided:
        _draw_void_stamp(c, amount_top)
    finish_page(c, ctx, case.case_number)


VOID_STAMP = "取\u3000消"


def _draw_void_stamp(c: Canvas, amount_top: float) -> None:
    """A large 取消 stamp across the amount. Black like the rest, so a fax still shows it."""
    w, h = 58 * mm, 24 * mm
    size = 34
    c.saveState()
    c.translate(LEFT + 74 * mm, amount_top - 10 * mm)
    c.rotate(8)
    c.setLineWidth(3)
    c.rect(-w / 2, -h / 2, w, h)
    c.setLineWidth(1.2)
    c.rect(-w / 2 + 2 * mm, -h / 2 + 2 * mm, w - 4 * mm, h - 4 * mm)
    draw_string(c, 0, -size * CJK_MIDDLE, VOID_STAMP, size, align="center", bold=True)
    c.restoreState()


def _draw_void_note(c: Canvas, reason: str, y: float) -> float:
    """The line that says why the receipt was voided, boxed; returns the y below it."""
    box(c, LEFT, y - 9 * mm, CONTENT_W, 9 * mm, HEAVY)
    draw_fit(
        c,
        f"この領収書は取り消されました\u3000取消理由：{reason or BLANK}",
        Rect.below(LEFT, y, CONTENT_W, 9 * mm),
        size=11,
        pad=3 * mm,
        align="center",
    )
    return y - 14 * mm


def draw_report(c: Canvas, ctx: FormContext) -> None:
    """The cover of the report to the primary doctor; the doctor writes below it."""
    start_page(c)
    case = ctx.case
    ref, appt = case.referrer, case.appointment
    draw_case_number(c, ctx, RIGHT, TOP)
    draw_string(c, RIGHT, TOP - 24 * mm, ctx.date(ctx.today), 10.5, align="right")
    y = draw_title(c, "セカンドオピニオン外来\u3000ご報告書", TOP - 28 * mm, size=18)
    draw_fit(
        c, ref.institution or BLANK * 12, Rect.below(LEFT, y, 115 * mm, 8 * mm), size=13, pad=0
    )
    dept = f"{ref.department}\u3000" if ref.department else ""
    doctor = f"{dept}{ref.doctor or BLANK * 6}\u3000先生\u3000御侍史"
    draw_fit(c, doctor, Rect(LEFT, y - 16 * mm, 115 * mm, 8 * mm), size=13, pad=0)
    hline(c, LEFT, LEFT + 115 * mm, y - 16.5 * mm, RULE)
    y = draw_sender_block(c, ctx, RIGHT - 62 * mm, y - 2 * mm, 62 * mm, size=9.5)
    y -= 6 * mm
    y = (
        flow_paragraph(
            c,
            "平素より大変お世話になっております。ご紹介いただきました患者さんのセカンドオピニオンを"
            "下記のとおり実施いたしましたので、ご報告申し上げます。",
            LEFT,
            y,
            CONTENT_W,
            size=10.5,
            leading=1.55,
        )
        - 4 * mm
    )
    p = case.patient
    when = ""
    if appt is not None:
        when = f"{ctx.date(appt.start.date(), weekday=True)}\u3000{appt.start:%H:%M}〜"
    rows = [
        ("患者氏名", f"{p.name}\u3000様（{p.furigana}）" if p.furigana else p.name),
        ("生年月日", birth_date_text(p.birth_date)),
        ("実施日時", when or ctx.date(None, weekday=True)),
        (
            "診療科・担当医",
            " ".join(x for x in (appt.department, appt.doctor) if x) if appt else "",
        ),
        ("相談者", case.attendance.label if case.attendance else ""),
    ]
    top = y
    for label, value in rows:
        label_cell(c, LEFT, y - 9 * mm, LABEL_W, 9 * mm, label, 10.5)
        value_cell(c, LEFT + LABEL_W, y - 9 * mm, CONTENT_W - LABEL_W, 9 * mm, value, size=12)
        y -= 9 * mm
    box(c, LEFT, y, CONTENT_W, top - y, RULE)
    y -= 6 * mm
    for label in ("ご相談の内容", "意見"):
        draw_string(c, LEFT, y - 11, f"■ {label}", 11)
        y -= 6 * mm
        if label == "ご相談の内容":
            # As tall as the text needs (400 characters fit), at least 30 mm to write in.
            need = fit_text(
                case.consultation, CONTENT_W - 4 * mm, 70 * mm, size=10.5, leading=1.4
            ).height
            h = max(30 * mm, need + 5 * mm)
            draw_fit(
                c,
                case.consultation,
                Rect.below(LEFT, y, CONTENT_W, h),
                size=10.5,
                valign="top",
                pad=2 * mm,
                vpad=2 * mm,
                leading=1.4,
            )
        else:
            h = max(y - 45 * mm, 40 * mm)
        box(c, LEFT, y - h, CONTENT_W, h, THIN)
        y -= h + 5 * mm
    finish_page(c, ctx, case.case_number)


DAY_COLUMNS = (  # (heading, width mm); 備考 takes the rest
    ("時間", 22),
    ("受付番号", 27),
    ("氏名", 44),
    ("フリガナ", 42),
    ("診療科", 32),
    ("担当医", 30),
    ("状態", 20),
    ("備考", 0),
)


def draw_daylist(
    c: Canvas, ctx: FormContext, entries: Sequence[DayListEntry], day: date | None
) -> None:
    """本日の予約一覧 (A4 landscape), sorted by time; continues onto further pages."""
    size = landscape(A4)
    width, height = size
    day = day or ctx.today
    rows = sorted(entries, key=lambda e: e.start)
    left, right, top = MARGIN, width - MARGIN, height - MARGIN
    widths = [w * mm for _, w in DAY_COLUMNS]
    widths[-1] = (right - left) - sum(widths)
    row_h, head_h = 13 * mm, 8 * mm
    bottom_limit = MARGIN + 18 * mm
    page, index = 1, 0
    while True:
        start_page(c, size)
        draw_fit(
            c,
            f"本日のセカンドオピニオン外来\u3000予約一覧\u3000{ctx.date(day, weekday=True)}",
            Rect.below(left, top, right - left - 45 * mm, 10 * mm),
            size=16,
            pad=0,
        )
        draw_string(c, right, top - 7 * mm, f"{len(rows)}件\u3000{page}枚目", 10.5, align="right")
        y = top - 14 * mm
        x = left
        for (heading, _), w in zip(DAY_COLUMNS, widths, strict=True):
            label_cell(c, x, y - head_h, w, head_h, heading, 10.5)
            x += w
        y -= head_h
        if not rows:
            draw_fit(
                c, "本日の予約はありません。", Rect.below(left, y, right - left, row_h), size=12
            )
        while index < len(rows) and y - row_h >= bottom_limit:
            e = rows[index]
            end = e.start + timedelta(minutes=e.minutes)
            cells = [
                f"{e.start:%H:%M}〜{end:%H:%M}",
                e.case_number,
                e.name,
                e.furigana,
                e.department,
                e.doctor,
                e.status,
                e.note,
            ]
            x = left
            for i, (value, w) in enumerate(zip(cells, widths, strict=True)):
                value_cell(
                    c, x, y - row_h, w, row_h, value, size=13 if i == 2 else 10.5, pad=1.2 * mm
                )
                x += w
            y -= row_h
            index += 1
        box(c, left, y, right - left, top - 14 * mm - y, HEAVY)
        _day_footer(c, ctx, left, right)
        c.showPage()
        page += 1
        if index >= len(rows):
            break


def _day_footer(c: Canvas, ctx: FormContext, left: float, right: float) -> None:
    hline(c, left, right, MARGIN + 7 * mm, RULE)
    draw_fit(
        c,
        f"{ctx.office}\u3000{ctx.office_numbers}\u3000（院内用・個人情報につき取扱注意）",
        Rect(left, MARGIN, right - left, 6 * mm),
        size=9.5,
        pad=0,
    )
