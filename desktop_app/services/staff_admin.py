"""An administrator's work on staff accounts: add, rename, change role, disable (never
delete: the audit log keeps naming them), give a temporary password. And the one way back
in when the only administrator has forgotten the password: ``sodesk recover-admin``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.db.models import StaffUser
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.roles import (
    Permission,
    Role,
    check_display_name,
    check_login,
    check_new_password,
)
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.staff import StaffAccount, account_data, hash_password
from desktop_app.services.store import Store


@requires(Permission.STAFF)
def list_accounts(store: Store) -> tuple[StaffAccount, ...]:
    """Every account, active first, then by login ID."""
    with store.read() as session:
        users = session.scalars(
            select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.login)
        ).all()
        return tuple(account_data(u) for u in users)


@requires(Permission.STAFF)
def add_account(
    store: Store, login: str, display_name: str, role: Role, password: str, repeated: str
) -> StaffAccount:
    """A new account with a temporary password, to be changed at its first sign-in."""
    login = check_login(login)
    display_name = check_display_name(display_name)
    check_new_password(password, login, repeated=repeated)
    hashed = hash_password(password)
    with store.transaction() as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.login == login)) is not None:
            raise ValidationError(f"ログインID {login} はすでに使われています。", field="login")
        user = StaffUser(
            login=login,
            display_name=display_name,
            role=role,
            password_hash=hashed,
            active=True,
            must_change_password=True,
        )
        session.add(user)
        session.flush()
        _record(
            store, session, AuditAction.STAFF_CREATE, user, "アカウントを作成", after=_state(user)
        )
        return account_data(user)


@requires(Permission.STAFF)
def update_account(
    store: Store, account_id: int, *, display_name: str, role: Role, version: int | None = None
) -> StaffAccount:
    """Change the name shown and the role."""
    display_name = check_display_name(display_name)
    with store.transaction() as session:
        user = _get(session, account_id, version)
        before = _state(user)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            _keep_an_admin(session, user)
        user.display_name, user.role = display_name, role
        if _state(user) != before:
            _record(
                store,
                session,
                AuditAction.STAFF_UPDATE,
                user,
                "アカウントを変更",
                before=before,
                after=_state(user),
            )
        return account_data(user)


@requires(Permission.STAFF)
def set_active(
    store: Store, account_id: int, active: bool, *, version: int | None = None
) -> StaffAccount:
    """Disable (or enable again) an account; a disabled one cannot sign in."""
    with store.transaction() as session:
        user = _get(session, account_id, version)
        if user.active == active:
            return account_data(user)
        if not active:
            if user.login == store.staff:
                raise ValidationError("自分のアカウントは無効にできません。")
            if user.role is Role.ADMIN:
                _keep_an_admin(session, user)
        before = _state(user)
        user.active = active
        summary = "アカウントを有効に" if active else "アカウントを無効に"
        _record(
            store,
            session,
            AuditAction.STAFF_UPDATE,
            user,
            summary,
            before=before,
            after=_state(user),
        )
        return account_data(user)


@requires(Permission.STAFF)
def reset_password(
    store: Store, account_id: int, password: str, repeated: str, *, version: int | None = None
) -> StaffAccount:
    """Give a forgotten password a temporary one, to be changed at the next sign-in."""
    with store.read() as session:
        login = _get(session, account_id, version).login
    check_new_password(password, login, repeated=repeated)
    hashed = hash_password(password)
    with store.transaction() as session:
        user = _get(session, account_id, version)
        user.password_hash = hashed
        user.must_change_password = True
        _record(store, session, AuditAction.STAFF_PASSWORD_RESET, user, "仮パスワードを設定")
        return account_data(user)


@requires(Permission.STAFF)
def recover_admin(
    store: Store, login: str, display_name: str, password: str, repeated: str, *, operator: str
) -> StaffAccount:
    """The way back in when no administrator can sign in: run by whoever holds the database
    (its file, or its server's credentials), from the command line only.

    That is a store with nobody signed in (the operating system's user, who holds the file
    and whom the roles cannot guard) or a signed-in administrator; a store signed in as a
    受付 or 医師 is refused, so no clerk makes themselves administrator from Python.

    The account ``login`` becomes an active administrator with this temporary password (to
    be changed at the next sign-in), created if it does not exist. The audit log records it
    under ``recovery:<operator>``, so the recovery can never pass unseen.
    """
    login = check_login(login)
    check_new_password(password, login, repeated=repeated)
    hashed = hash_password(password)
    with store.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.login == login))
        before = _state(user) if user is not None else None
        if user is None:
            user = StaffUser(login=login, display_name=check_display_name(display_name or login))
            session.add(user)
        user.role = Role.ADMIN
        user.active = True
        user.password_hash = hashed
        user.must_change_password = True
        session.flush()
        audit.record(
            session,
            f"recovery:{operator}"[:100],
            AuditAction.STAFF_RECOVERY,
            "staff_user",
            user.login,
            summary=f"コマンドで管理者を回復：{user.display_name}（{user.login}）",
            before=before,
            after=_state(user),
        )
        return account_data(user)


def _get(session: Session, account_id: int, version: int | None) -> StaffUser:
    user = session.get(StaffUser, account_id)
    if user is None:
        raise ValidationError("この職員アカウントは見つかりません。")
    if version is not None and user.version != version:
        raise ConflictError()
    return user


def _keep_an_admin(session: Session, leaving: StaffUser) -> None:
    others = session.scalar(
        select(func.count(StaffUser.id)).where(
            StaffUser.role == Role.ADMIN, StaffUser.active.is_(True), StaffUser.id != leaving.id
        )
    )
    if not others:
        raise ValidationError("管理者が一人もいなくなるため、変更できません。")


def _state(user: StaffUser) -> dict[str, object]:
    return {"display_name": user.display_name, "role": user.role.value, "active": user.active}


def _record(
    store: Store,
    session: Session,
    action: AuditAction,
    user: StaffUser,
    summary: str,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    audit.record(
        session,
        store.staff,
        action,
        "staff_user",
        user.login,
        summary=f"{summary}：{user.display_name}（{user.login}・{user.role.label}）",
        before=before,
        after=after,
    )
