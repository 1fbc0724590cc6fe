from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop_app.domain import clock
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import (
    MAIN_LINE,
    OPEN_STAGES,
    TERMINAL_STAGES,
    CaseFacts,
    Decision,
    Stage,
    allowed_targets,
    check_transition,
)

TODAY = dt.date(2026, 11, 24)
END_STAGES = (Stage.CANCELLED, Stage.EXCLUDED)

# Facts that satisfy every guard, so one test can take a single guard away at a time.
READY = CaseFacts(
    stage=Stage.INQUIRY,
    decision=Decision.ACCEPTED,
    has_doctor=True,
    appointment_date=TODAY,
    actual_minutes=30,
    paid=True,
    report_delivered=True,
    today=TODAY,
)


def at(stage: Stage, **changes: object) -> CaseFacts:
    return dataclasses.replace(READY, stage=stage, **changes)


def next_stage(stage: Stage) -> Stage:
    return MAIN_LINE[MAIN_LINE.index(stage) + 1]


def test_every_stage_has_a_label() -> None:
    assert all(stage.label for stage in Stage)
    assert [s.is_open for s in Stage] == [s not in TERMINAL_STAGES for s in Stage]
    assert Stage.SETTLED not in OPEN_STAGES


@pytest.mark.parametrize("stage", OPEN_STAGES)
@pytest.mark.parametrize("target", END_STAGES)
def test_open_stage_can_end_with_a_reason(stage: Stage, target: Stage) -> None:
    # A bare case with no facts at all: cancelling needs no guard.
    check_transition(CaseFacts(stage=stage), target, reason="ご本人の希望")


@pytest.mark.parametrize("stage", OPEN_STAGES)
@pytest.mark.parametrize("target", END_STAGES)
@pytest.mark.parametrize("reason", ["", "  \u3000"])
def test_open_stage_cannot_end_without_a_reason(stage: Stage, target: Stage, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_transition(CaseFacts(stage=stage), target, reason=reason)
    assert info.value.field == "reason"


@pytest.mark.parametrize("stage", sorted(TERMINAL_STAGES))
@pytest.mark.parametrize("target", list(Stage))
def test_terminal_stages_refuse_everything(stage: Stage, target: Stage) -> None:
    assert allowed_targets(stage) == ()
    with pytest.raises(ValidationError, match="終了しています"):
        check_transition(at(stage), target, reason="理由")


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_same_stage_refused(stage: Stage) -> None:
    with pytest.raises(ValidationError, match="すでに"):
        check_transition(at(stage), stage)


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_one_step_forward_with_guards_met(stage: Stage) -> None:
    check_transition(at(stage), next_stage(stage))


@pytest.mark.parametrize("stage", OPEN_STAGES[1:])
def test_one_step_back_needs_no_guard(stage: Stage) -> None:
    previous = MAIN_LINE[MAIN_LINE.index(stage) - 1]
    assert allowed_targets(stage)[0] == previous
    check_transition(CaseFacts(stage=stage), previous)


@pytest.mark.parametrize("stage", OPEN_STAGES[2:])
def test_two_steps_back_refused(stage: Stage) -> None:
    with pytest.raises(ValidationError, match="進めません"):
        check_transition(at(stage), MAIN_LINE[MAIN_LINE.index(stage) - 2])


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_skipping_forward_refused_except_the_known_shortcuts(stage: Stage) -> None:
    index = MAIN_LINE.index(stage)
    for target in MAIN_LINE[index + 2 :]:
        if (stage, target) in {
            (Stage.INQUIRY, Stage.APPLICATION_RECEIVED),
            (Stage.BOOKED, Stage.CHECKED_IN),
        }:
            check_transition(at(stage), target)
            continue
        with pytest.raises(ValidationError, match="進めません"):
            check_transition(at(stage), target)


def test_allowed_targets_in_screen_order() -> None:
    assert allowed_targets(Stage.INQUIRY) == (
        Stage.FORMS_SENT,
        Stage.APPLICATION_RECEIVED,
        Stage.CANCELLED,
        Stage.EXCLUDED,
    )
    assert allowed_targets(Stage.BOOKED) == (
        Stage.DOCTOR_REVIEW,
        Stage.MATERIALS_RECEIVED,
        Stage.CHECKED_IN,
        Stage.CANCELLED,
        Stage.EXCLUDED,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": Decision.PENDING}, "受入"),
        ({"decision": Decision.DECLINED}, "受入"),
        ({"decision": Decision.GENERAL_OUTPATIENT}, "受入"),
        ({"has_doctor": False}, "担当医が決まっていません"),
        ({"appointment_date": None}, "予約日時"),
    ],
)
def test_booked_guard(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_transition(at(Stage.DOCTOR_REVIEW, **changes), Stage.BOOKED)


def test_materials_guard_names_the_missing_documents() -> None:
    facts = at(Stage.BOOKED, missing_required_documents=("相談同意書", "血液検査の結果"))
    with pytest.raises(ValidationError, match="相談同意書、血液検査の結果"):
        check_transition(facts, Stage.MATERIALS_RECEIVED)


@pytest.mark.parametrize("stage", [Stage.MATERIALS_RECEIVED, Stage.BOOKED])
def test_check_in_only_on_the_appointment_day(stage: Stage) -> None:
    check_transition(at(stage), Stage.CHECKED_IN)
    for other_day in (TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)):
        with pytest.raises(ValidationError, match="予約日にのみ"):
            check_transition(at(stage, appointment_date=other_day), Stage.CHECKED_IN)
    with pytest.raises(ValidationError, match="予約がありません"):
        check_transition(at(stage, appointment_date=None), Stage.CHECKED_IN)


def test_check_in_guard_holds_without_an_explicit_today() -> None:
    # Regression: with today=None the day check used to be skipped altogether.
    yesterday = clock.today() - dt.timedelta(days=1)
    facts = at(Stage.MATERIALS_RECEIVED, today=None, appointment_date=yesterday)
    with pytest.raises(ValidationError, match="予約日にのみ"):
        check_transition(facts, Stage.CHECKED_IN)
    check_transition(dataclasses.replace(facts, appointment_date=clock.today()), Stage.CHECKED_IN)


@pytest.mark.parametrize("minutes", [None, 0, -5])
def test_done_needs_minutes(minutes: int | None) -> None:
    with pytest.raises(ValidationError) as info:
        check_transition(at(Stage.CHECKED_IN, actual_minutes=minutes), Stage.DONE)
    assert info.value.field == "actual_minutes"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"paid": False}, "お会計"),
        ({"report_delivered": False}, "報告書"),
        ({"unreturned_borrowed": ("CD-R 1枚", "病理標本")}, "CD-R 1枚、病理標本"),
    ],
)
def test_settled_guard(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_transition(at(Stage.DONE, **changes), Stage.SETTLED)


def test_settled_then_nothing_more() -> None:
    check_transition(at(Stage.DONE), Stage.SETTLED)
    with pytest.raises(ValidationError):
        check_transition(at(Stage.SETTLED), Stage.DONE)


def test_missing_documents_may_be_overridden_with_a_reason() -> None:
    from desktop_app.domain.stages import MissingRequirement, may_override

    facts = CaseFacts(stage=Stage.BOOKED, missing_required_documents=("紹介状",))
    with pytest.raises(MissingRequirement) as refused:
        check_transition(facts, Stage.MATERIALS_RECEIVED)
    assert may_override(refused.value)
    with pytest.raises(MissingRequirement):
        check_transition(facts, Stage.MATERIALS_RECEIVED, override_reason="  ")
    passed = check_transition(facts, Stage.MATERIALS_RECEIVED, override_reason="当日持参")
    assert "紹介状" in passed
    assert (
        check_transition(
            dataclasses.replace(facts, missing_required_documents=()), Stage.MATERIALS_RECEIVED
        )
        == ""
    )


@pytest.mark.parametrize(
    ("facts", "target"),
    [
        (CaseFacts(stage=Stage.INQUIRY), Stage.DOCTOR_REVIEW),  # not an allowed move
        (CaseFacts(stage=Stage.SETTLED), Stage.DONE),  # terminal
        (CaseFacts(stage=Stage.DOCTOR_REVIEW), Stage.BOOKED),  # no decision, no appointment
        (CaseFacts(stage=Stage.BOOKED, today=dt.date(2026, 1, 5)), Stage.CHECKED_IN),
        (CaseFacts(stage=Stage.CHECKED_IN), Stage.DONE),  # minutes not recorded
        (CaseFacts(stage=Stage.FORMS_SENT), Stage.CANCELLED),  # no reason
    ],
)
def test_other_refusals_are_never_overridable(facts: CaseFacts, target: Stage) -> None:
    from desktop_app.domain.stages import may_override

    with pytest.raises(ValidationError) as refused:
        check_transition(facts, target, override_reason="急ぎのため")
    assert not may_override(refused.value)
