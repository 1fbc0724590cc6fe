"""予約確認書 (to the patient) and FAX送付状 (to the primary doctor's clinic)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.office_calendar import materials_due_date
from desktop_app.printing.context import (
    BLANK,
    FormContext,
    draw_case_number,
    draw_title,
    finish_page,
    label_cell,
    start_page,
    value_cell,
)
from desktop_app.printing.forms.mailing import addressee_lines
from desktop_app.printing.layout import (
    CONTENT_W,
    HEAVY,
    LEFT,
    RIGHT,
    RULE,
    THIN,
    TOP,
    Rect,
    box,
    draw_fit,
    draw_string,
    flow_paragraph,
    hline,
)
from desktop_app.printing.model import CaseInfo, FaxCoverInfo

LABEL_W = 34 * mm


def _time_range(start: datetime, minutes: int) -> str:
    end = start + timedelta(minutes=minutes)
    return f"{start:%H:%M}〜{end:%H:%M}"


def draw_confirmation(c: Canvas, ctx: FormContext) -> None:
    """予約確認書: when, where, with whom, what to bring by when, the fee, how to cancel."""
    start_page(c)
    s, case = ctx.settings, ctx.case
    draw_case_number(c, ctx, RIGHT, TOP)
    if case.patient.name:
        draw_fit(
            c,
            addressee_lines(case.patient.name, 100 * mm, 14),
            Rect(LEFT, TOP - 22 * mm, 100 * mm, 14 * mm),
            size=14,
            pad=0,
            valign="bottom",
        )
    else:  # blank: 様 at the end of the line, the name written before it
        draw_string(c, LEFT + 100 * mm, TOP - 21 * mm, "様", 14, align="right")
    hline(c, LEFT, LEFT + 100 * mm, TOP - 22.5 * mm, RULE)
    draw_string(c, RIGHT, TOP - 28 * mm, ctx.date(ctx.today), 10.5, align="right")
    y = draw_title(c, "セカンドオピニオン外来\u3000予約確認書", TOP - 34 * mm, size=18)
    y = (
        flow_paragraph(
            c,
            "セカンドオピニオン外来のご予約を、下記のとおり承りました。",
            LEFT,
            y - 1 * mm,
            CONTENT_W,
            size=11,
        )
        - 3 * mm
    )
    appt = case.appointment
    due: date | None
    if appt is not None:
        when = f"{ctx.date(appt.start.date(), weekday=True)}\u3000{_time_range(appt.start, appt.minutes)}"
        due = case.materials_due or materials_due_date(appt.start.date(), s)
    else:
        when = f"{ctx.date(None, weekday=True)}{BLANK * 2}時{BLANK * 2}分〜"
        due = case.materials_due
    top = y
    rows = [
        ("予約日時", when, 13 * mm, 15.0),
        ("診療科", appt.department if appt else "", 10 * mm, 12.0),
        ("担当医", appt.doctor if appt else "", 10 * mm, 12.0),
        ("患者氏名", case.patient.name, 10 * mm, 12.0),
    ]
    for label, value, h, size in rows:
        label_cell(c, LEFT, y - h, LABEL_W, h, label, 11)
        value_cell(c, LEFT + LABEL_W, y - h, CONTENT_W - LABEL_W, h, value, size=size)
        y -= h
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    y -= 8 * mm

    y = _heading(c, "当日の受付", y)
    y = (
        flow_paragraph(
            c,
            "予約時刻の15分前までにお越しください。総合案内で「セカンドオピニオン外来受診」と"
            "お声がけください。係の者がご案内します。",
            LEFT + 4 * mm,
            y,
            CONTENT_W - 4 * mm,
            size=11,
            leading=1.5,
        )
        - 5 * mm
    )

    y = _heading(c, "お持ちいただくもの", y)
    due_text = ctx.date(due, weekday=True) if due else ctx.date(None, weekday=True)
    y = (
        flow_paragraph(
            c,
            f"次の書類と資料は、{due_text}までに{s.office_name}へお持ちください（郵送の場合は必着）。",
            LEFT + 4 * mm,
            y,
            CONTENT_W - 4 * mm,
            size=11,
            leading=1.5,
        )
        - 1 * mm
    )
    due_items, day_items = bring_lists(case)
    for item in due_items:
        draw_fit(
            c,
            f"□\u3000{item}",
            Rect.below(LEFT + 8 * mm, y, CONTENT_W - 8 * mm, 6 * mm),
            size=11,
            pad=0,
        )
        y -= 6 * mm
    y -= 2 * mm
    if day_items:
        y = (
            flow_paragraph(
                c,
                "次のものは、資料と一緒に、または相談の当日にお持ちください。",
                LEFT + 4 * mm,
                y,
                CONTENT_W - 4 * mm,
                size=11,
                leading=1.5,
            )
            - 1 * mm
        )
        for item in day_items:
            draw_fit(
                c,
                f"□\u3000{item}",
                Rect.below(LEFT + 8 * mm, y, CONTENT_W - 8 * mm, 6 * mm),
                size=11,
                pad=0,
            )
            y -= 6 * mm
        y -= 2 * mm
    y -= 3 * mm

    y = _heading(c, "料金", y)
    fee = consultation_fee(s.session_minutes, s)
    y = (
        flow_paragraph(
            c,
            f"{s.session_minutes}分まで{fee.total_yen:,}円（税込・報告書作成費を含む）。延長した場合は"
            f"{s.session_minutes}分ごとに{s.fee_per_block_yen:,}円が加算されます（最大"
            f"{s.max_extension_minutes}分）。自由診療のため健康保険は使えません。"
            "お支払いは終了後にお願いします。",
            LEFT + 4 * mm,
            y,
            CONTENT_W - 4 * mm,
            size=11,
            leading=1.5,
        )
        - 5 * mm
    )

    y = _heading(c, "ご都合が悪くなったとき", y)
    y = (
        flow_paragraph(
            c,
            f"キャンセル・日時の変更は無料です。お早めに{ctx.office}（TEL {ctx.phone(s.tel)}）まで"
            "お電話ください。なお、受診当日に当院の一般外来の予約はお取りできません。",
            LEFT + 4 * mm,
            y,
            CONTENT_W - 4 * mm,
            size=11,
            leading=1.5,
        )
        - 6 * mm
    )
    finish_page(c, ctx, case.case_number)


# Brought with the materials or on the day: the guide lists them among 「セカンドオピニオンに
# 際して必要なもの」; only the referral letter and test materials fall under the 3-day rule.
ON_THE_DAY = frozenset({DocumentKind.CONSENT, DocumentKind.RELATIONSHIP_PROOF})
DEFAULT_DUE = (
    "セカンドオピニオン外来専用診療情報提供書（主治医の先生が作成）",
    "検査資料（血液検査、画像のCD-R・フィルム、病理検査の報告書など）",
)
DEFAULT_DAY = (
    "相談同意書（ご家族だけで相談される場合。ご本人の署名のあるもの）",
    "続柄がわかる書類（健康保険証など。患者さんが未成年の場合）",
)


def bring_lists(case: CaseInfo) -> tuple[list[str], list[str]]:
    """What to bring by the due date, and what may come on the day (consent, proof)."""
    if not case.required_incoming and not case.case_number:
        return list(DEFAULT_DUE), list(DEFAULT_DAY)
    due = [k.label for k in case.required_incoming if k not in ON_THE_DAY] or list(DEFAULT_DUE)
    day = [k.label for k in case.required_incoming if k in ON_THE_DAY]
    proof = DocumentKind.RELATIONSHIP_PROOF
    if case.patient_is_minor and proof not in case.required_incoming:
        day.append(proof.label)
    return due, day


SUBJECT_H = 13 * mm  # two lines of a long subject
PAGES_W = 22 * mm  # the room for the number of pages, left of 枚（本状を含む）


def _sender_and_pages(c: Canvas, info: FaxCoverInfo, y: float) -> float:
    """One row: the sending clerk (written in when unknown) and the number of pages, with
    room for a number written by hand."""
    h = 11 * mm
    half = (CONTENT_W - LABEL_W) / 2
    x = LEFT + LABEL_W
    label_cell(c, LEFT, y - h, LABEL_W, h, "送信者（担当）", 10)
    value_cell(c, x, y - h, half - 22 * mm, h, info.sender_person, size=13)
    label_cell(c, x + half - 22 * mm, y - h, 22 * mm, h, "送信枚数", 11)
    box(c, x + half, y - h, half, h, THIN)
    pages = str(info.pages) if info.pages else ""
    draw_fit(c, pages, Rect(x + half, y - h, PAGES_W, h), size=16, align="right", pad=2 * mm)
    draw_fit(
        c, "枚（本状を含む）", Rect(x + half + PAGES_W, y - h, half - PAGES_W, h), size=12, pad=0
    )
    return y - h


def _heading(c: Canvas, text: str, y: float) -> float:
    draw_string(c, LEFT, y - 12, f"■ {text}", 12)
    return y - 6.5 * mm


def fax_subject(case: CaseInfo) -> str:
    """What a FAX about ``case`` sends, by how far the case has come, and its number."""
    if not case.case_number:
        return ""
    if case.report_written_on or case.actual_minutes:
        what = "セカンドオピニオン外来\u3000ご報告書の送付"
    elif case.appointment is not None:
        what = "セカンドオピニオン外来\u3000予約日時のご連絡（予約確認書）"
    else:
        what = "セカンドオピニオン外来専用診療情報提供書\u3000作成のお願い"
    return f"{what}（受付番号 {case.case_number}）"


def draw_fax_cover(c: Canvas, ctx: FormContext, fax: FaxCoverInfo | None) -> None:
    """FAX送付状 to the primary doctor's clinic; ``fax`` None prints it from the referrer."""
    start_page(c)
    s, ref = ctx.settings, ctx.case.referrer
    info = fax or FaxCoverInfo(
        to_name=ref.institution,
        to_department=ref.department,
        to_person=ref.doctor,
        to_fax=ref.fax,
        to_tel=ref.tel,
        subject=fax_subject(ctx.case),
        sender_person=ctx.case.clerk,
    )
    draw_string(c, RIGHT, TOP - 10, ctx.date(ctx.today), 11, align="right")
    y = draw_title(c, "FAX送付状", TOP - 8 * mm, size=24) - 4 * mm
    top = y
    person = f"{info.to_person}\u3000先生" if info.to_person else f"{BLANK * 6}先生"
    to_name = " ".join(p for p in (info.to_name, info.to_department) if p)
    rows = [
        ("宛先", f"{to_name}\u3000御中" if to_name else "", 16 * mm, 14.0),
        ("ご担当", person, 11 * mm, 13.0),
        ("FAX番号", ctx.phone(info.to_fax), 11 * mm, 16.0),
        ("送信元", ctx.office, 11 * mm, 12.0),
        ("TEL / FAX", f"TEL {ctx.phone(s.tel)}\u3000FAX {ctx.phone(s.fax)}", 11 * mm, 13.0),
    ]
    for label, value, h, size in rows:
        label_cell(c, LEFT, y - h, LABEL_W, h, label, 11)
        value_cell(c, LEFT + LABEL_W, y - h, CONTENT_W - LABEL_W, h, value, size=size)
        y -= h
    y = _sender_and_pages(c, info, y)
    h = SUBJECT_H
    label_cell(c, LEFT, y - h, LABEL_W, h, "件名", 11)
    value_cell(c, LEFT + LABEL_W, y - h, CONTENT_W - LABEL_W, h, info.subject, size=12)
    y -= h
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    y -= 6 * mm
    draw_string(c, LEFT, y - 11, "通信欄", 11)
    y -= 6 * mm
    h = y - (TOP - 215 * mm)
    box(c, LEFT, y - h, CONTENT_W, h, RULE)
    draw_fit(
        c,
        info.message,
        Rect.below(LEFT, y, CONTENT_W, h),
        size=11.5,
        valign="top",
        pad=3 * mm,
        vpad=3 * mm,
        leading=1.6,
    )
    y -= h + 4 * mm
    flow_paragraph(
        c,
        "※送信枚数が足りない場合や不鮮明な場合は、お手数ですが上記TELまでご連絡ください。"
        "本FAXには個人情報が含まれています。誤って届いた場合は破棄し、ご連絡ください。",
        LEFT,
        y,
        CONTENT_W,
        size=9.5,
        leading=1.45,
    )
    finish_page(c, ctx, ctx.case.case_number)
