"""お受けできないことのご連絡: the letter to the caller when the specialist declines."""

from __future__ import annotations

import logging
from dataclasses import replace

from desktop_app.domain.forms import FormKind
from desktop_app.printing import build_form

from .conftest import pdf_text, read_pdf

REASON = "ご相談の内容が主治医の先生への不満に関するものであり、対象とならないため。"


def test_the_letter_names_the_addressee_the_patient_the_reason_and_the_phone(
    settings, full_case, today
) -> None:
    case = replace(full_case, decision_reason=REASON)
    data = build_form(FormKind.DECLINE, settings, case, today=today)
    text = pdf_text(data)
    assert "お受けできないことのご連絡" in text
    assert "山田花子様" in text  # addressee (the mail-out's) and the patient in the body
    assert "苫小牧市光洋町3丁目2-15" in text
    assert case.case_number in text
    assert "担当医が確認" in text and "ご了承" in text
    assert "理由" in text and "".join(REASON.split()) in text
    assert "TEL0144-84-0158" in text  # the office to phone with questions
    assert len(read_pdf(data).pages) == 1
    assert read_pdf(data).metadata.title == FormKind.DECLINE.label


def test_without_a_reason_the_reason_line_is_left_out(settings, full_case, today) -> None:
    text = pdf_text(build_form(FormKind.DECLINE, settings, full_case, today=today))
    assert "お受けできないことのご連絡" in text
    assert "理由" not in text


def test_a_blank_letter_keeps_room_for_a_handwritten_reason(settings, today) -> None:
    text = pdf_text(build_form(FormKind.DECLINE, settings, None, today=today))
    assert "理由" in text and "敬具" in text


def test_a_long_reason_grows_its_box_and_is_not_cut(settings, longest_case, today, caplog) -> None:
    reason = REASON * 4
    case = replace(longest_case, decision_reason=reason)
    with caplog.at_level(logging.WARNING, logger="desktop_app.printing.layout"):
        text = pdf_text(build_form(FormKind.DECLINE, settings, case, today=today))
    assert "text cut" not in caplog.text
    assert text.count("対象とならないため。") == 4
    assert "長谷川ウィリアムズエリザベス真理子花様" in text
