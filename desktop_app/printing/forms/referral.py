"""セカンドオピニオン外来専用診療情報提供書: the template the primary doctor fills in."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.people import Sex
from desktop_app.printing.context import (
    BLANK,
    FormContext,
    birth_date_text,
    draw_case_number,
    draw_title,
    finish_page,
    label_cell,
    start_page,
    value_cell,
)
from desktop_app.printing.forms.application import BLANK_BIRTH
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

TITLE = "セカンドオピニオン外来専用診療情報提供書"
LABEL_W = 30 * mm
ATTACHMENTS = ("血液検査", "超音波", "X線", "MRI", "CT", "病理", "CD-R")
# (label, height): boxes tall enough for a doctor's handwriting at ordinary size.
WRITE_BOXES = (
    ("傷病名", 12 * mm),
    ("既往歴・家族歴", 15 * mm),
    ("症状経過・\n検査結果", 34 * mm),
    ("治療経過", 22 * mm),
    ("現在の処方", 18 * mm),
    ("備考", 11 * mm),
)


def draw_referral(c: Canvas, ctx: FormContext) -> None:
    """One A4 page addressed to the office; the patient block pre-filled."""
    start_page(c)
    s, case, patient = ctx.settings, ctx.case, ctx.case.patient
    draw_case_number(c, ctx, RIGHT, TOP)
    y = draw_title(c, TITLE, TOP - 19 * mm, size=16)
    draw_fit(
        c,
        f"{s.hospital_name}\u3000{s.office_name}\u3000御中",
        Rect.below(LEFT, y, 110 * mm, 7 * mm),
        size=12,
        pad=0,
    )
    draw_fit(
        c,
        "セカンドオピニオン外来担当医\u3000先生",
        Rect(LEFT, y - 13 * mm, 110 * mm, 6 * mm),
        size=11,
        pad=0,
    )
    draw_string(c, RIGHT, y - 11 * mm, f"記入日\u3000{ctx.date(None)}", 10.5, align="right")
    y -= 17 * mm

    top = y
    vx, vw = LEFT + LABEL_W, CONTENT_W - LABEL_W
    name_w = vw - 46 * mm
    label_cell(c, LEFT, y - 12 * mm, LABEL_W, 12 * mm, "患者氏名")
    box(c, vx, y - 12 * mm, name_w, 12 * mm, THIN)
    draw_fit(c, patient.furigana, Rect.below(vx, y, name_w, 4.5 * mm), size=9, vpad=0.3 * mm)
    draw_fit(c, patient.name, Rect(vx, y - 12 * mm, name_w, 7.5 * mm), size=13, vpad=0.3 * mm)
    sx = vx + name_w
    label_cell(c, sx, y - 12 * mm, 14 * mm, 12 * mm, "性別")
    box(c, sx + 14 * mm, y - 12 * mm, 32 * mm, 12 * mm, THIN)
    choices(
        c,
        sx + 17 * mm,
        y - 6 * mm,
        [("男", patient.sex == Sex.MALE), ("女", patient.sex == Sex.FEMALE)],
        11,
        4 * mm,
    )
    y -= 12 * mm
    label_cell(c, LEFT, y - 9 * mm, LABEL_W, 9 * mm, "生年月日")
    value_cell(
        c, vx, y - 9 * mm, vw, 9 * mm, birth_date_text(patient.birth_date) or BLANK_BIRTH, size=11
    )
    y -= 9 * mm
    label_cell(c, LEFT, y - 11 * mm, LABEL_W, 11 * mm, "住所")
    address = f"{ctx.postal(patient.postal_code)} {patient.address}".strip()
    value_cell(c, vx, y - 11 * mm, vw, 11 * mm, address, size=11)
    y -= 11 * mm
    label_cell(c, LEFT, y - 11 * mm, LABEL_W, 11 * mm, "紹介目的")
    box(c, vx, y - 11 * mm, vw, 11 * mm, THIN)
    draw_string(
        c, vx + 2 * mm, y - 4.6 * mm, "セカンドオピニオン（診断・治療方針についてのご意見）", 10.5
    )
    draw_string(c, vx + 2 * mm, y - 9.3 * mm, "ご質問の要点：", 9.5)
    y -= 11 * mm

    for label, h in WRITE_BOXES:
        label_cell(c, LEFT, y - h, LABEL_W, h, label)
        box(c, vx, y - h, vw, h, THIN)
        y -= h
    label_cell(c, LEFT, y - 10 * mm, LABEL_W, 10 * mm, "添付資料")
    box(c, vx, y - 10 * mm, vw, 10 * mm, THIN)
    end = choices(c, vx + 2 * mm, y - 5 * mm, [(a, False) for a in ATTACHMENTS], 10.5, 2.6 * mm)
    draw_string(c, end, y - 5 * mm - 10.5 * 0.36, f"その他（{BLANK * 4}）", 10.5)
    y -= 10 * mm
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    _doctor_block(c, ctx, y - 3 * mm)
    finish_page(c, ctx, case.case_number)


def _doctor_block(c: Canvas, ctx: FormContext, y: float) -> None:
    """The referring doctor's institution, address, telephone, name and seal."""
    ref = ctx.case.referrer
    rows = (
        ("医療機関名", ref.institution),
        ("所在地", f"{ctx.postal(ref.postal_code)} {ref.address}".strip()),
        ("電話・FAX", _tel_fax(ctx, ref.tel, ref.fax)),
    )
    label_w, row_h = 24 * mm, 7.5 * mm
    for label, value in rows:
        draw_string(c, LEFT, y - row_h + 2 * mm, label, 10)
        draw_fit(
            c,
            value,
            Rect(LEFT + label_w, y - row_h + 0.8 * mm, CONTENT_W - label_w, row_h),
            size=11,
            valign="bottom",
            vpad=0.3 * mm,
        )
        hline(c, LEFT + label_w, RIGHT, y - row_h + 0.8 * mm, THIN)
        y -= row_h
    y -= 3 * mm
    draw_string(c, LEFT, y - row_h + 2 * mm, "医師氏名", 10)
    seal_x = RIGHT - 9 * mm
    draw_fit(
        c,
        ref.doctor,
        Rect(LEFT + label_w, y - row_h + 0.8 * mm, seal_x - LEFT - label_w - 4 * mm, row_h),
        size=12,
        valign="bottom",
        vpad=0.3 * mm,
    )
    hline(c, LEFT + label_w, seal_x - 3 * mm, y - row_h + 0.8 * mm, THIN)
    c.setLineWidth(THIN)
    c.circle(seal_x + 3.5 * mm, y - row_h / 2 + 1 * mm, 4.2 * mm, stroke=1, fill=0)
    draw_string(c, seal_x + 3.5 * mm, y - row_h / 2 + 1 * mm - 10 * 0.36, "印", 10, align="center")


def _tel_fax(ctx: FormContext, tel: str, fax: str) -> str:
    parts = []
    if tel:
        parts.append(f"TEL {ctx.phone(tel)}")
    if fax:
        parts.append(f"FAX {ctx.phone(fax)}")
    return "\u3000".join(parts)
