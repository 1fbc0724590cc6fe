"""Issue 24's last look at every form (200 dpi mono): what a reader found wrong, read back."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from pypdf.generic import ContentStream

from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.printing import build_form, register_fonts
from desktop_app.printing.forms.mailing import ENDED_STEP

from .conftest import pdf_lines, pdf_text, read_pdf


@pytest.fixture(autouse=True, scope="module")
def _fonts() -> None:
    register_fonts()


def _drawn_lines(pdf: bytes) -> list[str]:
    """The text of each line as drawn (one string per baseline), spaces removed: pypdf's
    plain extraction joins the lines of one table row."""
    rows: dict[tuple[int, float], str] = {}
    for n, page in enumerate(read_pdf(pdf).pages):

        def visit(text: str, cm: object, tm: list[float], *_: object, n: int = n) -> None:
            key = (n, round(tm[5], 1))
            rows[key] = rows.get(key, "") + "".join(text.split()).replace("\u00a0", "")

        page.extract_text(visitor_text=visit)
    return [text for text in rows.values() if text]


def test_the_confirmation_goes_to_whom_the_mail_goes(settings, full_case, today):
    # A minor's letters go to the parent: the confirmation too, as the cover and envelope.
    case = replace(
        full_case,
        patient=replace(full_case.patient, name="小林　陽子"),
        send_to_name="小林　隆",
        send_to_postal="0530054",
        send_to_address="北海道苫小牧市明野新町7-15-4",
    )
    lines = pdf_lines(build_form(FormKind.CONFIRMATION, settings, case, today=today))
    assert "小林隆様" in lines
    assert "小林陽子様" not in lines
    assert "患者氏名小林陽子" in lines  # the patient still named in the table


@pytest.mark.parametrize(
    "changes",
    [
        {"decision": Decision.DECLINED, "stage": Stage.EXCLUDED},
        {"decision": Decision.PENDING, "stage": Stage.CANCELLED},
        {"decision": Decision.GENERAL_OUTPATIENT, "stage": Stage.EXCLUDED},
    ],
)
def test_a_cover_of_a_case_that_will_not_be_booked_promises_no_date(
    changes, settings, full_case, today
):
    case = replace(full_case, appointment=None, materials_due=None, **changes)
    text = pdf_text(build_form(FormKind.COVER, settings, case, today=today))
    assert "お電話でご連絡します" not in text
    assert "作成をご依頼ください" not in text
    assert "".join(ENDED_STEP.split()) in text
    assert "お手続きについて" in text


def test_a_cover_of_an_open_case_still_promises_the_call(settings, full_case, today):
    case = replace(full_case, appointment=None, materials_due=None, stage=Stage.DOCTOR_REVIEW)
    text = pdf_text(build_form(FormKind.COVER, settings, case, today=today))
    assert "お電話でご連絡します" in text
    assert ENDED_STEP not in text


def test_the_blank_decline_letter_leaves_no_unlined_gap_for_the_name(settings, today):
    text = pdf_text(build_form(FormKind.DECLINE, settings, None, today=today))
    assert "外来に下記の患者さんのご相談をお申し込みいただき" in text
    assert "に様のご相談" not in text


def test_the_fax_subject_keeps_the_case_number_with_its_label(settings, full_case, today):
    # 「予約日時のご連絡（予約確認書）」 and the number do not fit one line: the break comes
    # before the bracket, never between 受付番号 and the number.
    case = replace(full_case, actual_minutes=None, report_written_on=None, payment=None)
    lines = _drawn_lines(build_form(FormKind.FAX_COVER, settings, case, today=today))
    assert "セカンドオピニオン外来予約日時のご連絡（予約確認書）" in lines
    assert "（受付番号SO-2026-0042）" in lines
    assert not any(line.endswith("（受付番号") for line in lines)


@pytest.mark.parametrize("kind", [FormKind.GUIDE, FormKind.CONFIRMATION])
def test_the_staff_who_guide_stay_on_one_line(kind, settings, full_case, today):
    lines = _drawn_lines(build_form(kind, settings, full_case, today=today))
    assert any("係の者が" in line for line in lines)
    assert not any(line.endswith("係の") for line in lines)


def test_the_blank_envelope_has_lines_to_write_the_address_and_name_on(settings, today):
    pdf = build_form(FormKind.LABEL, settings, None, today=today)
    assert "様" in pdf_text(pdf)
    page = read_pdf(pdf).pages[0]
    ops = ContentStream(page.get_contents(), page.pdf).operations
    lines = [
        (float(a[0]), float(b[0]), float(a[1]))
        for (a, op_a), (b, op_b) in itertools.pairwise(ops)
        if op_a == b"m" and op_b == b"l" and abs(float(a[1]) - float(b[1])) < 0.01
    ]
    width = float(page.mediabox.width)
    long_lines = [y for x1, x2, y in lines if abs(x2 - x1) > width / 2]
    # two address lines, the name's line and the rule above the sender
    assert len(long_lines) >= 4
    assert any(abs(x2 - x1) < width / 2 for x1, x2, _ in lines)  # the postal code's


def test_a_filled_envelope_draws_no_writing_lines(settings, full_case, today):
    page = read_pdf(build_form(FormKind.LABEL, settings, full_case, today=today)).pages[0]
    ops = ContentStream(page.get_contents(), page.pdf).operations
    assert sum(1 for _, op in ops if op == b"l") == 1  # only the rule above the sender
