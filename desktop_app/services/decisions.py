"""The second-opinion doctor's screening decision (担当医確認): accept, decline, redirect."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop_app.db.models import Department, Doctor, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel
from desktop_app.domain.eligibility import reason_by_code
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_stage import enter_stage
from desktop_app.services.cases import _detail
from desktop_app.services.dto import CaseDetail
from desktop_app.services.paper_trail import check_day, open_case
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

# The decision is taken before the booking; after it, the booking must be undone first.
DECIDABLE_STAGES = frozenset(
    {Stage.INQUIRY, Stage.FORMS_SENT, Stage.APPLICATION_RECEIVED, Stage.DOCTOR_REVIEW}
)
GENERAL_OUTPATIENT_CODE = "general_outpatient"


@dataclass(frozen=True)
class DecisionResult:
    """The case after the decision; when it ended the case, whom to tell and how."""

    case: CaseDetail
    ended: bool
    notify_name: str = ""
    notify_channel: Channel | None = None

    @property
    def id(self) -> int:
        """The case id, so a change notice names the case."""
        return self.case.id


@requires(Permission.DECIDE)
def record_decision(
    store: Store,
    case_id: int,
    *,
    department_id: int,
    doctor_id: int,
    decision: Decision,
    reason: str = "",
    on: dt.date,
    expected_version: int | None = None,
) -> DecisionResult:
    """Record the doctor's decision; 受入 moves 申込書受領 to 担当医確認, the others end the case.

    お断り (reason required) and 一般外来へ end the case as 対象外, not キャンセル: the case
    did not qualify, the caller did not withdraw. Its appointments, if any, are freed.
    """
    decision = Decision(decision)
    reason = reason.strip()
    if decision == Decision.PENDING:
        raise ValidationError("判断（受入・お断りなど）を選んでください。", field="decision")
    if decision == Decision.DECLINED and not reason:
        raise ValidationError("お断りの理由を入力してください。", field="reason")
    check_day(on, store.clock.today())
    with store.transaction() as session:
        case = open_case(session, case_id, expected_version)
        if case.stage not in DECIDABLE_STAGES:
            raise ValidationError(
                f"「{case.stage.label}」の案件の判断は変更できません。"
                "予約を取り消して「担当医確認」に戻してから記録してください。"
            )
        department = session.get(Department, department_id)
        if department is None or not department.active:
            raise ValidationError("選択した診療科が見つかりません。", field="department")
        doctor = session.get(Doctor, doctor_id)
        if doctor is None or not doctor.active:
            raise ValidationError("選択した担当医が見つかりません。", field="doctor")
        if doctor.department_id != department.id:
            raise ValidationError(
                f"{doctor.name} 医師は{department.name}の担当医ではありません。", field="doctor"
            )
        before = {"stage": case.stage.value, "decision": case.decision.value,
                  "doctor_id": case.doctor_id}  # fmt: skip
        case.decision, case.decision_reason = decision, reason
        case.doctor_id, case.decided_on = doctor.id, on
        from_stage = case.stage
        ended = decision != Decision.ACCEPTED
        if ended:
            _end(session, case, decision, reason)
            enter_stage(case, Stage.EXCLUDED, ended_on=on)  # 終了日: the day of the decision
        elif case.stage == Stage.APPLICATION_RECEIVED:
            enter_stage(case, Stage.DOCTOR_REVIEW)
        case.updated_at = store.clock.utcnow()
        summary = f"担当医の判断：{decision.label}（{department.name} {doctor.name}）"
        if reason:
            summary += f" 理由：{reason}"
        if case.stage != from_stage:
            summary += f" → 段階：{from_stage.label} → {case.stage.label}"
        audit.record(
            session, store.staff, AuditAction.CASE_DECISION, "case", case.case_number,
            case_id=case.id, summary=summary, before=before,
            after={"stage": case.stage.value, "decision": decision.value, "doctor_id": doctor.id,
                   "reason": reason, "on": on.isoformat()},
        )  # fmt: skip
        session.flush()
        detail = _detail(session, case)
        return DecisionResult(
            case=detail,
            ended=ended,
            notify_name=case.mail_to_name if ended else "",
            notify_channel=case.mail_channel if ended else None,
        )


def _end(session: Session, case: SOCase, decision: Decision, reason: str) -> None:
    if decision == Decision.GENERAL_OUTPATIENT:
        known = reason_by_code(load_settings(session).exclusion_reasons, GENERAL_OUTPATIENT_CODE)
        case.exclusion_code = known.code if known else ""
        case.end_reason = "担当医判断：一般外来へ" + (f"（{reason}）" if reason else "")
    else:
        case.exclusion_code = ""
        case.end_reason = f"担当医判断：お断り（{reason}）"
    for appt in case.appointments:
        appt.cancelled = True  # frees the slot; the row stays for the record
