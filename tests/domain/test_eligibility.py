from __future__ import annotations

import pytest

from desktop_app.domain.eligibility import (
    DEFAULT_EXCLUSION_REASONS,
    FAMILY_WITHOUT_CONSENT,
    THIRD_PARTY,
    ExclusionReason,
    Route,
    reason_by_code,
    screen,
    screening_questions,
)
from desktop_app.domain.people import Relationship


def codes(reasons: tuple[ExclusionReason, ...]) -> list[str]:
    return [r.code for r in reasons]


def test_screening_questions_are_the_guide_s_three() -> None:
    assert codes(screening_questions(DEFAULT_EXCLUSION_REASONS)) == [
        "complaint",
        "transfer",
        "accident_lawsuit",
    ]
    assert all(r.screening_question.endswith("？") for r in screening_questions())


@pytest.mark.parametrize("relationship", [r for r in Relationship if r != Relationship.OTHER])
def test_patient_or_family_with_no_answers_passes(relationship: Relationship) -> None:
    assert screen(relationship, {}) == ()
    assert screen(relationship, {"complaint": False, "transfer": False}) == ()


def test_third_party_is_excluded() -> None:
    assert codes(screen(Relationship.OTHER, {})) == [THIRD_PARTY]


def test_yes_answers_are_hits_in_reason_order() -> None:
    answers = {"accident_lawsuit": True, "complaint": True, "transfer": False}
    assert codes(screen(Relationship.SELF, answers)) == ["complaint", "accident_lawsuit"]
    assert codes(screen(Relationship.OTHER, {"transfer": True})) == [THIRD_PARTY, "transfer"]
    transfer = screen(Relationship.CHILD, {"transfer": True})[0]
    assert transfer.route == Route.GENERAL_OUTPATIENT


def test_consent_and_doctor_judgement_are_not_screened() -> None:
    answers = {FAMILY_WITHOUT_CONSENT: True, "general_outpatient": True, "unknown": True}
    assert screen(Relationship.SPOUSE, answers) == ()


def test_custom_reasons_from_settings() -> None:
    deceased = ExclusionReason(
        code="deceased",
        label="患者さんが亡くなられている",
        script="申し訳ございません。",
        screening_question="患者さんはご存命ですか？（いいえの場合）",
    )
    reasons = (*DEFAULT_EXCLUSION_REASONS, deceased)
    assert screening_questions(reasons)[-1] == deceased
    assert screen(Relationship.SELF, {"deceased": True}, reasons) == (deceased,)
    # Without a third_party reason configured, nothing names the exclusion.
    assert screen(Relationship.OTHER, {}, (deceased,)) == ()


def test_reason_by_code() -> None:
    assert reason_by_code(DEFAULT_EXCLUSION_REASONS, "transfer") is not None
    assert reason_by_code(DEFAULT_EXCLUSION_REASONS, "nope") is None
