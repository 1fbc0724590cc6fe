"""月報: the 統計 figures of a month or a 年度 on one printed page for the committee.

The figures are the 統計 page's own (``statistics``), so the page, its CSV and this report
always agree. A single month's chart shows the twelve months up to it (the trend, and the same
month a year before, on the first and last bars); a 年度 or a year shows its own months.

Like the other forms (services/forms.py), building the PDF writes nothing: printing it or
saving it is recorded (``record_monthly_report``), by the print preview or the command line.
"""

from __future__ import annotations

import datetime as dt

from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.statistics import Period, custom_period
from desktop_app.printing.forms.monthly_report import (
    ChartMonth,
    DoctorLine,
    ExclusionLine,
    MonthlyReport,
    ReferrerLine,
    ReportFigures,
    is_whole_month,
    monthly_report_pdf,
    period_title,
)
from desktop_app.services import audit
from desktop_app.services.access import PRINT_FORMS, requires
from desktop_app.services.settings import load_settings
from desktop_app.services.statistics import NO_REFERRER, statistics
from desktop_app.services.statistics_data import MonthRow, ReferrerRow, StatsData
from desktop_app.services.store import Store

REPORT_FORM = "monthly-report"  # the audit entry's form, beside FormKind's values
TREND_MONTHS = 12  # a month's chart: the twelve months up to it
MAX_CHART_MONTHS = 24  # a longer period's chart: its last 24 months
TOP_REFERRERS = 10


@requires(PRINT_FORMS)
def monthly_report(store: Store, period: Period, *, today: dt.date | None = None) -> bytes:
    """The 月報 of ``period`` as a one-page PDF (nothing is written to the database).

    Printing the figures is the desk's work, as exporting them is (``export_stats``): a role
    that may only read the statistics on screen is refused before anything is counted.
    """
    today = today or store.clock.today()
    data = statistics(store, period)
    trend, title = _trend_period(period)
    trend_data = data if trend == period else statistics(store, trend)
    with store.read() as session:
        settings = load_settings(session)
    return monthly_report_pdf(
        MonthlyReport(
            settings=settings,
            period=period,
            printed_on=today,
            figures=_figures(data.total),
            chart=_chart(trend_data, period, today),
            chart_title=title,
            by_doctor=tuple(
                DoctorLine(d.department, d.doctor, d.sessions, d.minutes)
                for d in data.by_doctor
                if d.sessions or d.minutes
            ),
            referrers=top_referrers(data.by_referrer),
            exclusions=tuple(
                ExclusionLine(e.label, e.cases, e.enquiries_only) for e in data.exclusions
            ),
            lead_times=data.lead_times,
        )
    )


@requires(PRINT_FORMS)
def record_monthly_report(store: Store, period: Period, *, how: str = "印刷") -> None:
    """Note in the history that the 月報 was printed or saved as PDF (as ``record_printed``
    does for the other forms; the report names no patient, so no case is touched)."""
    what = f"月報（{period_title(period)}）"
    with store.transaction() as session:
        audit.record(
            session,
            store.staff,
            AuditAction.FORM_PRINT,
            "form",
            REPORT_FORM,
            summary=f"{what}を{how}",
            after={
                "form": REPORT_FORM,
                "how": how,
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
            },
        )


def top_referrers(rows: tuple[ReferrerRow, ...]) -> tuple[ReferrerLine, ...]:
    """The ten referrers with the most enquiries, the rest summed as その他, and the cases
    with no referrer last (they are not a referrer to rank)."""
    named = sorted(
        (r for r in rows if r.institution != NO_REFERRER),
        key=lambda r: (-r.enquiries, -r.applications, -r.sessions, r.institution),
    )
    lines = [_line(r) for r in named[:TOP_REFERRERS]]
    rest = named[TOP_REFERRERS:]
    if rest:
        lines.append(
            ReferrerLine(
                f"その他（{len(rest)}機関）",
                sum(r.enquiries for r in rest),
                sum(r.applications for r in rest),
                sum(r.sessions for r in rest),
            )
        )
    lines += [_line(r) for r in rows if r.institution == NO_REFERRER]
    return tuple(lines)


def _line(r: ReferrerRow) -> ReferrerLine:
    return ReferrerLine(r.institution, r.enquiries, r.applications, r.sessions)


def _figures(t: MonthRow) -> ReportFigures:
    return ReportFigures(
        enquiries=t.enquiries,
        applications=t.applications,
        sessions=t.sessions,
        cancellations=t.cancellations,
        exclusions=t.exclusions,
        payments=t.payments,
        revenue_yen=t.revenue_yen,
    )


def _trend_period(period: Period) -> tuple[Period, str]:
    """The months the chart shows, and its title."""
    if is_whole_month(period):
        first = _months_before(period.start, TREND_MONTHS - 1)
        return custom_period(first, period.end), f"月別の推移（直近{TREND_MONTHS}か月）"
    months = period.months()
    if len(months) > MAX_CHART_MONTHS:
        first = months[-MAX_CHART_MONTHS].first
        return (
            custom_period(first, period.end),
            f"月別の推移（期間の最後の{MAX_CHART_MONTHS}か月）",
        )
    return period, "月別の推移"


def _chart(data: StatsData, period: Period, today: dt.date) -> tuple[ChartMonth, ...]:
    marked = is_whole_month(period)
    return tuple(
        ChartMonth(
            year=m.year,
            month=m.month,
            enquiries=row.enquiries,
            applications=row.applications,
            sessions=row.sessions,
            revenue_yen=row.revenue_yen,
            marked=marked and (m.year, m.month) == (period.start.year, period.start.month),
            future=m.first > today,
        )
        for m, row in zip(data.period.months(), data.months, strict=True)
    )


def _months_before(first: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months before ``first``'s."""
    index = first.year * 12 + first.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)
