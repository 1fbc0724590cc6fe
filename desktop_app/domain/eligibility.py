"""Who and what the clinic does not take, as data the hospital can extend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.people import Relationship


class Route(StrEnum):
    """Where an excluded caller is sent instead."""

    NONE = ""
    GENERAL_OUTPATIENT = "general_outpatient"

    @property
    def label(self) -> str:
        return {Route.NONE: "なし", Route.GENERAL_OUTPATIENT: "一般外来のご案内"}[self]


@dataclass(frozen=True)
class ExclusionReason:
    """One reason a case is 対象外, with the sentence the clerk reads out on the phone."""

    code: str
    label: str
    script: str
    route: Route = Route.NONE
    screening_question: str = ""  # asked during intake; empty: not a screening question


# Codes the software itself relies on; the hospital may add others in the settings.
THIRD_PARTY = "third_party"
FAMILY_WITHOUT_CONSENT = "family_without_consent"

DEFAULT_EXCLUSION_REASONS: tuple[ExclusionReason, ...] = (
    ExclusionReason(
        code="third_party",
        label="ご本人・ご家族以外からのご相談",
        script=(
            "申し訳ございません。セカンドオピニオン外来は、患者さんご本人またはご家族からの"
            "ご相談に限らせていただいております。"
        ),
    ),
    ExclusionReason(
        code="family_without_consent",
        label="ご家族のみで相談同意書がない",
        script=(
            "ご家族だけでいらっしゃる場合は、患者さんご本人の相談同意書が必要です。"
            "同意書をご用意いただけない場合はお受けできません。"
        ),
    ),
    ExclusionReason(
        code="complaint",
        label="主治医に対するクレームや不満",
        script=(
            "主治医に対するご不満やクレームについてのご相談は、セカンドオピニオン外来の"
            "対象外となっております。"
        ),
        screening_question="主治医への不満やクレームについてのご相談ですか？",
    ),
    ExclusionReason(
        code="transfer",
        label="転医・転院のご希望",
        script=(
            "セカンドオピニオンは病院や医師を変えることではありません。転医をご希望の場合は、"
            "当院の一般外来の受診となります。一般外来のご案内をいたします。"
        ),
        route=Route.GENERAL_OUTPATIENT,
        screening_question="主治医や病院を変えたい（転医・転院）というご希望ですか？",
    ),
    ExclusionReason(
        code="accident_lawsuit",
        label="医療事故・訴訟に関するご相談",
        script=(
            "医療事故や訴訟等に関するご相談は、セカンドオピニオン外来の対象外となっております。"
        ),
        screening_question="医療事故や訴訟に関係するご相談ですか？",
    ),
    ExclusionReason(
        code="general_outpatient",
        label="一般外来の受診が適当と判断",
        script=(
            "ご相談の内容から、セカンドオピニオン外来よりも一般外来の受診をお勧めいたします。"
            "別途、一般外来の予約をお取りします。"
        ),
        route=Route.GENERAL_OUTPATIENT,
    ),
)


def reason_by_code(reasons: tuple[ExclusionReason, ...], code: str) -> ExclusionReason | None:
    """The reason with this code, or None."""
    return next((r for r in reasons if r.code == code), None)


def screening_questions(
    reasons: Sequence[ExclusionReason] = DEFAULT_EXCLUSION_REASONS,
) -> tuple[ExclusionReason, ...]:
    """The reasons the clerk asks about during intake (those with a screening question)."""
    return tuple(r for r in reasons if r.screening_question.strip())


def screen(
    relationship: Relationship,
    answers: Mapping[str, bool],
    reasons: Sequence[ExclusionReason] = DEFAULT_EXCLUSION_REASONS,
) -> tuple[ExclusionReason, ...]:
    """The exclusion reasons an intake call hits, in the order of ``reasons``.

    ``answers`` maps a screening question's reason code to the caller's yes/no.
    """
    return tuple(r for r in reasons if _is_hit(r, relationship, answers))


def _is_hit(
    reason: ExclusionReason, relationship: Relationship, answers: Mapping[str, bool]
) -> bool:
    if reason.code == THIRD_PARTY:
        return not relationship.is_eligible
    # Only screening questions are answered on the phone; the consent check and the doctor's
    # judgement come later, so stray answers for those codes are ignored.
    return bool(reason.screening_question.strip()) and bool(answers.get(reason.code, False))


# The guide's own reasons: past cases refer to their codes, so the settings may reword them
# but never drop them.
BUILT_IN_CODES: frozenset[str] = frozenset(r.code for r in DEFAULT_EXCLUSION_REASONS)


def is_built_in(reason: ExclusionReason) -> bool:
    """True for a reason of the guide itself (rewordable, never deleted)."""
    return reason.code in BUILT_IN_CODES
