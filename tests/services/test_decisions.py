from __future__ import annotations

import pytest

from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.decisions import record_decision
from desktop_app.services.paper_trail import receive_application
from tests.services.trail_helpers import TODAY, add_doctor, to_booked


def _application_in(store, make_case):
    case = make_case()
    return receive_application(store, case.id, on=TODAY, channel=Channel.FAX)


def test_accepted_moves_to_doctor_review_and_records_the_doctor(store, make_case) -> None:
    case = _application_in(store, make_case)
    dep, doc = add_doctor(store)
    result = record_decision(
        store, case.id, department_id=dep, doctor_id=doc, decision=Decision.ACCEPTED, on=TODAY
    )
    after = result.case
    assert not result.ended and result.id == case.id
    assert after.stage == Stage.DOCTOR_REVIEW and after.decision == Decision.ACCEPTED
    assert after.doctor == "佐藤 一郎" and after.department == "消化器内科"
    assert after.history[-1].action == "case.decision"
    assert "申込書受領 → 担当医確認" in after.history[-1].summary


def test_accepted_before_the_application_does_not_skip_stages(store, make_case) -> None:
    case = make_case()
    dep, doc = add_doctor(store)
    result = record_decision(
        store, case.id, department_id=dep, doctor_id=doc, decision=Decision.ACCEPTED, on=TODAY
    )
    assert result.case.stage == Stage.INQUIRY and result.case.decision == Decision.ACCEPTED


def test_declined_needs_a_reason_and_ends_the_case_as_excluded(store, make_case) -> None:
    case = _application_in(store, make_case)
    dep, doc = add_doctor(store)
    with pytest.raises(ValidationError, match="お断りの理由"):
        record_decision(
            store, case.id, department_id=dep, doctor_id=doc, decision=Decision.DECLINED, on=TODAY
        )
    result = record_decision(
        store, case.id, department_id=dep, doctor_id=doc, decision=Decision.DECLINED,
        reason="専門外のため", on=TODAY,
    )  # fmt: skip
    assert result.ended and result.notify_name == "山田　太郎"
    assert result.notify_channel == Channel.MAIL
    assert result.case.stage == Stage.EXCLUDED
    assert result.case.end_reason == "担当医判断：お断り（専門外のため）"


def test_general_outpatient_uses_the_settings_reason(store, make_case) -> None:
    case = _application_in(store, make_case)
    dep, doc = add_doctor(store)
    result = record_decision(
        store, case.id, department_id=dep, doctor_id=doc,
        decision=Decision.GENERAL_OUTPATIENT, on=TODAY,
    )  # fmt: skip
    assert (
        result.case.stage == Stage.EXCLUDED and result.case.exclusion_code == "general_outpatient"
    )


def test_doctor_must_be_active_and_of_the_department(store, make_case) -> None:
    case = _application_in(store, make_case)
    dep, _ = add_doctor(store)
    other_dep, other_doc = add_doctor(store, department="呼吸器内科", name="田中 二郎")
    _, retired = add_doctor(store, name="引退 医師", active=False)
    for doctor_id, message in ((other_doc, "担当医ではありません"), (retired, "見つかりません")):
        with pytest.raises(ValidationError, match=message):
            record_decision(
                store, case.id, department_id=dep, doctor_id=doctor_id,
                decision=Decision.ACCEPTED, on=TODAY,
            )  # fmt: skip
    with pytest.raises(ValidationError, match="選んでください"):
        record_decision(
            store, case.id, department_id=dep, doctor_id=other_doc,
            decision=Decision.PENDING, on=TODAY,
        )  # fmt: skip
    after = get_case(store, case.id)
    assert after.decision == Decision.PENDING and after.stage == Stage.APPLICATION_RECEIVED
    assert other_dep != dep


def test_refused_after_booking_on_conflict_and_when_closed(store, make_case) -> None:
    booked = to_booked(store, make_case())
    dep, doc = add_doctor(store, name="別 医師")
    with pytest.raises(ValidationError, match="予約確定」の案件の判断は変更できません"):
        record_decision(
            store, booked.id, department_id=dep, doctor_id=doc,
            decision=Decision.DECLINED, reason="x", on=TODAY,
        )  # fmt: skip
    case = _application_in(store, make_case)
    with pytest.raises(ConflictError):
        record_decision(
            store, case.id, department_id=dep, doctor_id=doc, decision=Decision.ACCEPTED,
            on=TODAY, expected_version=case.version - 1,
        )  # fmt: skip
    move_stage(store, case.id, Stage.CANCELLED, reason="ご本人の都合")
    with pytest.raises(ValidationError, match="終了しています"):
        record_decision(
            store, case.id, department_id=dep, doctor_id=doc, decision=Decision.ACCEPTED, on=TODAY
        )
