"""What the forms print: frozen dataclasses filled by a service from the store.

Every field has a default so that ``CaseInfo()`` is a blank form. Phone, FAX and postal codes
are digits (formatted when printed); dates are ``date``/``datetime`` (formatted per settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.fees import FeeBreakdown
from desktop_app.domain.people import (
    Attendance,
    ConsultationCategory,
    Relationship,
    Sex,
    relation_label,
)
from desktop_app.domain.stages import Decision, Stage


@dataclass(frozen=True)
class PatientInfo:
    """The patient (氏名 in kanji, フリガナ in full-width katakana)."""

    name: str = ""
    furigana: str = ""
    birth_date: date | None = None
    sex: Sex | None = None
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class CallerInfo:
    """Who phoned; when family, the person named on the consent form."""

    name: str = ""
    relationship: Relationship | None = None
    phone: str = ""
    relation: str = ""  # the person's own 続柄 (父, 妻…); '' when not known

    @property
    def relation_label(self) -> str:
        """The 続柄 printed for a family member: the relation, else the category's label."""
        if self.relationship is None or not self.relationship.is_family:
            return ""
        return relation_label(self.relationship, self.relation)


@dataclass(frozen=True)
class ReferrerInfo:
    """The primary doctor (主治医) and the institution that refers the patient."""

    institution: str = ""
    department: str = ""
    doctor: str = ""
    postal_code: str = ""
    address: str = ""
    tel: str = ""
    fax: str = ""


@dataclass(frozen=True)
class AppointmentInfo:
    """The booked session (start is local time)."""

    start: datetime
    minutes: int = 30
    department: str = ""
    doctor: str = ""


@dataclass(frozen=True)
class PaymentInfo:
    """A payment after the session; ``payer_name`` defaults to the patient on the receipt."""

    receipt_number: str
    paid_on: date
    fee: FeeBreakdown
    payer_name: str = ""
    method: str = ""
    # Why the amount is not the computed fee; printed beside the adjustment.
    amount_reason: str = ""
    # A voided payment's receipt still prints (for the file), marked 取消 with the reason.
    voided: bool = False
    void_reason: str = ""
    voided_on: date | None = None


@dataclass(frozen=True)
class BorrowedItem:
    """A material lent by the primary doctor, to go back with the report."""

    label: str
    quantity: int = 1
    returned_on: date | None = None


@dataclass(frozen=True)
class CaseInfo:
    """One case as the forms see it. ``CaseInfo()`` prints blank forms."""

    case_number: str = ""
    patient: PatientInfo = field(default_factory=PatientInfo)
    caller: CallerInfo = field(default_factory=CallerInfo)
    referrer: ReferrerInfo = field(default_factory=ReferrerInfo)
    attendance: Attendance | None = None
    consultation: str = ""
    category: ConsultationCategory | None = None
    desired_department: str = ""
    appointment: AppointmentInfo | None = None
    materials_due: date | None = None
    mailout: tuple[DocumentKind, ...] = ()
    required_incoming: tuple[DocumentKind, ...] = ()
    needs_consent: bool = False
    # The mailing address may differ from the patient's (family living elsewhere).
    send_to_name: str = ""
    send_to_postal: str = ""
    send_to_address: str = ""
    payment: PaymentInfo | None = None
    # Why the specialist declined (担当医確認で不可), in the clerk's words; may be empty.
    decision_reason: str = ""
    # Added for the second pass of the forms (issue 12); all optional, blank by default.
    diagnosis: str = ""  # 病名 as the caller gave it
    primary_doctor_informed: bool | None = None  # the applicant told the primary doctor
    assigned_department: str = ""  # the second-opinion doctor once chosen (担当医確認)
    assigned_doctor: str = ""
    patient_is_minor: bool = False  # under the age of majority on the appointment day
    actual_minutes: int | None = None  # the session's recorded length
    report_written_on: date | None = None
    report_delivered_on: date | None = None
    borrowed: tuple[BorrowedItem, ...] = ()  # materials lent by the primary doctor
    clerk: str = ""  # the clerk who prints (the FAX cover's sender), when known
    # Added for the third pass (issue 24): where the case stands, for the letters' sentences.
    stage: Stage | None = None
    decision: Decision | None = None
    application_received_on: date | None = None
    desired_dates: str = ""  # 希望日時 as the caller gave it at intake (free text)

    @property
    def mail_name(self) -> str:
        """Addressee of the mail-out: the send-to name, else the patient."""
        return self.send_to_name or self.patient.name

    @property
    def mail_postal(self) -> str:
        return self.send_to_postal if self.send_to_address else self.patient.postal_code

    @property
    def mail_address(self) -> str:
        return self.send_to_address or self.patient.address


@dataclass(frozen=True)
class DayListEntry:
    """One line of the day list for the information desk."""

    start: datetime
    case_number: str = ""
    name: str = ""
    furigana: str = ""
    department: str = ""
    doctor: str = ""
    minutes: int = 30
    status: str = ""  # a stage label, e.g. 予約確定 / 当日受付
    note: str = ""
    attendees: str = ""  # who comes: 'ご本人', 'ご本人、子　山田　太郎' …
    # 相談同意書: '要・受領済' / '要・未着' / '不要', or for a minor '続柄確認書類' and its mark
    consent: str = ""
    # Who comes, as data: the printed list composes ``attendees`` from them (names whole).
    attendance: Attendance | None = None
    caller: CallerInfo = field(default_factory=CallerInfo)

    @property
    def attendees_line(self) -> str:
        """Who comes, as printed: from the attendance when known, else ``attendees``."""
        if self.attendance is None:
            return self.attendees
        return attendees_text(self.attendance, self.name, self.caller, short=True)


@dataclass(frozen=True)
class FaxCoverInfo:
    """A FAX cover sheet; ``pages`` counts the cover itself (None leaves it to be written)."""

    to_name: str = ""
    to_department: str = ""
    to_person: str = ""
    to_fax: str = ""
    to_tel: str = ""
    pages: int | None = None
    subject: str = ""
    message: str = ""
    sender_person: str = ""
    # A person (a patient, a family caller) rather than an institution: 宛先 「氏名　様」
    # and no ご担当 row.
    to_individual: bool = False


def attendees_text(
    attendance: Attendance | None, patient_name: str, caller: CallerInfo, *, short: bool = False
) -> str:
    """Who attends, by name and relationship: 'ご本人 山田花子、子 山田太郎'.

    A family member not known by name prints as 'ご家族（　　）' to be completed by hand.
    """
    if attendance is None:
        return ""
    family = caller.relationship is not None and caller.relationship.is_family
    kin = (
        f"{caller.relation_label}\u3000{caller.name}"
        if family and caller.relationship and caller.name
        else "ご家族（\u3000\u3000\u3000）"
    )
    me = "ご本人" if short or not patient_name else f"ご本人\u3000{patient_name}"
    if attendance == Attendance.PATIENT:
        return me
    if attendance == Attendance.FAMILY_ONLY:
        return f"{kin}（ご家族のみ）"
    return f"{me}、{kin}"
