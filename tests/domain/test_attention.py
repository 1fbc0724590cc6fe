"""要対応 rules: the materials due colour over closures, and each reason coming and going."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.attention import (
    AttentionFacts,
    DueLevel,
    Reason,
    attention,
    badge_label,
    due_level,
    materials_due,
    on_closed_day,
    open_days_until,
)
from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.office_calendar import is_office_open
from desktop_app.domain.settings import DEFAULT_SETTINGS
from desktop_app.domain.stages import Decision, Stage

D = dt.date
WED = D(2026, 6, 10)


def booked(today: D, appointment: D, **values: object) -> AttentionFacts:
    base = AttentionFacts(
        stage=Stage.BOOKED,
        today=today,
        missing_documents=("紹介状",),
        appointment_date=appointment,
        notified_on=today,
    )
    return replace(base, **values)  # type: ignore[arg-type]


def reasons(facts: AttentionFacts, **kw: object) -> set[Reason]:
    return {a.reason for a in attention(facts, **kw)}  # type: ignore[arg-type]


# Due today, tomorrow, and over a weekend, a national holiday and the year-end closure ---------


def test_due_today_is_amber_and_says_today() -> None:
    facts = booked(WED, D(2026, 6, 13))  # three days before: Wednesday itself
    assert materials_due(facts) == WED
    assert due_level(facts) == DueLevel.SOON
    assert [a.text for a in attention(facts)] == ["資料の期限 今日"]


def test_due_tomorrow_is_amber() -> None:
    facts = booked(WED, D(2026, 6, 14))
    assert materials_due(facts) == D(2026, 6, 11)
    assert due_level(facts) == DueLevel.SOON
    assert attention(facts)[0].text == "資料の期限 6/11"


def test_due_three_open_days_ahead_is_not_yet_flagged() -> None:
    facts = booked(WED, D(2026, 6, 18))  # due Monday 6/15: Thu, Fri, Mon ahead
    assert materials_due(facts) == D(2026, 6, 15)
    assert due_level(facts) == DueLevel.NONE
    assert attention(facts) == ()


def test_overdue_is_red() -> None:
    facts = booked(D(2026, 6, 12), D(2026, 6, 14))  # due Thursday, today Friday
    assert due_level(facts) == DueLevel.OVERDUE
    assert attention(facts)[0].text == "資料の期限切れ（6/11）"


def test_due_date_pulled_forward_over_a_weekend() -> None:
    facts = booked(D(2026, 6, 11), D(2026, 6, 16))  # Tuesday: 3 days before is Saturday
    assert materials_due(facts) == D(2026, 6, 12)  # Friday
    assert due_level(facts) == DueLevel.SOON


def test_weekend_days_do_not_count_as_open_days() -> None:
    friday = D(2026, 6, 12)
    facts = booked(friday, D(2026, 6, 19))  # due Tuesday 6/16: Mon and Tue are open
    assert materials_due(facts) == D(2026, 6, 16)
    assert open_days_until(friday, D(2026, 6, 16)) == 2
    assert due_level(facts) == DueLevel.SOON


def test_due_date_pulled_forward_over_a_national_holiday() -> None:
    # Thursday 26 Nov 2026: 3 days before is Monday 23, 勤労感謝の日.
    facts = booked(D(2026, 11, 19), D(2026, 11, 26))
    assert materials_due(facts) == D(2026, 11, 20)
    assert due_level(facts) == DueLevel.SOON
    assert due_level(replace(facts, today=D(2026, 11, 23))) == DueLevel.OVERDUE


def test_due_date_pulled_forward_over_the_year_end_closure() -> None:
    appointment = D(2026, 1, 6)  # 3 days before is 1/3; 12/29 to 1/3 closed, 12/27-28 weekend
    facts = booked(D(2025, 12, 24), appointment)
    assert materials_due(facts) == D(2025, 12, 26)
    assert due_level(facts) == DueLevel.SOON  # Thursday 25 and Friday 26 are open
    assert due_level(replace(facts, today=D(2025, 12, 22))) == DueLevel.NONE
    assert due_level(replace(facts, today=D(2025, 12, 29))) == DueLevel.OVERDUE


def test_clinic_closures_pull_the_due_date_forward() -> None:
    facts = booked(D(2026, 6, 8), D(2026, 6, 13))
    assert materials_due(facts, closed_dates={WED}) == D(2026, 6, 9)


@given(
    today=st.dates(D(2025, 1, 1), D(2027, 12, 31)),
    ahead=st.integers(0, 60),
)
def test_due_level_matches_the_due_date(today: D, ahead: int) -> None:
    facts = booked(today, today + dt.timedelta(days=ahead))
    due = materials_due(facts)
    assert due is not None and is_office_open(due)
    assert due <= facts.appointment_date - dt.timedelta(days=3)  # type: ignore[operator]
    level = due_level(facts)
    if today > due:
        assert level == DueLevel.OVERDUE
    elif open_days_until(today, due) <= 2:
        assert level == DueLevel.SOON
    else:
        assert level == DueLevel.NONE
    assert (open_days_until(today, due, stop_after=2) <= 2) == (open_days_until(today, due) <= 2)
    # Once everything is in, the date is no one's worry.
    assert due_level(replace(facts, missing_documents=())) == DueLevel.NONE


# Each reason appearing and disappearing -------------------------------------------------


def test_materials_reason_goes_when_the_documents_are_in_or_the_visit_happened() -> None:
    facts = booked(D(2026, 6, 12), D(2026, 6, 14))
    assert Reason.MATERIALS_OVERDUE in reasons(facts)
    assert Reason.MATERIALS_OVERDUE not in reasons(replace(facts, missing_documents=()))
    assert Reason.MATERIALS_OVERDUE not in reasons(replace(facts, stage=Stage.DONE))


def test_not_notified_until_the_patient_is_told() -> None:
    facts = booked(WED, D(2026, 7, 1), notified_on=None)
    assert reasons(facts) == {Reason.NOT_NOTIFIED}
    assert reasons(replace(facts, notified_on=WED)) == set()
    assert reasons(replace(facts, stage=Stage.CHECKED_IN)) == set()


def test_application_late_after_the_setting_days() -> None:
    facts = AttentionFacts(stage=Stage.FORMS_SENT, today=WED, forms_sent_on=WED - dt.timedelta(13))
    assert reasons(facts) == set()
    late = replace(facts, forms_sent_on=WED - dt.timedelta(14))
    assert [a.text for a in attention(late)] == ["申込書未着（送付から14日）"]
    shorter = replace(DEFAULT_SETTINGS, application_reminder_days=10)
    assert reasons(facts, settings=shorter) == {Reason.APPLICATION_LATE}
    # The application came back: the case left 書類送付済.
    assert reasons(replace(late, stage=Stage.APPLICATION_RECEIVED)) == set()


def test_decision_pending_more_than_the_setting_days() -> None:
    facts = AttentionFacts(stage=Stage.DOCTOR_REVIEW, today=WED, stage_since=WED - dt.timedelta(7))
    assert reasons(facts) == set()
    waiting = replace(facts, stage_since=WED - dt.timedelta(8))
    assert [a.text for a in attention(waiting)] == ["担当医の判断待ち8日"]
    assert reasons(replace(waiting, decision=Decision.ACCEPTED)) == set()


def test_report_and_borrowed_items_after_the_visit() -> None:
    facts = AttentionFacts(stage=Stage.DONE, today=WED, borrowed_out=2)
    assert reasons(facts) == {Reason.REPORT_NOT_HANDED, Reason.BORROWED_OUT}
    assert "借用資料が未返却（2点）" in [a.text for a in attention(facts)]
    handed = replace(facts, report_delivered_on=WED)
    assert reasons(handed) == {Reason.BORROWED_OUT}
    assert reasons(replace(handed, borrowed_out=0)) == set()
    # Before the visit, borrowed films in the office are expected, not a worry.
    assert reasons(replace(facts, stage=Stage.MATERIALS_RECEIVED)) == set()


def test_most_urgent_reason_first() -> None:
    facts = booked(D(2026, 6, 12), D(2026, 6, 14), notified_on=None)
    assert [a.reason for a in attention(facts)] == [Reason.MATERIALS_OVERDUE, Reason.NOT_NOTIFIED]


def test_badges_are_short() -> None:
    assert badge_label(DocumentKind.REFERRAL_LETTER) == "紹介状"
    assert badge_label(DocumentKind.OTHER_MATERIAL, "CT フィルム 胸部") == "CT フィルム 胸部"[:8]


# A booking left on a day that has since become a closure ------------------------------------


def test_a_booking_on_a_closed_day_is_red_and_first() -> None:
    thursday = D(2026, 6, 11)
    facts = booked(WED, thursday, missing_documents=())
    assert reasons(facts) == set() and not on_closed_day(facts)
    closed = replace(facts, appointment_closure="休診日")
    assert on_closed_day(closed)
    assert [(a.reason, a.text) for a in attention(closed)] == [
        (Reason.CLOSED_DAY, "休診日の予約（6/11）")
    ]
    assert Reason.CLOSED_DAY.label == "休診日の予約"
    # Not once the day is past, nor for a session already held, nor without a booking.
    assert not on_closed_day(replace(closed, today=D(2026, 6, 12)))
    assert not on_closed_day(replace(closed, stage=Stage.CHECKED_IN, today=thursday))
    assert not on_closed_day(replace(closed, appointment_date=None))
    # The most urgent reason: before an overdue or unannounced one.
    late = booked(D(2026, 6, 12), D(2026, 6, 14), notified_on=None, appointment_closure="日曜日")
    assert [a.reason for a in attention(late)] == [
        Reason.CLOSED_DAY,
        Reason.MATERIALS_OVERDUE,
        Reason.NOT_NOTIFIED,
    ]
