"""What the case edit form holds: the wizard's groups of fields, and their Japanese names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.domain.documents import Channel
from desktop_app.domain.people import ConsultationCategory, Relationship, Sex
from desktop_app.domain.stages import Stage


@dataclass(frozen=True)
class PatientEdit:
    name: str
    furigana: str
    birth_date: dt.date | None = None
    sex: Sex = Sex.UNKNOWN
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    mobile: str = ""
    fax: str = ""


@dataclass(frozen=True)
class CallerEdit:
    """Who consults. For the patient (本人) the name and フリガナ are the patient's own."""

    relationship: Relationship = Relationship.SELF
    name: str = ""
    furigana: str = ""
    phone: str = ""
    relation: str = ""  # the caller's own 続柄; the category above follows it
    fax: str = ""  # kept for a family caller only (ご本人: the patient's own FAX)


@dataclass(frozen=True)
class ReferrerEdit:
    """The referring doctor; an empty institution means none is known."""

    institution: str = ""
    department: str = ""
    doctor: str = ""


@dataclass(frozen=True)
class ConsultationEdit:
    content: str = ""
    category: ConsultationCategory = ConsultationCategory.OTHER
    diagnosis: str = ""
    primary_doctor_informed: bool | None = None
    desired_department_id: int | None = None
    desired_dates: str = ""
    received_on: dt.date | None = None  # 受付日; None keeps the stored one


@dataclass(frozen=True)
class MailingEdit:
    to_name: str = ""
    postal_code: str = ""
    address: str = ""
    channel: Channel = Channel.MAIL


@dataclass(frozen=True)
class CaseEdit:
    """What the edit dialog shows and sends back, with the versions it was read at."""

    patient: PatientEdit
    caller: CallerEdit
    referrer: ReferrerEdit
    consultation: ConsultationEdit
    mailing: MailingEdit
    version: int = 1
    patient_version: int = 1


@dataclass(frozen=True)
class CaseEditForm:
    """The case's current values, and what the dialog says around them."""

    case_id: int
    case_number: str
    stage: Stage
    edit: CaseEdit
    # The patient's other cases: a corrected patient is corrected on them too.
    other_case_numbers: tuple[str, ...] = ()
    other_case_ids: tuple[int, ...] = ()


# Japanese names of the fields, for the history's summary line (keys as in the audit entry).
FIELD_LABELS: dict[str, str] = {
    "patient_name": "患者氏名",
    "patient_furigana": "フリガナ",
    "birth_date": "生年月日",
    "sex": "性別",
    "postal_code": "郵便番号",
    "address": "住所",
    "phone": "電話番号",
    "mobile": "携帯電話",
    "fax": "FAX番号",
    "relationship": "相談者のご関係",
    "relation": "相談者の続柄",
    "caller_name": "相談者の氏名",
    "caller_furigana": "相談者のフリガナ",
    "caller_phone": "相談者の電話番号",
    "caller_fax": "相談者のFAX番号",
    "referrer_institution": "紹介元医療機関",
    "referrer_department": "紹介元の診療科",
    "referrer_doctor": "主治医",
    "received_on": "受付日",
    "consultation": "相談内容",
    "category": "相談の種類",
    "diagnosis": "病名",
    "primary_doctor_informed": "主治医への相談",
    "desired_department": "希望する診療科",
    "desired_dates": "希望日",
    "mail_to_name": "宛名",
    "mail_postal_code": "送付先の郵便番号",
    "mail_address": "送付先の住所",
    "mail_channel": "送付方法",
}
