"""統計: what the office did in a period, counted with aggregate SQL (fast at 100,000 cases).

What each figure counts, and in which month (the desk's local calendar):

- 問い合わせ: cases by their 受付日 (``cases.received_on``, the enquiry date the clerk entered,
  not when the row was written: imported and corrected history counts on its own dates) plus
  calls logged without a case (``contact_log`` rows with no case, ``at``).
- 申込書受領: cases whose application (申込書, incoming) was received (``received_on``).
- 実施 (sessions held): a case at 実施済 or 会計・報告書済 with a live (not cancelled)
  appointment, counted on the appointment's date. The stage is the proof that the session
  took place (check-in alone is not: the patient may still not be seen); a case moved back
  from 実施済 by a slip of the mouse is not counted.
- キャンセル / 対象外: cases at that stage, by their 終了日 (``cases.ended_on``).
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

from sqlalchemy import ColumnElement, case, func, literal_column, select
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
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import Decision, Stage
from desktop_app.domain.statistics import Month, Period
from desktop_app.services.access import requires
from desktop_app.services.settings import load_settings
from desktop_app.services.statistics_data import (
    TOTAL_LABEL,
    DoctorRow,
    ExclusionRow,
    MonthRow,
    ReferrerRow,
    StatsData,
)
from desktop_app.services.statistics_leads import Held, is_application, lead_times
from desktop_app.services.store import Store

HELD_STAGES = (Stage.DONE, Stage.SETTLED)
NO_REFERRER = "（紹介元なし）"
DECLINED_LABEL = "担当医の判断でお断り"
OTHER_LABEL = "その他（理由の分類なし）"
_DECLINED = "declined"  # the key of cases the doctor declined (they carry no reason code)


@requires(Permission.READ_CASES)
def statistics(store: Store, period: Period) -> StatsData:
    """Every figure of the 統計 page for ``period`` (read only; nothing is audited).

    Each large table is read once: cases twice (registered, ended) as GROUP BY aggregates,
    documents once for the applications, appointments through their date index; the rows
    that come back are the period's own (a few thousand a year at most) and are split by
    month, referrer and doctor here.
    """
    months = period.months()
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    start, end = _local_midnight(period.start), _local_midnight(period.end_exclusive)
    with store.read() as session:
        institution_of = _institutions_of_referring_doctors(session)
        created, enquiries_by_institution = _registered(session, months, period, institution_of)
        caseless = _caseless_calls(session, months, start, end)
        ended = _ended(session, months, period)
        apps = _applications(session, period)
        held = _held_sessions(session, period)
        revenue = _revenue_by_month(session, months)
        applications: Counter[int] = Counter(index[(d.year, d.month)] for _c, d, _t, _r in apps)
        sessions: Counter[int] = Counter(index[(h.day.year, h.day.month)] for h in held)
        month_rows = tuple(
            MonthRow(
                label=m.label,
                enquiries=created[i] + caseless[i],
                enquiries_without_case=caseless[i],
                applications=applications[i],
                sessions=sessions[i],
                cancellations=ended[(i, Stage.CANCELLED)],
                exclusions=ended[(i, Stage.EXCLUDED)],
                payments=revenue.get(i, (0, 0))[0],
                revenue_yen=revenue.get(i, (0, 0))[1],
            )
            for i, m in enumerate(months)
        )
        return StatsData(
            period=period,
            months=month_rows,
            total=_sum_rows(month_rows),
            by_doctor=_by_doctor(session, held),
            by_referrer=_by_referrer(
                session, enquiries_by_institution,
                Counter(institution_of.get(r) for _c, _d, _t, r in apps if r is not None)
                + Counter(None for _c, _d, _t, r in apps if r is None),
                Counter(institution_of.get(h.referring_doctor_id) for h in held),
            ),
            exclusions=_exclusions(session, period, start, end),
            lead_times=lead_times(session, start, end, apps, held),
        )  # fmt: skip


def _revenue_by_month(session: Session, months: Sequence[Month]) -> dict[int, tuple[int, int]]:
    """(number of payments, yen) per month by the day paid: the one query reading payments.

    Voided payments (取消) are left out: the money was not kept, and the payment recorded
    again in its place counts instead.
    """
    counted: tuple[ColumnElement[bool], ...] = (Payment.voided.is_(False),)
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


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


def _local_bounds(months: Sequence[Month]) -> list[dt.datetime]:
    """Each month's end (exclusive) as an aware instant: local midnight, compared in UTC."""
    return [_local_midnight(m.last + dt.timedelta(days=1)) for m in months]


def _date_bounds(months: Sequence[Month]) -> list[dt.date]:
    return [m.last + dt.timedelta(days=1) for m in months]


def _bucket(column: Any, bounds: Sequence[Any], lo: int = 0, hi: int | None = None) -> Any:
    """The month index of a value, from the months' (exclusive) ends: portable SQL in the
    desk's local time. A balanced tree of CASEs, so a row meets log2(months) comparisons,
    not one per month (a 30-year period has 360 months)."""
    hi = len(bounds) if hi is None else hi
    if hi - lo == 1:
        return literal_column(str(lo))
    mid = (lo + hi) // 2
    return case(
        (column < bounds[mid - 1], _bucket(column, bounds, lo, mid)),
        else_=_bucket(column, bounds, mid, hi),
    )


def _institutions_of_referring_doctors(session: Session) -> dict[int | None, int | None]:
    """Referring doctor id -> institution id (a small master table, read whole)."""
    found: dict[int | None, int | None] = {None: None}
    for doctor_id, institution_id in session.execute(
        select(ReferringDoctor.id, ReferringDoctor.institution_id)
    ):
        found[doctor_id] = institution_id
    return found


def _registered(
    session: Session,
    months: Sequence[Month],
    period: Period,
    institution_of: dict[int | None, int | None],
) -> tuple[Counter[int], Counter[int | None]]:
    """Cases per month of their 受付日 and per referring institution: one GROUP BY."""
    bucket = _bucket(SOCase.received_on, _date_bounds(months)).label("bucket")
    inner = (
        select(bucket, SOCase.referring_doctor_id.label("referrer"))
        .where(SOCase.received_on >= period.start, SOCase.received_on <= period.end)
        .subquery()
    )
    by_month: Counter[int] = Counter()
    by_institution: Counter[int | None] = Counter()
    for b, referrer, n in session.execute(
        select(inner.c.bucket, inner.c.referrer, func.count()).group_by(
            inner.c.bucket, inner.c.referrer
        )
    ):
        by_month[int(b)] += int(n)
        by_institution[institution_of.get(referrer)] += int(n)
    return by_month, by_institution


def _caseless_calls(
    session: Session, months: Sequence[Month], start: dt.datetime, end: dt.datetime
) -> Counter[int]:
    bucket = _bucket(ContactLog.at, _local_bounds(months)).label("bucket")
    inner = (
        select(bucket)
        .where(ContactLog.case_id.is_(None), ContactLog.at >= start, ContactLog.at < end)
        .subquery()
    )
    rows = session.execute(select(inner.c.bucket, func.count()).group_by(inner.c.bucket))
    return Counter({int(b): int(n) for b, n in rows})


def _ended(session: Session, months: Sequence[Month], period: Period) -> Counter[tuple[int, Stage]]:
    """Cases cancelled or excluded per month of their 終了日: one GROUP BY over cases."""
    ended = SOCase.ended_on
    bucket = _bucket(ended, _date_bounds(months)).label("bucket")
    inner = (
        select(bucket, SOCase.stage.label("stage"))
        .where(
            SOCase.stage.in_((Stage.CANCELLED, Stage.EXCLUDED)),
            ended >= period.start,
            ended <= period.end,
        )
        .subquery()
    )
    rows = session.execute(
        select(inner.c.bucket, inner.c.stage, func.count()).group_by(inner.c.bucket, inner.c.stage)
    )
    return Counter({(int(b), Stage(stage)): int(n) for b, stage, n in rows})


def _applications(
    session: Session, period: Period
) -> list[tuple[int, dt.date, dt.date, int | None]]:
    """(case, received, 受付日, referring doctor) per case whose application came back in the
    period (its first application line, if a case has two)."""
    first: dict[int, tuple[int, dt.date, dt.date, int | None]] = {}
    for case_id, received, created, referrer in session.execute(
        select(CaseDocument.case_id, CaseDocument.received_on, SOCase.received_on,
               SOCase.referring_doctor_id)
        .join(SOCase, SOCase.id == CaseDocument.case_id)
        .where(*is_application(), CaseDocument.received_on >= period.start,
               CaseDocument.received_on <= period.end)
        .order_by(CaseDocument.id)
    ):  # fmt: skip
        if received is not None:  # always, by the WHERE; said for the type checker
            first.setdefault(case_id, (case_id, received, created, referrer))
    return list(first.values())


def _held_sessions(session: Session, period: Period) -> list[Held]:
    # The stage is checked here, not in SQL: with it in the WHERE, SQLite walks the stage
    # index (most cases are 実施済 or later) instead of the appointments' date index.
    rows = session.execute(
        select(Appointment.case_id, Appointment.date, Appointment.doctor_id, SOCase.stage,
               SOCase.received_on, SOCase.referring_doctor_id, SOCase.actual_minutes)
        .join(SOCase, SOCase.id == Appointment.case_id)
        .where(Appointment.date >= period.start, Appointment.date <= period.end,
               Appointment.cancelled.is_(False))
    )  # fmt: skip
    return [
        Held(c, d, doctor, created, ref, minutes or 0)
        for c, d, doctor, stage, created, ref, minutes in rows
        if stage in HELD_STAGES
    ]


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


def _by_doctor(session: Session, held: Sequence[Held]) -> tuple[DoctorRow, ...]:
    sessions: Counter[int] = Counter(h.doctor_id for h in held)
    minutes: Counter[int] = Counter()
    for h in held:
        minutes[h.doctor_id] += h.minutes
    rows = session.execute(
        select(Doctor.id, Department.name, Doctor.name)
        .join(Department, Department.id == Doctor.department_id)
        .where(Doctor.id.in_(list(sessions)))
        .order_by(Department.sort_order, Department.name, Doctor.name)
    )
    return tuple(
        DoctorRow(dep, name, sessions[doctor_id], minutes[doctor_id])
        for doctor_id, dep, name in rows
    )


def _by_referrer(
    session: Session,
    enquiries: Counter[int | None],
    applications: Counter[int | None],
    sessions: Counter[int | None],
) -> tuple[ReferrerRow, ...]:
    keys = set(enquiries) | set(applications) | set(sessions)
    names: dict[int, str] = {
        i: n
        for i, n in session.execute(
            select(ReferringInstitution.id, ReferringInstitution.name).where(
                ReferringInstitution.id.in_([k for k in keys if k is not None])
            )
        )
    }
    rows = [
        ReferrerRow(
            names.get(k, NO_REFERRER) if k is not None else NO_REFERRER,
            enquiries[k], applications[k], sessions[k],
        )
        for k in keys
    ]  # fmt: skip
    # Busiest first; the cases without a referrer last, whatever their number.
    rows.sort(
        key=lambda r: (r.institution == NO_REFERRER, -r.enquiries, -r.sessions, r.institution)
    )
    return tuple(rows)


def _exclusions(
    session: Session, period: Period, start: dt.datetime, end: dt.datetime
) -> tuple[ExclusionRow, ...]:
    reasons = load_settings(session).exclusion_reasons
    ended = SOCase.ended_on
    cases: Counter[str] = Counter()
    for code, decision, n in session.execute(
        select(SOCase.exclusion_code, SOCase.decision, func.count())
        .where(SOCase.stage == Stage.EXCLUDED, ended >= period.start, ended <= period.end)
        .group_by(SOCase.exclusion_code, SOCase.decision)
    ):
        cases[code or (_DECLINED if decision == Decision.DECLINED else "")] += int(n)
    calls: Counter[str] = Counter()
    # Few rows (calls turned away): the reason lives in the audit entry's JSON.
    for after in session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.action == AuditAction.ENQUIRY_LOG,
            AuditEntry.at >= start,
            AuditEntry.at < end,
        )
    ):
        code = str((after or {}).get("reason") or "")
        if code:
            calls[code] += 1
    labels = {r.code: r.label for r in reasons} | {_DECLINED: DECLINED_LABEL, "": OTHER_LABEL}
    order = [r.code for r in reasons] + [_DECLINED, ""]
    seen = set(cases) | set(calls)
    codes = [c for c in order if c in seen] + sorted(seen - set(order))
    return tuple(
        ExclusionRow(code, labels.get(code, code), cases[code], calls[code]) for code in codes
    )
