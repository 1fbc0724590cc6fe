"""What each wizard page holds, as typed values, and the draft file's JSON for it.

One frozen dataclass per page and ``IntakeSnapshot`` holding them: the pages give and take
these, and the rules in ``state.py`` read them. Text stays exactly as typed (the birth date
too: a half-typed or impossible date must survive a draft and come back as it was); choices
are the domain's enums; ids are ints.

The draft file keeps the JSON it always had (``services/drafts.py`` stores
``dict[str, dict[str, Any]]``): ``to_json`` writes it and ``from_json`` reads it back. As the
pages always did, a missing field takes the page's default, a field or page this version
does not know is dropped, and a choice code it does not know is the default. A draft whose
fields have the wrong type is refused before this, by ``draft_fit.draft_problem``; the one
thing ``from_json`` still refuses is an id that is no id (ValueError or TypeError).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeGuard, TypeVar

from desktop_app.domain.case_fields import parse_birth_date
from desktop_app.domain.documents import Channel, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import (
    Attendance,
    ConsultationCategory,
    Relationship,
    Sex,
    category_of,
)

Json = dict[str, object]
"""One page's fields in the draft file: JSON scalars, lists and objects of scalars."""

E = TypeVar("E", bound=StrEnum)


class MailTarget(StrEnum):
    """Where the mail-out packet goes: the patient's own address, or one typed on 送付."""

    PATIENT = "patient"
    OTHER = "other"


# 主治医への相談: the draft's codes for NewCase.primary_doctor_informed (None: not asked).
INFORMED_YES, INFORMED_NO, INFORMED_UNKNOWN = "yes", "no", "unknown"
_INFORMED_CODES: dict[bool | None, str] = {
    True: INFORMED_YES,
    False: INFORMED_NO,
    None: INFORMED_UNKNOWN,
}


def informed_code(informed: bool | None) -> str:
    """The code the 主治医 page's choice and the draft use for ``informed``."""
    return _INFORMED_CODES[informed]


def informed_from_code(code: object) -> bool | None:
    """``informed`` from a choice or draft code; anything else is 未確認 (None)."""
    return {INFORMED_YES: True, INFORMED_NO: False}.get(code if isinstance(code, str) else "")


# The wizard and the case edit dialog read a typed birth date by the same rule.
parse_birth = parse_birth_date


@dataclass(frozen=True)
class CallerValues:
    """1 相談者: who is calling."""

    relationship: Relationship = Relationship.SELF
    name: str = ""
    furigana: str = ""
    phone: str = ""
    relation: str = ""  # the caller's own 続柄 (父, 妻…); the category above follows it
    fax: str = ""

    def typed_text(self) -> tuple[str, ...]:
        # A relation picked from the buttons is a choice; one typed (その他の親族) is text.
        typed = "" if category_of(self.relation) else self.relation
        return (self.name, self.furigana, self.phone, typed, self.fax)

    def to_json(self) -> Json:
        return {
            "relationship": self.relationship.value,
            "name": self.name,
            "furigana": self.furigana,
            "phone": self.phone,
            # Only when asked: a draft saved before the relation was asked reads back as it was.
            **({"relation": self.relation} if self.relation else {}),
            # Only when typed: a draft saved before FAX numbers were asked reads back as it was.
            **({"fax": self.fax} if self.fax else {}),
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> CallerValues:
        return cls(
            relationship=_enum(Relationship, values.get("relationship"), Relationship.SELF),
            relation=_text(values, "relation"),
            name=_text(values, "name"),
            furigana=_text(values, "furigana"),
            phone=_text(values, "phone"),
            fax=_text(values, "fax"),
        )


@dataclass(frozen=True)
class PatientValues:
    """2 患者: the patient as typed, or the registered patient chosen (``existing_id``)."""

    name: str = ""
    furigana: str = ""
    birth: str = ""  # as typed: 1970/3/15, S45.3.15, 昭和45年3月15日 …
    sex: Sex = Sex.UNKNOWN
    postal: str = ""
    address: str = ""
    phone: str = ""
    mobile: str = ""
    existing_id: int | None = None
    dismissed: frozenset[int] = frozenset()  # registered patients the clerk said are others
    fax: str = ""

    def birth_date(self, today: dt.date) -> dt.date | None:
        """The birth date typed, None when empty; ValidationError when impossible."""
        return parse_birth(self.birth, today)

    def birth_or_none(self, today: dt.date) -> dt.date | None:
        """The birth date typed, None when empty or not (yet) a date."""
        try:
            return self.birth_date(today)
        except ValidationError:
            return None

    def typed_text(self) -> tuple[str, ...]:
        return (
            self.name,
            self.furigana,
            self.birth,
            self.postal,
            self.address,
            self.phone,
            self.mobile,
            self.fax,
        )

    def to_json(self) -> Json:
        return {
            "name": self.name,
            "furigana": self.furigana,
            "birth": self.birth,
            "sex": self.sex.value,
            "postal": self.postal,
            "address": self.address,
            "phone": self.phone,
            "mobile": self.mobile,
            # Only when typed, as the caller's: an older draft round-trips to the same JSON.
            **({"fax": self.fax} if self.fax else {}),
            "existing_id": self.existing_id,
            "dismissed": sorted(self.dismissed),
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> PatientValues:
        existing = values.get("existing_id")
        return cls(
            name=_text(values, "name"),
            furigana=_text(values, "furigana"),
            birth=_text(values, "birth"),
            sex=_enum(Sex, values.get("sex"), Sex.UNKNOWN),
            postal=_text(values, "postal"),
            address=_text(values, "address"),
            phone=_text(values, "phone"),
            mobile=_text(values, "mobile"),
            fax=_text(values, "fax"),
            # An id that is no id raises: the wizard refuses such a draft (as it always has).
            existing_id=_id(existing) if existing is not None else None,
            dismissed=frozenset(_id(i) for i in _items(values.get("dismissed"))),
        )


@dataclass(frozen=True)
class DoctorValues:
    """3 主治医: the referring institution and doctor, the diagnosis."""

    institution: str = ""
    department: str = ""
    doctor: str = ""
    diagnosis: str = ""
    informed: bool | None = None  # has the patient told the doctor? None: 未確認

    def typed_text(self) -> tuple[str, ...]:
        return (self.institution, self.department, self.doctor, self.diagnosis)

    def to_json(self) -> Json:
        return {
            "institution": self.institution,
            "department": self.department,
            "doctor": self.doctor,
            "diagnosis": self.diagnosis,
            "informed": informed_code(self.informed),
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> DoctorValues:
        return cls(
            institution=_text(values, "institution"),
            department=_text(values, "department"),
            doctor=_text(values, "doctor"),
            diagnosis=_text(values, "diagnosis"),
            informed=informed_from_code(values.get("informed")),
        )


@dataclass(frozen=True)
class ContentValues:
    """4 相談内容: the question, and the screening answers (exclusion code -> はい)."""

    category: ConsultationCategory = ConsultationCategory.OTHER
    text: str = ""
    department_id: int | None = None
    dates: str = ""
    answers: Mapping[str, bool] = field(default_factory=dict)
    exclusion_code: str = ""  # the exclusion the clerk confirmed, "" for none

    def typed_text(self) -> tuple[str, ...]:
        return (self.text, self.dates)

    def to_json(self) -> Json:
        return {
            "category": self.category.value,
            "text": self.text,
            "department_id": self.department_id,
            "dates": self.dates,
            "answers": dict(self.answers),
            "exclusion_code": self.exclusion_code,
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> ContentValues:
        department = values.get("department_id")
        answers = values.get("answers")
        return cls(
            category=_enum(
                ConsultationCategory, values.get("category"), ConsultationCategory.OTHER
            ),
            text=_text(values, "text"),
            department_id=department if _is_int(department) else None,
            dates=_text(values, "dates"),
            answers=(
                {str(k): v for k, v in answers.items() if isinstance(v, bool)}
                if isinstance(answers, dict)
                else {}
            ),
            exclusion_code=_text(values, "exclusion_code"),
        )


@dataclass(frozen=True)
class AttendanceValues:
    """5 来院者: who will come, and the test materials they bring."""

    attendance: Attendance = Attendance.PATIENT
    materials: tuple[DocumentKind, ...] = ()

    def typed_text(self) -> tuple[str, ...]:
        return ()

    def to_json(self) -> Json:
        return {
            "attendance": self.attendance.value,
            "materials": [kind.value for kind in self.materials],
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> AttendanceValues:
        known = {kind.value for kind in DocumentKind}
        raw = values.get("materials")
        chosen = (
            [k for k in raw if isinstance(k, str) and k in known] if isinstance(raw, list) else []
        )
        return cls(
            attendance=_enum(Attendance, values.get("attendance"), Attendance.PATIENT),
            materials=tuple(DocumentKind(k) for k in dict.fromkeys(chosen)),
        )


@dataclass(frozen=True)
class MailValues:
    """6 送付: how the packet goes, and the other address when it is not the patient's."""

    channel: Channel = Channel.MAIL
    target: MailTarget = MailTarget.PATIENT
    name: str = ""
    postal: str = ""
    address: str = ""

    @property
    def to_other(self) -> bool:
        return self.target == MailTarget.OTHER

    def typed_text(self) -> tuple[str, ...]:
        return (self.name, self.postal, self.address)

    def to_json(self) -> Json:
        return {
            "channel": self.channel.value,
            "target": self.target.value,
            "name": self.name,
            "postal": self.postal,
            "address": self.address,
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> MailValues:
        return cls(
            channel=_enum(Channel, values.get("channel"), Channel.MAIL),
            target=_enum(MailTarget, values.get("target"), MailTarget.PATIENT),
            name=_text(values, "name"),
            postal=_text(values, "postal"),
            address=_text(values, "address"),
        )


@dataclass(frozen=True)
class IntakeSnapshot:
    """Every page's values at one moment: what the draft, 確認 and 登録 all read."""

    caller: CallerValues = CallerValues()
    patient: PatientValues = PatientValues()
    doctor: DoctorValues = DoctorValues()
    content: ContentValues = ContentValues()
    attendance: AttendanceValues = AttendanceValues()
    mail: MailValues = MailValues()

    def is_blank(self) -> bool:
        """True when nothing worth keeping has been typed (choices and checks do not count)."""
        pages = (self.caller, self.patient, self.doctor, self.content, self.attendance, self.mail)
        return not any(text.strip() for page in pages for text in page.typed_text())

    def to_json(self) -> dict[str, Json]:
        """The draft file's ``values``: one object per page, keyed as the pages are."""
        return {
            "caller": self.caller.to_json(),
            "patient": self.patient.to_json(),
            "doctor": self.doctor.to_json(),
            "content": self.content.to_json(),
            "attendance": self.attendance.to_json(),
            "mail": self.mail.to_json(),
        }

    @classmethod
    def from_json(cls, values: Mapping[str, object]) -> IntakeSnapshot:
        """A draft's ``values`` back; ValueError or TypeError for an id that is no id."""
        return cls(
            caller=CallerValues.from_json(_page(values, "caller")),
            patient=PatientValues.from_json(_page(values, "patient")),
            doctor=DoctorValues.from_json(_page(values, "doctor")),
            content=ContentValues.from_json(_page(values, "content")),
            attendance=AttendanceValues.from_json(_page(values, "attendance")),
            mail=MailValues.from_json(_page(values, "mail")),
        )


def draft_names(values: Mapping[str, object]) -> tuple[str, str]:
    """The patient's and the caller's names in a draft's JSON, read without the rest.

    For the 再開 question, asked before the draft is converted: a draft that will turn out
    not to load is still named as it always was.
    """
    return _text(_page(values, "patient"), "name"), _text(_page(values, "caller"), "name")


def _page(values: Mapping[str, object], key: str) -> Mapping[str, object]:
    page = values.get(key)
    return page if isinstance(page, dict) else {}


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name)
    return value if isinstance(value, str) else ""


def _items(value: object) -> list[object]:
    """A list field's items; an absent (or empty) field has none."""
    if not value:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{type(value).__name__} is not a list")
    return value


def _id(value: object) -> int:
    """An id as the pages always took it, by int(); ValueError or TypeError when it is none."""
    if isinstance(value, int | float | str):
        return int(value)
    raise TypeError(f"{type(value).__name__} is not an id")


def _enum(kind: type[E], code: object, default: E) -> E:
    if isinstance(code, str):
        try:
            return kind(code)
        except ValueError:
            pass
    return default


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
