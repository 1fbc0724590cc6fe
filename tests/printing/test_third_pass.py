"""Issue 24, the forms' third pass: the printed words, read back from the PDF."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import subprocess
import sys
from dataclasses import replace

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.units import mm

from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.fees import fee_words
from desktop_app.domain.forms import (
    REFERRAL_NAME,
    REFERRAL_SHORT_NAME,
    FormKind,
    packet_forms,
    printed_name,
)
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.stages import Decision, Stage
from desktop_app.printing import CallerInfo, DayListEntry, build_form, register_fonts
from desktop_app.printing.forms.office import DAY_COLUMNS
from desktop_app.printing.layout import LEFT, RIGHT, fit_text
from desktop_app.printing.linebreak import address, keep, wrap_text
from desktop_app.services.cases import get_case
from desktop_app.services.decisions import record_decision
from desktop_app.services.forms import render_form
from desktop_app.services.paper_trail import mark_received, receive_many
from tests.printing.samples import sample_day_entries, sample_fax
from tests.services.trail_helpers import TODAY, add_doctor, booked_today, doc_of, to_booked

from .conftest import pdf_lines, pdf_text, read_pdf

GOTHIC = "IPAexGothic"
MINOR_BIRTH = dt.date(2012, 5, 1)  # 14 on the suite's pinned day


@pytest.fixture(autouse=True, scope="module")
def _fonts() -> None:
    register_fonts()


def _placed(pdf: bytes, page: int = 0) -> list[tuple[str, float, float]]:
    """The text runs of a page with where they start (x, y in points)."""
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            runs.append((text.strip(), tm[4], tm[5]))

    read_pdf(pdf).pages[page].extract_text(visitor_text=visit)
    return runs


def _horizontal_lines(pdf: bytes, page: int = 0) -> list[tuple[float, float, float]]:
    """(x1, x2, y) of every horizontal line drawn on the page (reportlab's ``m l S``)."""
    reader: PdfReader = read_pdf(pdf)
    ops = ContentStream(reader.pages[page].get_contents(), reader).operations
    found = []
    for (a, op_a), (b, op_b) in itertools.pairwise(ops):
        if op_a == b"m" and op_b == b"l" and abs(float(a[1]) - float(b[1])) < 0.01:
            x1, x2 = sorted((float(a[0]), float(b[0])))
            found.append((x1, x2, float(a[1])))
    return found


# ---- Item 1: the 申込書's note on family-only papers follows the packet's rule ----------


@pytest.mark.parametrize(("birth", "minor"), [(dt.date(1970, 3, 15), False), (MINOR_BIRTH, True)])
def test_the_application_asks_for_the_paper_the_packet_encloses(store, make_case, birth, minor):
    case = make_case(
        birth_date=birth, attendance=Attendance.FAMILY_ONLY, relationship=Relationship.PARENT
    )
    text = pdf_text(render_form(store, FormKind.APPLICATION, case.id).pdf)
    packet = pdf_text(render_form(store, FormKind.PACKET, case.id).pdf)
    consent_enclosed = FormKind.CONSENT in packet_forms(not minor)
    assert ("※家族のみは相談同意書が必要" in text) is consent_enclosed
    assert ("続柄がわかる書類（健康保険証など）が必要" in text) is minor
    assert ("3．セカンドオピニオン外来専用診療情報提供書4．相談同意書" in packet) is (
        consent_enclosed
    )


def test_the_blank_application_says_both(settings, today):
    text = pdf_text(build_form(FormKind.APPLICATION, settings, None, today=today))
    assert "※家族のみは相談同意書が必要（未成年の方は続柄がわかる書類で可）" in text


# ---- Item 2: lines break at phrases; names, katakana words and honorifics stay whole ----


# Text as the forms compose it (names and addresses marked by build_form), and what must
# never be split across two lines: words, names, and a name with its honorific.
WRAPPED = [
    (
        f"{keep('沼ノ端ファミリークリニック')} 内科\u3000御中",
        ["沼ノ端ファミリークリニック", "内科\u3000御中"],
    ),
    (f"ご本人、兄弟姉妹\u3000{keep('千葉　恵子')}", ["千葉", "恵子"]),
    (address("苫小牧市沼ノ端中央3丁目2-15 グリーンハイツ203号室"), ["グリーンハイツ", "沼ノ端"]),
    (
        f"{keep('とまこまいファミリークリニック')} 内科\u3000御中",
        ["とまこまいファミリークリニック", "内科\u3000御中"],
    ),
    (f"{keep('佐藤　一郎')}\u3000先生\u3000御侍史", ["佐藤", "一郎\u3000先生\u3000御侍史"]),
    (
        f"このたびは、当院のセカンドオピニオン外来に{keep('長谷川ウィリアムズ　花子')}様の"
        "ご相談をお申し込みいただき、誠にありがとうございました。",
        ["長谷川ウィリアムズ", "花子様"],
    ),
]


@pytest.mark.parametrize(("text", "whole"), WRAPPED)
def test_names_words_and_honorifics_are_never_split(text, whole):
    """Every width from the widest word's up to one line: the words stay whole (a name with
    its honorific too), and 御中, 様, 先生 never begin a line."""
    size = 10.5
    widest = max(fit_text(w, 1000, 100, size=size).width for w in whole)
    width = widest + 1
    while True:
        lines = wrap_text(text, width, size, GOTHIC)
        flat = "".join(lines)
        for word in whole:
            assert any(word in line for line in lines), (width, lines)
            assert flat.count(word) == sum(line.count(word) for line in lines), (width, lines)
        for line in lines[1:]:
            assert not line.startswith(("御中", "様", "先生", "御侍史")), (width, lines)
        if len(lines) == 1:
            break
        width += 3


def test_phrases_not_characters(settings, today):
    """BudouX: a sentence breaks between phrases, so no line ends inside a word."""
    text = "キャンセル・日時の変更は無料です。お早めにお電話ください。受診当日に一般外来の予約はお取りできません。"
    for width in range(120, 400, 9):
        lines = wrap_text(text, width, 11, GOTHIC)
        assert "".join(lines) == text
        for a, b in itertools.pairwise(lines):
            # Never 無｜料, 変｜更, 予｜約, 電｜話, お取｜り …
            assert a[-1] + b[0] not in {"無料", "変更", "予約", "電話", "取り", "外来"}, lines


def test_the_day_list_keeps_a_named_relative_whole(settings, today):
    """「兄弟姉妹　千／葉 恵子」: the attendee's name is printed whole in its narrow column."""
    entry = DayListEntry(
        start=dt.datetime(2026, 11, 10, 10, 0),
        case_number="SO-2026-0100",
        name="千葉　一郎",
        furigana="チバ　イチロウ",
        department="外科",
        doctor="高橋　誠",
        status=Stage.SETTLED.label,
        attendance=Attendance.PATIENT_AND_FAMILY,
        caller=CallerInfo("千葉　恵子", Relationship.SIBLING),
    )
    lines = pdf_lines(build_form(FormKind.DAYLIST, settings, today=today, day_entries=[entry]))
    assert not any(line.endswith("千") for line in lines), lines
    assert any("千葉恵子" in line or line.endswith("千葉") for line in lines), lines


@pytest.mark.parametrize("institution", ["沼ノ端ファミリークリニック", "北海道みなと総合病院"])
def test_a_name_in_a_free_message_is_not_split(institution, settings, full_case, today):
    """The FAX cover's message, typed by the clerk: the case's names stay whole wherever
    the line happens to end (BudouX alone would split 北｜海道みなと)."""
    case = replace(full_case, referrer=replace(full_case.referrer, institution=institution))
    fax = sample_fax(case)
    opening = "いつも大変お世話になっております。貴院よりご紹介いただいた患者さんについてご連絡いたします。"
    for n in range(0, 45, 2):  # the name moves along the line, across its end
        message = opening + "あ" * n + f"{institution}よりご紹介の件です。"
        data = build_form(
            FormKind.FAX_COVER, settings, case, today=today, fax=replace(fax, message=message)
        )
        lines = pdf_lines(data)
        # Every first character begins the whole name on its line (the addressee's, and the
        # message's).
        whole = sum(line.count(institution) for line in lines)
        assert whole == sum(line.count(institution[0]) for line in lines) == 2, (n, lines)


def test_no_form_splits_the_institution(settings, full_case, today):
    """Every form of a case referred by 沼ノ端ファミリークリニック prints the name whole."""
    name = "沼ノ端ファミリークリニック"
    ref = replace(full_case.referrer, institution=name, department="内科")
    case = replace(full_case, referrer=ref)
    for kind in FormKind:
        lines = pdf_lines(build_form(kind, settings, case, today=today, fax=None, day_entries=()))
        assert sum(line.count(name) for line in lines) == sum(line.count("沼") for line in lines), (
            kind,
            [line for line in lines if "沼" in line],
        )


def test_budoux_loads_with_the_first_wrapped_line_not_with_the_window():
    code = (
        "import sys; import desktop_app.ui.main_window; "
        "from desktop_app.printing.linebreak import wrap_text; "
        "from desktop_app.printing import register_fonts; register_fonts(); "
        "before = 'budoux' in sys.modules; "
        "wrap_text('セカンドオピニオン外来のご案内', 50, 10, 'IPAexGothic'); "
        "print(before, 'budoux' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_the_marks_never_reach_the_page(settings, full_case, longest_case, today):
    for case in (full_case, longest_case, None):
        for kind in FormKind:
            data = build_form(
                kind,
                settings,
                case,
                today=today,
                day_entries=sample_day_entries(),
                fax=sample_fax(case) if case else None,
            )
            text = "".join(p.extract_text() or "" for p in read_pdf(data).pages)
            assert not re.search("[\ue000-\uf8ff]", text), kind


# ---- Item 4: the cover letter follows the case's stage and the day it is printed ----------


def test_a_reprinted_cover_has_no_past_deadline_and_names_the_booked_date(settings, full_case):
    """Printed on 12/3 for a visit on 12/4 whose materials were due on 11/30."""
    appt = replace(full_case.appointment, start=dt.datetime(2026, 12, 4, 14, 0))
    case = replace(
        full_case,
        appointment=appt,
        materials_due=dt.date(2026, 11, 30),
        application_received_on=None,
    )
    text = pdf_text(build_form(FormKind.COVER, settings, case, today=dt.date(2026, 12, 3)))
    assert "11月30日" not in text
    assert "できるだけ早くご持参ください" in text
    assert "お電話でご連絡します" not in text
    assert "ご予約は令和8年12月4日（金）14:00からです" in text
    # Before the deadline the date is given.
    text = pdf_text(build_form(FormKind.COVER, settings, case, today=dt.date(2026, 11, 20)))
    assert "（令和8年11月30日（月）まで）" in text


def test_the_cover_asks_only_for_what_is_still_to_come(settings, full_case, today):
    case = replace(full_case, appointment=None, materials_due=None, required_incoming=())
    text = pdf_text(build_form(FormKind.COVER, settings, case, today=today))
    assert "にご記入のうえ" not in text  # the application came in on 11/5
    assert "申込書は令和8年11月5日に受け取りました" in text
    assert "お電話でご連絡します" in text
    assert "の作成をご依頼ください" not in text
    fresh = replace(
        case, application_received_on=None, required_incoming=full_case.required_incoming
    )
    text = pdf_text(build_form(FormKind.COVER, settings, fresh, today=today))
    assert "にご記入のうえ" in text and "の作成をご依頼ください" in text
    assert "申込書が届きましたら" in text


def test_the_case_info_carries_the_stage_and_the_application(store, make_case):
    case = make_case(desired_dates="平日の午後")
    booked = to_booked(store, case)
    from desktop_app.services.cases import load_case
    from desktop_app.services.print_input import case_info

    with store.read() as session:
        info = case_info(load_case(session, booked.id), ClinicSettings(), frozenset())
    assert info.stage == Stage.BOOKED and info.decision == Decision.ACCEPTED
    assert info.application_received_on == TODAY
    assert info.desired_dates == "平日の午後"


# ---- Item 5: the 予約確認書 lists only what is still due ----------------------------------


def test_the_confirmation_lists_only_what_is_due(store, make_case):
    case = make_case(attendance=Attendance.FAMILY_ONLY, relationship=Relationship.CHILD)
    booked = to_booked(store, case)
    text = pdf_text(render_form(store, FormKind.CONFIRMATION, booked.id).pdf)
    assert REFERRAL_NAME in text and "相談同意書" in text
    assert "検査資料（血液検査" not in text  # the blank form's list is not added
    letter = doc_of(booked, DocumentKind.REFERRAL_LETTER)
    mark_received(store, booked.id, letter.id, on=TODAY, channel=Channel.MAIL)
    text = pdf_text(render_form(store, FormKind.CONFIRMATION, booked.id).pdf)
    assert REFERRAL_NAME not in text.split("お持ちいただくもの", 1)[1]
    assert "資料はすべてお預かりしています。次のものは" in text


def test_with_nothing_due_the_confirmation_says_so(store, make_case):
    case = make_case(birth_date=MINOR_BIRTH, attendance=Attendance.PATIENT_AND_FAMILY,
                     relationship=Relationship.PARENT)  # fmt: skip
    booked = booked_today(store, case)
    text = pdf_text(render_form(store, FormKind.CONFIRMATION, booked.id).pdf)
    part = text.split("お持ちいただくもの", 1)[1].split("■料金", 1)[0]
    assert "すべてお預かりしています" in part
    assert "続柄" not in part and "検査資料" not in part and "□" not in part


def test_a_late_confirmation_has_no_past_deadline(settings, full_case):
    text = pdf_text(
        build_form(FormKind.CONFIRMATION, settings, full_case, today=dt.date(2026, 11, 21))
    )
    assert "11月20日" not in text and "できるだけ早く地域医療連携室へお持ちください" in text


# ---- Item 6: one name for the referral letter ---------------------------------------------


def test_one_name_for_the_referral_letter():
    assert FormKind.REFERRAL.label == REFERRAL_NAME == "セカンドオピニオン外来専用診療情報提供書"
    assert printed_name(DocumentKind.REFERRAL_FORM) == REFERRAL_NAME
    assert printed_name(DocumentKind.REFERRAL_LETTER) == REFERRAL_NAME
    assert FormKind.REFERRAL.menu_label == REFERRAL_SHORT_NAME


@pytest.mark.parametrize("variant", ["full", "blank"])
def test_every_form_uses_the_one_name(variant, settings, full_case, today):
    case = full_case if variant == "full" else None
    for kind in FormKind:
        text = pdf_text(
            build_form(
                kind, settings, case, today=today, fax=sample_fax(full_case) if case else None
            )
        )
        for m in re.finditer("診療情報提供書", text):
            before = text[max(0, m.start() - 20) : m.start()]
            after = text[m.end() : m.end() + 5]
            assert before.endswith("セカンドオピニオン外来専用"), (kind, before + "|" + after)
            assert not after.startswith(("（紹介状）", "（用紙）")), (kind, after)


# ---- Item 7: blank lines are drawn, not padded ------------------------------------------


def test_the_blank_fax_cover_leaves_room_for_the_names(settings, today):
    data = build_form(FormKind.FAX_COVER, settings, None, today=today)
    runs = {text: x for text, x, _ in _placed(data)}
    assert runs["先生"] > LEFT + 120 * mm  # at the right end of its cell
    assert runs["御中"] > LEFT + 120 * mm


def test_the_blank_receipt_draws_the_line_for_the_name(settings, today):
    data = build_form(FormKind.RECEIPT, settings, None, today=today)
    sama = next((x, y) for text, x, y in _placed(data) if text == "様")
    assert sama[0] > LEFT + 100 * mm
    lines = _horizontal_lines(data)
    assert any(x2 - x1 >= 100 * mm and x1 <= LEFT + 1 and 0 < sama[1] - y < 8 * mm
               for x1, x2, y in lines)  # fmt: skip
    # The receipt number too: a line to write it on.
    no = next((x, y) for text, x, y in _placed(data) if text == "No.")
    assert any(x1 > no[0] and x2 >= RIGHT - 1 and abs(no[1] - y) < 3 * mm for x1, x2, y in lines)


# ---- Item 8: the FAX cover's subject follows what is enclosed ------------------------------


@pytest.mark.parametrize(
    ("changes", "subject"),
    [
        ({"decision": Decision.DECLINED, "stage": Stage.EXCLUDED}, "お受けできないことのご連絡"),
        (
            {"decision": Decision.GENERAL_OUTPATIENT, "stage": Stage.EXCLUDED},
            "一般外来受診のご案内",
        ),
        ({"stage": Stage.EXCLUDED}, "お申し込みについてのご連絡"),
        ({"stage": Stage.CANCELLED}, "キャンセルのご連絡"),
        ({"required_incoming": (DocumentKind.REFERRAL_LETTER,)}, f"{REFERRAL_NAME}作成のお願い"),
        ({"required_incoming": ()}, "セカンドオピニオン外来のご連絡"),
    ],
)
def test_the_fax_subject_follows_what_is_enclosed(changes, subject, settings, full_case, today):
    case = replace(
        full_case, appointment=None, actual_minutes=None, report_written_on=None, **changes
    )
    text = pdf_text(build_form(FormKind.FAX_COVER, settings, case, today=today))
    assert f"{subject}（受付番号SO-2026-0042）" in text
    if "作成のお願い" not in subject:
        assert "作成のお願い" not in text


def test_a_declined_case_s_fax_is_not_a_request_for_the_letter(store, make_case):
    case = make_case()
    dep_id, doctor_id = add_doctor(store)
    app = doc_of(case, DocumentKind.APPLICATION)
    mark_received(store, case.id, app.id, on=TODAY, channel=Channel.FAX)
    record_decision(store, case.id, department_id=dep_id, doctor_id=doctor_id,
                    decision=Decision.DECLINED, reason="対象外の内容", on=TODAY)  # fmt: skip
    text = pdf_text(render_form(store, FormKind.FAX_COVER, case.id).pdf)
    assert "お受けできないことのご連絡" in text and "作成のお願い" not in text


# ---- Item 9: the day list's title, its 状態 column, the minor's proof ---------------------


def test_the_day_list_says_today_only_for_today(store, make_case):
    other = render_form(store, FormKind.DAYLIST, day=TODAY + dt.timedelta(days=1))
    text = pdf_text(other.pdf)
    assert "本日" not in text and "セカンドオピニオン外来予約一覧" in text
    assert "この日の予約はありません" in text
    assert read_pdf(other.pdf).metadata.title == "予約一覧" == other.title
    today = render_form(store, FormKind.DAYLIST)
    assert "本日のセカンドオピニオン外来予約一覧" in pdf_text(today.pdf)
    assert read_pdf(today.pdf).metadata.title == "本日の予約一覧"


def test_every_stage_fits_its_column_whole_or_at_a_word():
    width = dict(DAY_COLUMNS)["状態"] * mm - 2.4 * mm
    allowed = {("問い合わせ", "受付"), ("会計・", "報告書済")}
    for stage in Stage:
        lines = fit_text(stage.label, width, 17 * mm - 1.6 * mm, size=10.5).lines
        assert len(lines) == 1 or lines in allowed, lines


def test_the_day_list_marks_the_minor_s_proof(store, make_case):
    case = make_case(birth_date=MINOR_BIRTH, attendance=Attendance.FAMILY_ONLY,
                     relationship=Relationship.PARENT)  # fmt: skip
    booked = booked_today(store, case, papers_in=False)
    lines = pdf_lines(render_form(store, FormKind.DAYLIST).pdf)
    assert "続柄確認書類" in lines and "要・未着" in "".join(lines)
    proof = doc_of(booked, DocumentKind.RELATIONSHIP_PROOF)
    receive_many(store, booked.id, [proof.id], on=TODAY, channel=Channel.BROUGHT)
    assert "要・受領済" in pdf_text(render_form(store, FormKind.DAYLIST).pdf)


# ---- Item 10: the guide's words ------------------------------------------------------------


def test_the_fee_is_said_in_the_guide_s_words(settings, full_case, today):
    assert fee_words(settings) == "30分まで5,500円、追加30分5,500円"
    assert fee_words(replace(settings, max_extension_minutes=60)) == (
        "30分まで5,500円、追加30分ごとに5,500円"
    )
    for kind in (FormKind.GUIDE, FormKind.APPLICATION, FormKind.CONFIRMATION):
        text = pdf_text(build_form(kind, settings, full_case, today=today))
        assert "30分まで5,500円、追加30分5,500円" in text, kind
        assert "ごとに" not in text.replace("追加30分ごとに", "×"), kind
        assert "延長30分ごとに" not in text and "追加30分ごとに" not in text, kind


def test_no_arrival_time_the_guide_does_not_give(settings, full_case, today):
    text = pdf_text(build_form(FormKind.CONFIRMATION, settings, full_case, today=today))
    assert "15分前" not in text
    assert (
        "総合案内に「セカンドオピニオン外来受診」とお声をおかけください。係の者がご案内します。"
        in text
    )


def test_a_voided_receipt_says_when(store, make_case, settings, full_case, today):
    pay = replace(full_case.payment, voided=True, void_reason="金額誤り",
                  voided_on=dt.date(2026, 11, 25))  # fmt: skip
    text = pdf_text(
        build_form(FormKind.RECEIPT, settings, replace(full_case, payment=pay), today=today)
    )
    assert "令和8年11月25日に取り消されました" in text


def test_the_referral_asks_the_referring_doctor_s_department(settings, full_case, today):
    data = build_form(FormKind.REFERRAL, settings, full_case, today=today)
    tail = pdf_text(data).split("医師氏名", 1)[1]
    assert "診療科消化器内科" in tail.replace("佐藤一郎", "")
    blank = pdf_text(build_form(FormKind.REFERRAL, settings, None, today=today))
    assert "診療科" in blank.split("医師氏名", 1)[1]


def test_the_application_prints_the_wish_taken_on_the_phone(store, make_case):
    case = make_case(desired_dates="平日の午後（火曜・木曜）")
    text = pdf_text(render_form(store, FormKind.APPLICATION, case.id).pdf)
    assert "お電話で伺ったご希望：平日の午後（火曜・木曜）" in text
    assert get_case(store, case.id).desired_dates == "平日の午後（火曜・木曜）"
