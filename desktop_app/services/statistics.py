"""統計: what the office did in a period, counted with aggregate SQL (fast at 100,000 cases).

What each figure counts, and in which month (the desk's local calendar):

- 問い合わせ: cases registered (``cases.created_at``) plus calls logged without a case
  (``contact_log`` rows with no case, ``at``).
- 申込書受領: cases whose application (申込書, incoming) was received (``received_on``).
- 実施 (sessions held): a case at 実施済 or 会計・報告書済 with a live (not cancelled)
  appointment, counted on the appointment's date. The stage is the proof that the session
  took place (check-in alone is not: the patient may still not be seen); a case moved back
  from 実施済 by a slip of the mouse is not counted.
- キャンセル / 対象外: cases at that stage, in the month they got there (``stage_since``).
  対象外 by reason also counts calls turned away without a case (their reason is kept in the
  enquiry's audit entry, as the contact log has no column for it).
- 収入: payments by ``paid_on`` (see ``_revenue_by_month``, the only query on payments).
- 所要日数: medians, each over the cases whose later step falls in the period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from desktop_app.db.models import (
    Appointment,
    AuditEntry,
    CaseDocument,
    ContactLog,
    Department,
    Doctor,
    Payment,
    ReferringDoctor,
    ReferringInstitution,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.stages import Decision, Stage
from desktop_app.domain.statistics import LeadTime, Month, Period, lead_time
from desktop_app.services.settings import load_settings
from desktop_app.services.statistics_data import (
    TOTAL_LABEL,
    DoctorRow,
    ExclusionRow,
    MonthRow,
    ReferrerRow,
    StatsData,
)
from desktop_app.services.store import Store

HELD_STAGES = (Stage.DONE, Stage.SETTLED)
NO_REFERRER = "（紹介元なし）"
DECLINED_LABEL = "担当医の判断でお断り"
OTHER_LABEL = "その他（理由の分類なし）"

_Counts = dict[int, int]  # month index -> count


def statistics(store: Store, period: Period) -> StatsData:
    """Every figure of the 統計 page for ``period`` (read only; nothing is audited)."""
    months = period.months()
    with store.read() as session:
        cases_created = _by_month(session, SOCase.created_at, months, _local_bounds(months))
        caseless = _by_month(
            session, ContactLog.at, months, _local_bounds(months), ContactLog.case_id.is_(None)
        )
        applications = _by_month(
            session,
            CaseDocument.received_on,
            months,
            _date_bounds(months),
            *_is_application(),
            distinct=CaseDocument.case_id,
        )
        sessions = _by_month(
            session, Appointment.date, months, _date_bounds(months), *_held(), join_case=True
        )
        cancelled = _by_month(
            session, _ended_at(), months, _local_bounds(months), SOCase.stage == Stage.CANCELLED
        )
        excluded = _by_month(
            session, _ended_at(), months, _local_bounds(months), SOCase.stage == Stage.EXCLUDED
        )
        revenue = _revenue_by_month(session, months)
        month_rows = tuple(
            MonthRow(
                label=m.label,
                enquiries=cases_created.get(i, 0) + caseless.get(i, 0),
                enquiries_without_case=caseless.get(i, 0),
                applications=applications.get(i, 0),
                sessions=sessions.get(i, 0),
                cancellations=cancelled.get(i, 0),
                exclusions=excluded.get(i, 0),
                payments=revenue.get(i, (0, 0))[0],
                revenue_yen=revenue.get(i, (0, 0))[1],
            )
            for i, m in enumerate(months)
        )
        return StatsData(
            period=period,
            months=month_rows,
            total=_sum_rows(month_rows),
            by_doctor=_by_doctor(session, period),
            by_referrer=_by_referrer(session, period, months),
            exclusions=_exclusions(session, period, months),
            lead_times=_lead_times(session, period, months),
        )


def _revenue_by_month(session: Session, months: Sequence[Month]) -> dict[int, tuple[int, int]]:
    """(number of payments, yen) per month by the day paid: the one query reading payments.

    When payments can be voided (a ``voided`` column), voids are left out by adding
    ``Payment.voided.is_(False)`` to ``counted``: a one-line change, here only.
    """
    counted: tuple[ColumnElement[bool], ...] = ()
    bucket = _bucket(Payment.paid_on, _date_bounds(months)).label("bucket")
    inner = (
        select(bucket, Payment.total_yen.label("yen"))
        .where(Payment.paid_on >= months[0].first, Payment.paid_on <= months[-1].last, *counted)
        .subquery()
    )
    rows = session.execute(
        select(inner.c.bucket, func.count(), func.coalesce(func.sum(inner.c.yen), 0)).group_by(
            inner.c.bucket
        )
    )
    return {int(b): (int(n), int(yen)) for b, n, yen in rows}


def _local_bounds(months: Sequence[Month]) -> list[dt.datetime]:
    """Each month's end (exclusive) as an aware instant: local midnight, compared in UTC."""
    return [_local_midnight(m.last + dt.timedelta(days=1)) for m in months]


def _date_bounds(months: Sequence[Month]) -> list[dt.date]:
    return [m.last + dt.timedelta(days=1) for m in months]


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


def _bucket(column: Any, bounds: Sequence[Any]) -> ColumnElement[int]:
    """The month index of a value: a CASE over the months' ends (portable SQL, local time)."""
    return case(*((column < end, i) for i, end in enumerate(bounds)), else_=-1)


def _by_month(
    session: Session,
    column: Any,
    months: Sequence[Month],
    bounds: Sequence[Any],
    *conditions: ColumnElement[bool],
    distinct: Any = None,
    join_case: bool = False,
) -> _Counts:
    """COUNT per month of rows whose ``column`` falls in the period, GROUP BY month."""
    first = (
        _local_midnight(months[0].first)
        if isinstance(bounds[0], dt.datetime)
        else (months[0].first)
    )
    bucket = _bucket(column, bounds).label("bucket")
    columns = [bucket] + ([distinct.label("item")] if distinct is not None else [])
    query: Select[Any] = select(*columns).where(column >= first, column < bounds[-1], *conditions)
    if join_case:
        query = query.join(SOCase, SOCase.id == Appointment.case_id)
    inner = query.subquery()
    counted = func.count(func.distinct(inner.c.item)) if distinct is not None else func.count()
    rows = session.execute(select(inner.c.bucket, counted).group_by(inner.c.bucket))
    return {int(b): int(n) for b, n in rows}


def _is_application() -> tuple[ColumnElement[bool], ...]:
    return (
        CaseDocument.kind == DocumentKind.APPLICATION,
        CaseDocument.direction == Direction.IN,
    )


def _held() -> tuple[ColumnElement[bool], ...]:
    """A held session: its appointment stands and its case has reached 実施済 or beyond."""
    return (Appointment.cancelled.is_(False), SOCase.stage.in_(HELD_STAGES))


def _ended_at() -> ColumnElement[dt.datetime]:
    # stage_since is set on every stage move; rows from before it existed fall back.
    return func.coalesce(SOCase.stage_since, SOCase.updated_at)


def _sum_rows(rows: Sequence[MonthRow]) -> MonthRow:
    return MonthRow(
        label=TOTAL_LABEL,
        enquiries=sum(r.enquiries for r in rows),
        enquiries_without_case=sum(r.enquiries_without_case for r in rows),
        applications=sum(r.applications for r in rows),
        sessions=sum(r.sessions for r in rows),
        cancellations=sum(r.cancellations for r in rows),
        exclusions=sum(r.exclusions for r in rows),
        payments=sum(r.payments for r in rows),
        revenue_yen=sum(r.revenue_yen for r in rows),
    )


def _in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column <= period.end)


def _created_in(months: Sequence[Month]) -> ColumnElement[bool]:
    return and_(
        SOCase.created_at >= _local_midnight(months[0].first),
        SOCase.created_at < _local_bounds(months)[-1],
    )


def _by_doctor(session: Session, period: Period) -> tuple[DoctorRow, ...]:
    rows = session.execute(
        select(
            Department.name,
            Doctor.name,
            func.count(Appointment.id),
            func.coalesce(func.sum(SOCase.actual_minutes), 0),
        )
        .select_from(Appointment)
        .join(SOCase, SOCase.id == Appointment.case_id)
        .join(Doctor, Doctor.id == Appointment.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(_in_period(Appointment.date, period), *_held())
        .group_by(Department.id, Department.name, Department.sort_order, Doctor.id, Doctor.name)
        .order_by(Department.sort_order, Department.name, Doctor.name)
    )
    return tuple(DoctorRow(dep, doc, int(n), int(minutes or 0)) for dep, doc, n, minutes in rows)


def _by_referrer(
    session: Session, period: Period, months: Sequence[Month]
) -> tuple[ReferrerRow, ...]:
    institution = ReferringDoctor.institution_id

    def grouped(query: Select[int, int]) -> dict[int | None, int]:
        return {key: int(n) for key, n in session.execute(query.group_by(institution))}

    base = select(institution, func.count(func.distinct(SOCase.id))).select_from(SOCase)
    base = base.outerjoin(ReferringDoctor, ReferringDoctor.id == SOCase.referring_doctor_id)
    enquiries = grouped(base.where(_created_in(months)))
    applications = grouped(
        base.join(CaseDocument, CaseDocument.case_id == SOCase.id).where(
            *_is_application(), _in_period(CaseDocument.received_on, period)
        )
    )
    sessions = grouped(
        base.join(Appointment, Appointment.case_id == SOCase.id).where(
            *_held(), _in_period(Appointment.date, period)
        )
    )
    keys = set(enquiries) | set(applications) | set(sessions)
    named = [k for k in keys if k is not None]
    names: dict[int, str] = {
        i: n
        for i, n in session.execute(
            select(ReferringInstitution.id, ReferringInstitution.name).where(
                ReferringInstitution.id.in_(named)
            )
        )
    }
    rows = [
        ReferrerRow(
            names.get(k, NO_REFERRER) if k is not None else NO_REFERRER,
            enquiries.get(k, 0),
            applications.get(k, 0),
            sessions.get(k, 0),
        )
        for k in keys
    ]
    # Busiest first; the cases without a referrer last, whatever their number.
    rows.sort(
        key=lambda r: (r.institution == NO_REFERRER, -r.enquiries, -r.sessions, r.institution)
    )
    return tuple(rows)


def _exclusions(
    session: Session, period: Period, months: Sequence[Month]
) -> tuple[ExclusionRow, ...]:
    reasons = load_settings(session).exclusion_reasons
    ended = _ended_at()
    cases: Counter[str] = Counter()
    for code, decision, n in session.execute(
        select(SOCase.exclusion_code, SOCase.decision, func.count())
        .where(
            SOCase.stage == Stage.EXCLUDED,
            ended >= _local_midnight(months[0].first),
            ended < _local_bounds(months)[-1],
        )
        .group_by(SOCase.exclusion_code, SOCase.decision)
    ):
        key = code or ("declined" if decision == Decision.DECLINED else "")
        cases[key] += int(n)
    calls: Counter[str] = Counter()
    # Few rows (calls turned away): the reason lives in the audit entry's JSON.
    for after in session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.action == AuditAction.ENQUIRY_LOG,
            AuditEntry.at >= _local_midnight(months[0].first),
            AuditEntry.at < _local_bounds(months)[-1],
        )
    ):
        code = str((after or {}).get("reason") or "")
        if code:
            calls[code] += 1
    labels = {r.code: r.label for r in reasons}
    labels["declined"] = DECLINED_LABEL
    labels[""] = OTHER_LABEL
    order = [r.code for r in reasons] + ["declined", ""]
    seen = set(cases) | set(calls)
    codes = [c for c in order if c in seen] + sorted(seen - set(order))
    return tuple(
        ExclusionRow(code, labels.get(code, code), cases.get(code, 0), calls.get(code, 0))
        for code in codes
    )


def _lead_times(session: Session, period: Period, months: Sequence[Month]) -> tuple[LeadTime, ...]:
    application = (
        select(
            CaseDocument.case_id.label("case_id"),
            func.min(CaseDocument.received_on).label("received_on"),
        )
        .where(*_is_application(), CaseDocument.received_on.is_not(None))
        .group_by(CaseDocument.case_id)
        .subquery()
    )
    first_booking = (
        select(
            Appointment.case_id.label("case_id"),
            func.min(Appointment.created_at).label("booked_at"),
        )
        .group_by(Appointment.case_id)
        .subquery()
    )
    start, end = _local_midnight(months[0].first), _local_bounds(months)[-1]
    enquiry_to_application = [
        (_local_day(created), received)
        for created, received in session.execute(
            select(SOCase.created_at, application.c.received_on)
            .join(application, application.c.case_id == SOCase.id)
            .where(_in_period(application.c.received_on, period))
        )
    ]
    application_to_booking = [
        (received, _local_day(_utc(booked)))
        for received, booked in session.execute(
            select(application.c.received_on, first_booking.c.booked_at)
            .join(first_booking, first_booking.c.case_id == application.c.case_id)
            .where(first_booking.c.booked_at >= start, first_booking.c.booked_at < end)
        )
    ]
    visits = session.execute(
        select(SOCase.created_at, first_booking.c.booked_at, Appointment.date)
        .select_from(Appointment)
        .join(SOCase, SOCase.id == Appointment.case_id)
        .join(first_booking, first_booking.c.case_id == Appointment.case_id)
        .where(*_held(), _in_period(Appointment.date, period))
    ).all()
    return (
        lead_time("問い合わせ → 申込書受領", enquiry_to_application),
        lead_time("申込書受領 → 予約", application_to_booking),
        lead_time("予約 → 受診", [(_local_day(_utc(b)), day) for _c, b, day in visits]),
        lead_time("問い合わせ → 受診（全体）", [(_local_day(c), day) for c, _b, day in visits]),
    )


def _local_day(at: dt.datetime) -> dt.date:
    return at.astimezone().date()


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC, whatever the driver hands back for an aggregate of a UTC column."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
