"""要対応: what the desk must do today for a case, each with a short reason for the board."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.office_calendar import is_office_open, materials_due_date
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings
from desktop_app.domain.stages import MAIN_LINE, Decision, Stage

# "Due soon" means on or before the second open day from today (today itself counts as 0).
SOON_OPEN_DAYS = 2


class DueLevel(StrEnum):
    """How the materials due date is coloured on a card."""

    NONE = "none"  # nothing missing, or not due yet
    SOON = "soon"  # amber: due within 2 open days (today included)
    OVERDUE = "overdue"  # red: the day has passed


class Reason(StrEnum):
    """Why a case needs action today, most urgent first."""

    @property
    def label(self) -> str:
        """A short name for counts (「資料期限切れ 3」); the card shows the longer text."""
        return REASON_LABELS[self]

    CLOSED_DAY = "closed_day"
    MATERIALS_OVERDUE = "materials_overdue"
    MATERIALS_SOON = "materials_soon"
    NOT_NOTIFIED = "not_notified"
    APPLICATION_LATE = "application_late"
    DECISION_PENDING = "decision_pending"
    REPORT_NOT_HANDED = "report_not_handed"
    BORROWED_OUT = "borrowed_out"


REASON_LABELS: dict[Reason, str] = {
    Reason.CLOSED_DAY: "休診日の予約",
    Reason.MATERIALS_OVERDUE: "資料期限切れ",
    Reason.MATERIALS_SOON: "資料期限間近",
    Reason.NOT_NOTIFIED: "予約日未連絡",
    Reason.APPLICATION_LATE: "申込書未着",
    Reason.DECISION_PENDING: "判断待ち",
    Reason.REPORT_NOT_HANDED: "報告書未渡し",
    Reason.BORROWED_OUT: "借用資料未返却",
}


@dataclass(frozen=True)
class Attention:
    """One reason on a card: its kind and the phrase the clerk reads."""

    reason: Reason
    text: str


@dataclass(frozen=True)
class AttentionFacts:
    """What the 要対応 rules need to know about one open case (gathered by the board service)."""

    stage: Stage
    today: dt.date
    missing_documents: tuple[str, ...] = ()  # required incoming documents not yet in
    appointment_date: dt.date | None = None
    notified_on: dt.date | None = None  # the day the patient was told the appointment
    forms_sent_on: dt.date | None = None  # the mail-out packet
    stage_since: dt.date | None = None  # local date the case entered its stage
    decision: Decision = Decision.PENDING
    report_delivered_on: dt.date | None = None
    borrowed_out: int = 0  # borrowed items received and not yet returned
    # Why the office is closed on the appointment day (closure_label), "" when it is open.
    appointment_closure: str = ""


def open_days_until(
    today: dt.date,
    day: dt.date,
    *,
    closed_dates: Collection[dt.date] = (),
    annual_closures: Collection[tuple[int, int]] = DEFAULT_SETTINGS.annual_closures,
    stop_after: int | None = None,
) -> int:
    """Open days after ``today`` up to and including ``day``; 0 when ``day`` is today or past.

    With ``stop_after``, counting stops once the count passes it (a far date costs nothing).
    """
    closed, annual = frozenset(closed_dates), frozenset(annual_closures)
    count = 0
    current = today + dt.timedelta(days=1)
    while current <= day:
        if is_office_open(current, closed_dates=closed, annual_closures=annual):
            count += 1
            if stop_after is not None and count > stop_after:
                break
        current += dt.timedelta(days=1)
    return count


def _before_visit(stage: Stage) -> bool:
    return MAIN_LINE.index(stage) < MAIN_LINE.index(Stage.CHECKED_IN)


def materials_due(
    facts: AttentionFacts,
    settings: ClinicSettings = DEFAULT_SETTINGS,
    closed_dates: Collection[dt.date] = (),
) -> dt.date | None:
    """The materials due date of a booked case (the letters' date), None when not booked."""
    if facts.appointment_date is None:
        return None
    return materials_due_date(facts.appointment_date, settings, closed_dates)


def due_level(
    facts: AttentionFacts,
    settings: ClinicSettings = DEFAULT_SETTINGS,
    closed_dates: Collection[dt.date] = (),
) -> DueLevel:
    """Red when missing documents are past their due date, amber within 2 open days."""
    due = materials_due(facts, settings, closed_dates)
    if due is None or not facts.missing_documents or not _before_visit(facts.stage):
        return DueLevel.NONE
    if facts.today > due:
        return DueLevel.OVERDUE
    ahead = open_days_until(
        facts.today,
        due,
        closed_dates=closed_dates,
        annual_closures=settings.annual_closures,
        stop_after=SOON_OPEN_DAYS,
    )
    return DueLevel.SOON if ahead <= SOON_OPEN_DAYS else DueLevel.NONE


def on_closed_day(facts: AttentionFacts) -> bool:
    """True when the case's live booking lies on a day the office is closed (a closure added
    after it was booked, a yearly closure or holiday set later), today or ahead, unheld."""
    day = facts.appointment_date
    return (
        bool(facts.appointment_closure)
        and day is not None
        and day >= facts.today
        and _before_visit(facts.stage)
    )


def attention(
    facts: AttentionFacts,
    settings: ClinicSettings = DEFAULT_SETTINGS,
    closed_dates: Collection[dt.date] = (),
) -> tuple[Attention, ...]:
    """Every reason this case needs action today, most urgent first; () when none."""
    found: list[Attention] = []
    if on_closed_day(facts) and facts.appointment_date is not None:
        day = facts.appointment_date
        found.append(Attention(Reason.CLOSED_DAY, f"休診日の予約（{_md(day)}）"))
    level = due_level(facts, settings, closed_dates)
    due = materials_due(facts, settings, closed_dates)
    if level == DueLevel.OVERDUE and due is not None:
        found.append(Attention(Reason.MATERIALS_OVERDUE, f"資料の期限切れ（{_md(due)}）"))
    elif level == DueLevel.SOON and due is not None:
        when = "今日" if due == facts.today else _md(due)
        found.append(Attention(Reason.MATERIALS_SOON, f"資料の期限 {when}"))
    if (
        facts.appointment_date is not None
        and facts.notified_on is None
        and _before_visit(facts.stage)
        and facts.appointment_date >= facts.today
    ):
        found.append(Attention(Reason.NOT_NOTIFIED, "予約日を未連絡"))
    if facts.stage == Stage.FORMS_SENT:
        sent = facts.forms_sent_on or facts.stage_since
        days = _days(sent, facts.today)
        if days is not None and days >= settings.application_reminder_days:
            found.append(Attention(Reason.APPLICATION_LATE, f"申込書未着（送付から{days}日）"))
    if facts.stage == Stage.DOCTOR_REVIEW and facts.decision == Decision.PENDING:
        days = _days(facts.stage_since, facts.today)
        if days is not None and days > settings.decision_reminder_days:
            found.append(Attention(Reason.DECISION_PENDING, f"担当医の判断待ち{days}日"))
    if facts.stage == Stage.DONE and facts.report_delivered_on is None:
        found.append(Attention(Reason.REPORT_NOT_HANDED, "報告書が未渡し"))
    if facts.stage == Stage.DONE and facts.borrowed_out > 0:
        found.append(Attention(Reason.BORROWED_OUT, f"借用資料が未返却（{facts.borrowed_out}点）"))
    return tuple(found)


def _days(since: dt.date | None, today: dt.date) -> int | None:
    return None if since is None else (today - since).days


def _md(day: dt.date) -> str:
    return f"{day.month}/{day.day}"


# Short names for a card's badges; the checklist keeps the full DocumentKind labels.
BADGE_LABELS: dict[DocumentKind, str] = {
    DocumentKind.APPLICATION: "申込書",
    DocumentKind.REFERRAL_LETTER: "紹介状",
    DocumentKind.CONSENT: "同意書",
    DocumentKind.RELATIONSHIP_PROOF: "続柄確認",
    DocumentKind.BLOOD_TEST: "血液検査",
    DocumentKind.ULTRASOUND: "超音波",
    DocumentKind.IMAGING_FILM: "フィルム",
    DocumentKind.IMAGING_CD: "CD-R",
    DocumentKind.PATHOLOGY: "病理",
    DocumentKind.OTHER_MATERIAL: "資料",
}


def badge_label(kind: DocumentKind, label: str = "") -> str:
    """A missing document's badge: an extra document's own name, else the kind's short name."""
    if label.strip():
        return label.strip()[:8]
    return BADGE_LABELS.get(kind, kind.label[:6])
