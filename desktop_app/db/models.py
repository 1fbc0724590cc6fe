"""Typed ORM models. Nothing is deleted: cases are cancelled or closed, and changes audited.

No ``from __future__ import annotations`` here: SQLAlchemy reads each ``Mapped[...]`` as the
class is made, and real annotations spare it evaluating some 200 strings at every start
(about 10 ms). A class named before it is defined is quoted (relationships only).
"""

import datetime as dt
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

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

# Stable constraint names, so Alembic batch migrations can find and alter them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no time zone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def enum_column(kind: type[StrEnum], length: int) -> Enum:
    """A domain enum stored as its value in a VARCHAR of ``length``: the file holds the same
    text as a plain string column would, so typing a column this way needs no data migration,
    and the ORM hands services the enum member, not a string to convert."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """A row a clerk edits: every UPDATE bumps ``version`` and is made ``WHERE version = old``.

    So a desk that read the row before another desk changed it cannot overwrite that change:
    its UPDATE matches no row and SQLAlchemy raises StaleDataError, which the store turns into
    a ConflictError for the clerk. Services also compare it with the version a screen showed.
    """

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Setting(Versioned, Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class StaffUser(Versioned, Base):
    __tablename__ = "staff_users"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    role: Mapped[Role] = mapped_column(
        enum_column(Role, 20), default=Role.RECEPTION, server_default=Role.RECEPTION.value
    )
    # Set when an administrator gives a temporary password: the next sign-in must change it.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Counter(Base):
    """Monotonic counters (case numbers per year, receipt numbers): a number is never reused."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Department(Versioned, Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    doctors: Mapped[list["Doctor"]] = relationship(back_populates="department")


class Doctor(Versioned, Base):
    __tablename__ = "doctors"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    furigana: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped["Department"] = relationship(back_populates="doctors")
    availability: Mapped[list["DoctorAvailability"]] = relationship(back_populates="doctor")


class DoctorAvailability(Versioned, Base):
    """A weekly slot a doctor offers for second opinions (weekday 0 = Monday)."""

    __tablename__ = "doctor_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)
    # The window holds from/to these dates (inclusive); None: open-ended.
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    doctor: Mapped["Doctor"] = relationship(back_populates="availability")


class DoctorHoursException(Versioned, Base):
    """Leave on a date (the whole day when no times are given) or an extra session."""

    __tablename__ = "doctor_hours_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[HoursChange] = mapped_column(enum_column(HoursChange, 10))
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")


class ClinicClosure(Base):
    """A day the hospital is closed beyond weekends and public holidays."""

    __tablename__ = "clinic_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class ReferringInstitution(Versioned, Base):
    __tablename__ = "referring_institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(400), index=True)
    postal_code: Mapped[str] = mapped_column(String(7), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    tel: Mapped[str] = mapped_column(String(15), default="")
    fax: Mapped[str] = mapped_column(String(15), default="")

    doctors: Mapped[list["ReferringDoctor"]] = relationship(back_populates="institution")


class ReferringDoctor(Versioned, Base):
    __tablename__ = "referring_doctors"
    __table_args__ = (UniqueConstraint("institution_id", "department", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("referring_institutions.id"), index=True)
    department: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(100), default="")

    institution: Mapped["ReferringInstitution"] = relationship(back_populates="doctors")


class Patient(Versioned, Base):
    __tablename__ = "patients"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    furigana: Mapped[str] = mapped_column(String(100))
    furigana_key: Mapped[str] = mapped_column(String(100), index=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, 10), default=Sex.UNKNOWN)
    postal_code: Mapped[str] = mapped_column(String(7), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(15), default="", index=True)
    mobile: Mapped[str] = mapped_column(String(15), default="", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Caller(Versioned, Base):
    """The person who consults: the patient or a family member."""

    __tablename__ = "callers"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    furigana: Mapped[str] = mapped_column(String(100), default="")
    relationship: Mapped[Relationship] = mapped_column(enum_column(Relationship, 20))
    phone: Mapped[str] = mapped_column(String(15), default="")


class SOCase(Versioned, Base):
    """A second-opinion case, from the first call to payment (or cancellation)."""

    __tablename__ = "cases"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_cases_stage_id", "stage", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("callers.id"))
    referring_doctor_id: Mapped[int | None] = mapped_column(
        ForeignKey("referring_doctors.id"), index=True
    )
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, 30))
    # When the case entered its stage: how long a decision has been pending, and so on.
    stage_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance, 30), default=Attendance.PATIENT
    )
    consultation: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[ConsultationCategory] = mapped_column(
        enum_column(ConsultationCategory, 40), default=ConsultationCategory.OTHER
    )
    diagnosis: Mapped[str] = mapped_column(String(200), default="")
    primary_doctor_informed: Mapped[bool | None] = mapped_column(Boolean)
    desired_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    desired_dates: Mapped[str] = mapped_column(String(300), default="")
    screening_answers: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, 30), default=Decision.PENDING)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"), index=True)
    exclusion_code: Mapped[str] = mapped_column(String(40), default="")
    end_reason: Mapped[str] = mapped_column(Text, default="")
    mail_to_name: Mapped[str] = mapped_column(String(100), default="")
    mail_postal_code: Mapped[str] = mapped_column(String(7), default="")
    mail_address: Mapped[str] = mapped_column(String(300), default="")
    mail_channel: Mapped[Channel] = mapped_column(enum_column(Channel, 20), default=Channel.MAIL)
    actual_minutes: Mapped[int | None] = mapped_column(Integer)
    report_written_on: Mapped[dt.date | None] = mapped_column(Date)
    report_delivered_on: Mapped[dt.date | None] = mapped_column(Date)
    report_channel: Mapped[ReportChannel | None] = mapped_column(enum_column(ReportChannel, 20))
    # Normalised keys of case number, names and フリガナ: what the search box matches.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

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
    __tablename__ = "case_documents"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, 40))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 3))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    borrowed: Mapped[bool] = mapped_column(Boolean, default=False)
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, 20))
    note: Mapped[str] = mapped_column(String(300), default="")
    # Not needed any more, and why (it stays on the checklist, struck through).
    waived_on: Mapped[dt.date | None] = mapped_column(Date)
    waived_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # What exactly (an extra document's name, "CT フィルム 胸部"), how many, from whom.
    label: Mapped[str] = mapped_column(String(100), default="", server_default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # A borrowed item going back: to whom, and how (郵送 / 手渡し).
    returned_to: Mapped[str] = mapped_column(String(200), default="", server_default="")
    return_channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, 20))

    case: Mapped["SOCase"] = relationship(back_populates="documents")


class Appointment(Versioned, Base):
    """A booked session. Date and time are the clinic's wall clock, stored as they are."""

    __tablename__ = "appointments"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        Index("ix_appointments_doctor_date", "doctor_id", "date"),
        # Two desks booking the same doctor at the same start: the database lets only one win.
        # PostgreSQL's spelling of the condition is added by use_postgresql_options().
        Index(
            "uq_appointments_live_slot",
            "doctor_id",
            "date",
            "start_time",
            unique=True,
            sqlite_where=text("cancelled = 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[dt.time] = mapped_column(Time)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day the patient (or caller) was told the date; until then the board asks for it.
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    notified_channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, 20))
    doctor_notified_on: Mapped[dt.date | None] = mapped_column(Date)  # the primary doctor told
    # 無断キャンセル: the patient did not come (the row is also ``cancelled``: the slot is free).
    no_show: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cancel_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped["SOCase"] = relationship(back_populates="appointments")
    doctor: Mapped["Doctor"] = relationship()


class ContactLog(Base):
    """Calls, faxes and letters. An enquiry that never became a case has no case_id."""

    __tablename__ = "contact_log"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, 20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff: Mapped[str] = mapped_column(String(100), default="")
    party: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")

    case: Mapped["SOCase | None"] = relationship(back_populates="contacts")


class Payment(Versioned, Base):
    __tablename__ = "payments"
    # db/seals.py: written by the program after each write, checked by sodesk check.
    seal: Mapped[str | None] = mapped_column(String(64))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    receipt_number: Mapped[str] = mapped_column(String(20), unique=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    base_yen: Mapped[int] = mapped_column(Integer)
    extension_yen: Mapped[int] = mapped_column(Integer)
    total_yen: Mapped[int] = mapped_column(Integer)
    staff: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[str] = mapped_column(String(40), default="現金", server_default="現金")
    # Why the amount is not the computed fee (e.g. a waiver the hospital agreed to).
    amount_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # A payment is never deleted: it is voided with a reason, and a new one recorded.
    voided: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped["SOCase"] = relationship(back_populates="payments")


class AuditEntry(Base):
    """Who changed what, when, with the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, 60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The hash chain (domain/audit_chain.py): the row before's hash and this row's own. The
    # table is append-only (triggers from migration 0006); rows are added by services/audit.
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


def use_postgresql_options() -> None:
    """Give the metadata its PostgreSQL-only index options (the partial live-slot index).

    Called when a PostgreSQL engine is made (db/engine.py), not at import: naming a
    ``postgresql_*`` option loads SQLAlchemy's PostgreSQL dialect, about 30 ms that every
    start on the clinic's SQLite file would otherwise pay before the window shows.
    """
    table = cast(Table, Appointment.__table__)
    for index in table.indexes:
        if index.name == "uq_appointments_live_slot":
            index.dialect_options["postgresql"]["where"] = text("NOT cancelled")


def table_of(model: type[Base]) -> Table:
    """The Core table behind ``model``.

    A query on its columns runs without configuring the ORM's mappers (about 30 ms, once, at
    the first ORM query), so what the window reads before its first page is on the screen
    reads this way: the case list's page, the settings, the demo clerk's account.
    """
    return cast(Table, model.__table__)
