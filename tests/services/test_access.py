"""Every service call that writes, or reads patients in bulk, checks the role first (the
rules: domain/roles.py); a refused call reads, writes and records nothing."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

import desktop_app.services as services_package
from desktop_app.db.models import AuditEntry, StaffUser
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.roles import Permission, Role
from desktop_app.domain.statistics import this_year
from desktop_app.services import audit_log, backup, export, forms, staff_admin
from desktop_app.services.access import NotAllowed, refusal_for
from desktop_app.services.board import board_cards
from desktop_app.services.calendar import calendar_range, day_list
from desktop_app.services.case_rows import case_rows, search_cases
from desktop_app.services.dto import CaseDetail
from desktop_app.services.staff import create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account
from desktop_app.services.statistics import statistics
from desktop_app.services.statistics_data import TABLE_MONTHS
from desktop_app.services.store import Store, open_store
from tests.services.trail_helpers import TODAY

ADMIN_PW = "kanri-pass-1"
CLERK_PW = "uketsuke-pass"
DOCTOR_PW = "ishi-pass-01"
PASSWORDS = {"kanri": ADMIN_PW, "uketsuke": CLERK_PW, "ishi": DOCTOR_PW}
LOGIN_OF = {Role.ADMIN: "kanri", Role.RECEPTION: "uketsuke", Role.DOCTOR: "ishi"}

pytestmark = pytest.mark.usefixtures("quick_hashes")

# Calls that write but belong to no role: signing in and out, the lock, one's own password
# (each checks the password itself), and the demo builder (a program that holds the file;
# the window never calls it).
OPEN_TO_ALL = {
    "staff.create_first_admin",
    "staff.sign_in_demo",
    "staff.record_demo_sign_in",
    "staff.record_lock",
    "staff.sign_out",
    "staff.change_password",
    "demo.mark_as_demo",
    "demo.build_demo",
    "demo.ensure_demo_accounts",
}

# Calls that read but hand out no patient's data in bulk: one case (the screens that show
# it), the masters, the settings, one's own account, the sign-in's own look-ups.
OPEN_READS = {
    "backup.last_backup",  # a time and a path
    "booking.find_free_slots",  # the doctors' free slots
    "booking_targets.booking_target",  # one case
    "case_edit.case_edit_form",  # one case
    "cases.get_case",  # one case
    "cases.find_case_id",  # a case number to its id
    "closures.list_closures",  # the closed days
    "db_identity.store_facts",  # the database's identity and first log entry
    "demo_mark.is_demo_store",
    "doctor_hours.doctor_hours",  # a doctor's hours
    "intake.list_referrers",  # the referring hospitals and their doctors
    "masters.list_departments",
    "masters.list_doctors",
    "masters.suggest_institutions",
    "masters.master_departments",
    "masters.master_doctors",
    "settings.get_settings",
    "setup_checklist.setup_checklist",
    "staff.has_accounts",
    "staff.open_demo_session",
    "staff.change_password",  # one's own password
}

# The readers of patients in bulk, and whom they are for: on screen for every role (the
# doctor's board, case list and calendar), out of the program (print, CSV, a copy of the
# whole database, the log) only for the roles that may.
BULK_READERS = {
    "board.board_cards": Permission.READ_CASES,
    "board.board_cards_for": Permission.READ_CASES,
    "booking_targets.waiting_cases": Permission.READ_CASES,
    "calendar.calendar_range": Permission.READ_CASES,
    "calendar.day_list": Permission.READ_CASES,
    "case_rows.search_cases": Permission.READ_CASES,
    "case_rows.case_rows": Permission.READ_CASES,
    "closures.bookings_on": Permission.READ_CASES,
    "intake.find_existing_patients": Permission.READ_CASES,
    "statistics.statistics": Permission.READ_CASES,
    "forms.render_form": Permission.CASE_WORK,
    "export.export_cases": Permission.CASE_WORK,
    "export.export_payments": Permission.CASE_WORK,
    "export.export_stats": Permission.CASE_WORK,
    "export.export_stats_table": Permission.CASE_WORK,
    "audit_log.count_entries": Permission.AUDIT,
    "audit_log.list_entries": Permission.AUDIT,
    "audit_log.staff_names": Permission.AUDIT,
    "audit_log.export_csv": Permission.AUDIT,
    "staff_admin.list_accounts": Permission.STAFF,
    "monthly_report.monthly_report": Permission.CASE_WORK,
    "settings.get_ledger_mapping": Permission.SETTINGS,
}


def _service_calls() -> list[tuple[str, Callable[..., object], str]]:
    """(module.name, function, its own source) of every public function taking the store."""
    found = []
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"desktop_app.services.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if getattr(fn, "__module__", "") != module.__name__:
                continue
            inner = inspect.unwrap(fn)
            if next(iter(inspect.signature(inner).parameters), None) != "store":
                continue
            found.append((f"{info.name}.{name}", fn, inspect.getsource(inner)))
    return found


def test_every_writing_service_call_names_its_permission() -> None:
    writers = [(name, fn) for name, fn, src in _service_calls() if "store.transaction()" in src]
    assert len(writers) > 40  # the scan sees the services
    unguarded = [
        name
        for name, fn in writers
        if name not in OPEN_TO_ALL and getattr(fn, "__requires__", None) is None
    ]
    assert unguarded == []
    # The recovery path and the restore's record are among them: a signed-in clerk is refused.
    guarded = {name for name, fn in writers if getattr(fn, "__requires__", None) is not None}
    assert {"staff_admin.recover_admin", "backup.record_restore"} <= guarded


def test_every_bulk_reader_names_its_permission() -> None:
    readers = {name: fn for name, fn, src in _service_calls() if "store.read()" in src}
    assert len(readers) > 30  # the scan sees the services
    unsorted = sorted(
        name
        for name, fn in readers.items()
        if name not in BULK_READERS
        and name not in OPEN_READS
        and getattr(fn, "__requires__", None) is None
    )
    assert unsorted == [], (
        "a new reader: list it in BULK_READERS (with its permission) or OPEN_READS"
    )
    calls = {name: fn for name, fn, _ in _service_calls()}
    named = {name: getattr(calls[name], "__requires__", None) for name in BULK_READERS}
    assert named == BULK_READERS


# The permission each role holds for these readers: the doctor keeps the screens.
def test_the_doctor_keeps_the_screens_and_none_of_the_exports(
    staffed: Store, make_case: Callable[..., CaseDetail]
) -> None:
    make_case()
    _as(staffed, Role.DOCTOR)
    assert board_cards(staffed).cards
    page = search_cases(staffed)
    assert page.total == 1
    assert case_rows(staffed, tuple(r.id for r in page.rows))
    calendar_range(staffed, TODAY, TODAY + dt.timedelta(days=6))
    day_list(staffed, TODAY)
    assert statistics(staffed, this_year(TODAY)).period.start.year == TODAY.year
    for name, permission in BULK_READERS.items():
        module, function = name.split(".")
        service = getattr(importlib.import_module(f"desktop_app.services.{module}"), function)
        refused = refusal_for(staffed, service)
        assert (refused is None) == (permission is Permission.READ_CASES), name


# The readers that put patients' data out of the program, each called by a role that may
# not (nothing is written, not even a temporary file, and nothing is recorded) and by one
# that may (so the table cannot pass by calling nothing).
Export = Callable[[Store, Path, CaseDetail], object]
EXPORTS: list[tuple[str, Export, tuple[Role, ...], Role]] = [
    (
        "export_cases",
        lambda s, f, _c: export.export_cases(s, f / "cases.csv", date_from=None, date_to=None),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
    (
        "export_payments",
        lambda s, f, _c: export.export_payments(s, f / "pay.csv", date_from=None, date_to=None),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
    (
        "export_stats",
        lambda s, f, _c: export.export_stats(s, f / "stats.csv", this_year(TODAY)),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
    (
        "export_stats_table",
        lambda s, f, _c: export.export_stats_table(
            s, f / "table.csv", statistics(s, this_year(TODAY)), TABLE_MONTHS
        ),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
    (
        "audit_log.export_csv",
        lambda s, f, _c: audit_log.export_csv(s, audit_log.AuditFilter(), f / "log.csv"),
        (Role.DOCTOR, Role.RECEPTION),
        Role.ADMIN,
    ),
    (
        "backup_database to a chosen file",
        lambda s, f, _c: backup.backup_database(s, f / "copy.db"),
        (Role.DOCTOR, Role.RECEPTION),
        Role.ADMIN,
    ),
    (
        "backup_database into a chosen folder",
        lambda s, f, _c: backup.backup_database(s, f),
        (Role.DOCTOR, Role.RECEPTION),
        Role.ADMIN,
    ),
    (
        "render_form of a case",
        lambda s, f, c: forms.render_form(s, FormKind.APPLICATION, c.id),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
    (
        "render_form of the day list",
        lambda s, f, _c: forms.render_form(s, FormKind.DAYLIST, day=TODAY),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
    (
        "render_form blank",
        lambda s, f, _c: forms.render_form(s, FormKind.REFERRAL),
        (Role.DOCTOR,),
        Role.RECEPTION,
    ),
]


@pytest.mark.parametrize(
    ("export_call", "refused", "allowed"),
    [pytest.param(call, refused, allowed, id=name) for name, call, refused, allowed in EXPORTS],
)
def test_a_reader_that_exports_refuses_before_writing_anything(
    staffed: Store,
    make_case: Callable[..., CaseDetail],
    tmp_path: Path,
    export_call: Export,
    refused: tuple[Role, ...],
    allowed: Role,
) -> None:
    case = make_case()
    folder = tmp_path / "out"
    folder.mkdir()
    for role in refused:
        _as(staffed, role)
        before = _entries(staffed)
        with pytest.raises(NotAllowed):
            export_call(staffed, folder, case)
        assert list(folder.iterdir()) == [], role
        assert _entries(staffed) == before, role
    _as(staffed, allowed)
    assert export_call(staffed, folder, case) is not None


def test_any_role_backs_up_into_the_clinics_own_folder(staffed: Store) -> None:
    """The window's hourly backup runs as whoever is signed in at that desk: the copy goes
    where the administrator set it, so a doctor's desk keeps the clinic backed up."""
    _as(staffed, Role.DOCTOR)
    made = backup.backup_database(staffed)
    assert made.path.parent == backup.default_backup_folder() and made.path.exists()


def test_recover_admin_refuses_a_signed_in_clerk(staffed: Store) -> None:
    _as(staffed, Role.RECEPTION)
    before = _entries(staffed)
    with pytest.raises(NotAllowed, match="管理者"):
        staff_admin.recover_admin(
            staffed, "uketsuke", "", "taken-over-1", "taken-over-1", operator="uketsuke@desk"
        )
    assert _entries(staffed) == before
    with staffed.read() as session:
        clerk = session.scalar(select(StaffUser).where(StaffUser.login == "uketsuke"))
        assert clerk is not None and clerk.role is Role.RECEPTION
    assert sign_in(staffed, "uketsuke", CLERK_PW).role is Role.RECEPTION


def test_recover_admin_is_for_whoever_holds_the_file(staffed: Store) -> None:
    """The command line opens the store with nobody signed in: the operating system's user,
    who holds the database file, may (and is recorded as such)."""
    assert staffed.file is not None
    holder = open_store(staffed.file)
    try:
        assert holder.user is None
        account = staff_admin.recover_admin(
            holder, "kanri2", "管理 二郎", "recovered-1", "recovered-1", operator="root@desk"
        )
        assert account.role is Role.ADMIN
    finally:
        holder.close()
    _as(staffed, Role.ADMIN)  # a signed-in administrator may too
    staff_admin.recover_admin(
        staffed, "uketsuke", "", "recovered-2", "recovered-2", operator="kanri@desk"
    )


def test_record_restore_refuses_a_signed_in_clerk_and_a_borrowed_name(staffed: Store) -> None:
    for role in (Role.RECEPTION, Role.DOCTOR):
        _as(staffed, role)
        before = _entries(staffed)
        with pytest.raises(NotAllowed, match="管理者"):
            backup.record_restore(staffed, "kanri", "/tmp/b.db")
        assert _entries(staffed) == before
    _as(staffed, Role.ADMIN)
    with pytest.raises(ValidationError, match="サインインしている"):
        backup.record_restore(staffed, "someone-else", "/tmp/b.db")
    backup.record_restore(staffed, "kanri", "/tmp/b.db")
    assert _last(staffed) == ("kanri", AuditAction.DATABASE_RESTORE)
    assert staffed.file is not None
    holder = open_store(staffed.file)  # the command line after the file is back: nobody
    try:
        backup.record_restore(holder, "recovery:root", "/tmp/b.db")
        assert _last(holder) == ("recovery:root", AuditAction.DATABASE_RESTORE)
    finally:
        holder.close()


@pytest.fixture
def staffed(store: Store) -> Store:
    """An administrator, a 受付 and a 医師; the administrator signed in."""
    create_first_admin(store, "kanri", "管理 花子", ADMIN_PW, ADMIN_PW)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, CLERK_PW, CLERK_PW)
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, DOCTOR_PW, DOCTOR_PW)
    return store


def _as(store: Store, role: Role) -> None:
    login = LOGIN_OF[role]
    sign_in(store, login, PASSWORDS[login])


def _entries(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


def _last(store: Store) -> tuple[str, AuditAction]:
    with store.read() as session:
        row = session.execute(
            select(AuditEntry.staff, AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)
        ).one()
    return (row[0], row[1])
