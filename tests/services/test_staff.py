"""Staff accounts: the first administrator, sign-in right and wrong, disabled accounts,
passwords, and the roles refused in the service layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from desktop_app.db.models import AuditEntry, StaffUser
from desktop_app.domain import clock
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Role
from desktop_app.domain.settings import DEFAULT_SETTINGS
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services import staff
from desktop_app.services.access import NotAllowed
from desktop_app.services.audit_log import AuditFilter, export_csv, list_entries
from desktop_app.services.cases import get_case
from desktop_app.services.decisions import record_decision
from desktop_app.services.dto import CaseDetail
from desktop_app.services.maintenance import check_database
from desktop_app.services.masters import add_department
from desktop_app.services.paper_trail import receive_application
from desktop_app.services.settings import update_settings
from desktop_app.services.staff import (
    change_password,
    create_first_admin,
    has_accounts,
    sign_in,
    unlock,
)
from desktop_app.services.staff_admin import (
    add_account,
    list_accounts,
    recover_admin,
    reset_password,
    set_active,
    update_account,
)
from desktop_app.services.store import Store
from desktop_app.services.visit import check_in, record_session
from tests.services.trail_helpers import TODAY, add_doctor

ADMIN_PW = "kanri-pass-1"
CLERK_PW = "uketsuke-pass"
DOCTOR_PW = "ishi-pass-01"
DESK_HASHER = staff._hasher  # before any test makes it quick


pytestmark = pytest.mark.usefixtures("quick_hashes")


@pytest.fixture
def staffed(store: Store) -> Store:
    """An administrator (signed in), a 受付 and a 医師, each with a password already changed."""
    create_first_admin(store, "kanri", "管理 花子", ADMIN_PW, ADMIN_PW)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, CLERK_PW, CLERK_PW)
    add_account(store, "ishi", "医師 次郎", Role.DOCTOR, DOCTOR_PW, DOCTOR_PW)
    return store


def _as(store: Store, login: str, password: str) -> Store:
    sign_in(store, login, password)
    return store


def _audit(store: Store) -> list[tuple[str, AuditAction, str]]:
    with store.read() as session:
        rows = session.execute(
            select(AuditEntry.staff, AuditEntry.action, AuditEntry.summary).order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_first_start_makes_the_administrator_and_signs_in(store: Store) -> None:
    assert not has_accounts(store)
    account = create_first_admin(store, "Kanri", "管理　花子", ADMIN_PW, ADMIN_PW)
    assert account.login == "kanri" and account.role is Role.ADMIN
    assert store.user is not None and store.user.login == "kanri"
    assert store.staff == "kanri"
    assert has_accounts(store)
    with store.read() as session:
        stored = session.scalar(select(StaffUser.password_hash))
    assert stored is not None and stored.startswith("$argon2id$") and ADMIN_PW not in stored
    # The path is closed once an account exists: it cannot add a second admin unseen.
    with pytest.raises(ValidationError, match="すでに作成"):
        create_first_admin(store, "other", "他人", "another-pass", "another-pass")


def test_sign_in_right_and_wrong(staffed: Store) -> None:
    account = sign_in(staffed, "uketsuke", CLERK_PW)
    assert account.role is Role.RECEPTION and staffed.staff == "uketsuke"
    with pytest.raises(ValidationError, match="ログインIDまたはパスワードが違います"):
        sign_in(staffed, "uketsuke", "wrong-password")
    with pytest.raises(ValidationError, match="ログインIDまたはパスワードが違います"):
        sign_in(staffed, "nobody", CLERK_PW)  # the same words: no hint which IDs exist
    assert staffed.staff == "uketsuke"  # a failure changes nobody
    failures = [a for _, a, _ in _audit(staffed) if a is AuditAction.STAFF_SIGN_IN_FAILED]
    assert len(failures) == 2


def test_a_disabled_account_is_refused(staffed: Store) -> None:
    clerk = next(a for a in list_accounts(staffed) if a.login == "uketsuke")
    set_active(staffed, clerk.id, False, version=clerk.version)
    with pytest.raises(ValidationError, match="無効"):
        sign_in(staffed, "uketsuke", CLERK_PW)
    assert staffed.staff == "kanri"


def test_five_failures_in_a_row_rest_the_id(
    staffed: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(staff.MAX_FAILURES):
        with pytest.raises(ValidationError, match="違います"):
            sign_in(staffed, "uketsuke", "wrong-password")
    with pytest.raises(ValidationError, match="5分間"):
        sign_in(staffed, "uketsuke", CLERK_PW)
    # Once the pause is over (the log is append-only, so the pause is shortened instead of
    # the entries backdated), the right password works again.
    monkeypatch.setattr(staff, "PAUSE", dt.timedelta(0))
    assert sign_in(staffed, "uketsuke", CLERK_PW).login == "uketsuke"


def test_attempts_during_a_lockout_are_logged_and_the_pause_runs_from_the_fifth_failure(
    staffed: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = clock.offset().total_seconds()

    def minutes_later(minutes: float) -> None:
        monkeypatch.setenv(clock.OFFSET_VARIABLE, str(start + minutes * 60))

    for _ in range(staff.MAX_FAILURES):
        with pytest.raises(ValidationError, match="違います"):
            sign_in(staffed, "uketsuke", "wrong-password")
    for minute in (1, 3, 4.5):
        minutes_later(minute)
        with pytest.raises(ValidationError, match="5分間"):
            sign_in(staffed, "uketsuke", CLERK_PW if minute == 3 else "wrong-password")
    logged = [(who, a) for who, a, _ in _audit(staffed)]
    assert logged.count(("uketsuke", AuditAction.STAFF_SIGN_IN_FAILED)) == staff.MAX_FAILURES
    assert logged.count(("uketsuke", AuditAction.STAFF_SIGN_IN_REFUSED)) == 3
    refused = [s for who, a, s in _audit(staffed) if a is AuditAction.STAFF_SIGN_IN_REFUSED]
    assert all("5回" in s and "休止中" in s for s in refused)
    # The refused attempts did not push the pause on: five minutes after the fifth failure
    # the right password works.
    minutes_later(5.1)
    assert sign_in(staffed, "uketsuke", CLERK_PW).login == "uketsuke"


def test_a_temporary_password_must_be_changed(staffed: Store) -> None:
    account = sign_in(staffed, "ishi", DOCTOR_PW)
    assert account.must_change_password  # the administrator chose it
    with pytest.raises(ValidationError, match="現在のパスワードが違います"):
        change_password(staffed, "not-it-at-all", "new-secret-9", "new-secret-9")
    with pytest.raises(ValidationError, match="一致しません"):
        change_password(staffed, DOCTOR_PW, "new-secret-9", "new-secret-8")
    with pytest.raises(ValidationError, match="8文字以上"):
        change_password(staffed, DOCTOR_PW, "short", "short")
    changed = change_password(staffed, DOCTOR_PW, "new-secret-9", "new-secret-9")
    assert not changed.must_change_password
    with pytest.raises(ValidationError):
        sign_in(staffed, "ishi", DOCTOR_PW)
    assert sign_in(staffed, "ishi", "new-secret-9").login == "ishi"


def test_roles_are_refused_in_the_service_layer(
    staffed: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = make_case()
    _as(staffed, "uketsuke", CLERK_PW)
    with pytest.raises(NotAllowed, match="管理者"):
        update_settings(staffed, DEFAULT_SETTINGS)
    with pytest.raises(NotAllowed, match="変更履歴は管理者だけ"):
        list_entries(staffed, AuditFilter())
    with pytest.raises(NotAllowed):
        add_department(staffed, "新しい科")
    with pytest.raises(NotAllowed):
        add_account(staffed, "x-new", "新人", Role.ADMIN, "temp-pass-1", "temp-pass-1")

    _as(staffed, "ishi", DOCTOR_PW)
    with pytest.raises(NotAllowed, match="受付・管理者"):
        check_in(staffed, case.id)
    with pytest.raises(NotAllowed):
        export_csv(staffed, AuditFilter(), staffed.file.parent / "log.csv")  # type: ignore[union-attr]
    # Nothing was written by any refused call.
    assert [a for _, a, _ in _audit(staffed)].count(AuditAction.SETTINGS_UPDATE) == 0
    assert get_case(staffed, case.id).version == case.version


def test_a_doctor_records_the_decision(
    staffed: Store, make_case: Callable[..., CaseDetail]
) -> None:
    case = receive_application(staffed, make_case().id, on=TODAY, channel=Channel.FAX)
    dep, doc = add_doctor(staffed)
    _as(staffed, "ishi", DOCTOR_PW)
    result = record_decision(
        staffed, case.id, department_id=dep, doctor_id=doc, decision=Decision.ACCEPTED, on=TODAY
    )
    assert result.case.stage is Stage.DOCTOR_REVIEW
    # The log keeps the login ID ("ishi"); the case shows the person's name.
    assert result.case.history[-1].staff == "医師 次郎"
    # A session record is the doctor's too: refused for the case's stage, not for the role.
    with pytest.raises(ValidationError) as refused:
        record_session(staffed, case.id, minutes=30)
    assert not isinstance(refused.value, NotAllowed)


def test_the_administrator_may_change_settings_and_read_the_log(staffed: Store) -> None:
    _as(staffed, "kanri", ADMIN_PW)
    update_settings(staffed, DEFAULT_SETTINGS)
    assert list_entries(staffed, AuditFilter(staff="kanri"))


def test_the_last_administrator_cannot_be_disabled_or_demoted(staffed: Store) -> None:
    admin = next(a for a in list_accounts(staffed) if a.login == "kanri")
    with pytest.raises(ValidationError, match="自分のアカウント"):
        set_active(staffed, admin.id, False)
    with pytest.raises(ValidationError, match="管理者が一人もいなくなる"):
        update_account(staffed, admin.id, display_name="管理 花子", role=Role.RECEPTION)
    ishi = next(a for a in list_accounts(staffed) if a.login == "ishi")
    promoted = update_account(staffed, ishi.id, display_name="医師 次郎", role=Role.ADMIN)
    assert promoted.role is Role.ADMIN
    demoted = update_account(staffed, admin.id, display_name="管理 花子", role=Role.RECEPTION)
    assert demoted.role is Role.RECEPTION


def test_accounts_are_never_deleted_and_each_change_is_logged(staffed: Store) -> None:
    clerk = next(a for a in list_accounts(staffed) if a.login == "uketsuke")
    clerk = set_active(staffed, clerk.id, False)
    clerk = set_active(staffed, clerk.id, True)
    reset_password(staffed, clerk.id, "temp-pass-22", "temp-pass-22")
    logins = [a.login for a in list_accounts(staffed)]
    assert sorted(logins) == ["ishi", "kanri", "uketsuke"]
    actions = [(who, a) for who, a, _ in _audit(staffed)]
    assert actions.count(("kanri", AuditAction.STAFF_UPDATE)) == 2
    assert ("kanri", AuditAction.STAFF_PASSWORD_RESET) in actions
    assert sign_in(staffed, "uketsuke", "temp-pass-22").must_change_password


def test_unlock_by_another_clerk_works_as_themselves(staffed: Store) -> None:
    _as(staffed, "uketsuke", CLERK_PW)
    staff.record_lock(staffed, idle=True)
    with pytest.raises(ValidationError):
        unlock(staffed, "uketsuke", "wrong-password")
    assert staffed.staff == "uketsuke"
    unlock(staffed, "kanri", ADMIN_PW)
    assert staffed.staff == "kanri" and staffed.user is not None
    assert staffed.user.role is Role.ADMIN
    last = _audit(staffed)[-1]
    assert last[0] == "kanri" and last[1] is AuditAction.STAFF_UNLOCK and "uketsuke" in last[2]


def test_recovery_leaves_a_trace_in_the_chain(staffed: Store) -> None:
    recovered = recover_admin(
        staffed, "kanri", "", "recover-pass-1", "recover-pass-1", operator="root@desk1"
    )
    assert recovered.must_change_password and recovered.role is Role.ADMIN
    who, action, _summary = _audit(staffed)[-1]
    assert who == "recovery:root@desk1" and action is AuditAction.STAFF_RECOVERY
    assert sign_in(staffed, "kanri", "recover-pass-1").must_change_password
    assert staffed.file is not None
    assert check_database(str(staffed.file)).ok


def test_real_argon2_parameters(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff, "_hasher", DESK_HASHER)
    create_first_admin(store, "kanri", "管理 花子", ADMIN_PW, ADMIN_PW)
    with store.read() as session:
        stored = session.scalar(select(StaffUser.password_hash))
    assert stored is not None and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert sign_in(store, "kanri", ADMIN_PW).login == "kanri"
