"""Every form builds for a complete case, the longest values and blank; read back with pypdf."""

from __future__ import annotations

from datetime import date

import pytest
from reportlab.lib.pagesizes import A4, landscape

from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import ClinicSettings, DateStyle
from desktop_app.printing import CaseInfo, build_form, packet_kinds
from desktop_app.printing.forms.mailing import NAGA3
from tests.printing.samples import sample_day_entries, sample_fax

from .conftest import pdf_text, read_pdf

VARIANTS = ("full", "long", "blank")


def _case(variant: str, full: CaseInfo, longest: CaseInfo) -> CaseInfo | None:
    return {"full": full, "long": longest, "blank": None}[variant]


def _build(kind: FormKind, settings: ClinicSettings, case: CaseInfo | None, today: date) -> bytes:
    return build_form(
        kind,
        settings,
        case,
        today=today,
        day_entries=sample_day_entries(),
        fax=sample_fax(case) if case else None,
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", list(FormKind))
def test_every_form_builds_embeds_fonts_and_has_its_page_size(
    kind, variant, settings, full_case, longest_case, today
):
    data = _build(kind, settings, _case(variant, full_case, longest_case), today)
    reader = read_pdf(data)
    assert len(reader.pages) >= 1
    expected = {FormKind.DAYLIST: landscape(A4), FormKind.LABEL: NAGA3}.get(kind, A4)
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(expected[0], abs=0.01)
        assert float(box.height) == pytest.approx(expected[1], abs=0.01)
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            # Only the bundled IPAex Gothic, embedded as a subset (AAAAAA+ prefix).
            assert font["/BaseFont"].split("+", 1)[1] == "IPAexGothic"
            assert "+" in font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"]
    meta = reader.metadata
    assert meta.title == kind.label
    assert meta.author == f"{settings.hospital_name} {settings.office_name}"


@pytest.mark.parametrize(
    "kind",
    [k for k in FormKind if k not in (FormKind.DAYLIST, FormKind.GUIDE, FormKind.FAX_COVER)],
)
def test_filled_values_are_printed(kind, settings, full_case, today):
    text = pdf_text(_build(kind, settings, full_case, today))
    assert "0144-33-4678" in text  # the office FAX, formatted, on every form
    if kind != FormKind.LABEL:
        assert full_case.case_number in text
    name = "".join(full_case.patient.name.split())
    if kind not in (FormKind.COVER, FormKind.LABEL, FormKind.RECEIPT):
        assert name in text
    elif kind == FormKind.RECEIPT:
        assert "¥11,000-" in text and "".join(full_case.patient.name.split()) in text


def test_application_prefill(settings, full_case, today):
    text = pdf_text(_build(FormKind.APPLICATION, settings, full_case, today))
    for value in (
        "ヤマダハナコ",
        "昭和33年4月12日（1958年）",
        "〒053-0811",
        "0144-72-1234",
        "北海道みなと総合病院",
        "消化器内科",
        "佐藤一郎先生",
        "FAX送信先",
    ):
        assert value in text


def test_longest_values_are_printed_whole(settings, longest_case, today):
    text = pdf_text(_build(FormKind.APPLICATION, settings, longest_case, today))
    assert "".join(longest_case.referrer.institution.split()) in text
    assert "".join(longest_case.patient.name.split()) in text
    # 400 characters of consultation text are all on the form, not cut with …
    assert "".join(longest_case.consultation.split())[-30:] in text


def test_receipt_tax_and_registration_number(settings, full_case, today):
    text = pdf_text(_build(FormKind.RECEIPT, settings, full_case, today))
    assert "T1234567890123" in text
    assert "内消費税額" in text and "1,000円" in text
    assert "自由診療" in text
    plain = pdf_text(_build(FormKind.RECEIPT, ClinicSettings(), full_case, today))
    assert "登録番号" not in plain


def test_dates_follow_the_date_style(full_case, today):
    seireki = ClinicSettings(date_style=DateStyle.SEIREKI)
    text = pdf_text(_build(FormKind.CONFIRMATION, seireki, full_case, today))
    assert "2026年11月24日（火）" in text and "令和8年11月24日" not in text
    text = pdf_text(_build(FormKind.CONFIRMATION, ClinicSettings(), full_case, today))
    assert "令和8年11月24日（火）" in text
    assert "令和8年11月20日（金）" in text  # materials due


def test_guide_follows_settings_and_has_at_most_two_pages(today):
    settings = ClinicSettings(fee_per_block_yen=6600, session_minutes=45, tel="0112223333")
    data = _build(FormKind.GUIDE, settings, None, today)
    assert len(read_pdf(data).pages) <= 2
    text = pdf_text(data)
    assert "45分まで6,600円" in text
    assert "011-222-3333" in text


def _pages(kind, settings, case, today) -> int:
    return len(read_pdf(_build(kind, settings, case, today)).pages)


@pytest.mark.parametrize("needs_consent", [False, True])
def test_packet_is_the_sum_of_its_parts(needs_consent, settings, full_case, today):
    from dataclasses import replace

    case = replace(full_case, needs_consent=needs_consent)
    kinds = packet_kinds(case)
    assert (FormKind.CONSENT in kinds) is needs_consent
    assert kinds[0] == FormKind.COVER
    packet = read_pdf(_build(FormKind.PACKET, settings, case, today))
    assert len(packet.pages) == sum(_pages(k, settings, case, today) for k in kinds)
    text = "".join(p.extract_text() for p in packet.pages)
    assert (
        "相談同意書" in text.split("セカンドオピニオン外来専用診療情報提供書")[-1]
    ) is needs_consent


def test_daylist_is_sorted_and_runs_onto_more_pages(settings, today):
    entries = sample_day_entries(count=30)
    data = build_form(
        FormKind.DAYLIST, settings, today=today, day_entries=entries[::-1], day=date(2026, 11, 24)
    )
    reader = read_pdf(data)
    assert len(reader.pages) >= 2
    text = "".join(p.extract_text() for p in reader.pages)
    assert text.index("SO-2026-0040") < text.index("SO-2026-0041")
    assert "令和8年11月24日（火）" in text
