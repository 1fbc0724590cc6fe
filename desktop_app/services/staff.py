"""Staff accounts: the first administrator, signing in and out, the lock, passwords.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, RFC 9106). Every
sign-in, failed sign-in, lock and unlock is written to the audit log, which is the access
log the guideline asks for. Managing other people's accounts is in staff_admin.py.

The window's start reads an account through the Core tables only (db/tables.py), so the
functions that write import the ORM class themselves, once the first page is on the screen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Row, func, select, text, update
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.db.seals import seal_rows
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import (
    Actor,
    Role,
    check_display_name,
    check_login,
    check_new_password,
    normalize_login,
)
from desktop_app.domain.text_input import clean_input
from desktop_app.services import audit
from desktop_app.services.demo_mark import is_demo_store
from desktop_app.services.store import Store, session_clock

if TYPE_CHECKING:
    from desktop_app.db.models import StaffUser

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
# Verified against when the login ID is unknown, so a wrong ID takes as long as a wrong
# password and the answer does not tell which IDs exist. Made on first use: an argon2 hash
# takes about 0.1 s, which every start would otherwise pay before the window shows.
_DUMMY_HASH: str | None = None

WRONG = "ログインIDまたはパスワードが違います。"
MAX_FAILURES = 5
PAUSE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class StaffAccount:
    id: int
    login: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    last_sign_in_at: dt.datetime | None
    version: int

    @property
    def actor(self) -> Actor:
        return Actor(login=self.login, display_name=self.display_name, role=self.role)


def account_data(user: StaffUser | Row[Any]) -> StaffAccount:
    """The account of an ORM user, or of a row of the staff_users table (the same names)."""
    return StaffAccount(
        id=user.id,
        login=user.login,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        must_change_password=user.must_change_password,
        last_sign_in_at=user.last_sign_in_at,
        version=user.version,
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def has_accounts(store: Store) -> bool:
    """False only for a database no one has set up yet: the first start makes the admin."""
    with store.read() as session:
        return bool(session.scalar(select(func.count(tables.staff_users.c.id))))


def create_first_admin(
    store: Store, login: str, display_name: str, password: str, repeated: str
) -> StaffAccount:
    """The first start's administrator, signed in at once. Refused once any account exists,
    so this path cannot be used to add a second administrator unseen."""
    from desktop_app.db.models import StaffUser

    login = check_login(login)
    display_name = check_display_name(display_name)
    check_new_password(password, login, repeated=repeated)
    hashed = hash_password(password)
    with store.transaction() as session:
        if session.scalar(select(func.count(StaffUser.id))):
            raise ValidationError(
                "職員アカウントはすでに作成されています。サインインしてください。"
            )
        user = StaffUser(
            login=login,
            display_name=display_name,
            password_hash=hashed,
            role=Role.ADMIN,
            active=True,
            last_sign_in_at=store.clock.utcnow(),
        )
        session.add(user)
        session.flush()
        _audit(session, login, AuditAction.STAFF_CREATE, user, "最初の管理者を作成")
        _audit(session, login, AuditAction.STAFF_SIGN_IN, user, "サインイン")
        account = account_data(user)
    store.sign_in(account.actor)
    return account


def sign_in(store: Store, login: str, password: str) -> StaffAccount:
    """Check the ID and password and work as that member of staff from now on.

    A wrong ID or password gives one message for both; the failure is logged. After
    MAX_FAILURES failures in a row the ID rests for PAUSE, however many desks try at once;
    every attempt, refused ones included, is logged. A disabled account is refused (said
    only to someone who knows its password).
    """
    login, password = clean_input(login, "login"), clean_input(password, "password")
    account = _verified(store, login, password, AuditAction.STAFF_SIGN_IN, "サインイン")
    store.sign_in(account.actor)
    return account


def unlock(store: Store, login: str, password: str) -> StaffAccount:
    """Unlock the locked screen: the same member of staff, or another, who then works as
    themselves (the log says who handed over to whom)."""
    login, password = clean_input(login, "login"), clean_input(password, "password")
    before = store.staff
    switched = normalize_login(login) != before
    summary = f"ロックを解除（{before} から交代）" if switched else "ロックを解除"
    account = _verified(store, login, password, AuditAction.STAFF_UNLOCK, summary)
    store.sign_in(account.actor)
    return account


def sign_in_demo(store: Store, login: str = "uketsuke") -> StaffAccount:
    """On a demo database only: sign in as its demo clerk without a password (recorded)."""
    account = open_demo_session(store, login)
    record_demo_sign_in(store)
    return account


def open_demo_session(store: Store, login: str = "uketsuke") -> StaffAccount:
    """On a demo database only: sign in as its demo clerk without a password, and leave the
    record of it to ``record_demo_sign_in``.

    The window opens this way and records the sign-in once its first page is on the screen:
    a read from the Core table needs no ORM mapper configured before that page (the write,
    with its audit entry and seals, does).
    """
    if not is_demo_store(store):
        raise ValidationError("デモ用のデータベースではないため、サインインが必要です。")
    users = tables.staff_users
    with store.read() as session:
        row = session.execute(select(users).where(users.c.login == login)).first()
    if row is None or not row.active:
        raise ValidationError(f"デモのアカウント {login} がありません。")
    account = account_data(row)
    store.sign_in(account.actor)
    store.sign_in_unrecorded = True
    return account


def record_demo_sign_in(store: Store) -> None:
    """The demo clerk's sign-in by ``open_demo_session``, in the log (once; nothing to do
    for any other sign-in, which is recorded as it happens)."""
    if not store.sign_in_unrecorded or store.user is None:
        return
    from desktop_app.db.models import StaffUser

    with store.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.login == store.user.login))
        if user is None:
            raise ValidationError(f"デモのアカウント {store.user.login} がありません。")
        _stamp_sign_in(session, user.id)
        _audit(
            session,
            user.login,
            AuditAction.STAFF_SIGN_IN,
            user,
            "デモ用データベースのため自動サインイン",
        )
    store.sign_in_unrecorded = False


def record_lock(store: Store, *, idle: bool) -> None:
    """The screen was locked (after idle minutes, or by the clerk)."""
    with store.transaction() as session:
        summary = "一定時間操作がなかったため画面をロック" if idle else "画面をロック"
        audit.record(
            session, store.staff, AuditAction.STAFF_LOCK, "staff_user", store.staff, summary=summary
        )


def sign_out(store: Store) -> None:
    """The window closes: the log shows when this member of staff stopped working."""
    if store.user is None:
        return
    record_demo_sign_in(store)  # a window closed before its first page was up
    with store.transaction() as session:
        audit.record(
            session,
            store.staff,
            AuditAction.STAFF_SIGN_OUT,
            "staff_user",
            store.staff,
            summary="サインアウト",
        )


def change_password(store: Store, current: str, new: str, repeated: str) -> StaffAccount:
    """The signed-in member of staff changes their own password (knowing the current one)."""
    from desktop_app.db.models import StaffUser

    if store.user is None:
        raise ValidationError("サインインしていません。")
    login = store.user.login
    check_new_password(new, login, repeated=repeated)
    if new == current:
        raise ValidationError("今までと違うパスワードにしてください。", field="password")
    with store.read() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.login == login))
        stored = user.password_hash if user is not None else None
    if not _matches(stored, current):
        raise ValidationError("現在のパスワードが違います。", field="current")
    hashed = hash_password(new)
    with store.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.login == login))
        if user is None or not user.active:
            raise ValidationError("このアカウントは無効になっています。")
        user.password_hash = hashed
        user.must_change_password = False
        _audit(session, login, AuditAction.STAFF_PASSWORD, user, "自分のパスワードを変更")
        return account_data(user)


def _verified(
    store: Store, login: str, password: str, action: AuditAction, summary: str
) -> StaffAccount:
    from desktop_app.db.models import StaffUser

    key = normalize_login(login)[:64]
    if not key or not password:
        raise ValidationError("ログインIDとパスワードを入力してください。")
    # Counting the recent failures, deciding on the lockout and logging this attempt are one
    # write transaction: of desks trying one ID at once, each counts the attempts logged
    # before it, so no more than MAX_FAILURES passwords are checked; the others are refused
    # unchecked, and their attempts are logged too.
    stored: str | None = None
    with store.transaction() as session:
        _serialise_sign_ins(session)
        resting = _resting(session, key)
        if resting:
            _log(session, key, AuditAction.STAFF_SIGN_IN_REFUSED, _REFUSED_SUMMARY)
        else:
            _log(session, key, AuditAction.STAFF_SIGN_IN_ATTEMPT, "パスワードを確認")
            user = session.scalar(select(StaffUser).where(StaffUser.login == key))
            stored = user.password_hash if user is not None else None
    if resting:
        raise ValidationError(
            f"続けて{MAX_FAILURES}回間違えたため、このIDは{PAUSE.seconds // 60}分間"
            "サインインできません。しばらくしてからお試しください。"
        )
    ok = _matches(stored, password)  # slow on purpose: outside the write lock
    with store.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.login == key))
        if user is None or not ok:
            _failed(session, key, "ログインIDまたはパスワードの誤り")
            failed = True
        else:
            failed = False
            account = account_data(user)
            if user.active:
                rehashed = None
                if stored is not None and _hasher.check_needs_rehash(stored):
                    rehashed = (stored, hash_password(password))
                at = _stamp_sign_in(session, user.id, rehashed)
                account = dataclasses.replace(account, last_sign_in_at=at)
                _audit(session, key, action, user, summary)
            else:
                _failed(session, key, "無効なアカウント")
    if failed:
        raise ValidationError(WRONG, field="password")
    if not account.active:
        raise ValidationError("このアカウントは無効になっています。管理者に連絡してください。")
    return account


def _stamp_sign_in(
    session: Session, user_id: int, rehashed: tuple[str, str] | None = None
) -> dt.datetime:
    """Note the sign-in on the account (and a password hash made with today's costs)
    without bumping its version: the same account signing in at two desks at once is no
    conflict, and an administrator's screen showing the account is not made stale by it.

    A plain UPDATE, then the row's seal taken again (the ORM's after-flush hook seals only
    what the ORM writes). The new hash replaces only the one the password was checked
    against: a password an administrator has just set is not overwritten.
    """
    users = tables.staff_users
    at = session_clock(session).utcnow()
    session.execute(update(users).where(users.c.id == user_id).values(last_sign_in_at=at))
    if rehashed is not None:
        old_hash, new_hash = rehashed
        session.execute(
            update(users)
            .where(users.c.id == user_id, users.c.password_hash == old_hash)
            .values(password_hash=new_hash)
        )
    seal_rows(session.connection(), users.name, [user_id], table=users)
    return at


_REFUSED_SUMMARY = f"続けて{MAX_FAILURES}回間違えたあとの休止中のため、確認せずに拒否"


def _serialise_sign_ins(session: Session) -> None:
    """On PostgreSQL, take the audit chain's lock before the lockout's count is read (it is
    taken again, harmlessly, when this attempt is chained): two sign-ins cannot both count
    before either is logged. On SQLite the transaction's BEGIN IMMEDIATE does that."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": audit.CHAIN_LOCK_KEY})


def _log(session: Session, login: str, action: AuditAction, summary: str) -> None:
    audit.record(session, login, action, "staff_user", login, summary=summary)


def _failed(session: Session, login: str, why: str) -> None:
    audit.record(session, login, AuditAction.STAFF_SIGN_IN_FAILED, "staff_user", login, summary=why)


def _matches(stored: str | None, password: str) -> bool:
    # Made here for known IDs too, so the first try of either kind takes as long.
    dummy = _dummy_hash()
    try:
        return _hasher.verify(stored or dummy, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a password of anyone")
    return _DUMMY_HASH


def _resting(session: Session, login: str) -> bool:
    """True after MAX_FAILURES attempts in a row that failed or are still being checked, the
    last within PAUSE. Every attempt is logged before its password is checked, and a sign-in
    or an unlock ends the run; an older log has the failures alone, which count the same.
    Attempts refused during the pause are not counted: the pause runs from the last check."""
    entries = tables.audit_log.c
    recent = session.execute(
        select(entries.action, entries.at)
        .where(entries.staff == login, entries.action.in_(_RUN_ACTIONS))
        .order_by(entries.id.desc())
        .limit(2 * MAX_FAILURES)  # an attempt and its failure each: enough to count to five
    ).all()
    attempts = failures = 0
    last: dt.datetime | None = None
    for action, at in recent:
        if action in _RUN_ENDS:
            break
        last = last or at
        attempts += action == AuditAction.STAFF_SIGN_IN_ATTEMPT
        failures += action == AuditAction.STAFF_SIGN_IN_FAILED
    if last is None or max(attempts, failures) < MAX_FAILURES:
        return False
    return session_clock(session).utcnow() - last < PAUSE


_RUN_ENDS = (AuditAction.STAFF_SIGN_IN, AuditAction.STAFF_UNLOCK)
_RUN_ACTIONS = (
    *_RUN_ENDS,
    AuditAction.STAFF_SIGN_IN_ATTEMPT,
    AuditAction.STAFF_SIGN_IN_FAILED,
)


def _audit(
    session: Session, staff: str, action: AuditAction, user: StaffUser, summary: str
) -> None:
    audit.record(
        session,
        staff,
        action,
        "staff_user",
        user.login,
        summary=f"{summary}：{user.display_name}（{user.login}・{user.role.label}）",
    )
