"""予約確認書 (to the patient) and FAX送付状 (to the primary doctor's clinic, a patient or a
family caller)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.fees import fee_words
from desktop_app.domain.forms import REFERRAL_NAME, FormKind, printed_name
from desktop_app.domain.office_calendar import materials_due_date
from desktop_app.domain.stages import Decision, Stage
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
from desktop_app.printing.forms.mailing import ON_THE_DAY, addressee_lines
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
    flow_paragraph,
    hline,
)
from desktop_app.printing.linebreak import keep
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
    # To whom the letter goes, as on the cover and the envelope: a minor's parent, the family
    # member the forms go to; the patient's own name stands in the table below.
    if case.mail_name:
        draw_fit(
            c,
            addressee_lines(case.mail_name, 100 * mm, 14),
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
            "当日は、総合案内に「セカンドオピニオン外来受診」とお声をおかけください。"
            f"{keep('係の者')}がご案内します。",
            LEFT + 4 * mm,
            y,
            CONTENT_W - 4 * mm,
            size=11,
            leading=1.5,
        )
        - 5 * mm
    )

    y = _heading(c, "お持ちいただくもの", y)
    y = _bring(c, ctx, y, due) - 3 * mm

    y = _heading(c, "料金", y)
    extension = (
        f"延長は最大{s.max_extension_minutes}分です。" if s.max_extension_minutes > 0 else ""
    )
    y = (
        flow_paragraph(
            c,
            f"{fee_words(s)}（税込・報告書作成費を含む）。{extension}"
            "自由診療のため健康保険は使えません。お支払いは終了後にお願いします。",
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


# ON_THE_DAY: the guide lists them among 「セカンドオピニオンに際して必要なもの」; only the
# referral letter and test materials fall under the 3-day rule.
# A blank confirmation lists what a case usually brings, to be ticked by hand.
DEFAULT_DUE = (
    f"{REFERRAL_NAME}（主治医の先生が作成）",
    "検査資料（血液検査、画像のCD-R・フィルム、病理検査の報告書など）",
)
DEFAULT_DAY = (
    "相談同意書（ご家族だけで相談される場合。ご本人の署名のあるもの）",
    "続柄がわかる書類（健康保険証など。患者さんが未成年の場合）",
)
NOTHING_DUE = (
    "お持ちいただく書類・資料はすべてお預かりしています。当日は特にお持ちいただくものはありません。"
)


def bring_lists(case: CaseInfo) -> tuple[list[str], list[str]]:
    """What is still to bring by the due date, and what may come on the day (consent,
    proof): only what the case still expects; a blank form lists the usual papers."""
    if not case.case_number:
        return list(DEFAULT_DUE), list(DEFAULT_DAY)
    due = [printed_name(k) for k in case.required_incoming if k not in ON_THE_DAY]
    day = [printed_name(k) for k in case.required_incoming if k in ON_THE_DAY]
    return due, day


def _bring(c: Canvas, ctx: FormContext, y: float, due: date | None) -> float:
    """お持ちいただくもの: what is still due, by when (never a day already past), and what may
    come on the day; with nothing due, says so."""
    s = ctx.settings
    due_items, day_items = bring_lists(ctx.case)
    if not due_items and not day_items:
        return flow_paragraph(
            c, NOTHING_DUE, LEFT + 4 * mm, y, CONTENT_W - 4 * mm, size=11, leading=1.5
        )
    if due_items:
        if due is not None and due < ctx.today:  # reprinted late: no deadline already past
            when = "できるだけ早く"
        else:
            when = f"{ctx.date(due, weekday=True)}までに"
        y = (
            flow_paragraph(
                c,
                f"次の書類と資料は、{when}{s.office_name}へお持ちください（郵送の場合は必着）。",
                LEFT + 4 * mm,
                y,
                CONTENT_W - 4 * mm,
                size=11,
                leading=1.5,
            )
            - 1 * mm
        )
        y = _ticks(c, due_items, y)
    if day_items:
        lead = "次のものは、資料と一緒に、または相談の当日にお持ちください。"
        if not due_items:
            lead = "資料はすべてお預かりしています。" + lead
        y = (
            flow_paragraph(c, lead, LEFT + 4 * mm, y, CONTENT_W - 4 * mm, size=11, leading=1.5)
            - 1 * mm
        )
        y = _ticks(c, day_items, y)
    return y


def _ticks(c: Canvas, items: list[str], y: float) -> float:
    for item in items:
        draw_fit(
            c,
            f"□\u3000{item}",
            Rect.below(LEFT + 8 * mm, y, CONTENT_W - 8 * mm, 6 * mm),
            size=11,
            pad=0,
        )
        y -= 6 * mm
    return y - 2 * mm


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
    """What a FAX about ``case`` sends, by what is enclosed (how far the case has come and
    how it ended), and its number."""
    if not case.case_number:
        return ""
    return f"{fax_topic(case)}（受付番号 {case.case_number}）"


def _number_whole(subject: str) -> str:
    """The subject with its 「（受付番号 …）」 kept on one line: a long topic wraps before the
    bracket, never between the label and the number."""
    return re.sub(
        r"（受付番号 ([^）\s]+)）", lambda m: keep(f"（受付番号\u00a0{m.group(1)}）"), subject
    )


def fax_topic(case: CaseInfo) -> str:
    """The subject's words: the report, the decline, the booking, the referral letter …"""
    so = "セカンドオピニオン外来"
    if case.report_written_on or case.actual_minutes:
        return f"{so}\u3000ご報告書の送付"
    if case.decision == Decision.DECLINED:
        return FormKind.DECLINE.label
    if case.decision == Decision.GENERAL_OUTPATIENT:
        return f"{so}\u3000一般外来受診のご案内"
    if case.stage == Stage.EXCLUDED:
        return f"{so}\u3000お申し込みについてのご連絡"
    if case.stage == Stage.CANCELLED:
        return f"{so}\u3000キャンセルのご連絡"
    if case.appointment is not None:
        return f"{so}\u3000予約日時のご連絡（予約確認書）"
    if DocumentKind.REFERRAL_LETTER in case.required_incoming:
        return f"{REFERRAL_NAME}\u3000作成のお願い"
    return f"{so}のご連絡"


def _left(value: str) -> Align:
    return "left" if value else "right"


def draw_fax_cover(c: Canvas, ctx: FormContext, fax: FaxCoverInfo | None) -> None:
    """FAX送付状 to the primary doctor's clinic (or to ``fax``'s addressee: a patient or a
    family caller is 様); ``fax`` None prints it from the referrer."""
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
    to_name = " ".join(p for p in (info.to_name, info.to_department) if p)
    # Blank: the honorific at the right end, the name written before it by hand. A person
    # (a patient, a family caller) is 様 and has no ご担当; an institution is 御中.
    honorific = "様" if info.to_individual else "御中"
    rows: list[tuple[str, str, float, float, Align]] = [
        (
            "宛先",
            f"{to_name}\u3000{honorific}" if to_name else honorific,
            16 * mm,
            14.0,
            _left(to_name),
        )
    ]
    if not info.to_individual:
        rows.append(
            (
                "ご担当",
                f"{info.to_person}\u3000先生" if info.to_person else "先生",
                11 * mm,
                13.0,
                _left(info.to_person),
            )
        )
    rows += [
        ("FAX番号", ctx.phone(info.to_fax), 11 * mm, 16.0, "left"),
        ("送信元", ctx.office, 11 * mm, 12.0, "left"),
        (
            "TEL / FAX",
            f"TEL {ctx.phone(s.tel)}\u3000FAX {ctx.phone(s.fax)}",
            11 * mm,
            13.0,
            "left",
        ),
    ]
    for label, value, h, size, align in rows:
        label_cell(c, LEFT, y - h, LABEL_W, h, label, 11)
        value_cell(
            c,
            LEFT + LABEL_W,
            y - h,
            CONTENT_W - LABEL_W,
            h,
            value,
            size=size,
            align=align,
            pad=3 * mm,
        )
        y -= h
    y = _sender_and_pages(c, info, y)
    h = SUBJECT_H
    label_cell(c, LEFT, y - h, LABEL_W, h, "件名", 11)
    value_cell(
        c, LEFT + LABEL_W, y - h, CONTENT_W - LABEL_W, h, _number_whole(info.subject), size=12
    )
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
