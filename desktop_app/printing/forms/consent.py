"""相談同意書: the patient agrees that a family member consults in their place."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.forms import REFERRAL_NAME
from desktop_app.printing.context import (
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
    TOP,
    Rect,
    box,
    draw_fit,
    draw_string,
    flow_paragraph,
)

TITLE = "相談同意書"
LABEL_W = 32 * mm


def draw_consent(c: Canvas, ctx: FormContext) -> None:
    """One A4 page: consent text, the patient's signature, the family member's details."""
    start_page(c)
    s, case = ctx.settings, ctx.case
    draw_case_number(c, ctx, RIGHT, TOP)
    y = draw_title(c, TITLE, TOP - 18 * mm, size=22) - 4 * mm
    draw_fit(
        c, f"{s.hospital_name}長\u3000様", Rect.below(LEFT, y, 120 * mm, 8 * mm), size=13, pad=0
    )
    y -= 16 * mm
    y = flow_paragraph(
        c,
        "私は、下記の者が私に代わって、貴院のセカンドオピニオン外来において私の病状・治療について"
        f"相談すること、またその際に私の診療情報（{REFERRAL_NAME}・検査資料）が"
        "提示・説明されることに同意します。",
        LEFT,
        y,
        CONTENT_W,
        size=12,
        leading=1.7,
    )
    y -= 8 * mm
    draw_string(c, RIGHT, y, f"同意日\u3000{ctx.date(None)}", 12, align="right")
    y -= 8 * mm

    y = _section(c, "患者（ご本人）", y)
    top = y
    patient = case.patient
    vx, vw = LEFT + LABEL_W, CONTENT_W - LABEL_W
    rows = [
        ("住所", f"{ctx.postal(patient.postal_code)} {patient.address}".strip(), 14 * mm),
        ("氏名", patient.name, 11 * mm),
        ("生年月日", birth_date_text(patient.birth_date) or BLANK_BIRTH, 10 * mm),
        ("ご本人の署名", "", 16 * mm),
    ]
    y = _rows(c, rows, y, vx, vw)
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    y -= 10 * mm

    y = _section(c, "相談者（ご家族）", y)
    top = y
    caller = case.caller
    family = caller.relationship is not None and caller.relationship.is_family
    relation = caller.relation_label
    rows = [
        ("氏名", caller.name if family else "", 13 * mm),
        ("患者との続柄", relation, 10 * mm),
        ("住所", "", 14 * mm),
        ("電話番号", ctx.phone(caller.phone) if family else "", 10 * mm),
    ]
    y = _rows(c, rows, y, vx, vw)
    box(c, LEFT, y, CONTENT_W, top - y, HEAVY)
    y -= 9 * mm

    notes = [
        "※ご家族だけで相談される場合に必要です。ご本人が署名し、資料と一緒に、または相談の当日に"
        "お持ちください。",
        "※患者さんが未成年の場合は、この同意書に代えて、ご相談者との続柄を確認できる書類"
        "（健康保険証など）で可とします。",
        "※ご本人とそのご家族以外の方のご相談はお受けできません。",
    ]
    for note in notes:
        y = flow_paragraph(c, note, LEFT, y, CONTENT_W, size=10, leading=1.45) - 1.5 * mm
    finish_page(c, ctx, case.case_number)


def _section(c: Canvas, title: str, y: float) -> float:
    draw_string(c, LEFT, y - 12 * 0.9, f"■ {title}", 12)
    return y - 6 * mm


def _rows(c: Canvas, rows: list[tuple[str, str, float]], y: float, vx: float, vw: float) -> float:
    for label, value, h in rows:
        label_cell(c, LEFT, y - h, LABEL_W, h, label)
        value_cell(c, vx, y - h, vw, h, value, size=13 if label == "氏名" else 11.5)
        y -= h
    return y
