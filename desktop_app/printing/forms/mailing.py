"""送付状 (cover letter of the mail-out) and 宛名 (a 長形3号 envelope face)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.forms import REFERRAL_NAME, enclosures, printed_name
from desktop_app.domain.stages import Decision, Stage
from desktop_app.printing.context import (
    CONTENT_BOTTOM,
    FormContext,
    draw_sender_block,
    draw_title,
    finish_page,
    start_page,
)
from desktop_app.printing.layout import (
    CONTENT_W,
    LEFT,
    MIN_SIZE,
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
    text_width,
)

# Brought with the materials or on the day (not under the 3-day rule).
ON_THE_DAY = frozenset({DocumentKind.CONSENT, DocumentKind.RELATIONSHIP_PROOF})
NAGA3 = (120 * mm, 235 * mm)  # 長形3号: an A4 sheet folded in three
# When the consent form is due, said one way on every form. The guide lists it among
# 「セカンドオピニオンに際して必要なもの」 (what to bring); the 3-day rule is for the referral
# letter and the test materials only.
CONSENT_WHEN = (
    "ご家族だけで相談される場合は、「相談同意書」にご本人の署名をいただき、"
    "資料と一緒に、または相談の当日にお持ちください"
    "（患者さんが未成年の場合は、健康保険証など続柄がわかる書類で可）。"
)
MINOR_PROOF = (
    "患者さんが未成年のため、ご相談者との続柄がわかる書類（健康保険証など）を、資料と一緒に、"
    "または相談の当日にお持ちください。"
)

# The cover of a case that will not be booked asks nothing and promises nothing.
ENDED_STEP = "このたびのお申し込みについてご不明な点は、下記までお問い合わせください。"


def mailout_kinds(ctx: FormContext) -> tuple[DocumentKind, ...]:
    """What is enclosed: exactly the packet's pages after the cover (``packet_kinds``), so
    the list and the envelope never disagree, whatever was printed or sent before."""
    return enclosures(ctx.case.needs_consent)


def _enclosure_label(kind: DocumentKind) -> str:
    # The clerk's labels say （用紙）; the patient reads the form's own name.
    return printed_name(kind)


def draw_cover(c: Canvas, ctx: FormContext) -> None:
    """A4 cover letter: addressee, enclosures, what to do next, by when, where to fax."""
    start_page(c)
    case = ctx.case
    # Addressee top left, where a window envelope shows it.
    y = TOP - 2 * mm
    draw_fit(c, ctx.postal(case.mail_postal), Rect.below(LEFT, y, 95 * mm, 6 * mm), size=11, pad=0)
    draw_fit(
        c,
        case.mail_address,
        Rect(LEFT, y - 18 * mm, 95 * mm, 12 * mm),
        size=11,
        pad=0,
        valign="top",
    )
    if case.mail_name:
        draw_fit(
            c, f"{case.mail_name}\u3000様", Rect(LEFT, y - 28 * mm, 95 * mm, 9 * mm), size=15, pad=0
        )
    else:  # blank: 様 at the end of the line, the name written before it
        draw_string(c, LEFT + 95 * mm, y - 28 * mm + 2 * mm, "様", 15, align="right")
    hline(c, LEFT, LEFT + 95 * mm, y - 29 * mm, RULE)
    draw_string(c, RIGHT, TOP - 6 * mm, ctx.date(ctx.today), 11, align="right")
    draw_sender_block(c, ctx, RIGHT - 72 * mm, TOP - 12 * mm, 72 * mm, size=10)
    y = draw_title(c, "セカンドオピニオン外来\u3000書類送付のご案内", TOP - 44 * mm, size=16)

    y = flow_paragraph(
        c,
        "拝啓\u3000時下ますますご清祥のこととお慶び申し上げます。このたびは当院のセカンドオピニオン"
        "外来にお問い合わせいただき、ありがとうございます。下記の書類をお送りいたしますので、"
        "ご確認のうえ、お手続きをお願いいたします。",
        LEFT,
        y - 2 * mm,
        CONTENT_W,
        size=10.5,
        leading=1.6,
    )
    draw_string(c, RIGHT, y - 5 * mm, "敬具", 10.5, align="right")
    y -= 12 * mm
    draw_string(c, LEFT + CONTENT_W / 2, y, "記", 11, align="center")
    y -= 8 * mm

    draw_string(c, LEFT, y, "■ 同封書類", 11.5)
    y -= 2 * mm
    for i, kind in enumerate(mailout_kinds(ctx), 1):
        draw_fit(
            c,
            f"{i}．{_enclosure_label(kind)}",
            Rect.below(LEFT + 5 * mm, y, CONTENT_W - 5 * mm, 6.5 * mm),
            size=10.5,
            pad=0,
        )
        y -= 6.5 * mm
    y -= 5 * mm

    steps, requests = cover_steps(ctx)
    draw_string(c, LEFT, y, "■ お手続きのお願い" if requests else "■ お手続きについて", 11.5)
    y -= 3 * mm
    for i, text in enumerate(steps, 1):
        y = (
            flow_paragraph(
                c,
                f"{i}．{text}",
                LEFT + 5 * mm,
                y,
                CONTENT_W - 5 * mm,
                size=10.5,
                leading=1.55,
                hang=text_width(f"{i}．", 10.5),
            )
            - 2 * mm
        )
    y -= 4 * mm
    y = _contact_box(c, ctx, y)
    if case.case_number:
        draw_string(
            c,
            LEFT,
            max(y - 8 * mm, CONTENT_BOTTOM),
            f"受付番号\u3000{case.case_number}（お問い合わせの際にお知らせください）",
            10,
        )
    draw_string(c, RIGHT, max(y - 8 * mm, CONTENT_BOTTOM), "以上", 10.5, align="right")
    finish_page(c, ctx, case.case_number)


def cover_steps(ctx: FormContext) -> tuple[list[str], bool]:
    """The cover's sentences, by where the case stands on the day it is printed: only what
    is still to do, no deadline already past, the booked date once there is one. Returns
    them and whether any asks the patient to do something."""
    s, case = ctx.settings, ctx.case
    blank = not case.case_number
    if not blank and _ended(ctx):
        # Declined, excluded or cancelled: nothing to send in, no date to be offered.
        return [ENDED_STEP], False
    due_kinds = [k for k in case.required_incoming if k not in ON_THE_DAY]
    steps: list[str] = []
    requests = False
    if blank or case.application_received_on is None:
        steps.append(
            "「セカンドオピニオン外来申込書」にご記入のうえ、"
            f"FAX（{ctx.phone(s.fax)}）または郵送で当院{s.office_name}へお送りください。"
        )
        requests = True
    if blank or due_kinds:
        steps.append(
            f"主治医の先生に「{REFERRAL_NAME}」の作成をご依頼ください。"
            "検査資料（血液検査、画像のCD-R、病理検査の報告書など）とともにお借りいただき、"
            + _bring_by(ctx)
        )
        requests = True
    else:
        steps.append(f"「{REFERRAL_NAME}」と検査資料は、当院で受け取りました。")
    if DocumentKind.CONSENT in case.required_incoming:
        steps.append(CONSENT_WHEN)
        requests = True
    elif DocumentKind.RELATIONSHIP_PROOF in case.required_incoming:
        steps.append(MINOR_PROOF)
        requests = True
    appt = case.appointment
    if appt is not None:
        if appt.start.date() >= ctx.today:
            day = ctx.date(appt.start.date(), weekday=True)
            steps.append(
                f"ご予約は{day}\u3000{appt.start:%H:%M}からです。当日は、総合案内に"
                "「セカンドオピニオン外来受診」とお声をおかけください。"
            )
    elif case.application_received_on is not None:
        steps.append(
            f"申込書は{ctx.date(case.application_received_on)}に受け取りました。"
            "担当医を決めたうえで、当院から日時をお電話でご連絡します。"
        )
    else:
        steps.append(
            "申込書が届きましたら、担当医を決めたうえで、当院から日時をお電話でご連絡します。"
        )
    return steps, requests


def _ended(ctx: FormContext) -> bool:
    """The case will not be booked: 担当医確認で不可, or closed (excluded, cancelled)."""
    case = ctx.case
    if case.decision in (Decision.DECLINED, Decision.GENERAL_OUTPATIENT):
        return True
    return case.stage is not None and case.stage in (Stage.EXCLUDED, Stage.CANCELLED)


def _bring_by(ctx: FormContext) -> str:
    """By when the referral letter and the materials come: never a day already past."""
    s, case = ctx.settings, ctx.case
    rule = f"予約日時の{s.materials_deadline_days}日前までにご持参ください"
    due = case.materials_due
    if case.appointment is None or due is None:
        return f"{rule}。"
    if due >= ctx.today:
        return f"{rule}（{ctx.date(due, weekday=True)}まで）。"
    return "できるだけ早くご持参ください。"


def _contact_box(c: Canvas, ctx: FormContext, y: float) -> float:
    s = ctx.settings
    h = 17 * mm
    box(c, LEFT, y - h, CONTENT_W, h, RULE)
    draw_fit(
        c,
        f"お問い合わせ・申込書の送付先：{ctx.office}",
        Rect(LEFT, y - 7 * mm, CONTENT_W, 6 * mm),
        size=11,
    )
    draw_fit(
        c,
        f"TEL {ctx.phone(s.tel)}\u3000\u3000FAX {ctx.phone(s.fax)}",
        Rect(LEFT, y - h + 1 * mm, CONTENT_W, 9 * mm),
        size=15,
    )
    return y - h


def addressee_lines(name: str, width: float, size: float) -> str:
    """'氏名　様', broken at the space between family and given name when it is too long."""
    if not name:
        return ""
    one = f"{name}\u3000様"
    if text_width(one, size) <= width or "\u3000" not in name.strip():
        return one
    family, given = name.strip().rsplit("\u3000", 1)
    return f"{family}\n{given}\u3000様"


def draw_label(c: Canvas, ctx: FormContext) -> None:
    """A 長形3号 envelope face (120 x 235 mm, horizontal writing): addressee and sender."""
    start_page(c, NAGA3)
    width, height = NAGA3
    left, right, top, bottom = 15 * mm, width - 15 * mm, height - 15 * mm, 15 * mm
    w = right - left
    case = ctx.case
    y = top - 10 * mm  # the stamp area and pre-printed postal boxes of some envelopes
    y = _blank_address(c, left, right, y) if ctx.blank else _address(c, ctx, left, w, y)
    # 在中 tells the post room and the family what is inside.
    stamp = "セカンドオピニオン外来書類在中"
    box(c, left + 8 * mm, y - 10 * mm, w - 16 * mm, 10 * mm, RULE)
    draw_fit(c, stamp, Rect.below(left + 8 * mm, y, w - 16 * mm, 10 * mm), size=12, align="center")
    hline(c, left, right, bottom + 36 * mm, RULE)
    draw_sender_block(c, ctx, left, bottom + 33 * mm, w, size=10)
    if case.case_number:
        draw_string(c, right, bottom, case.case_number, MIN_SIZE, align="right")
    c.showPage()


def _address(c: Canvas, ctx: FormContext, left: float, w: float, y: float) -> float:
    """The addressee's postal code, address and name; returns the y below."""
    case = ctx.case
    draw_fit(c, ctx.postal(case.mail_postal), Rect.below(left, y, w, 8 * mm), size=14, pad=0)
    y -= 11 * mm
    fit = draw_fit(
        c,
        case.mail_address,
        Rect.below(left, y, w, 30 * mm),
        size=14,
        pad=0,
        valign="top",
        leading=1.4,
    )
    y -= max(fit.height, 14) + 10 * mm
    fit = draw_fit(
        c,
        addressee_lines(case.mail_name, w, 22),
        Rect.below(left, y, w, 24 * mm),
        size=22,
        pad=0,
        valign="top",
        align="center",
        leading=1.3,
    )
    return y - max(fit.height, 22) - 14 * mm


def _blank_address(c: Canvas, left: float, right: float, y: float) -> float:
    """A blank envelope: lines to write the postal code, the address and the name on (様 at
    the end of the name's line); returns the y below."""
    draw_string(c, left, y - 7 * mm, "〒", 14)
    hline(c, left + 6 * mm, left + 40 * mm, y - 8.5 * mm, THIN)
    for drop in (22 * mm, 34 * mm):
        hline(c, left, right, y - drop, THIN)
    name_y = y - 58 * mm
    draw_string(c, right, name_y + 1.5 * mm, "様", 22, align="right")
    hline(c, left, right, name_y, RULE)
    return name_y - 14 * mm
