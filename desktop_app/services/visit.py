"""The day of the visit and after: check-in, the session's minutes, the report, payment
(voided, never deleted) and closing the case.

One call = one write transaction = one audit entry, as everywhere. The fee comes from
domain/fees.py with the clinic's settings; receipt numbers from the counters table, drawn in
the same transaction as the payment, so a number is never repeated and never skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop_app.db.models import Appointment, Payment, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Direction, DocumentKind, ReportChannel
from desktop_app.domain.errors import ReasonNeeded, ValidationError
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.paper_trail import checklist_label
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import Stage
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_numbers import next_receipt_number
from desktop_app.services.case_stage import case_clock, enter_stage
from desktop_app.services.cases import _detail, load_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.settings import load_settings
from desktop_app.services.store import Store

# The guide's own words (seeds/second-opinion-guide.ja.txt, ※ご注意).
WITHOUT_MATERIALS = (
    "主治医の先生からの情報や検査資料がない場合には一般的なお話しかできず、"
    "有効なセカンドオピニオンは提供できません。"
)


@dataclass(frozen=True)
class PaymentResult:
    """The case after a payment, and the receipt to print."""

    case: CaseDetail
    payment_id: int
    receipt_number: str
    total_yen: int

    @property
    def id(self) -> int:
        """The case id, so a change notice names the case."""
        return self.case.id


@requires(Permission.CASE_WORK)
def check_in(
    store: Store,
    case_id: int,
    *,
    now: dt.datetime | None = None,
    override_reason: str = "",
    expected_version: int | None = None,
) -> CaseDetail:
    """当日受付: only on the appointment day. Papers still missing need a reason."""
    now = now or store.clock.local_now()
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        if case.stage not in (Stage.BOOKED, Stage.MATERIALS_RECEIVED):
            raise ValidationError(f"「{case.stage.label}」の案件は当日受付できません。")
        appointment = _live_appointment(case)
        if appointment.date != now.date():
            raise ValidationError(
                f"当日受付は予約日（{appointment.date.month}月{appointment.date.day}日）にのみできます。"
            )
        missing = _missing_papers(case)
        if missing and not override_reason.strip():
            raise ReasonNeeded((f"まだ届いていません：{'、'.join(missing)}", WITHOUT_MATERIALS))
        appointment.checked_in_at = store.clock.utcnow()
        before = _move(case, Stage.CHECKED_IN)
        note = f"（未着：{'、'.join(missing)}／理由：{override_reason.strip()}）" if missing else ""
        _audit(store, session, case, AuditAction.VISIT_CHECK_IN, f"当日受付{before}{note}")
        return _done(session, case)


@requires(Permission.DECIDE)
def record_session(
    store: Store, case_id: int, *, minutes: int, expected_version: int | None = None
) -> CaseDetail:
    """The session's actual minutes (report writing not counted); the case becomes 実施済."""
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        if case.stage not in (Stage.CHECKED_IN, Stage.DONE):
            raise ValidationError("実施時間は当日受付のあとに記録します。")
        if any(not p.voided for p in case.payments):
            raise ValidationError(
                "お会計のあとは実施時間を変えられません。先に会計を取り消してください。"
            )
        fee = consultation_fee(minutes, load_settings(session))
        old = case.actual_minutes
        case.actual_minutes = minutes
        before = _move(case, Stage.DONE)
        _audit(
            store,
            session,
            case,
            AuditAction.VISIT_SESSION,
            f"実施時間：{minutes}分（料金 {fee.total_yen:,}円）{before}",
            before={"minutes": old},
            after={"minutes": minutes, "fee": fee.total_yen},
        )
        return _done(session, case)


@requires(Permission.DECIDE)
def record_report(
    store: Store,
    case_id: int,
    *,
    written_on: dt.date | None = None,
    delivered_on: dt.date | None = None,
    channel: ReportChannel | None = None,
    today: dt.date | None = None,
) -> CaseDetail:
    """The report to the primary doctor: written, then handed to the patient or sent."""
    today = today or store.clock.today()
    for day in (written_on, delivered_on):
        if day is not None and day > today:
            raise ValidationError("未来の日付は記録できません。", field="report_date")
    if delivered_on is not None and channel is None:
        raise ValidationError("報告書の渡し方を選んでください。", field="report_channel")
    if channel is not None:
        channel = ReportChannel(channel)  # a caller may hand the plain value
    with store.transaction() as session:
        case = load_case(session, case_id)
        if case.stage not in (Stage.CHECKED_IN, Stage.DONE):
            raise ValidationError("報告書は実施のあとに記録します。")
        written = written_on or case.report_written_on or delivered_on
        if written is None:
            raise ValidationError("報告書の作成日を入力してください。", field="report_date")
        if delivered_on is not None and delivered_on < written:
            raise ValidationError("お渡しの日が作成日より前です。", field="report_date")
        case.report_written_on = written
        if delivered_on is not None:
            case.report_delivered_on = delivered_on
            case.report_channel = channel
        what = (
            f"報告書：{channel.label}（{delivered_on:%Y/%m/%d}）"
            if delivered_on is not None and channel is not None
            else f"報告書：作成（{written:%Y/%m/%d}）"
        )
        _audit(store, session, case, AuditAction.VISIT_REPORT, what)
        return _done(session, case)


@requires(Permission.CASE_WORK)
def record_payment(
    store: Store,
    case_id: int,
    *,
    paid_on: dt.date,
    method: str,
    amount_yen: int | None = None,
    amount_reason: str = "",
    today: dt.date | None = None,
) -> PaymentResult:
    """Take the fee (or another amount, with a reason); a receipt number is drawn."""
    today = today or store.clock.today()
    if paid_on > today:
        raise ValidationError("未来の日付では会計できません。", field="paid_on")
    with store.transaction() as session:
        case = load_case(session, case_id)
        if case.stage != Stage.DONE or case.actual_minutes is None:
            raise ValidationError("会計は実施時間を記録したあとにできます。")
        live = [p for p in case.payments if not p.voided]
        if live:
            raise ValidationError(
                f"すでに会計済みです（領収書 {live[0].receipt_number}）。"
                "金額を直すときは、その会計を取り消してから記録してください。"
            )
        settings = load_settings(session)
        if method not in settings.payment_methods:
            raise ValidationError("支払方法を選んでください。", field="method")
        fee = consultation_fee(case.actual_minutes, settings)
        total = fee.total_yen if amount_yen is None else amount_yen
        if total < 0 or total > 10_000_000:
            raise ValidationError("金額が正しくありません。", field="amount")
        if total != fee.total_yen and not amount_reason.strip():
            raise ValidationError(
                f"計算した料金（{fee.total_yen:,}円）と違う金額です。理由を入力してください。",
                field="amount_reason",
            )
        payment = Payment(
            receipt_number=next_receipt_number(session, paid_on.year),
            paid_on=paid_on,
            minutes=case.actual_minutes,
            base_yen=fee.base_yen,
            extension_yen=fee.extension_yen,
            total_yen=total,
            method=method,
            amount_reason=amount_reason.strip() if total != fee.total_yen else "",
            staff=store.staff,
        )
        case.payments.append(payment)
        session.flush()
        reason = f"（{payment.amount_reason}）" if payment.amount_reason else ""
        _audit(
            store,
            session,
            case,
            AuditAction.PAYMENT_RECORD,
            f"会計：{total:,}円 {method}（領収書 {payment.receipt_number}）{reason}",
            after={"receipt": payment.receipt_number, "total": total, "method": method},
        )
        return PaymentResult(_done(session, case), payment.id, payment.receipt_number, total)


@requires(Permission.CASE_WORK)
def void_payment(store: Store, payment_id: int, *, reason: str) -> CaseDetail:
    """取消: the payment stays, marked voided with the reason; its receipt reprints 取消."""
    if not reason.strip():
        raise ValidationError("取り消す理由を入力してください。", field="reason")
    with store.transaction() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise ValidationError("会計の記録が見つかりません。")
        if payment.voided:
            raise ValidationError(f"領収書 {payment.receipt_number} はすでに取り消されています。")
        case = load_case(session, payment.case_id)
        if case.stage == Stage.SETTLED:
            raise ValidationError("完了した案件の会計は取り消せません。")
        payment.voided = True
        payment.voided_at = store.clock.utcnow()
        payment.void_reason = reason.strip()
        _audit(
            store,
            session,
            case,
            AuditAction.PAYMENT_VOID,
            f"会計を取消：領収書 {payment.receipt_number}（理由：{reason.strip()}）",
            after={"receipt": payment.receipt_number, "reason": reason.strip()},
        )
        return _done(session, case)


def open_items(case: SOCase) -> tuple[str, ...]:
    """Everything that still keeps the case from 会計・報告書済, in words for the clerk."""
    items = []
    if case.actual_minutes is None:
        items.append("実施時間が記録されていません")
    if not any(not p.voided for p in case.payments):
        items.append("お会計が済んでいません")
    if case.report_delivered_on is None:
        items.append("主治医への報告書がまだ渡されていません")
    out = [
        checklist_label(d.kind, d.label, d.quantity)
        for d in case.documents
        if d.borrowed
        and d.received_on is not None
        and d.returned_on is None
        and d.waived_on is None
    ]
    if out:
        items.append(f"お借りした資料が返却されていません（{'、'.join(out)}）")
    return tuple(items)


@requires(Permission.CASE_WORK)
def close_case(store: Store, case_id: int, *, expected_version: int | None = None) -> CaseDetail:
    """会計・報告書済: refused with every open item named."""
    with store.transaction() as session:
        case = load_case(session, case_id, expected_version)
        if case.stage != Stage.DONE:
            raise ValidationError(f"「{case.stage.label}」の案件は完了にできません。")
        items = open_items(case)
        if items:
            raise ValidationError("まだ完了にできません：" + "／".join(items) + "。")
        before = _move(case, Stage.SETTLED)
        _audit(store, session, case, AuditAction.CASE_STAGE, f"案件を完了{before}")
        return _done(session, case)


def _live_appointment(case: SOCase) -> Appointment:
    live = [a for a in case.appointments if not a.cancelled]
    if not live:
        raise ValidationError("予約がありません。")
    return live[-1]


def _missing_papers(case: SOCase) -> list[str]:
    return [
        checklist_label(d.kind, d.label, d.quantity)
        for d in case.documents
        if d.direction == Direction.IN
        and d.required
        and d.kind != DocumentKind.APPLICATION
        and d.received_on is None
        and d.waived_on is None
    ]


def _move(case: SOCase, target: Stage) -> str:
    """Set the stage; the words the history line gets for it ("" when it did not change)."""
    before = case.stage
    if before == target:
        return ""
    enter_stage(case, target)
    return f"（{before.label} → {target.label}）"


def _audit(
    store: Store,
    session: Session,
    case: SOCase,
    action: AuditAction,
    summary: str,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        store.staff,
        action,
        "case",
        case.case_number,
        case_id=case.id,
        summary=summary,
        before=before,
        after=after,
    )


def _done(session: Session, case: SOCase) -> CaseDetail:
    case.updated_at = case_clock(
        case
    ).utcnow()  # every write bumps the case's version for the other desks
    session.flush()
    return _detail(session, case)
