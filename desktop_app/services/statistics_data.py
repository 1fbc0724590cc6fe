"""What the 統計 page shows: frozen dataclasses, and the same figures as titled tables of text.

The tables are shared by the page and the CSV export, so the screen and the file a manager
pastes into a report always say the same thing under the same headings.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.statistics import LeadTime, Period


@dataclass(frozen=True)
class MonthRow:
    """One month of the period (or the period's total)."""

    label: str
    enquiries: int  # cases registered + calls logged without a case
    enquiries_without_case: int
    applications: int
    sessions: int
    cancellations: int
    exclusions: int
    payments: int
    revenue_yen: int


@dataclass(frozen=True)
class DoctorRow:
    department: str
    doctor: str
    sessions: int
    minutes: int


@dataclass(frozen=True)
class ReferrerRow:
    institution: str
    enquiries: int
    applications: int
    sessions: int


@dataclass(frozen=True)
class ExclusionRow:
    code: str
    label: str
    cases: int
    enquiries_only: int  # calls turned away without a case (理由 from the enquiry log)

    @property
    def total(self) -> int:
        return self.cases + self.enquiries_only


@dataclass(frozen=True)
class StatsData:
    period: Period
    months: tuple[MonthRow, ...]
    total: MonthRow
    by_doctor: tuple[DoctorRow, ...]
    by_referrer: tuple[ReferrerRow, ...]
    exclusions: tuple[ExclusionRow, ...]
    lead_times: tuple[LeadTime, ...]


@dataclass(frozen=True)
class StatsTable:
    """One table as text and numbers: what a view shows and a CSV holds."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]


TABLE_MONTHS = "months"
TABLE_DOCTORS = "doctors"
TABLE_REFERRERS = "referrers"
TABLE_EXCLUSIONS = "exclusions"
TABLE_LEAD_TIMES = "lead_times"
TABLE_REVENUE = "revenue"

TOTAL_LABEL = "合計"


def stats_tables(data: StatsData) -> tuple[StatsTable, ...]:
    """Every table of the page, in the page's order."""
    return tuple(
        builder(data)
        for builder in (
            months_table,
            doctors_table,
            referrers_table,
            exclusions_table,
            lead_times_table,
            revenue_table,
        )
    )


def table_by_key(data: StatsData, key: str) -> StatsTable:
    for table in stats_tables(data):
        if table.key == key:
            return table
    raise KeyError(key)


def months_table(data: StatsData) -> StatsTable:
    def row(m: MonthRow) -> tuple[str | int, ...]:
        return (
            m.label, m.enquiries, m.enquiries_without_case, m.applications, m.sessions,
            m.cancellations, m.exclusions,
        )  # fmt: skip

    return StatsTable(
        TABLE_MONTHS,
        "月別件数",
        ("月", "問い合わせ", "うち案件なし", "申込書受領", "実施", "キャンセル", "対象外"),
        (*(row(m) for m in data.months), row(data.total)),
    )


def doctors_table(data: StatsData) -> StatsTable:
    rows: list[tuple[str | int, ...]] = [
        (d.department, d.doctor, d.sessions, d.minutes) for d in data.by_doctor
    ]
    rows.append(
        (
            TOTAL_LABEL,
            "",
            sum(d.sessions for d in data.by_doctor),
            sum(d.minutes for d in data.by_doctor),
        )
    )
    return StatsTable(
        TABLE_DOCTORS, "診療科・担当医別の実施件数", ("診療科", "担当医", "実施", "実施時間（分）"),
        tuple(rows),
    )  # fmt: skip


def referrers_table(data: StatsData) -> StatsTable:
    rows: list[tuple[str | int, ...]] = [
        (r.institution, r.enquiries, r.applications, r.sessions) for r in data.by_referrer
    ]
    rows.append(
        (
            TOTAL_LABEL,
            sum(r.enquiries for r in data.by_referrer),
            sum(r.applications for r in data.by_referrer),
            sum(r.sessions for r in data.by_referrer),
        )
    )
    return StatsTable(
        TABLE_REFERRERS, "紹介元医療機関別",
        ("紹介元医療機関", "問い合わせ（案件）", "申込書受領", "実施"), tuple(rows),
    )  # fmt: skip


def exclusions_table(data: StatsData) -> StatsTable:
    rows: list[tuple[str | int, ...]] = [
        (e.label, e.cases, e.enquiries_only, e.total) for e in data.exclusions
    ]
    rows.append(
        (
            TOTAL_LABEL,
            sum(e.cases for e in data.exclusions),
            sum(e.enquiries_only for e in data.exclusions),
            sum(e.total for e in data.exclusions),
        )
    )
    return StatsTable(
        TABLE_EXCLUSIONS, "対象外の理由別", ("理由", "案件", "問い合わせのみ", "計"), tuple(rows)
    )


def lead_times_table(data: StatsData) -> StatsTable:
    return StatsTable(
        TABLE_LEAD_TIMES,
        "所要日数（中央値）",
        ("区間", "件数", "中央値（日）"),
        tuple((t.label, t.count, days_text(t.median_days)) for t in data.lead_times),
    )


def revenue_table(data: StatsData) -> StatsTable:
    return StatsTable(
        TABLE_REVENUE,
        "月別の収入",
        ("月", "入金件数", "金額（円）"),
        tuple((m.label, m.payments, m.revenue_yen) for m in (*data.months, data.total)),
    )


def days_text(days: float | None) -> str:
    """'12', '4.5', or '—' when nothing was measured."""
    if days is None:
        return "—"
    return f"{days:g}"
