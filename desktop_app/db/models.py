"""Typed ORM classes, mapped onto the Core tables of ``db/tables.py``.

The columns are defined there, once; each class here names its table (``__table__``) and
annotates the columns' Python types (``Mapped[...]``) for the type checker and the services,
and adds the relationships. ``tests/db/test_models.py`` checks that the annotations and the
tables agree, name for name and in nullability.

The window's start does not import this module (see db/tables.py): the first service call
that works with ORM objects does.

No ``from __future__ import annotations`` here: SQLAlchemy reads each ``Mapped[...]`` as the
class is made, and real annotations spare it evaluating strings at every start. A class named
before it is defined is quoted (relationships only).
"""

import datetime as dt
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, relationship

from desktop_app.db import tables
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import (
    Channel,
    ContactKind,
    Direction,
    DocumentKind,
    ReportChannel,
)
from desktop_app.domain.people import Attendance, ConsultationCategory, Relationship, Sex
from desktop_app.domain.roles import Role
from desktop_app.domain.slots import HoursChange
from desktop_app.domain.stages import Decision, Stage


class Base(DeclarativeBase):
    metadata = tables.metadata


class Versioned:
    """A row a clerk edits: every UPDATE bumps ``version`` and is made ``WHERE version = old``.

    So a desk that read the row before another desk changed it cannot overwrite that change:
    its UPDATE matches no row and SQLAlchemy raises StaleDataError, which the store turns into
    a ConflictError for the clerk. Services also compare it with the version a screen showed.
    """

    version: Mapped[int]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Setting(Versioned, Base):
    __table__ = tables.settings

    seal: Mapped[str | None]
    key: Mapped[str]
    value: Mapped[Any]


class StaffUser(Versioned, Base):
    __table__ = tables.staff_users

    seal: Mapped[str | None]
    id: Mapped[int]
    login: Mapped[str]
    display_name: Mapped[str]
    password_hash: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[dt.datetime]
    role: Mapped[Role]
    must_change_password: Mapped[bool]
    last_sign_in_at: Mapped[dt.datetime | None]


class Counter(Base):
    __table__ = tables.counters

    name: Mapped[str]
    value: Mapped[int]


class Department(Versioned, Base):
    __table__ = tables.departments

    seal: Mapped[str | None]
    id: Mapped[int]
    name: Mapped[str]
    sort_order: Mapped[int]
    active: Mapped[bool]

    doctors: Mapped[list["Doctor"]] = relationship(back_populates="department")


class Doctor(Versioned, Base):
    __table__ = tables.doctors

    seal: Mapped[str | None]
    id: Mapped[int]
    department_id: Mapped[int]
    name: Mapped[str]
    furigana: Mapped[str]
    title: Mapped[str]
    active: Mapped[bool]

    department: Mapped["Department"] = relationship(back_populates="doctors")
    availability: Mapped[list["DoctorAvailability"]] = relationship(back_populates="doctor")


class DoctorAvailability(Versioned, Base):
    __table__ = tables.doctor_availability

    seal: Mapped[str | None]
    id: Mapped[int]
    doctor_id: Mapped[int]
    weekday: Mapped[int]
    start_time: Mapped[dt.time]
    end_time: Mapped[dt.time]
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]

    doctor: Mapped["Doctor"] = relationship(back_populates="availability")


class DoctorHoursException(Versioned, Base):
    __table__ = tables.doctor_hours_exceptions

    seal: Mapped[str | None]
    id: Mapped[int]
    doctor_id: Mapped[int]
    date: Mapped[dt.date]
    kind: Mapped[HoursChange]
    start_time: Mapped[dt.time | None]
    end_time: Mapped[dt.time | None]
    note: Mapped[str]


class ClinicClosure(Base):
    __table__ = tables.clinic_closures

    seal: Mapped[str | None]
    id: Mapped[int]
    date: Mapped[dt.date]
    reason: Mapped[str]


class ReferringInstitution(Versioned, Base):
    __table__ = tables.referring_institutions

    seal: Mapped[str | None]
    id: Mapped[int]
    name: Mapped[str]
    search_key: Mapped[str]
    postal_code: Mapped[str]
    address: Mapped[str]
    tel: Mapped[str]
    fax: Mapped[str]

    doctors: Mapped[list["ReferringDoctor"]] = relationship(back_populates="institution")


class ReferringDoctor(Versioned, Base):
    __table__ = tables.referring_doctors

    seal: Mapped[str | None]
    id: Mapped[int]
    institution_id: Mapped[int]
    department: Mapped[str]
    name: Mapped[str]

    institution: Mapped["ReferringInstitution"] = relationship(back_populates="doctors")


class Patient(Versioned, Base):
    __table__ = tables.patients

    seal: Mapped[str | None]
    id: Mapped[int]
    name: Mapped[str]
    furigana: Mapped[str]
    furigana_key: Mapped[str]
    birth_date: Mapped[dt.date | None]
    sex: Mapped[Sex]
    postal_code: Mapped[str]
    address: Mapped[str]
    phone: Mapped[str]
    mobile: Mapped[str]
    fax: Mapped[str]
    created_at: Mapped[dt.datetime]


class Caller(Versioned, Base):
    __table__ = tables.callers

    seal: Mapped[str | None]
    id: Mapped[int]
    patient_id: Mapped[int]
    name: Mapped[str]
    furigana: Mapped[str]
    relationship: Mapped[Relationship]
    relation: Mapped[str]
    phone: Mapped[str]
    fax: Mapped[str]


class SOCase(Versioned, Base):
    __table__ = tables.cases

    seal: Mapped[str | None]
    id: Mapped[int]
    case_number: Mapped[str]
    patient_id: Mapped[int]
    caller_id: Mapped[int | None]
    referring_doctor_id: Mapped[int | None]
    stage: Mapped[Stage]
    stage_since: Mapped[dt.datetime | None]
    received_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None]
    ledger_key: Mapped[str | None]
    attendance: Mapped[Attendance]
    consultation: Mapped[str]
    category: Mapped[ConsultationCategory]
    diagnosis: Mapped[str]
    primary_doctor_informed: Mapped[bool | None]
    desired_department_id: Mapped[int | None]
    desired_dates: Mapped[str]
    screening_answers: Mapped[dict[str, bool]]
    decision: Mapped[Decision]
    decision_reason: Mapped[str]
    decided_on: Mapped[dt.date | None]
    doctor_id: Mapped[int | None]
    exclusion_code: Mapped[str]
    end_reason: Mapped[str]
    mail_to_name: Mapped[str]
    mail_postal_code: Mapped[str]
    mail_address: Mapped[str]
    mail_channel: Mapped[Channel]
    actual_minutes: Mapped[int | None]
    report_written_on: Mapped[dt.date | None]
    report_delivered_on: Mapped[dt.date | None]
    report_channel: Mapped[ReportChannel | None]
    search_text: Mapped[str]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    patient: Mapped["Patient"] = relationship()
    caller: Mapped["Caller | None"] = relationship()
    referring_doctor: Mapped["ReferringDoctor | None"] = relationship()
    desired_department: Mapped["Department | None"] = relationship()
    doctor: Mapped["Doctor | None"] = relationship()
    documents: Mapped[list["CaseDocument"]] = relationship(
        back_populates="case", order_by="CaseDocument.id"
    )
    appointments: Mapped[list["Appointment"]] = relationship(
        back_populates="case", order_by="Appointment.id"
    )
    contacts: Mapped[list["ContactLog"]] = relationship(
        back_populates="case", order_by="ContactLog.at"
    )
    payments: Mapped[list["Payment"]] = relationship(back_populates="case", order_by="Payment.id")


class CaseDocument(Versioned, Base):
    __table__ = tables.case_documents

    seal: Mapped[str | None]
    id: Mapped[int]
    case_id: Mapped[int]
    kind: Mapped[DocumentKind]
    direction: Mapped[Direction]
    required: Mapped[bool]
    borrowed: Mapped[bool]
    due_date: Mapped[dt.date | None]
    sent_on: Mapped[dt.date | None]
    received_on: Mapped[dt.date | None]
    returned_on: Mapped[dt.date | None]
    channel: Mapped[Channel | None]
    note: Mapped[str]
    waived_on: Mapped[dt.date | None]
    waived_reason: Mapped[str]
    label: Mapped[str]
    quantity: Mapped[int]
    source: Mapped[str]
    returned_to: Mapped[str]
    return_channel: Mapped[Channel | None]

    case: Mapped["SOCase"] = relationship(back_populates="documents")


class Appointment(Versioned, Base):
    __table__ = tables.appointments

    seal: Mapped[str | None]
    id: Mapped[int]
    case_id: Mapped[int]
    doctor_id: Mapped[int]
    date: Mapped[dt.date]
    start_time: Mapped[dt.time]
    minutes: Mapped[int]
    cancelled: Mapped[bool]
    notified_on: Mapped[dt.date | None]
    notified_channel: Mapped[Channel | None]
    doctor_notified_on: Mapped[dt.date | None]
    no_show: Mapped[bool]
    cancel_reason: Mapped[str]
    checked_in_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]

    case: Mapped["SOCase"] = relationship(back_populates="appointments")
    doctor: Mapped["Doctor"] = relationship()


class ContactLog(Base):
    __table__ = tables.contact_log

    seal: Mapped[str | None]
    id: Mapped[int]
    case_id: Mapped[int | None]
    kind: Mapped[ContactKind]
    at: Mapped[dt.datetime]
    staff: Mapped[str]
    party: Mapped[str]
    summary: Mapped[str]

    case: Mapped["SOCase | None"] = relationship(back_populates="contacts")


class Payment(Versioned, Base):
    __table__ = tables.payments

    seal: Mapped[str | None]
    id: Mapped[int]
    case_id: Mapped[int]
    receipt_number: Mapped[str]
    paid_on: Mapped[dt.date]
    minutes: Mapped[int]
    base_yen: Mapped[int]
    extension_yen: Mapped[int]
    total_yen: Mapped[int]
    staff: Mapped[str]
    method: Mapped[str]
    amount_reason: Mapped[str]
    voided: Mapped[bool]
    voided_at: Mapped[dt.datetime | None]
    void_reason: Mapped[str]
    created_at: Mapped[dt.datetime]

    case: Mapped["SOCase"] = relationship(back_populates="payments")


class AuditEntry(Base):
    __table__ = tables.audit_log

    id: Mapped[int]
    at: Mapped[dt.datetime]
    staff: Mapped[str]
    action: Mapped[AuditAction]
    entity: Mapped[str]
    entity_id: Mapped[str]
    case_id: Mapped[int | None]
    summary: Mapped[str]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str]
    row_hash: Mapped[str]


class ReceivedFax(Base):
    __table__ = tables.received_faxes

    id: Mapped[int]
    sha256: Mapped[str]
    file_name: Mapped[str]
    file_time: Mapped[dt.datetime]
    pages: Mapped[int]
    recorded_at: Mapped[dt.datetime]
    staff: Mapped[str]
    note: Mapped[str]


class FaxPage(Base):
    __table__ = tables.fax_pages

    id: Mapped[int]
    fax_id: Mapped[int]
    page: Mapped[int]
    case_id: Mapped[int]
    document_id: Mapped[int | None]
    form: Mapped[str]
    image: Mapped[bytes]
    image_sha256: Mapped[str]

    fax: Mapped["ReceivedFax"] = relationship()
