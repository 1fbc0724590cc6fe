"""The schema as SQLAlchemy Core tables: every column, index and constraint, defined once.

``db/models.py`` maps its ORM classes onto these tables (``__table__``). The split is for the
start: a query on Core columns needs no ORM class, and declaring the eighteen mapped classes
costs about 20 ms. So what the window reads before its first page is on the screen (the case
list's page, the settings, the demo clerk's account, the last backup) imports this module
only, and the ORM classes are made when a service first needs them, after that paint.

Nothing is deleted: cases are cancelled or closed, and changes audited.
"""

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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

from desktop_app.domain import clock
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

metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    return clock.utcnow()


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _version() -> Column[int]:
    """A row a clerk edits: see ``models.Versioned``, which makes every UPDATE check it."""
    return Column("version", Integer, nullable=False, default=1, server_default="1")


def _seal() -> Column[str]:
    """db/seals.py: written by the program after each write, checked by sodesk check."""
    return Column("seal", String(64))


def _created_at() -> Column[dt.datetime]:
    return Column("created_at", UTCDateTime, nullable=False, default=utcnow)


def _text(name: str, length: int, *, server_default: bool = False) -> Column[str]:
    """A required text column that starts empty (``server_default``: also for rows that
    existed before a migration added it)."""
    return Column(
        name,
        String(length),
        nullable=False,
        default="",
        server_default="" if server_default else None,
    )


settings = Table(
    "settings",
    metadata,
    _seal(),
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    _version(),
)

staff_users = Table(
    "staff_users",
    metadata,
    _seal(),
    _id(),
    Column("login", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(200)),
    Column("active", Boolean, nullable=False, default=True),
    _created_at(),
    Column(
        "role",
        enum_column(Role, 20),
        nullable=False,
        default=Role.RECEPTION,
        server_default=Role.RECEPTION.value,
    ),
    # Set when an administrator gives a temporary password: the next sign-in must change it.
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false()),
    Column("last_sign_in_at", UTCDateTime),
    _version(),
)

# Monotonic counters (case numbers per year, receipt numbers): a number is never reused.
counters = Table(
    "counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False, default=0),
)

departments = Table(
    "departments",
    metadata,
    _seal(),
    _id(),
    Column("name", String(100), nullable=False, unique=True),
    Column("sort_order", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    _version(),
)

doctors = Table(
    "doctors",
    metadata,
    _seal(),
    _id(),
    Column("department_id", ForeignKey("departments.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    _text("furigana", 100),
    _text("title", 100),
    Column("active", Boolean, nullable=False, default=True),
    _version(),
)

# A weekly slot a doctor offers for second opinions (weekday 0 = Monday).
doctor_availability = Table(
    "doctor_availability",
    metadata,
    _seal(),
    _id(),
    Column("doctor_id", ForeignKey("doctors.id"), nullable=False, index=True),
    Column("weekday", Integer, nullable=False),
    Column("start_time", Time, nullable=False),
    Column("end_time", Time, nullable=False),
    # The window holds from/to these dates (inclusive); None: open-ended.
    Column("valid_from", Date),
    Column("valid_to", Date),
    _version(),
)

# Leave on a date (the whole day when no times are given) or an extra session.
doctor_hours_exceptions = Table(
    "doctor_hours_exceptions",
    metadata,
    _seal(),
    _id(),
    Column("doctor_id", ForeignKey("doctors.id"), nullable=False, index=True),
    Column("date", Date, nullable=False, index=True),
    Column("kind", enum_column(HoursChange, 10), nullable=False),
    Column("start_time", Time),
    Column("end_time", Time),
    _text("note", 200, server_default=True),
    _version(),
)

# A day the hospital is closed beyond weekends and public holidays.
clinic_closures = Table(
    "clinic_closures",
    metadata,
    _seal(),
    _id(),
    Column("date", Date, nullable=False, unique=True),
    _text("reason", 200),
)

referring_institutions = Table(
    "referring_institutions",
    metadata,
    _seal(),
    _id(),
    Column("name", String(200), nullable=False),
    Column("search_key", String(400), nullable=False, index=True),
    _text("postal_code", 7),
    _text("address", 300),
    _text("tel", 15),
    _text("fax", 15),
    _version(),
)

referring_doctors = Table(
    "referring_doctors",
    metadata,
    _seal(),
    _id(),
    Column("institution_id", ForeignKey("referring_institutions.id"), nullable=False, index=True),
    _text("department", 100),
    _text("name", 100),
    _version(),
    UniqueConstraint("institution_id", "department", "name"),
)

patients = Table(
    "patients",
    metadata,
    _seal(),
    _id(),
    Column("name", String(100), nullable=False),
    Column("furigana", String(100), nullable=False),
    Column("furigana_key", String(100), nullable=False, index=True),
    Column("birth_date", Date, index=True),
    Column("sex", enum_column(Sex, 10), nullable=False, default=Sex.UNKNOWN),
    _text("postal_code", 7),
    _text("address", 300),
    Column("phone", String(15), nullable=False, default="", index=True),
    Column("mobile", String(15), nullable=False, default="", index=True),
    # A home fax (migration 0016; '' for none and for rows stored before it): 「FAXで送る」.
    Column("fax", String(15), nullable=False, default="", server_default=""),
    _created_at(),
    _version(),
)

# The person who consults: the patient or a family member.
callers = Table(
    "callers",
    metadata,
    _seal(),
    _id(),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    _text("furigana", 100),
    # The category, for statistics; ``relation`` is the person's own 続柄 (父, 妻, 長男…), '' for
    # the patient and for callers stored before migration 0013 (domain/people.py).
    Column("relationship", enum_column(Relationship, 20), nullable=False),
    _text("relation", 20, server_default=True),
    # Indexed for the search: a whole number typed (the daughter's callback) goes through it.
    Column("phone", String(15), nullable=False, default="", index=True),
    Column("fax", String(15), nullable=False, default="", server_default=""),  # migration 0016
    _version(),
)

# A second-opinion case, from the first call to payment (or cancellation).
cases = Table(
    "cases",
    metadata,
    _seal(),
    _id(),
    Column("case_number", String(20), nullable=False, unique=True),
    Column("patient_id", ForeignKey("patients.id"), nullable=False, index=True),
    Column("caller_id", ForeignKey("callers.id")),
    Column("referring_doctor_id", ForeignKey("referring_doctors.id"), index=True),
    Column("stage", enum_column(Stage, 30), nullable=False),
    # When the case entered its stage: how long a decision has been pending, and so on.
    Column("stage_since", UTCDateTime, default=utcnow),
    # The clinic's own dates (migration 0014): 受付日, the enquiry date entered at intake and
    # editable later; 終了日, the day the case was settled, cancelled or excluded (None while it
    # is open). Statistics, lead times and the board count by these, not by when a row was
    # written.
    Column("received_on", Date, nullable=False, index=True),
    Column("ended_on", Date, index=True),
    # The key of the ledger row an imported case came from: the same file twice adds nothing.
    Column("ledger_key", String(64)),
    Column("attendance", enum_column(Attendance, 30), nullable=False, default=Attendance.PATIENT),
    Column("consultation", Text, nullable=False, default=""),
    Column(
        "category",
        enum_column(ConsultationCategory, 40),
        nullable=False,
        default=ConsultationCategory.OTHER,
    ),
    _text("diagnosis", 200),
    Column("primary_doctor_informed", Boolean),
    Column("desired_department_id", ForeignKey("departments.id")),
    _text("desired_dates", 300),
    Column("screening_answers", JSON, nullable=False, default=dict),
    Column("decision", enum_column(Decision, 30), nullable=False, default=Decision.PENDING),
    Column("decision_reason", Text, nullable=False, default=""),
    Column("decided_on", Date),
    Column("doctor_id", ForeignKey("doctors.id"), index=True),
    _text("exclusion_code", 40),
    Column("end_reason", Text, nullable=False, default=""),
    _text("mail_to_name", 100),
    _text("mail_postal_code", 7),
    _text("mail_address", 300),
    Column("mail_channel", enum_column(Channel, 20), nullable=False, default=Channel.MAIL),
    Column("actual_minutes", Integer),
    Column("report_written_on", Date),
    Column("report_delivered_on", Date),
    Column("report_channel", enum_column(ReportChannel, 20)),
    # Normalised keys of case number, names, フリガナ and phones (the caller's too): what the
    # search box matches.
    Column("search_text", Text, nullable=False, default=""),
    _created_at(),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    _version(),
    Index("ix_cases_stage_id", "stage", "id"),
    Index("ix_cases_ledger_key", "ledger_key", unique=True),
)

case_documents = Table(
    "case_documents",
    metadata,
    _seal(),
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", enum_column(DocumentKind, 40), nullable=False),
    Column("direction", enum_column(Direction, 3), nullable=False),
    Column("required", Boolean, nullable=False, default=False),
    Column("borrowed", Boolean, nullable=False, default=False),
    Column("due_date", Date, index=True),
    Column("sent_on", Date),
    Column("received_on", Date),
    Column("returned_on", Date),
    Column("channel", enum_column(Channel, 20)),
    _text("note", 300),
    # Not needed any more, and why (it stays on the checklist, struck through).
    Column("waived_on", Date),
    _text("waived_reason", 300, server_default=True),
    # What exactly (an extra document's name, "CT フィルム 胸部"), how many, from whom.
    _text("label", 100, server_default=True),
    Column("quantity", Integer, nullable=False, default=1, server_default="1"),
    _text("source", 200, server_default=True),
    # A borrowed item going back: to whom, and how (郵送 / 手渡し).
    _text("returned_to", 200, server_default=True),
    Column("return_channel", enum_column(Channel, 20)),
    _version(),
)

# A booked session. Date and time are the clinic's wall clock, stored as they are.
appointments = Table(
    "appointments",
    metadata,
    _seal(),
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("doctor_id", ForeignKey("doctors.id"), nullable=False),
    Column("date", Date, nullable=False, index=True),
    Column("start_time", Time, nullable=False),
    Column("minutes", Integer, nullable=False, default=30),
    Column("cancelled", Boolean, nullable=False, default=False),
    # The day the patient (or caller) was told the date; until then the board asks for it.
    Column("notified_on", Date),
    Column("notified_channel", enum_column(Channel, 20)),
    Column("doctor_notified_on", Date),  # the primary doctor told
    # 無断キャンセル: the patient did not come (the row is also ``cancelled``: the slot is free).
    Column("no_show", Boolean, nullable=False, default=False, server_default=false()),
    _text("cancel_reason", 300, server_default=True),
    Column("checked_in_at", UTCDateTime),
    _created_at(),
    _version(),
    Index("ix_appointments_doctor_date", "doctor_id", "date"),
    # Two desks booking the same doctor at the same start: the database lets only one win.
    # PostgreSQL's spelling of the condition is added by use_postgresql_options(), and with it
    # OVERLAP_CONSTRAINT, which refuses overlapping times as well (SQLite needs neither: its
    # write transactions run one at a time, and the booking checks inside its own).
    Index(
        "uq_appointments_live_slot",
        "doctor_id",
        "date",
        "start_time",
        unique=True,
        sqlite_where=text("cancelled = 0"),
    ),
)

# Calls, faxes and letters. An enquiry that never became a case has no case_id.
contact_log = Table(
    "contact_log",
    metadata,
    _seal(),
    _id(),
    Column("case_id", ForeignKey("cases.id"), index=True),
    Column("kind", enum_column(ContactKind, 20), nullable=False),
    Column("at", UTCDateTime, nullable=False, default=utcnow),
    _text("staff", 100),
    _text("party", 200),
    Column("summary", Text, nullable=False, default=""),
)

payments = Table(
    "payments",
    metadata,
    _seal(),
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("receipt_number", String(20), nullable=False, unique=True),
    Column("paid_on", Date, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("base_yen", Integer, nullable=False),
    Column("extension_yen", Integer, nullable=False),
    Column("total_yen", Integer, nullable=False),
    _text("staff", 100),
    Column("method", String(40), nullable=False, default="現金", server_default="現金"),
    # Why the amount is not the computed fee (e.g. a waiver the hospital agreed to).
    _text("amount_reason", 300, server_default=True),
    # A payment is never deleted: it is voided with a reason, and a new one recorded.
    Column("voided", Boolean, nullable=False, default=False, server_default=false()),
    Column("voided_at", UTCDateTime),
    _text("void_reason", 300, server_default=True),
    _created_at(),
    _version(),
)

# Received faxes (services/fax_inbox.py): one row per file recorded or set aside, by the
# SHA-256 of its bytes, so the same file seen again (a second copy, a desk that scanned it
# before the first desk's archive moved it) is known and never recorded twice.
received_faxes = Table(
    "received_faxes",
    metadata,
    _id(),
    Column("sha256", String(64), nullable=False, unique=True),
    _text("file_name", 255),
    Column("file_time", UTCDateTime, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False, default=utcnow),
    _text("staff", 100),
    Column("note", Text, nullable=False, default=""),
)

# A received page kept with its case: the page as read (PNG, black and white), its SHA-256
# (also in the audit entry, which the hash chain holds), the form its barcode named and the
# checklist line it was recorded as. In the database, not a file beside it: every desk of a
# shared database shows it, and a backup holds it.
fax_pages = Table(
    "fax_pages",
    metadata,
    _id(),
    Column("fax_id", ForeignKey("received_faxes.id"), nullable=False, index=True),
    Column("page", Integer, nullable=False),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("document_id", ForeignKey("case_documents.id")),
    _text("form", 20),
    Column("image", LargeBinary, nullable=False),
    Column("image_sha256", String(64), nullable=False),
    UniqueConstraint("fax_id", "page", "case_id", name="uq_fax_pages_fax_page_case"),
)


# Who changed what, when, with the values before and after. The hash chain
# (domain/audit_chain.py): the row before's hash and this row's own. The table is
# append-only (triggers from migration 0006); rows are added by services/audit.
audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("at", UTCDateTime, nullable=False, default=utcnow),
    _text("staff", 100),
    Column("action", enum_column(AuditAction, 60), nullable=False),
    Column("entity", String(40), nullable=False),
    _text("entity_id", 40),
    Column("case_id", ForeignKey("cases.id"), index=True),
    Column("summary", Text, nullable=False, default=""),
    Column("before", JSON),
    Column("after", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
)


# No two live bookings of one doctor overlap in time: an exclusion constraint (btree_gist)
# over the doctor and the half-open range [start, start + minutes). Migration 0012 makes it.
OVERLAP_CONSTRAINT = "ex_appointments_live_overlap"
BOOKED_RANGE = "tsrange(date + start_time, date + start_time + minutes * interval '1 minute')"


def use_postgresql_options() -> None:
    """Give the metadata its PostgreSQL-only parts: the partial live-slot index's condition
    and the exclusion constraint on overlapping bookings.

    Called when a PostgreSQL engine is made (db/engine.py), not at import: naming a
    ``postgresql_*`` option loads SQLAlchemy's PostgreSQL dialect, about 30 ms that every
    start on the clinic's SQLite file would otherwise pay before the window shows.
    """
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    for index in appointments.indexes:
        if index.name == "uq_appointments_live_slot":
            index.dialect_options["postgresql"]["where"] = text("NOT cancelled")
    if not any(c.name == OVERLAP_CONSTRAINT for c in appointments.constraints):
        appointments.append_constraint(
            ExcludeConstraint(
                (appointments.c.doctor_id, "="),
                (text(BOOKED_RANGE), "&&"),
                name=OVERLAP_CONSTRAINT,
                using="gist",
                where=text("NOT cancelled"),
            )
        )
