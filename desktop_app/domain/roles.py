"""Who may do what: the staff roles, what each may do, and the rules for IDs and passwords.

The services ask here before they change anything or hand out patients' data in bulk
(services/access.py), so a button that is forgotten on some screen still cannot do what the
role does not allow.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain.errors import ValidationError


class Role(StrEnum):
    """Stored in staff_users.role: never renamed."""

    RECEPTION = "reception"
    DOCTOR = "doctor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.RECEPTION: "受付", Role.DOCTOR: "医師", Role.ADMIN: "管理者"}


class Permission(StrEnum):
    READ_CASES = "read_cases"  # the board, case list, calendar and statistics on screen
    CASE_WORK = "case_work"  # intake, papers, bookings, the day itself, payment, prints, CSV
    DECIDE = "decide"  # the doctor's decision, the session's minutes, the report
    SETTINGS = "settings"  # clinic settings, masters, doctors' hours, closures, restore
    AUDIT = "audit"  # read and export the audit log
    STAFF = "staff"  # add, change and disable staff accounts
    # A copy of the whole database in a file of one's choosing: it holds every patient, the
    # audit log and the password hashes. Backups into the clinic's own folder need nothing.
    COPY_DATABASE = "copy_database"

    @property
    def refusal(self) -> str:
        return REFUSALS[self]


# Everyone sees the cases on screen. A 受付 does the desk's work (printing and CSV among it)
# and relays the doctor's answer; a 医師 records the decision and the session but does not
# take payments, edit cases, print or write patients' data out; a 管理者 runs the clinic's
# settings, accounts and audit log, alone copies the database out, and can stand in at the desk.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECEPTION: frozenset({Permission.READ_CASES, Permission.CASE_WORK, Permission.DECIDE}),
    Role.DOCTOR: frozenset({Permission.READ_CASES, Permission.DECIDE}),
    Role.ADMIN: frozenset(Permission),
}

REFUSALS = {
    Permission.READ_CASES: "案件の閲覧は受付・医師・管理者のアカウントで行ってください。",
    Permission.CASE_WORK: "この操作は受付・管理者のアカウントで行ってください。",
    Permission.DECIDE: "この操作は受付・医師・管理者のアカウントで行ってください。",
    Permission.SETTINGS: "設定の変更は管理者のアカウントで行ってください。",
    Permission.AUDIT: "変更履歴は管理者だけが見られます。",
    Permission.STAFF: "職員アカウントの管理は管理者のアカウントで行ってください。",
    Permission.COPY_DATABASE: (
        "保存先を指定したバックアップ（データベースのコピー）は管理者のアカウントで行ってください。"
    ),
}


def may(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


@dataclass(frozen=True)
class Actor:
    """The member of staff signed in at this desk (or named on the command line)."""

    login: str
    display_name: str
    role: Role

    @property
    def title(self) -> str:
        """For the status bar: 「鈴木 花子（受付）」."""
        return f"{self.display_name}（{self.role.label}）"


LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD = 8
MAX_PASSWORD = 128


def normalize_login(text: str) -> str:
    """Login IDs are compared in one spelling: full-width letters and capitals folded."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def check_login(text: str) -> str:
    login = normalize_login(text)
    if not LOGIN_PATTERN.fullmatch(login):
        raise ValidationError(
            "ログインIDは半角の英小文字・数字・「.」「_」「-」で2〜32文字にしてください"
            "（先頭は英数字）。",
            field="login",
        )
    return login


def check_display_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise ValidationError("氏名を入力してください。", field="display_name")
    if len(name) > 100:
        raise ValidationError("氏名は100文字以内で入力してください。", field="display_name")
    return name


def check_new_password(password: str, login: str, *, repeated: str | None = None) -> str:
    """A password a clerk may choose; ValidationError (field ``password``) otherwise."""
    if repeated is not None and password != repeated:
        raise ValidationError("確認のパスワードが一致しません。", field="repeated")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"パスワードは{MIN_PASSWORD}文字以上にしてください。", field="password"
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationError(
            f"パスワードは{MAX_PASSWORD}文字以内にしてください。", field="password"
        )
    if password.strip() != password or any(unicodedata.category(c)[0] == "C" for c in password):
        raise ValidationError(
            "パスワードの先頭・末尾の空白や制御文字は使えません。", field="password"
        )
    if normalize_login(password) == normalize_login(login):
        raise ValidationError("ログインIDと同じパスワードは使えません。", field="password")
    if len(set(password)) < 3:
        raise ValidationError("同じ文字の繰り返しは使えません。", field="password")
    return password
