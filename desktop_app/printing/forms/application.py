"""セカンドオピニオン外来申込書: pre-filled with what the office knows, faxed or mailed back."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.people import Attendance, ConsultationCategory, Sex
from desktop_app.printing.context import (
    BLANK,
    FormContext,
    birth_date_text,
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
    hline,
)

TITLE = "セカンドオピニオン外来申込書"
LABEL_W = 30 * mm
BLANK_BIRTH = f"明治・大正・昭和・平成{BLANK * 4}年{BLANK * 2}月{BLANK * 2}日（西暦{BLANK * 3}年）"


def draw_application(c: Canvas, ctx: FormContext) -> None:
    """One A4 page; the case number is printed as text and Code 128 so a fax finds its case."""
    start_page(c)
    case, patient = ctx.case, ctx.case.patient
    banner_w = 118 * mm
    y = draw_fax_banner(c, ctx, LEFT, TOP, banner_w)
    draw_case_number(c, ctx, RIGHT, TOP)
    y = draw_title(c, TITLE, y - 3 * mm)
    draw_fit(
        c,
        "太枠の中をご記入ください。印字済みの欄に誤りがあれば、二重線で消して正しくご記入ください。",
        Rect.below(LEFT, y, CONTENT_W, 5 * mm),
        size=9.5,
        pad=0,
    )
    y -= 7 * mm
    top_of_table = y
    value_x = LEFT + LABEL_W
    value_w = CONTENT_W - LABEL_W

    # フリガナ / 氏名 with 性別 at the right, spanning both rows.
    sex_w = 34 * mm
    name_w = value_w - sex_w - 14 * mm
    label_cell(c, LEFT, y - 8 * mm, LABEL_W, 8 * mm, "フリガナ", 9.5)
    value_cell(c, value_x, y - 8 * mm, name_w, 8 * mm, patient.furigana, size=11)
    label_cell(c, LEFT, y - 21 * mm, LABEL_W, 13 * mm, "患者氏名")
    value_cell(c, value_x, y - 21 * mm, name_w, 13 * mm, patient.name, size=16)
    label_cell(c, value_x + name_w, y - 21 * mm, 14 * mm, 21 * mm, "性別")
    sx = value_x + name_w + 14 * mm
    box(c, sx, y - 21 * mm, sex_w, 21 * mm, THIN)
    choices(
        c,
        sx + 3 * mm,
        y - 10.5 * mm,
        [("男", patient.sex == Sex.MALE), ("女", patient.sex == Sex.FEMALE)],
        12,
        6 * mm,
    )
    y -= 21 * mm

    label_cell(c, LEFT, y - 10 * mm, LABEL_W, 10 * mm, "生年月日")
    birth = birth_date_text(patient.birth_date) or BLANK_BIRTH
    value_cell(c, value_x, y - 10 * mm, value_w, 10 * mm, birth, size=12)
    y -= 10 * mm

    addr_h = 16 * mm
    label_cell(c, LEFT, y - addr_h, LABEL_W, addr_h, "住所")
    box(c, value_x, y - addr_h, value_w, addr_h, THIN)
    postal = ctx.postal(patient.postal_code) or f"〒{BLANK * 3}－{BLANK * 4}"
    draw_fit(c, postal, Rect.below(value_x, y, value_w, 6 * mm), size=11)
    draw_fit(
        c,
        patient.address,
        Rect(value_x, y - addr_h, value_w, addr_h - 6 * mm),
        size=12,
        valign="top",
        vpad=0.3 * mm,
    )
    y -= addr_h

    label_cell(c, LEFT, y - 10 * mm, LABEL_W, 10 * mm, "電話番号")
    half = value_w / 2
    value_cell(c, value_x, y - 10 * mm, half, 10 * mm, "")
    value_cell(c, value_x + half, y - 10 * mm, half, 10 * mm, "")
    for i, (label, digits) in enumerate((("自宅", patient.phone), ("携帯", patient.mobile))):
        x = value_x + i * half
        draw_string(c, x + 2 * mm, centre_y(y - 10 * mm, 10 * mm, 9.5), label, 9.5)
        draw_fit(c, ctx.phone(digits), Rect.below(x + 10 * mm, y, half - 10 * mm, 10 * mm), size=12)
    y -= 10 * mm

    y = _attendance(c, ctx, y, value_x, value_w)

    ref = case.referrer
    row_h = 11 * mm
    dept_w = 64 * mm
    dept_x = value_x + value_w - dept_w
    label_cell(c, LEFT, y - row_h, LABEL_W, row_h, "紹介元医療機関", 9.5)
    value_cell(c, value_x, y - row_h, value_w - dept_w, row_h, ref.institution, size=11.5)
    _side_label_cell(c, dept_x, y - row_h, dept_w, row_h, "診療科", ref.department)
    y -= row_h
    label_cell(c, LEFT, y - row_h, LABEL_W, row_h, "主治医")
    doctor = f"{ref.doctor}\u3000先生" if ref.doctor else ""
    value_cell(c, value_x, y - row_h, value_w - dept_w, row_h, doctor, size=11.5)
    _side_label_cell(c, dept_x, y - row_h, dept_w, row_h, "希望診療科", case.desired_department)
    y -= row_h

    y = _consultation(c, ctx, y, value_x, value_w)
    y = _wishes(c, y, value_x, value_w)
    # The frame the patient fills is drawn heavy so it survives a blurred fax.
    box(c, LEFT, y, CONTENT_W, top_of_table - y, HEAVY)
    y = _agreement(c, ctx, y - 3 * mm)
    finish_page(c, ctx, ctx.case.case_number)


def _side_label_cell(
    c: Canvas, x: float, y: float, w: float, h: float, label: str, value: str
) -> None:
    """A field name at the left of a cell and its value beside it (two lines when long)."""
    lw = 19 * mm
    label_cell(c, x, y, lw, h, label, 9.5)
    value_cell(c, x + lw, y, w - lw, h, value, size=11)


def _attendance(c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float) -> float:
    case = ctx.case
    h = 17 * mm
    label_cell(c, LEFT, y - h, 30 * mm, h, "来院される方", 10)
    box(c, value_x, y - h, value_w, h, THIN)
    choices(
        c,
        value_x + 2 * mm,
        y - 4.5 * mm,
        [
            ("本人のみ", case.attendance == Attendance.PATIENT),
            ("本人と家族", case.attendance == Attendance.PATIENT_AND_FAMILY),
            ("家族のみ", case.attendance == Attendance.FAMILY_ONLY),
        ],
        WRITE_SIZE,
        4 * mm,
    )
    note = "※家族のみは相談同意書が必要"
    draw_fit(
        c,
        note,
        Rect.below(value_x + value_w - 52 * mm, y, 51 * mm, 9 * mm),
        size=9,
        align="right",
        pad=0.5 * mm,
    )
    caller = case.caller
    family = caller.relationship is not None and caller.relationship.is_family
    name = caller.name if family else ""
    relation = caller.relationship.label if family and caller.relationship else ""
    base = y - h + 3 * mm
    underline_field(c, value_x + 2 * mm, base, 90 * mm, "ご家族の氏名 ", name)
    underline_field(c, value_x + 97 * mm, base, value_w - 99 * mm, "続柄 ", relation)
    return y - h


def _consultation(c: Canvas, ctx: FormContext, y: float, value_x: float, value_w: float) -> float:
    case = ctx.case
    h = 62 * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "ご相談の内容")
    box(c, value_x, y - h, value_w, h, THIN)
    cats = list(ConsultationCategory)
    col = value_w / 2
    for i, cat in enumerate(cats):
        cx = value_x + 2 * mm + (i % 2) * col
        cy = y - 4.5 * mm - (i // 2) * 6 * mm
        side = 9.5 * 0.95
        checkbox(c, cx, cy - side / 2, case.category == cat, side)
        draw_fit(
            c,
            cat.label,
            Rect(cx + side + 1 * mm, cy - 3 * mm, col - side - 4 * mm, 6 * mm),
            size=9.5,
            pad=0.5 * mm,
        )
    text_top = y - 14 * mm
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
            vpad=1.5 * mm,
            leading=1.3,
        )
    else:
        # Ruled lines 8 mm apart: room for handwriting of ordinary size.
        line_y = text_top - 8 * mm
        while line_y > y - h + 3 * mm:
            hline(c, value_x + 2 * mm, value_x + value_w - 2 * mm, line_y, 0.5)
            line_y -= 8 * mm
    return y - h


def _wishes(c: Canvas, y: float, value_x: float, value_w: float) -> float:
    h = 15 * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "ご希望の日時", 10)
    box(c, value_x, y - h, value_w, h, THIN)
    slot = f"{BLANK * 2}月{BLANK * 2}日（{BLANK}）午前・午後"
    size = WRITE_SIZE
    first = y - 5.5 * mm
    draw_string(c, value_x + 2 * mm, first, f"第1希望　{slot}", size)
    draw_string(c, value_x + value_w / 2 + 2 * mm, first, f"第2希望　{slot}", size)
    underline_field(
        c, value_x + 2 * mm, y - h + 3 * mm, value_w - 4 * mm, "ご都合の悪い曜日・時間帯 "
    )
    return y - h


def _agreement(c: Canvas, ctx: FormContext, y: float) -> float:
    s = ctx.settings
    fee = f"{s.fee_per_block_yen:,}"
    items = [
        "「セカンドオピニオン外来のご案内」を読みました。自由診療（健康保険は使えません）で、"
        f"料金は{s.session_minutes}分まで{fee}円、延長{s.max_extension_minutes}分ごとに"
        f"{fee}円（税込）であることを了承します。",
        "主治医にセカンドオピニオンを受けることを伝え、診療情報提供書と検査資料を"
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
    y -= 9 * mm
    underline_field(c, LEFT, y, 78 * mm, "申込者署名 ")
    underline_field(c, LEFT + 82 * mm, y, 32 * mm, "続柄 ")
    date_x = LEFT + 118 * mm
    draw_string(c, date_x, y, "記入日", 10.5)
    draw_string(c, RIGHT, y, ctx.date(None), 10.5, align="right")
    hline(c, date_x + 12 * mm, RIGHT, y - 1.5 * mm, THIN)
    return y - 4 * mm
