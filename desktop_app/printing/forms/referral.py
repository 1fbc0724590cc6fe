"""セカンドオピニオン外来専用診療情報提供書: the template the primary doctor fills in."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.forms import REFERRAL_NAME
from desktop_app.domain.people import Sex, age_on
from desktop_app.printing.context import (
    BAR_MODULE,
    BLANK,
    QUIET_MODULES,
    FormContext,
    birth_date_text,
    case_number_width,
    draw_case_number,
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
    THIN,
    TOP,
    Rect,
    box,
    choices,
    draw_fit,
    draw_string,
    hline,
)

TITLE = REFERRAL_NAME
LABEL_W = 30 * mm
ATTACHMENTS = ("血液検査", "超音波", "X線", "MRI", "CT", "病理", "CD-R")
PURPOSE_LINES = 4  # ruled lines for ご質問の要点
PURPOSE_LINE_H = 7 * mm
# (label, height): the parts of a 診療情報提供書 the primary doctor writes by hand, tall
# enough for handwriting; 症状経過・検査結果 and 治療経過 take most of the page, as on the
# standard form. Tests hold the heights to these values.
WRITE_BOXES = (
    ("既往歴・家族歴", 18 * mm),
    ("症状経過・\n検査結果", 38 * mm),
    ("治療経過", 25 * mm),
    ("現在の処方", 14 * mm),
    ("備考", 14 * mm),
)
SHORT_BLANK_BIRTH = f"明・大・昭・平・令{BLANK * 2}年{BLANK * 2}月{BLANK * 2}日"
PURPOSE_H = 5.5 * mm + PURPOSE_LINES * PURPOSE_LINE_H
DOCTOR_W = 95 * mm  # 医師氏名 and its line; 診療科 follows on the same line


def addressee(ctx: FormContext) -> str:
    """'セカンドオピニオン外来　外科　高橋　誠　先生' once the doctor is assigned."""
    case = ctx.case
    parts = ["セカンドオピニオン外来"]
    if case.assigned_department:
        parts.append(case.assigned_department)
    parts.append(
        f"{case.assigned_doctor}\u3000先生" if case.assigned_doctor else "担当医\u3000先生"
    )
    return "\u3000".join(parts)


def age_text(ctx: FormContext) -> str:
    """'（満67歳）' on the day the form is printed; blank to fill in otherwise."""
    birth = ctx.case.patient.birth_date
    if birth is None or birth > ctx.today:
        return f"（満{BLANK * 2}歳）"
    return f"（満{age_on(birth, ctx.today)}歳）"


def draw_referral(c: Canvas, ctx: FormContext) -> None:
    """One A4 page addressed to the office; the patient block pre-filled."""
    start_page(c)
    s, case, patient = ctx.settings, ctx.case, ctx.case.patient
    below_number = draw_case_number(c, ctx, RIGHT, TOP)
    room = CONTENT_W - case_number_width(case.case_number) - QUIET_MODULES * BAR_MODULE
    draw_fit(c, TITLE, Rect.below(LEFT, TOP, room, 10 * mm), size=16, pad=0)
    y = min(TOP - 11 * mm, below_number) - 1 * mm
    draw_fit(
        c,
        f"{s.hospital_name}\u3000{s.office_name}\u3000御中",
        Rect.below(LEFT, y, 105 * mm, 6 * mm),
        size=11.5,
        pad=0,
    )
    draw_string(c, RIGHT, y - 4.5 * mm, f"記入日\u3000{ctx.date(None)}", 10.5, align="right")
    draw_fit(c, addressee(ctx), Rect.below(LEFT, y - 6 * mm, CONTENT_W, 6 * mm), size=11.5, pad=0)
    y -= 13 * mm

    top = y
    vx, vw = LEFT + LABEL_W, CONTENT_W - LABEL_W
    name_w = vw - 46 * mm
    label_cell(c, LEFT, y - 11 * mm, LABEL_W, 11 * mm, "患者氏名")
    box(c, vx, y - 11 * mm, name_w, 11 * mm, THIN)
    draw_fit(c, patient.furigana, Rect.below(vx, y, name_w, 4.2 * mm), size=9, vpad=0.3 * mm)
    draw_fit(c, patient.name, Rect(vx, y - 11 * mm, name_w, 7 * mm), size=13, vpad=0.3 * mm)
    sx = vx + name_w
    label_cell(c, sx, y - 11 * mm, 14 * mm, 11 * mm, "性別")
    box(c, sx + 14 * mm, y - 11 * mm, 32 * mm, 11 * mm, THIN)
    choices(
        c,
        sx + 17 * mm,
        y - 5.5 * mm,
        [("男", patient.sex == Sex.MALE), ("女", patient.sex == Sex.FEMALE)],
        11,
        4 * mm,
    )
    y -= 11 * mm
    side_w, side_label = 46 * mm, 14 * mm
    sx = vx + vw - side_w
    label_cell(c, LEFT, y - 8.5 * mm, LABEL_W, 8.5 * mm, "生年月日")
    birth = birth_date_text(patient.birth_date) or SHORT_BLANK_BIRTH
    value_cell(c, vx, y - 8.5 * mm, vw - side_w, 8.5 * mm, f"{birth}{age_text(ctx)}", size=11)
    # 職業: the office does not ask it; the doctor (or the patient) writes it in.
    label_cell(c, sx, y - 8.5 * mm, side_label, 8.5 * mm, "職業", 10)
    box(c, sx + side_label, y - 8.5 * mm, side_w - side_label, 8.5 * mm, THIN)
    y -= 8.5 * mm
    label_cell(c, LEFT, y - 9.5 * mm, LABEL_W, 9.5 * mm, "住所")
    address = f"{ctx.postal(patient.postal_code)} {patient.address}".strip()
    value_cell(c, vx, y - 9.5 * mm, vw - side_w, 9.5 * mm, address, size=11)
    label_cell(c, sx, y - 9.5 * mm, side_label, 9.5 * mm, "電話", 10)
    phone = ctx.phone(patient.phone or patient.mobile)
    value_cell(c, sx + side_label, y - 9.5 * mm, side_w - side_label, 9.5 * mm, phone, size=11)
    y -= 9.5 * mm
    label_cell(c, LEFT, y - 10 * mm, LABEL_W, 10 * mm, "傷病名")
    value_cell(c, vx, y - 10 * mm, vw, 10 * mm, case.diagnosis, size=12)
    y -= 10 * mm
    y = _purpose(c, y, vx, vw)

    for label, h in WRITE_BOXES:
        label_cell(c, LEFT, y - h, LABEL_W, h, label)
        box(c, vx, y - h, vw, h, THIN)
        y -= h
    h = 8.5 * mm
    label_cell(c, LEFT, y - h, LABEL_W, h, "添付資料")
    box(c, vx, y - h, vw, h, THIN)
    end = choices(c, vx + 2 * mm, y - h / 2, [(a, False) for a in ATTACHMENTS], 10.5, 2.6 * mm)
    draw_string(c, end, y - h / 2 - 10.5 * 0.36, f"その他（{BLANK * 4}）", 10.5)
    y -= h
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    _doctor_block(c, ctx, y - 2 * mm)
    finish_page(c, ctx, case.case_number)


def _purpose(c: Canvas, y: float, vx: float, vw: float) -> float:
    """紹介目的: the purpose printed, and ruled lines for ご質問の要点."""
    h = PURPOSE_H
    label_cell(c, LEFT, y - h, LABEL_W, h, "紹介目的")
    box(c, vx, y - h, vw, h, THIN)
    draw_string(
        c, vx + 2 * mm, y - 4.2 * mm, "セカンドオピニオン（診断・治療方針についてのご意見）", 10.5
    )
    line_y = y - 5.5 * mm
    draw_string(c, vx + 2 * mm, line_y - PURPOSE_LINE_H + 1.8 * mm, "ご質問の要点：", 9.5)
    for _ in range(PURPOSE_LINES - 1):
        line_y -= PURPOSE_LINE_H
        hline(c, vx + 2 * mm, vx + vw - 2 * mm, line_y, 0.5)
    return y - h


def _doctor_block(c: Canvas, ctx: FormContext, y: float) -> None:
    """The referring doctor's institution, address, telephone, 診療科, name and seal."""
    ref = ctx.case.referrer
    label_w, row_h = 24 * mm, 6.8 * mm
    rows = (
        ("医療機関名", ref.institution),
        ("所在地", f"{ctx.postal(ref.postal_code)} {ref.address}".strip()),
        ("電話・FAX", _tel_fax(ctx, ref.tel, ref.fax)),
    )
    for label, value in rows:
        draw_string(c, LEFT, y - row_h + 2 * mm, label, 10)
        _line_value(c, value, LEFT + label_w, y - row_h + 0.8 * mm, RIGHT, row_h)
        y -= row_h
    y -= 1.5 * mm
    base = y - row_h + 0.8 * mm
    seal_x = RIGHT - 9 * mm
    dept_x = LEFT + DOCTOR_W
    draw_string(c, LEFT, y - row_h + 2 * mm, "医師氏名", 10)
    _line_value(c, ref.doctor, LEFT + label_w, base, dept_x - 3 * mm, row_h, 12)
    draw_string(c, dept_x, y - row_h + 2 * mm, "診療科", 10)
    _line_value(c, ref.department, dept_x + 13 * mm, base, seal_x - 3 * mm, row_h)
    c.setLineWidth(THIN)
    c.circle(seal_x + 3.5 * mm, y - row_h / 2 + 1 * mm, 4.2 * mm, stroke=1, fill=0)
    draw_string(c, seal_x + 3.5 * mm, y - row_h / 2 + 1 * mm - 10 * 0.36, "印", 10, align="center")


def _line_value(
    c: Canvas, value: str, x: float, base: float, end: float, h: float, size: float = 11
) -> None:
    """A value written on a line from ``x`` to ``end`` (the line is drawn, blank or not)."""
    draw_fit(
        c, value, Rect(x, base, end - x - 1 * mm, h), size=size, valign="bottom", vpad=0.3 * mm
    )
    hline(c, x, end, base, THIN)


def _tel_fax(ctx: FormContext, tel: str, fax: str) -> str:
    parts = []
    if tel:
        parts.append(f"TEL {ctx.phone(tel)}")
    if fax:
        parts.append(f"FAX {ctx.phone(fax)}")
    return "\u3000".join(parts)
