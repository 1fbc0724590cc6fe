"""Issue 12, the forms' second pass: each check would have caught what a reader found."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from reportlab.lib.units import mm

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.forms import FormKind, packet_forms
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.printing import build_form
from desktop_app.printing.context import BAR_MODULE, QUIET_MODULES, case_number_width
from desktop_app.printing.forms import application, referral
from desktop_app.printing.forms.office import SIGN_H, daylist_rows_per_page
from desktop_app.printing.layout import CONTENT_W, LEFT, RIGHT, WRITE_SIZE, text_width
from desktop_app.printing.linebreak import wrap_text
from desktop_app.services.forms import record_printed, render_form
from tests.printing.samples import sample_day_entries

from .conftest import pdf_text, read_pdf

# A form's own title, as found on its first page, for the packet's forms.
PAGE_TITLES = {
    FormKind.COVER: "書類送付のご案内",
    FormKind.GUIDE: "セカンドオピニオン外来のご案内",
    FormKind.APPLICATION: "セカンドオピニオン外来申込書",
    FormKind.REFERRAL: "セカンドオピニオン外来専用診療情報提供書",
    FormKind.CONSENT: "相談同意書",
}


def _squash(text: str) -> str:
    return "".join(text.split()).replace("\u00a0", "")


def _enclosure_list(cover_text: str) -> list[str]:
    section = cover_text.split("■同封書類", 1)[1].split("■お手続き", 1)[0]
    return re.findall(r"\d．(.+?)(?=\d．|$)", section)


def _page_texts(pdf: bytes) -> list[str]:
    return [_squash(p.extract_text() or "") for p in read_pdf(pdf).pages]


def _packet_pages(store, case_id: int) -> tuple[list[str], list[FormKind]]:
    """The cover's enclosure list, and the forms whose pages follow it in the packet (each
    form's pages recognised by comparing them with that form printed alone)."""
    pages = _page_texts(render_form(store, FormKind.PACKET, case_id).pdf)
    alone = {k: _page_texts(render_form(store, k, case_id).pdf) for k in PAGE_TITLES}
    kinds: list[FormKind] = []
    i = 0
    while i < len(pages):
        kind = next(k for k, texts in alone.items() if pages[i : i + len(texts)] == texts)
        kinds.append(kind)
        i += len(alone[kind])
    assert kinds[0] == FormKind.COVER
    return _enclosure_list(pages[0]), kinds[1:]


@pytest.mark.parametrize("family_only", [False, True])
def test_the_cover_lists_exactly_the_pages_in_the_envelope(store, make_case, family_only):
    """Item 1: even after the consent form was printed on its own."""
    if family_only:
        case = make_case(attendance=Attendance.FAMILY_ONLY, relationship=Relationship.CHILD)
    else:
        case = make_case()
    render_form(store, FormKind.CONSENT, case.id)
    record_printed(store, FormKind.CONSENT, case.id)
    enclosed, kinds = _packet_pages(store, case.id)
    assert kinds == list(packet_forms(family_only)[1:])
    assert len(enclosed) == len(kinds)
    for label, kind in zip(enclosed, kinds, strict=True):
        assert label.replace("セカンドオピニオン外来", "") in PAGE_TITLES[kind]
    assert any("相談同意書" in label for label in enclosed) is family_only


def test_application_has_the_new_fields(settings, full_case, today):
    """Item 2: 病名, 告知, 了承, 希望担当医, the referrer's TEL/FAX, 令和 on the blank form."""
    text = pdf_text(build_form(FormKind.APPLICATION, settings, full_case, today=today))
    for value in ("病名", "胃がん（早期）", "病名の告知を", "受けている", "了承を得た",
                  "主治医に伝えた", "希望担当医", "011-222-3333", "011-222-3334"):  # fmt: skip
        assert value in text, value
    blank = pdf_text(build_form(FormKind.APPLICATION, settings, None, today=today))
    assert "令和" in blank.split("生年月日", 1)[1][:40]
    assert "受付番号" in blank


def test_application_rows_and_wishes_have_room_to_write():
    """Item 2: 希望日時 is two lines of at least 7 mm in at least 20 mm; the weekday bracket
    holds a handwritten kanji (at least 7 mm)."""
    assert application.ROWS["wishes"] >= 20
    assert 7 * mm <= application.WISH_LINE
    assert text_width(application.WEEKDAY_BRACKET, WRITE_SIZE) >= 7 * mm
    assert application.ROWS["consultation"] >= 50


@pytest.mark.parametrize("number", ["SO-2026-0042", "SO-2026-12345", "SO-2099-99999"])
def test_the_barcode_keeps_its_quiet_zone_from_the_fax_box(number):
    """Item 2: at least 10 modules (about 4 mm) between the FAX box and the bars."""
    bars_left = RIGHT - case_number_width(number)
    banner_right = LEFT + application.banner_width(number)
    assert bars_left - banner_right >= QUIET_MODULES * BAR_MODULE
    assert 3.8 * mm <= QUIET_MODULES * BAR_MODULE


def test_referral_prefills_and_has_room(settings, full_case, today):
    """Item 3: phone, age, 職業 box, addressee once assigned, 病名; boxes to write in."""
    text = pdf_text(build_form(FormKind.REFERRAL, settings, full_case, today=today))
    for value in ("0144-72-1234", "満68歳", "職業", "外科高橋誠先生", "胃がん（早期）",
                  "ご質問の要点"):  # fmt: skip
        assert value in text, value
    heights = dict(referral.WRITE_BOXES)
    assert referral.PURPOSE_LINES >= 4 and 7 * mm <= referral.PURPOSE_LINE_H
    assert heights["既往歴・家族歴"] >= 18 * mm
    assert heights["治療経過"] >= 25 * mm
    assert heights["備考"] >= 14 * mm
    course = heights["症状経過・\n検査結果"] + heights["治療経過"]
    assert course >= 60 * mm and course > sum(heights.values()) / 2


def test_fax_cover_pages_subject_and_sender(settings, full_case, today):
    """Item 4: room for the number before 枚, a subject for the case, the sending clerk."""
    text = pdf_text(build_form(FormKind.FAX_COVER, settings, full_case, today=today))
    assert "ご報告書の送付（受付番号SO-2026-0042）" in text
    assert "送信者（担当）" in text
    booked = replace(full_case, actual_minutes=None, report_written_on=None, clerk="鈴木")
    text = pdf_text(build_form(FormKind.FAX_COVER, settings, booked, today=today))
    assert "予約日時のご連絡" in text and "鈴木" in text
    from desktop_app.printing.forms.notices import PAGES_W

    assert 15 * mm <= PAGES_W


def test_report_dates_minutes_attendees_returns_and_signature(settings, full_case, today):
    """Item 5."""
    text = pdf_text(build_form(FormKind.REPORT, settings, full_case, today=today))
    assert "作成日令和8年11月26日" in text
    assert "令和8年11月10日" not in text  # the day it was printed
    assert "14:00〜14:45（45分）" in text
    assert "ご本人山田花子、子山田太郎" in text
    assert "画像CD-R2点" in text and "病理検査の報告書1点" in text
    assert "担当医署名・印" in text
    assert 10 * mm <= SIGN_H


def test_confirmation_and_consent_agree_on_when_the_consent_comes(settings, longest_case, today):
    """Item 6: consent (and proof for a minor) come with the materials or on the day."""
    text = pdf_text(build_form(FormKind.CONFIRMATION, settings, longest_case, today=today))
    due_part, day_part = text.split("次のものは、資料と一緒に、または相談の当日にお持ちください。")
    assert "相談同意書" not in due_part.split("お持ちいただくもの", 1)[1]
    assert "相談同意書" in day_part.split("■料金", 1)[0]
    consent = pdf_text(build_form(FormKind.CONSENT, settings, longest_case, today=today))
    assert "資料と一緒に、または相談の当日にお持ちください" in consent
    # A minor's family brings a proof of the relationship instead (on the case's checklist).
    proof = tuple(
        DocumentKind.RELATIONSHIP_PROOF if k == DocumentKind.CONSENT else k
        for k in longest_case.required_incoming
    )
    minor = replace(
        longest_case, patient_is_minor=True, needs_consent=False, required_incoming=proof
    )
    text = pdf_text(build_form(FormKind.CONFIRMATION, settings, minor, today=today))
    assert "続柄確認書類（健康保険証など）" in text


def test_line_breaks_keep_numbers_and_brackets_whole_and_avoid_short_last_lines():
    """Item 6: 「（TEL 0144-84-0158）」 is never split; no last line of one or two characters."""
    text = (
        "キャンセル・日時の変更は無料です。お早めに苫小牧市立病院\u3000地域医療連携室"
        "（TEL 0144-84-0158）までお電話ください。なお、受診当日に当院の一般外来の予約は"
        "お取りできません。"
    )
    for width in range(150, 520, 7):
        lines = wrap_text(text, width, 11, "IPAexGothic")
        assert any("（TEL 0144-84-0158）" in line for line in lines), (width, lines)
        if len(lines) > 1:
            assert len(lines[-1].strip()) > 2, (width, lines)


def test_daylist_numbers_pages_and_shows_attendees_and_consent(settings, today):
    """Item 7."""
    per_page = daylist_rows_per_page()
    entries = sample_day_entries(count=per_page + 1)
    data = build_form(FormKind.DAYLIST, settings, today=today, day_entries=entries)
    reader = read_pdf(data)
    assert len(reader.pages) == 2
    first, second = (_squash(p.extract_text()) for p in reader.pages)
    assert f"{len(entries)}件1/2" in first and f"{len(entries)}件2/2" in second
    assert "来院される方" in first and "相談同意書" in first
    assert "要・受領済" in first and "続柄確認書類" in first


def test_long_values_stay_inside_the_new_boxes(settings, longest_case, today, caplog):
    """The longest plausible case: nothing is cut with … on the reworked forms."""
    for kind in (FormKind.APPLICATION, FormKind.REFERRAL, FormKind.REPORT, FormKind.FAX_COVER):
        caplog.clear()
        build_form(kind, settings, longest_case, today=today)
        assert "text cut" not in caplog.text, (kind, caplog.text)
    assert CONTENT_W > 0
