from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, ContactLog, Patient, SOCase
from desktop_app.domain import clock
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Attendance, Relationship
from desktop_app.domain.stages import MissingRequirement, Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import create_case, find_case_id, get_case, move_stage
from desktop_app.services.dto import NewCase, NewPatient


def _count(store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_case_records_everything_in_one_go(store, make_case) -> None:
    case = make_case()
    assert case.case_number == f"SO-{clock.today().year}-0001"
    assert case.stage is Stage.INQUIRY
    assert case.patient.furigana == "ヤマダ　タロウ"
    assert case.referrer is not None and case.referrer.institution == "みなと内科クリニック"
    out = [d.kind for d in case.documents if d.direction is Direction.OUT]
    assert out == [
        DocumentKind.COVER_LETTER,
        DocumentKind.GUIDE,
        DocumentKind.APPLICATION_FORM,
        DocumentKind.REFERRAL_FORM,
    ]
    incoming = {d.kind for d in case.documents if d.direction is Direction.IN and d.required}
    assert incoming == {DocumentKind.APPLICATION, DocumentKind.REFERRAL_LETTER}
    assert [c.summary for c in case.contacts] == ["セカンドオピニオン外来の問い合わせ"]
    assert [h.action for h in case.history] == ["case.create"]
    assert case.history[0].staff == "テスト担当"


def test_family_alone_needs_consent_minor_needs_relationship_proof(make_case) -> None:
    adult = make_case(attendance=Attendance.FAMILY_ONLY, relationship=Relationship.SPOUSE)
    kinds = {d.kind for d in adult.documents}
    assert DocumentKind.CONSENT in kinds and DocumentKind.CONSENT_FORM in kinds
    child = make_case(
        name="山田　結衣",
        furigana="ヤマダ　ユイ",
        birth_date=clock.today().replace(year=clock.today().year - 10),
        attendance=Attendance.FAMILY_ONLY,
        relationship=Relationship.PARENT,
    )
    kinds = {d.kind for d in child.documents}
    assert DocumentKind.RELATIONSHIP_PROOF in kinds
    assert DocumentKind.CONSENT not in kinds


def test_case_numbers_never_repeat(store, make_case) -> None:
    first = make_case()
    move_stage(store, first.id, Stage.CANCELLED, reason="ご本人の都合")
    second = make_case()
    assert first.case_number != second.case_number
    assert second.case_number.endswith("-0002")


def test_bad_input_writes_nothing(store) -> None:
    with pytest.raises(ValidationError) as err:
        create_case(store, NewCase(patient=NewPatient(name="山田太郎", furigana="山田")))
    assert err.value.field == "furigana"
    with pytest.raises(ValidationError) as err:
        create_case(
            store,
            NewCase(patient=NewPatient(name="山田太郎", furigana="ヤマダ", postal_code="053856")),
        )
    assert err.value.field == "postal_code"
    for model in (SOCase, Patient, ContactLog, AuditEntry):
        assert _count(store, model) == 0


@pytest.mark.parametrize("query", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "ヤマダ　タロウ", "山田", "0001"])
def test_search_matches_any_kana_spelling(store, make_case, query: str) -> None:
    case = make_case()
    make_case(name="鈴木　一郎", furigana="スズキ　イチロウ")
    page = search_cases(store, query)
    assert [r.case_number for r in page.rows] == [case.case_number]


def test_search_by_case_number_any_case(store, make_case) -> None:
    case = make_case()
    assert search_cases(store, case.case_number.lower()).total == 1
    assert find_case_id(store, case.case_number.lower()) == case.id
    with pytest.raises(ValidationError):
        find_case_id(store, "SO-1999-0001")


def test_search_is_paged_newest_first(store, make_case) -> None:
    for _ in range(5):
        make_case()
    page = search_cases(store, "", limit=2, offset=2)
    assert page.total == 5
    assert [r.case_number[-4:] for r in page.rows] == ["0003", "0002"]
    assert search_cases(store, "", stages=(Stage.CANCELLED,)).total == 0


def test_move_stage_follows_the_machine_and_audits(store, make_case) -> None:
    case = make_case()
    moved = move_stage(store, case.id, Stage.FORMS_SENT)
    assert moved.stage is Stage.FORMS_SENT
    assert moved.history[-1].summary == "段階を変更：問い合わせ受付 → 書類送付済"
    assert moved.history[-1].before == {"stage": "inquiry"}
    with pytest.raises(MissingRequirement, match="申込書の受領が記録されていません"):
        move_stage(store, case.id, Stage.APPLICATION_RECEIVED)
    passed = move_stage(store, case.id, Stage.APPLICATION_RECEIVED, override_reason="FAXで確認")
    assert "確認のうえ進めました：FAXで確認" in passed.history[-1].summary
    with pytest.raises(ValidationError, match="担当医"):
        move_stage(store, case.id, Stage.DOCTOR_REVIEW)
        move_stage(store, case.id, Stage.BOOKED)
    assert get_case(store, case.id).stage is Stage.DOCTOR_REVIEW
    with pytest.raises(ValidationError, match="理由"):
        move_stage(store, case.id, Stage.CANCELLED)
    cancelled = move_stage(store, case.id, Stage.CANCELLED, reason="体調不良")
    assert cancelled.end_reason == "体調不良"
    with pytest.raises(ValidationError, match="終了"):
        move_stage(store, case.id, Stage.INQUIRY)


def test_exclusion_at_intake_records_the_reason(store) -> None:
    case = create_case(
        store,
        NewCase(
            patient=NewPatient(name="鈴木　一郎", furigana="スズキ　イチロウ"),
            exclusion_code="transfer",
        ),
    )
    assert case.stage is Stage.EXCLUDED
    assert case.exclusion_code == "transfer"
    assert case.end_reason == "転医・転院のご希望"
    assert case.documents == ()
