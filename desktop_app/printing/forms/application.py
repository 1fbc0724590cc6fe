"""セカンドオピニオン外来申込書: pre-filled with what the office knows, faxed or mailed back."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.fees import fee_words
from desktop_app.domain.forms import REFERRAL_NAME, family_only_papers
from desktop_app.domain.people import Attendance, ConsultationCategory, Sex
from desktop_app.printing.context import (
    BAR_MODULE,
    BLANK,
    QUIET_MODULES,
    FormContext,
    birth_date_text,
    case_number_width,
    centre_y,
    draw_case_number,
    draw_fax_banner,
    draw_title,
    finish_page,
    label_cell,
    start_page,
    underline_field,
    value_cell,
)
from desktop_app.printing.layout import (
    CONTENT_W,
    HEAVY,
    LEFT,
    MIN_SIZE,
    RIGHT,
    THIN,
    TOP,
    WRITE_SIZE,
    Rect,
    box,
    checkbox,
    choices,
    draw_fit,
    draw_string,
    fit_text,
    hline,
)

TITLE = "セカンドオピニオン外来申込書"
LABEL_W = 30 * mm
BANNER_W = 118 * mm  # the FAX banner, narrowed when a long case number needs the room
BLANK_BIRTH = (
    f"明治・大正・昭和・平成・令和{BLANK * 3}年{BLANK * 2}月{BLANK * 2}日（西暦{BLANK * 3}年）"
)
# Row heights (mm) of the table the applicant fills in; tests hold them to these minimums.
ROWS = {
    "name": 18.5,
    "birth": 8.5,
    "address": 15.0,
    "attendance": 14.5,
    "diagnosis": 9.0,
    "referrer": 10.0,
    "referrer_tel": 8.0,
    "doctor": 9.0,
    "doctor_consent": 8.5,
    "desired": 9.0,
    "consultation": 55.0,
    "wishes": 22.0,
}
WISH_LINE = 7.5 * mm  # each 第n希望 line: room for handwriting
TOLD_H = 5.5 * mm  # the wish taken on the phone, above them: one line
TOLD_MAX = 11.5 * mm  # two lines; a longer wish shrinks to fit
WEEKDAY_BRACKET = f"（{BLANK * 2}）"  # about 8 mm at 10.5 pt: room for one kanji by hand


CATEGORIES_H = 13 * mm  # the consultation's check boxes, above its text
CONSULT_VPAD = 1.0 * mm
CONSULT_LEADING = 1.2


def banner_width(number: str) -> float:
    """The FAX banner's width: it leaves the bars their quiet zone of 10 modules."""
    room = CONTENT_W - case_number_width(number) - QUIET_MODULES * BAR_MODULE - 1 * mm
    return min(BANNER_W, room)


def draw_application(c: Canvas, ctx: FormContext) -> None:
    """One A4 page; the case number is printed as text and Code 128 so a fax finds its case."""
    start_page(c)
    case, patient = ctx.case, ctx.case.patient
    y = draw_fax_banner(c, ctx, LEFT, TOP, banner_width(case.case_number))
    draw_case_number(c, ctx, RIGHT, TOP)
    y = draw_title(c, TITLE, y - 2 * mm, size=16)
    draw_fit(
        c,
        "太枠の中をご記入ください。印字済みの欄に誤りがあれば、二重線で消して正しくご記入ください。",
        Rect.below(LEFT, y + 1 * mm, CONTENT_W, 5 * mm),
        size=9.5,
        pad=0,
    )
    y -= 5 * mm
    top_of_table = y
    value_x = LEFT + LABEL_W
    value_w = CONTENT_W - LABEL_W

    # フリガナ / 氏名 with 性別 at the right, spanning both rows.
    sex_w = 34 * mm
    name_w = value_w - sex_w - 14 * mm
    h = ROWS["name"] * mm
    label_cell(c, LEFT, y - 7 * mm, LABEL_W, 7 * mm, "フリガナ", 9.5)
    value_cell(c, value_x, y - 7 * mm, name_w, 7 * mm, patient.furigana, size=11)
    label_cell(c, LEFT, y - h, LABEL_W, h - 7 * mm, "患者氏名")
    value_cell(c, value_x, y - h, name_w, h - 7 * mm, patient.name, size=16)
    label_cell(c, value_x + name_w, y - h, 14 * mm, h, "性別")
    sx = value_x + name_w + 14 * mm
    box(c, sx, y - h, sex_w, h, THIN)
    choices(
        c,
        sx + 3 * mm,
        y - h / 2,
        [("男", patient.sex == Sex.MALE), ("女", patient.sex == Sex.FEMALE)],
        12,
        6 * mm,
    )
    y -= h

    h = ROWS["birth"] * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "生年月日")
    birth = birth_date_text(patient.birth_date) or BLANK_BIRTH
    value_cell(c, value_x, y - h, value_w, h, birth, size=12)
    y -= h

    y = _address(c, ctx, y, value_x, value_w)
    y = _attendance(c, ctx, y, value_x, value_w)
    y = _diagnosis(c, ctx, y, value_x, value_w)
    y = _referrer(c, ctx, y, value_x, value_w)
    # The wish taken on the phone is printed with the dates; its room comes from the
    # consultation's (both are what the caller told), so the page keeps its length.
    told = told_wish(ctx)
    told_h = _told_height(ctx, told, value_w)
    y = _consultation(c, ctx, y, value_x, value_w, ROWS["consultation"] * mm - told_h)
    y = _wishes(c, told, told_h, y, value_x, value_w)
    # The frame the patient fills is drawn heavy so it survives a blurred fax.
    box(c, LEFT, y, CONTENT_W, top_of_table - y, HEAVY)
    y = _agreement(c, ctx, y - 2.5 * mm)
    finish_page(c, ctx, ctx.case.case_number)


def _address(c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float) -> float:
    """住所 at the left of the row, 自宅 and 携帯 stacked at its right."""
    patient = ctx.case.patient
    h = ROWS["address"] * mm
    phone_w = 56 * mm
    addr_w = value_w - phone_w
    label_cell(c, LEFT, y - h, LABEL_W, h, "住所・電話")
    box(c, value_x, y - h, addr_w, h, THIN)
    postal = ctx.postal(patient.postal_code) or f"〒{BLANK * 3}－{BLANK * 4}"
    draw_fit(c, postal, Rect.below(value_x, y, addr_w, 5.5 * mm), size=11)
    draw_fit(
        c,
        patient.address,
        Rect(value_x, y - h, addr_w, h - 5.5 * mm),
        size=12,
        valign="top",
        vpad=0.3 * mm,
    )
    px = value_x + addr_w
    for i, (label, digits) in enumerate((("自宅", patient.phone), ("携帯", patient.mobile))):
        cell_y = y - (i + 1) * h / 2
        box(c, px, cell_y, phone_w, h / 2, THIN)
        draw_string(c, px + 1.5 * mm, centre_y(cell_y, h / 2, 9.5), label, 9.5)
        draw_fit(c, ctx.phone(digits), Rect(px + 9 * mm, cell_y, phone_w - 9 * mm, h / 2), size=12)
    return y - h


def _diagnosis(c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float) -> float:
    """病名 as told, and whether the patient has been told it (告知): a checkbox to tick."""
    h = ROWS["diagnosis"] * mm
    tell_w = 78 * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "病名")
    value_cell(c, value_x, y - h, value_w - tell_w, h, ctx.case.diagnosis, size=12)
    tx = value_x + value_w - tell_w
    box(c, tx, y - h, tell_w, h, THIN)
    x = tx + 1.5 * mm
    x += draw_string(c, x, centre_y(y - h, h, 9.5), "病名の告知を", 9.5) + 1.5 * mm
    choices(c, x, y - h / 2, [("受けている", False), ("受けていない", False)], 10, 2.5 * mm)
    return y - h


def _referrer(c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float) -> float:
    """紹介元 (institution, department, TEL/FAX), 主治医 and the 了承, 希望診療科・担当医."""
    case = ctx.case
    ref = case.referrer
    side_w = 64 * mm
    side_x = value_x + value_w - side_w
    h = ROWS["referrer"] * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "紹介元医療機関", 9.5)
    value_cell(c, value_x, y - h, value_w - side_w, h, ref.institution, size=11.5)
    _side_label_cell(c, side_x, y - h, side_w, h, "診療科", ref.department)
    y -= h
    h = ROWS["referrer_tel"] * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "紹介元 TEL・FAX", 9.5)
    half = value_w / 2
    for i, (label, digits) in enumerate((("TEL", ref.tel), ("FAX", ref.fax))):
        x = value_x + i * half
        box(c, x, y - h, half, h, THIN)
        draw_string(c, x + 1.5 * mm, centre_y(y - h, h, 9.5), label, 9.5)
        draw_fit(c, ctx.phone(digits), Rect(x + 10 * mm, y - h, half - 10 * mm, h), size=11.5)
    y -= h
    h = ROWS["doctor"] * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "主治医")
    doctor = f"{ref.doctor}\u3000先生" if ref.doctor else ""
    value_cell(c, value_x, y - h, value_w - side_w, h, doctor, size=11.5)
    _side_label_cell(c, side_x, y - h, side_w, h, "希望診療科", case.desired_department)
    y -= h
    h = ROWS["doctor_consent"] * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "主治医の了承", 10)
    box(c, value_x, y - h, value_w - side_w, h, THIN)
    choices(
        c,
        value_x + 2 * mm,
        y - h / 2,
        [
            ("主治医に伝えた", case.primary_doctor_informed is True),
            ("了承を得た", False),  # only the applicant can say; never pre-ticked
        ],
        10,
        3 * mm,
    )
    _side_label_cell(c, side_x, y - h, side_w, h, "希望担当医", "")
    return y - h


def _side_label_cell(
    c: Canvas, x: float, y: float, w: float, h: float, label: str, value: str
) -> None:
    """A field name at the left of a cell and its value beside it (two lines when long)."""
    lw = 19 * mm
    label_cell(c, x, y, lw, h, label, 9.5)
    value_cell(c, x + lw, y, w - lw, h, value, size=11)


def _attendance(c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float) -> float:
    case = ctx.case
    h = ROWS["attendance"] * mm
    label_cell(c, LEFT, y - h, 30 * mm, h, "来院される方", 10)
    box(c, value_x, y - h, value_w, h, THIN)
    choices(
        c,
        value_x + 2 * mm,
        y - 4.2 * mm,
        [
            ("本人のみ", case.attendance == Attendance.PATIENT),
            ("本人と家族", case.attendance == Attendance.PATIENT_AND_FAMILY),
            ("家族のみ", case.attendance == Attendance.FAMILY_ONLY),
        ],
        WRITE_SIZE,
        4 * mm,
    )
    draw_fit(
        c,
        family_note(ctx),
        Rect.below(value_x + NOTE_X, y, value_w - NOTE_X - 1 * mm, 8.4 * mm),
        size=9,
        align="right",
        pad=0.5 * mm,
        vpad=0.3 * mm,
        leading=1.15,
    )
    caller = case.caller
    family = caller.relationship is not None and caller.relationship.is_family
    name = caller.name if family else ""
    relation = caller.relation_label
    base = y - h + 2.5 * mm
    underline_field(c, value_x + 2 * mm, base, 90 * mm, "ご家族の氏名 ", name)
    underline_field(c, value_x + 97 * mm, base, value_w - 99 * mm, "続柄 ", relation)
    return y - h


NOTE_X = 86 * mm  # the note on family-only papers, right of the three boxes


def family_note(ctx: FormContext) -> str:
    """What a family coming without the patient must bring, by the packet's rule: the
    相談同意書, or for a minor patient a proof of the relationship; both on a blank form."""
    consent = DocumentKind.CONSENT.label
    if ctx.blank:
        return f"※家族のみは{consent}が必要\n（未成年の方は続柄がわかる書類で可）"
    if ctx.case.needs_consent:
        return f"※家族のみは{consent}が必要"
    if family_only_papers(ctx.case.patient_is_minor) == DocumentKind.RELATIONSHIP_PROOF:
        return "※家族のみは続柄がわかる書類（健康保険証など）が必要"
    return f"※家族のみは{consent}が必要"


def _consultation(
    c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float, h: float
) -> float:
    case = ctx.case
    label_cell(c, LEFT, y - h, LABEL_W, h, "ご相談の内容")
    box(c, value_x, y - h, value_w, h, THIN)
    cats = list(ConsultationCategory)
    col = value_w / 2
    for i, cat in enumerate(cats):
        cx = value_x + 2 * mm + (i % 2) * col
        cy = y - 3.8 * mm - (i // 2) * 5.6 * mm
        side = 9.5 * 0.95
        checkbox(c, cx, cy - side / 2, case.category == cat, side)
        draw_fit(
            c,
            cat.label,
            Rect(cx + side + 1 * mm, cy - 3 * mm, col - side - 4 * mm, 6 * mm),
            size=9.5,
            pad=0.5 * mm,
        )
    text_top = y - CATEGORIES_H
    hline(c, value_x, value_x + value_w, text_top, THIN)
    area_h = text_top - (y - h)
    if case.consultation.strip():
        draw_fit(
            c,
            case.consultation,
            Rect(value_x, y - h, value_w, area_h),
            size=11,
            valign="top",
            pad=2 * mm,
            vpad=CONSULT_VPAD,
            leading=CONSULT_LEADING,
        )
    else:
        # Ruled lines 8 mm apart: room for handwriting of ordinary size.
        line_y = text_top - 8 * mm
        while line_y > y - h + 3 * mm:
            hline(c, value_x + 2 * mm, value_x + value_w - 2 * mm, line_y, 0.5)
            line_y -= 8 * mm
    return y - h


def told_wish(ctx: FormContext) -> str:
    """The 希望日時 taken at intake, as the application prints it above the wished dates."""
    told = ctx.case.desired_dates.strip()
    return f"お電話で伺ったご希望：{told}" if told else ""


def _wishes(c: Canvas, told: str, told_h: float, y: float, value_x: float, value_w: float) -> float:
    """The wish taken on the phone (when one was), two wished dates, each on its own line
    with room to write, and the days that do not suit."""
    h = ROWS["wishes"] * mm + told_h
    label_cell(c, LEFT, y - h, LABEL_W, h, "ご希望の日時", 10)
    box(c, value_x, y - h, value_w, h, THIN)
    size = WRITE_SIZE
    line_y = y
    if told:
        draw_fit(c, told, Rect.below(value_x, y, value_w, told_h), size=10.5, pad=2 * mm)
        line_y -= told_h
    slot = f"{BLANK * 3}月{BLANK * 3}日{WEEKDAY_BRACKET}{BLANK}午前・午後{BLANK}"
    for n in (1, 2):
        line_y -= WISH_LINE
        draw_string(c, value_x + 2 * mm, line_y + 1.6 * mm, f"第{n}希望\u3000{slot}", size)
        draw_string(c, value_x + value_w - 2 * mm, line_y + 1.6 * mm, "時頃", size, align="right")
        hline(c, value_x + 2 * mm, value_x + value_w - 2 * mm, line_y + 0.6 * mm, 0.5)
    underline_field(
        c, value_x + 2 * mm, y - h + 2.4 * mm, value_w - 4 * mm, "ご都合の悪い曜日・時間帯 "
    )
    return y - h


def _told_height(ctx: FormContext, told: str, value_w: float) -> float:
    """Room for the wish taken on the phone (0 if none): one line, two when long and the
    consultation text leaves the room (at 9 pt it always keeps what it needs)."""
    if not told:
        return 0.0
    fit = fit_text(told, value_w - 4 * mm, TOLD_MAX - 1.6 * mm, size=10.5)
    want = min(TOLD_MAX, max(TOLD_H, fit.height + 2.6 * mm))
    consultation = ctx.case.consultation.strip()
    if not consultation:
        return want
    area = ROWS["consultation"] * mm - CATEGORIES_H
    need = fit_text(consultation, value_w - 4 * mm, area, size=MIN_SIZE, leading=CONSULT_LEADING)
    room = area - need.height - 2 * CONSULT_VPAD - 1  # a point to spare for rounding
    return max(TOLD_H, min(want, room))


def _agreement(c: Canvas, ctx: FormContext, y: float) -> float:
    s = ctx.settings
    extension = f"、延長は最大{s.max_extension_minutes}分" if s.max_extension_minutes > 0 else ""
    items = [
        "「セカンドオピニオン外来のご案内」を読みました。自由診療（健康保険は使えません）で、"
        f"料金は{fee_words(s)}（税込{extension}）であることを了承します。",
        f"主治医の先生に作成していただいた「{REFERRAL_NAME}」と検査資料を、"
        f"予約日時の{s.materials_deadline_days}日前までに持参します。",
    ]
    size = 10.0
    side = size * 0.95
    for text in items:
        checkbox(c, LEFT + 1 * mm, y - 4.6 * mm, False, side)
        fit = draw_fit(
            c,
            text,
            Rect.below(LEFT + 6 * mm, y, CONTENT_W - 6 * mm, 11 * mm),
            size=size,
            valign="top",
            pad=0.5 * mm,
            vpad=0.5 * mm,
        )
        y -= max(fit.height, size * 1.25) + 2.5 * mm
    # Room above the line for a signature written at ordinary size.
    y -= 8 * mm
    underline_field(c, LEFT, y, 78 * mm, "申込者署名 ")
    underline_field(c, LEFT + 82 * mm, y, 32 * mm, "続柄 ")
    date_x = LEFT + 118 * mm
    draw_string(c, date_x, y, "記入日", 10.5)
    draw_string(c, RIGHT, y, ctx.date(None), 10.5, align="right")
    hline(c, date_x + 12 * mm, RIGHT, y - 1.5 * mm, THIN)
    return y - 4 * mm
