"""領収書, the report's cover page and the day list for the information desk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.fees import CONSUMPTION_TAX_PERCENT
from desktop_app.printing.context import (
    BAR_MODULE,
    BLANK,
    CONTENT_BOTTOM,
    QUIET_MODULES,
    FormContext,
    birth_date_text,
    case_number_width,
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
    Align,
    Rect,
    box,
    draw_fit,
    draw_string,
    fit_text,
    flow_paragraph,
    hline,
    text_width,
)
from desktop_app.printing.model import DayListEntry, attendees_text

LABEL_W = 34 * mm


def draw_receipt(c: Canvas, ctx: FormContext) -> None:
    """領収書: number, date, amount, base/extension, tax contained, 自由診療, 登録番号."""
    start_page(c)
    s, case = ctx.settings, ctx.case
    pay = case.payment
    y = TOP
    if pay:
        draw_string(c, RIGHT, y - 10, f"No. {pay.receipt_number}", 10.5, align="right")
    else:  # blank: a line to write the number on
        draw_string(c, RIGHT - 45 * mm, y - 10, "No.", 10.5)
        hline(c, RIGHT - 45 * mm + 8 * mm, RIGHT, y - 10 - 1.5 * mm, THIN)
    draw_string(c, RIGHT, y - 26, ctx.date(pay.paid_on if pay else None), 10.5, align="right")
    y = draw_title(c, "領\u3000収\u3000書", y - 12 * mm, size=24) - 4 * mm
    payer = pay.payer_name if pay and pay.payer_name else case.patient.name
    # Blank: a line to write the name on, 様 at its end.
    draw_fit(
        c,
        f"{payer}\u3000様" if payer else "様",
        Rect.below(LEFT, y, 110 * mm, 12 * mm),
        size=16,
        pad=0,
        valign="bottom",
        align="left" if payer else "right",
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
        y = _draw_void_note(c, ctx, pay.void_reason, pay.voided_on, y)

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


def _draw_void_note(
    c: Canvas, ctx: FormContext, reason: str, voided_on: date | None, y: float
) -> float:
    """The line that says when and why the receipt was voided, boxed; returns the y below."""
    box(c, LEFT, y - 9 * mm, CONTENT_W, 9 * mm, HEAVY)
    draw_fit(
        c,
        f"この領収書は{ctx.date(voided_on)}に取り消されました\u3000取消理由：{reason or BLANK}",
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
    below = draw_case_number(c, ctx, RIGHT, TOP)
    room = CONTENT_W - case_number_width(case.case_number) - QUIET_MODULES * BAR_MODULE
    draw_fit(
        c,
        "セカンドオピニオン外来\u3000ご報告書",
        Rect.below(LEFT, TOP - 2 * mm, room, 10 * mm),
        size=18,
        pad=0,
    )
    y = min(below, TOP - 14 * mm) - 3 * mm
    # Dated when the doctor wrote it (作成日), not when it was printed; blank until recorded.
    written = f"作成日\u3000{ctx.date(case.report_written_on)}"
    draw_string(c, RIGHT, y - 10.5, written, 10.5, align="right")
    draw_fit(
        c, ref.institution or BLANK * 12, Rect.below(LEFT, y, 115 * mm, 8 * mm), size=13, pad=0
    )
    doctor = f"{ref.doctor or BLANK * 6}\u3000先生\u3000御侍史"
    if ref.department:  # on its own line when both do not fit: a name is never split
        one = f"{ref.department}\u3000{doctor}"
        doctor = one if text_width(one, 12.5) <= 115 * mm else f"{ref.department}\n{doctor}"
    # Blank names are written by hand before 先生, so the honorific keeps to the right.
    align: Align = "left" if ref.doctor else "right"
    draw_fit(
        c, doctor, Rect.below(LEFT, y - 8 * mm, 115 * mm, 10 * mm), size=12.5, pad=0, align=align
    )
    if not ref.institution:
        hline(c, LEFT, LEFT + 115 * mm, y - 8 * mm, THIN)
    hline(c, LEFT, LEFT + 115 * mm, y - 18.5 * mm, RULE)
    y = min(draw_sender_block(c, ctx, RIGHT - 62 * mm, y - 6 * mm, 62 * mm, size=9.5), y - 19 * mm)
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
    rows = [
        ("患者氏名", f"{p.name}\u3000様（{p.furigana}）" if p.furigana else p.name),
        ("生年月日", birth_date_text(p.birth_date)),
        ("実施日時", session_text(ctx)),
        (
            "診療科・担当医",
            " ".join(x for x in (appt.department, appt.doctor) if x) if appt else "",
        ),
        ("相談者", attendees_text(case.attendance, p.name, case.caller)),
    ]
    top = y
    for label, value in rows:
        label_cell(c, LEFT, y - 8.5 * mm, LABEL_W, 8.5 * mm, label, 10.5)
        value_cell(c, LEFT + LABEL_W, y - 8.5 * mm, CONTENT_W - LABEL_W, 8.5 * mm, value, size=12)
        y -= 8.5 * mm
    box(c, LEFT, y, CONTENT_W, top - y, RULE)
    y -= 4 * mm
    tail_top = CONTENT_BOTTOM + TAIL_H
    for label in ("ご相談の内容", "意見"):
        draw_string(c, LEFT, y - 11, f"■ {label}", 11)
        y -= 6 * mm
        if label == "ご相談の内容":
            # As tall as the text needs (it shrinks to fit when long), at least 22 mm, and
            # never into the opinion's minimum.
            most = y - tail_top - OPINION_MIN_H - 10 * mm
            need = fit_text(case.consultation, CONTENT_W - 4 * mm, most, size=10.5, leading=1.4)
            h = min(most, max(22 * mm, need.height + 5 * mm))
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
            h = y - tail_top
        box(c, LEFT, y - h, CONTENT_W, h, THIN)
        y -= h + 4 * mm
    _report_tail(c, ctx, tail_top - 2 * mm)
    finish_page(c, ctx, case.case_number)


OPINION_MIN_H = 40 * mm
RETURN_LINES = 3  # borrowed materials listed under the opinion (more: 「ほかN点」)
SIGN_H = 12 * mm  # 担当医 署名・印: room for a signature written at ordinary size
TAIL_H = 6 * mm + RETURN_LINES * 6 * mm + 2 * mm + SIGN_H + 2 * mm


def session_text(ctx: FormContext) -> str:
    """'令和8年11月24日（火）　14:00〜14:45（45分）': the recorded minutes, else a blank end."""
    appt, minutes = ctx.case.appointment, ctx.case.actual_minutes
    if appt is None:
        return f"{ctx.date(None, weekday=True)}{BLANK}{BLANK * 2}：{BLANK * 2}〜{BLANK * 2}：{BLANK * 2}"
    day = ctx.date(appt.start.date(), weekday=True)
    if minutes:
        end = appt.start + timedelta(minutes=minutes)
        return f"{day}\u3000{appt.start:%H:%M}〜{end:%H:%M}（{minutes}分）"
    return f"{day}\u3000{appt.start:%H:%M}〜{BLANK * 2}：{BLANK * 2}（{BLANK * 2}分）"


def _report_tail(c: Canvas, ctx: FormContext, y: float) -> None:
    """Borrowed materials returned with the report, and the consulting doctor's signature."""
    items = ctx.case.borrowed
    draw_string(c, LEFT, y - 11, "■ ご返却する資料（お借りした検査資料）", 11)
    y -= 6 * mm
    lines = [
        f"□\u3000{b.label}\u3000{b.quantity}点"
        + (f"\u3000（{ctx.date(b.returned_on)} 返却）" if b.returned_on else "")
        for b in items[:RETURN_LINES]
    ]
    if len(items) > RETURN_LINES:
        lines[-1] += f"\u3000ほか{len(items) - RETURN_LINES}点"
    if not lines:  # nothing on record: lines to list them by hand
        lines = ["□"] * 2
    for line in lines:
        draw_fit(c, line, Rect.below(LEFT + 3 * mm, y, CONTENT_W - 3 * mm, 6 * mm), size=10.5)
        hline(c, LEFT + 3 * mm, RIGHT, y - 6 * mm, 0.5)
        y -= 6 * mm
    y -= 2 * mm
    sign_x = LEFT + CONTENT_W / 2 - 10 * mm
    draw_string(c, sign_x, y - SIGN_H + 2 * mm, "担当医\u3000署名・印", 10.5)
    hline(c, sign_x + 32 * mm, RIGHT - 10 * mm, y - SIGN_H + 1.2 * mm, THIN)
    c.setLineWidth(THIN)
    c.circle(RIGHT - 4.5 * mm, y - SIGN_H + 4 * mm, 4.2 * mm, stroke=1, fill=0)
    draw_string(c, RIGHT - 4.5 * mm, y - SIGN_H + 4 * mm - 10 * 0.36, "印", 10, align="center")


DAY_COLUMNS = (  # (heading, width mm); 備考 takes the rest
    ("時間", 20),
    ("受付番号", 27),
    ("氏名（フリガナ）", 52),
    ("診療科・担当医", 44),
    ("来院される方", 42),
    ("相談同意書", 22),
    ("状態", 22),
    ("備考", 0),
)
DAY_ROW_H = 17 * mm
DAY_HEAD_H = 8 * mm


def daylist_rows_per_page() -> int:
    """How many bookings one landscape page of the day list holds."""
    _, height = landscape(A4)
    room = (height - MARGIN - 14 * mm - DAY_HEAD_H) - (MARGIN + 18 * mm)
    return max(1, int(room // DAY_ROW_H))


def draw_daylist(
    c: Canvas, ctx: FormContext, entries: Sequence[DayListEntry], day: date | None
) -> None:
    """本日の予約一覧 (A4 landscape), sorted by time; continues onto further pages (n/N)."""
    size = landscape(A4)
    width, height = size
    day = day or ctx.today
    rows = sorted(entries, key=lambda e: e.start)
    left, right, top = MARGIN, width - MARGIN, height - MARGIN
    widths = [w * mm for _, w in DAY_COLUMNS]
    widths[-1] = (right - left) - sum(widths)
    per_page = daylist_rows_per_page()
    pages = max(1, -(-len(rows) // per_page))
    for page in range(1, pages + 1):
        start_page(c, size)
        today = "本日の" if day == ctx.today else ""
        draw_fit(
            c,
            f"{today}セカンドオピニオン外来\u3000予約一覧\u3000{ctx.date(day, weekday=True)}",
            Rect.below(left, top, right - left - 45 * mm, 10 * mm),
            size=16,
            pad=0,
        )
        draw_string(
            c, right, top - 7 * mm, f"{len(rows)}件\u3000{page}/{pages}", 10.5, align="right"
        )
        y = top - 14 * mm
        x = left
        for (heading, _), w in zip(DAY_COLUMNS, widths, strict=True):
            label_cell(c, x, y - DAY_HEAD_H, w, DAY_HEAD_H, heading, 10)
            x += w
        y -= DAY_HEAD_H
        if not rows:
            draw_fit(
                c,
                f"{'本日の' if day == ctx.today else 'この日の'}予約はありません。",
                Rect.below(left, y, right - left, DAY_ROW_H),
                size=12,
            )
        for e in rows[(page - 1) * per_page : page * per_page]:
            _day_row(c, e, left, y, widths)
            y -= DAY_ROW_H
        box(c, left, y, right - left, top - 14 * mm - y, HEAVY)
        _day_footer(c, ctx, left, right)
        c.showPage()


def _day_row(c: Canvas, e: DayListEntry, left: float, y: float, widths: list[float]) -> None:
    """One booking: name over its furigana, department over doctor, who attends, consent."""
    h = DAY_ROW_H
    end = e.start + timedelta(minutes=e.minutes)
    x = left
    for i, w in enumerate(widths):
        box(c, x, y - h, w, h, THIN)
        if i in (2, 3):  # 氏名 over フリガナ; 診療科 over 担当医 (each may take two lines)
            upper, lower = (e.name, e.furigana) if i == 2 else (e.department, e.doctor)
            share = 0.55 if i == 2 else 0.5
            kw = dict(pad=1.2 * mm, vpad=0.4 * mm, leading=1.1)
            draw_fit(c, upper, Rect.below(x, y, w, h * share), size=13 if i == 2 else 10.5, **kw)
            draw_fit(
                c, lower, Rect(x, y - h, w, h * (1 - share)), size=9.5 if i == 2 else 10.5, **kw
            )
        else:
            value = {
                0: f"{e.start:%H:%M}〜{end:%H:%M}",
                1: e.case_number,
                4: e.attendees,
                5: e.consent,
                6: e.status,
                7: e.note,
            }[i]
            size = 10.0 if i == 1 else 10.5  # the case number stays on one line
            draw_fit(c, value, Rect(x, y - h, w, h), size=size, pad=1.2 * mm)
        x += w


def _day_footer(c: Canvas, ctx: FormContext, left: float, right: float) -> None:
    hline(c, left, right, MARGIN + 7 * mm, RULE)
    draw_fit(
        c,
        f"{ctx.office}\u3000{ctx.office_numbers}\u3000（院内用・個人情報につき取扱注意）",
        Rect(left, MARGIN, right - left, 6 * mm),
        size=9.5,
        pad=0,
    )
