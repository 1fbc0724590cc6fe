"""「FAXで送る」: one PDF, the FAX送付状 first with the pages it counts, then the form; and the
record of the send (channel FAX). The packet is read back with pypdf."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.people import Relationship
from desktop_app.domain.roles import Role
from desktop_app.domain.stages import Stage
from desktop_app.services.access import NotAllowed
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail, NewCaller, NewPatient, NewReferrer
from desktop_app.services.fax_send import (
    FaxTo,
    fax_destinations,
    fax_packet,
    fax_subject,
    record_faxed,
)
from desktop_app.services.forms import render_form
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.staff import create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import Store

CLINIC_FAX = "0144-22-3344"
REFERRER = NewReferrer(
    institution="みなと内科クリニック",
    department="内科",
    doctor="北村 誠司",
    tel="0144-22-3300",
    fax=CLINIC_FAX,
)


@pytest.fixture
def faxable_case(make_case: Callable[..., CaseDetail]) -> CaseDetail:
    """A case whose primary doctor's clinic has a FAX number in the referrer master."""
    return make_case(referrer=REFERRER)


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _pages_on_cover(text: str) -> int:
    found = re.search(r"送信枚数\s*(\d+)\s*枚（本状を含む）", text)
    assert found is not None, text
    return int(found.group(1))


@pytest.mark.parametrize("kind", [FormKind.PACKET, FormKind.REFERRAL])
def test_the_cover_counts_itself_and_the_forms_pages_then_the_form_follows(
    store: Store, faxable_case: CaseDetail, kind: FormKind
) -> None:
    form = render_form(store, kind, faxable_case.id)
    form_texts = _texts(form.pdf)

    job = fax_packet(store, kind, faxable_case.id, to=FaxTo.DOCTOR)

    texts = _texts(job.pdf)
    assert len(texts) == job.pages == 1 + len(form_texts)
    cover = texts[0]
    assert "FAX送付状" in cover
    assert _pages_on_cover(cover) == len(texts)
    assert f"FAX番号 {CLINIC_FAX}" in cover
    assert "みなと内科クリニック 内科\u3000御中" in cover and "北村\u3000誠司\u3000先生" in cover
    subject = fax_subject(kind, faxable_case.case_number)
    assert job.subject == subject
    assert re.sub(r"\s", "", subject) in re.sub(r"\s", "", cover)  # wherever a line breaks
    # Then the form's own pages, in order, as the preview shows them.
    assert texts[1:] == form_texts
    assert [p.label for p in job.papers] == ["A4"] * job.pages
    assert job.to.to == FaxTo.DOCTOR and job.to.fax == "0144223344"


def test_the_subject_follows_what_is_enclosed() -> None:
    assert fax_subject(FormKind.REFERRAL, "SO-1").startswith(
        "セカンドオピニオン外来専用診療情報提供書"
    )
    assert "予約確認書" in fax_subject(FormKind.CONFIRMATION, "SO-1")
    assert "ご報告書" in fax_subject(FormKind.REPORT, "SO-1")
    assert fax_subject(FormKind.APPLICATION, "SO-1") == (
        "セカンドオピニオン外来申込書の送付（受付番号 SO-1）"
    )


def test_a_case_whose_parties_have_no_fax_number_has_nowhere_to_fax(
    store: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = make_case()  # the referrer master has no FAX number for the clinic
    assert fax_destinations(store, case.id) == ()
    with pytest.raises(ValidationError, match="FAX番号が登録されていません"):
        fax_packet(store, FormKind.REFERRAL, case.id, to=FaxTo.DOCTOR)
    with pytest.raises(ValidationError, match="FAX番号が登録されていません"):
        fax_packet(store, FormKind.REFERRAL, case.id, to=FaxTo.PATIENT)


def test_a_patient_and_a_family_caller_with_a_home_fax_are_offered_and_named_on_the_cover(
    store: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = make_case(
        patient=NewPatient(
            name="山田　太郎", furigana="ヤマダ　タロウ", phone="0144-11-2233", fax="0144-11-2234"
        ),
        caller=NewCaller(
            name="山田　花子",
            relationship=Relationship.CHILD,
            relation="娘",
            phone="090-1234-5678",
            fax="０１１－２２２－３３４４",  # as an IME types it
        ),
        referrer=REFERRER,
    )
    doctor, patient, caller = fax_destinations(store, case.id)
    assert doctor.to == FaxTo.DOCTOR  # the primary doctor's institution first, as before
    assert patient.label == "患者さん：山田　太郎（FAX 0144-11-2234）"
    assert caller.label == "ご連絡者：山田　花子（FAX 011-222-3344）"

    job = fax_packet(store, FormKind.APPLICATION, case.id, to=FaxTo.PATIENT)
    cover = _texts(job.pdf)[0]
    assert "宛先 山田　太郎\u3000様" in cover
    assert "FAX番号 0144-11-2234" in cover
    # A person: no 御中, and no ご担当 line waiting for a doctor's name.
    assert "御中" not in cover and "ご担当" not in cover and "先生" not in cover
    assert _pages_on_cover(cover) == job.pages

    to_caller = _texts(fax_packet(store, FormKind.GUIDE, case.id, to=FaxTo.CALLER).pdf)[0]
    assert "宛先 山田　花子\u3000様" in to_caller and "FAX番号 011-222-3344" in to_caller

    record_faxed(store, FormKind.APPLICATION, case.id, FaxTo.PATIENT, job.pages)
    history = [entry.summary for entry in get_case(store, case.id).history]
    assert any(
        s.endswith(f"をFAX送信（山田　太郎、FAX 0144-11-2234、{job.pages}枚）") for s in history
    )


def test_the_label_and_the_day_list_are_not_faxed(store: Store, faxable_case: CaseDetail) -> None:
    [destination] = fax_destinations(store, faxable_case.id)
    assert destination.label == f"紹介元：みなと内科クリニック 内科（FAX {CLINIC_FAX}）"
    with pytest.raises(ValidationError, match="FAXで送る書類ではありません"):
        fax_packet(store, FormKind.LABEL, faxable_case.id, to=FaxTo.DOCTOR)


def test_the_fax_is_recorded_as_printed_and_sent_by_fax(
    store: Store, faxable_case: CaseDetail
) -> None:
    assert faxable_case.stage == Stage.INQUIRY
    job = fax_packet(store, FormKind.PACKET, faxable_case.id, to=FaxTo.DOCTOR)

    after = record_faxed(store, FormKind.PACKET, faxable_case.id, FaxTo.DOCTOR, job.pages)

    assert after is not None and after.stage == Stage.FORMS_SENT
    out = {d.kind: d for d in after.documents if d.direction == Direction.OUT}
    for kind in (DocumentKind.COVER_LETTER, DocumentKind.APPLICATION_FORM):
        assert out[kind].channel == Channel.FAX and out[kind].sent_on == store.clock.today()
    history = [entry.summary for entry in get_case(store, faxable_case.id).history]
    assert (
        f"送付書類一式をFAX送信（みなと内科クリニック 内科、FAX {CLINIC_FAX}、{job.pages}枚）"
        in history
    )
    assert any(s.startswith("送付：送付書類一式（FAX、") for s in history)


def test_a_form_whose_sending_is_not_tracked_is_recorded_as_printed_only(
    store: Store, faxable_case: CaseDetail
) -> None:
    before = get_case(store, faxable_case.id)
    assert record_faxed(store, FormKind.GUIDE, faxable_case.id, FaxTo.DOCTOR, 3) is not None
    assert record_faxed(store, FormKind.DECLINE, faxable_case.id, FaxTo.DOCTOR, 2) is None
    history = [entry.summary for entry in get_case(store, faxable_case.id).history]
    assert len(history) == len(before.history) + 3  # two prints, one send (the guide)
    assert any(s.startswith(FormKind.DECLINE.label + "をFAX送信") for s in history)


def test_a_doctor_may_not_fax_a_patients_forms(store: Store, faxable_case: CaseDetail) -> None:
    create_first_admin(store, "kanri", "管理 花子", "kanri-pass-1", "kanri-pass-1")
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, "ishi-pass-01", "ishi-pass-01")
    sign_in(store, "ishi", "ishi-pass-01")
    with pytest.raises(NotAllowed):
        fax_packet(store, FormKind.REFERRAL, faxable_case.id, to=FaxTo.DOCTOR)
    with pytest.raises(NotAllowed):
        record_faxed(store, FormKind.REFERRAL, faxable_case.id, FaxTo.DOCTOR, 2)


def test_the_fax_printer_is_a_setting(store: Store) -> None:
    assert get_settings(store).fax_printer == ""
    saved = update_settings(
        store, dataclasses.replace(get_settings(store), fax_printer="  Brother PC-FAX  ")
    )
    assert saved.fax_printer == "Brother PC-FAX" == get_settings(store).fax_printer
    with pytest.raises(ValidationError, match="FAXのプリンタ") as refused:
        update_settings(store, dataclasses.replace(saved, fax_printer="PC-FAX\nsecond"))
    assert refused.value.field == "fax_printer"
    assert get_settings(store).fax_printer == "Brother PC-FAX"
