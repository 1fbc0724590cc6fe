"""Callers, patients and who attends."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from desktop_app.domain.errors import ValidationError


class Relationship(StrEnum):
    """The caller's relationship to the patient."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"  # not family: not eligible

    @property
    def label(self) -> str:
        return RELATIONSHIP_LABELS[self]

    @property
    def is_family(self) -> bool:
        return self not in (Relationship.SELF, Relationship.OTHER)

    @property
    def is_eligible(self) -> bool:
        return self != Relationship.OTHER


RELATIONSHIP_LABELS: dict[Relationship, str] = {
    Relationship.SELF: "本人",
    Relationship.SPOUSE: "配偶者",
    Relationship.CHILD: "子",
    Relationship.PARENT: "父母",
    Relationship.SIBLING: "兄弟姉妹",
    Relationship.OTHER_RELATIVE: "その他の親族",
    Relationship.OTHER: "その他（ご家族以外）",
}


# The caller's own 続柄, as the intake asks it: each names the category kept for statistics.
# For anyone else in the family (義母, いとこ…) the clerk types the relation under その他の親族.
# Stored as the words themselves (callers.relation), so what the clerk chose is what the forms
# print, and a typed relation needs no code of its own.
RELATIONS: dict[str, Relationship] = {
    "父": Relationship.PARENT,
    "母": Relationship.PARENT,
    "夫": Relationship.SPOUSE,
    "妻": Relationship.SPOUSE,
    "息子": Relationship.CHILD,
    "娘": Relationship.CHILD,
    "兄": Relationship.SIBLING,
    "姉": Relationship.SIBLING,
    "弟": Relationship.SIBLING,
    "妹": Relationship.SIBLING,
    "祖父": Relationship.OTHER_RELATIVE,
    "祖母": Relationship.OTHER_RELATIVE,
    "孫": Relationship.OTHER_RELATIVE,
    "おじ": Relationship.OTHER_RELATIVE,
    "おば": Relationship.OTHER_RELATIVE,
}
# A relation the clerk may type under その他の親族, in characters (callers.relation).
RELATION_MAX_LENGTH = 20


def category_of(relation: str) -> Relationship | None:
    """The category a relation belongs to, or None for one typed under その他の親族."""
    return RELATIONS.get(relation.strip())


def check_relation(relationship: Relationship, relation: str) -> str:
    """The caller's own relation, stripped, when it fits the category; ValidationError when it
    does not (父 for 配偶者). The patient and a non-family caller have none (''); a relation
    not in RELATIONS is only for その他の親族; '' is kept as unknown (callers stored before
    the relation was asked) and prints as the category's label."""
    text = " ".join(relation.split())
    if relationship in (Relationship.SELF, Relationship.OTHER) or not text:
        return ""
    if len(text) > RELATION_MAX_LENGTH:
        raise ValidationError(
            f"続柄は{RELATION_MAX_LENGTH}文字以内で入力してください。", field="relation"
        )
    known = RELATIONS.get(text)
    if known is None and relationship != Relationship.OTHER_RELATIVE:
        raise ValidationError(
            f"続柄「{text}」は{relationship.label}の続柄として選べません。", field="relation"
        )
    if known is not None and known != relationship:
        raise ValidationError(
            f"続柄「{text}」は{known.label}です（{relationship.label}ではありません）。",
            field="relation",
        )
    return text


def relation_label(relationship: Relationship, relation: str) -> str:
    """What a form prints as the caller's 続柄: the relation when known, else the category."""
    return relation or relationship.label


class Attendance(StrEnum):
    """Who will come to the session."""

    PATIENT = "patient"
    PATIENT_AND_FAMILY = "patient_and_family"
    FAMILY_ONLY = "family_only"

    @property
    def label(self) -> str:
        return ATTENDANCE_LABELS[self]


ATTENDANCE_LABELS: dict[Attendance, str] = {
    Attendance.PATIENT: "本人",
    Attendance.PATIENT_AND_FAMILY: "本人と家族",
    Attendance.FAMILY_ONLY: "家族のみ",
}


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return SEX_LABELS[self]


SEX_LABELS: dict[Sex, str] = {Sex.MALE: "男", Sex.FEMALE: "女", Sex.UNKNOWN: "未記入"}


class ConsultationCategory(StrEnum):
    """The guide's typical contents, plus その他."""

    SURGICAL_OR_MEDICAL = "surgical_or_medical"
    OTHER_TREATMENT = "other_treatment"
    MAJOR_OPERATION = "major_operation"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[ConsultationCategory, str] = {
    ConsultationCategory.SURGICAL_OR_MEDICAL: "外科的治療と内科的治療で迷っている",
    ConsultationCategory.OTHER_TREATMENT: "現在の治療法以外の治療法を相談したい",
    ConsultationCategory.MAJOR_OPERATION: "大きな手術を勧められている",
    ConsultationCategory.OTHER: "その他",
}


def age_on(birth: date, day: date) -> int:
    """Age on ``day`` under 年齢計算ニ関スル法律: one year older from the start of the birthday."""
    if birth > day:
        raise ValidationError("生年月日が未来の日付です。", field="birth_date")
    # Comparing (month, day) pairs also settles 29 February: in a common year (2, 28) is still
    # before (2, 29), so the person turns older on 1 March, as the law's day-before rule gives.
    before_birthday = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - int(before_birthday)


def is_minor_on(birth: date, day: date, age_of_majority: int = 18) -> bool:
    """True when the person is under ``age_of_majority`` (18 since 2022) on ``day``."""
    return age_on(birth, day) < age_of_majority


# 主治医への相談: has the patient told the primary doctor about the second opinion?
INFORMED_LABELS: dict[bool | None, str] = {
    True: "伝えている",
    False: "まだ伝えていない",
    None: "未確認",
}
