"""Plain frozen dataclasses that services return: never ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from desktop_app.domain.documents import (
    Channel,
    ContactKind,
    Direction,
    DocumentKind,
    ReportChannel,
)
from desktop_app.domain.paper_trail import checklist_label
from desktop_app.domain.people import (
    Attendance,
    ConsultationCategory,
    Relationship,
    Sex,
    relation_label,
)
from desktop_app.domain.stages import Decision, Stage


@dataclass(frozen=True)
class PatientData:
    id: int
    name: str
    furigana: str
    birth_date: dt.date | None
    sex: Sex
    postal_code: str
    address: str
    phone: str
    mobile: str
    fax: str = ""  # a home fax, digits ('' for none): 「FAXで送る」 offers it


@dataclass(frozen=True)
class CallerData:
    name: str
    furigana: str
    relationship: Relationship
    phone: str
    # The caller's own 続柄 (父, 妻…); '' when not known: the category's label stands in.
    relation: str = ""
    fax: str = ""  # a home fax, digits ('' for none)

    @property
    def relation_label(self) -> str:
        return relation_label(self.relationship, self.relation)


@dataclass(frozen=True)
class ReferrerData:
    institution_id: int
    institution: str
    department: str
    doctor: str
    postal_code: str = ""
    address: str = ""
    tel: str = ""
    fax: str = ""


@dataclass(frozen=True)
class DocumentData:
    id: int
    kind: DocumentKind
    direction: Direction
    required: bool
    borrowed: bool
    due_date: dt.date | None
    sent_on: dt.date | None
    received_on: dt.date | None
    returned_on: dt.date | None
    channel: Channel | None
    note: str
    waived_on: dt.date | None = None
    waived_reason: str = ""
    label: str = ""
    quantity: int = 1
    source: str = ""
    returned_to: str = ""
    return_channel: Channel | None = None

    @property
    def display_label(self) -> str:
        """The checklist line's name: the item's own label or its kind's, with ×N."""
        return checklist_label(self.kind, self.label, self.quantity)

    @property
    def is_done(self) -> bool:
        """Nothing more to wait for: received, sent or waived."""
        return (
            self.received_on is not None or self.sent_on is not None or self.waived_on is not None
        )


@dataclass(frozen=True)
class AppointmentData:
    id: int
    date: dt.date
    start_time: dt.time
    minutes: int
    doctor_id: int
    doctor: str
    department: str
    cancelled: bool
    no_show: bool = False
    cancel_reason: str = ""
    notified_on: dt.date | None = None  # the patient was told the date (日時連絡済)
    checked_in: bool = False

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start_time)


@dataclass(frozen=True)
class ContactData:
    at: dt.datetime
    kind: ContactKind
    staff: str
    party: str
    summary: str


@dataclass(frozen=True)
class PaymentData:
    receipt_number: str
    paid_on: dt.date
    minutes: int
    base_yen: int
    extension_yen: int
    total_yen: int
    id: int = 0
    method: str = "現金"
    amount_reason: str = ""
    voided: bool = False
    void_reason: str = ""


@dataclass(frozen=True)
class AuditData:
    at: dt.datetime
    staff: str
    action: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class CaseDetail:
    id: int
    case_number: str
    stage: Stage
    patient: PatientData
    caller: CallerData | None
    referrer: ReferrerData | None
    attendance: Attendance
    consultation: str
    category: ConsultationCategory
    diagnosis: str
    primary_doctor_informed: bool | None
    desired_department: str
    desired_dates: str
    screening_answers: dict[str, bool]
    decision: Decision
    decision_reason: str
    department: str
    doctor: str
    exclusion_code: str
    end_reason: str
    mail_to_name: str
    mail_postal_code: str
    mail_address: str
    mail_channel: Channel
    actual_minutes: int | None
    report_delivered_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # The row's version when it was read: a write that names it is refused (ConflictError)
    # if another desk has changed the case since.
    version: int = 1
    documents: tuple[DocumentData, ...] = ()
    appointments: tuple[AppointmentData, ...] = ()
    contacts: tuple[ContactData, ...] = ()
    payments: tuple[PaymentData, ...] = ()
    history: tuple[AuditData, ...] = ()
    # The report to the primary doctor: when it was written, and how it was handed over.
    report_written_on: dt.date | None = None
    report_channel: ReportChannel | None = None
    # The clinic's own dates: 受付日 (the enquiry) and 終了日 (settled, cancelled, excluded).
    received_on: dt.date | None = None
    ended_on: dt.date | None = None

    @property
    def appointment(self) -> AppointmentData | None:
        """The live (not cancelled) appointment, if any."""
        live = [a for a in self.appointments if not a.cancelled]
        return live[-1] if live else None


# Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPatient:
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
class NewCaller:
    name: str
    relationship: Relationship
    phone: str = ""
    furigana: str = ""
    relation: str = ""  # the caller's own 続柄 (domain/people.RELATIONS)
    fax: str = ""


@dataclass(frozen=True)
class NewReferrer:
    institution: str
    department: str = ""
    doctor: str = ""
    postal_code: str = ""
    address: str = ""
    tel: str = ""
    fax: str = ""


@dataclass(frozen=True)
class NewCase:
    """Everything the intake knows when the clerk presses 登録."""

    patient: NewPatient | None = None
    existing_patient_id: int | None = None
    caller: NewCaller | None = None
    referrer: NewReferrer | None = None
    attendance: Attendance = Attendance.PATIENT
    consultation: str = ""
    category: ConsultationCategory = ConsultationCategory.OTHER
    diagnosis: str = ""
    primary_doctor_informed: bool | None = None
    desired_department_id: int | None = None
    desired_dates: str = ""
    screening_answers: dict[str, bool] = field(default_factory=dict)
    materials: tuple[DocumentKind, ...] = ()
    mail_to_name: str = ""
    mail_postal_code: str = ""
    mail_address: str = ""
    mail_channel: Channel = Channel.MAIL
    exclusion_code: str = ""  # set when the clerk confirmed an exclusion at intake
    call_summary: str = ""
    # 受付日, the enquiry date (default: today by the store's clock). A call written up the
    # next morning is entered with the day it came.
    received_on: dt.date | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class DepartmentData:
    id: int
    name: str


@dataclass(frozen=True)
class DoctorData:
    id: int
    name: str
    department_id: int
    department: str
