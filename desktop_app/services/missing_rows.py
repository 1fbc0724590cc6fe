"""Rows the audit log saw made that are no longer in their tables: deleted with another tool.

The program deletes no case, payment, appointment, document, contact, account or setting (it
cancels, voids and deactivates instead), so each entry that records one being made names a
row that must still be there. A seal (db/seals.py) shows a row changed; only the log can show
a row gone. An entry appended by hand that names a row never made shows here the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from desktop_app.db import tables
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.services.demo_mark import DEMO_MARK

LAST_BACKUP_KEY = "last_backup"  # services/backup.py's setting
SHOWN_PER_KIND = 5


@dataclass(frozen=True, eq=False)
class _Kind:
    word: str  # what the clerk calls it
    name: Callable[[Any], str]  # how one missing row is named in the message


_CASE = _Kind("案件", lambda number: f"案件 {number} ")
_PAYMENT = _Kind("会計", lambda receipt: f"会計（領収書 {receipt}）")
_APPOINTMENT = _Kind("予約", lambda row_id: f"予約（appointments の id {row_id}）")
_DOCUMENT = _Kind("書類", lambda row_id: f"書類（case_documents の id {row_id}）")
_CONTACT = _Kind("連絡記録", lambda row_id: f"連絡記録（contact_log の id {row_id}）")
_CALL = _Kind("連絡記録", lambda at: f"連絡記録（{_local(at)} の記録）")
_STAFF = _Kind("職員アカウント", lambda login: f"職員アカウント（{login}）")
_SETTING = _Kind("設定", lambda key: f"設定（{key}）")

_ACTIONS = (
    AuditAction.CASE_CREATE,
    AuditAction.PAYMENT_RECORD,
    AuditAction.APPOINTMENT_BOOK,
    AuditAction.APPOINTMENT_RESCHEDULE,
    AuditAction.DOCUMENT_ADD,
    AuditAction.ENQUIRY_LOG,
    AuditAction.CONTACT_LOG,
    AuditAction.STAFF_CREATE,
    AuditAction.STAFF_RECOVERY,
    AuditAction.SETTINGS_UPDATE,
    AuditAction.BACKUP_CREATE,
    AuditAction.DEMO_MARK,
)


def missing_rows(connection: Connection) -> list[str]:
    """One Japanese line per row the log saw made and its table no longer holds (the first
    few of each kind, then how many more)."""
    expected: dict[_Kind, list[Any]] = {}

    def expect(kind: _Kind, value: Any) -> None:
        if value is not None and value != "":
            expected.setdefault(kind, []).append(value)

    entries = tables.audit_log.c
    query = select(entries.action, entries.entity_id, entries.case_id, entries.after).where(
        entries.action.in_(_ACTIONS)
    )
    for action, entity_id, case_id, after in connection.execute(query):
        after = after if isinstance(after, dict) else {}
        if action == AuditAction.CASE_CREATE:
            expect(_CASE, entity_id)
        elif action == AuditAction.PAYMENT_RECORD:
            expect(_PAYMENT, after.get("receipt"))
        elif action in (AuditAction.APPOINTMENT_BOOK, AuditAction.APPOINTMENT_RESCHEDULE):
            expect(_APPOINTMENT, entity_id)
        elif action == AuditAction.DOCUMENT_ADD:
            expect(_DOCUMENT, after.get("document"))
        elif action == AuditAction.ENQUIRY_LOG:
            expect(_CONTACT, entity_id)
        elif action == AuditAction.CONTACT_LOG:
            expect(_CALL, _contact_key(case_id, after.get("at")))
        elif action in (AuditAction.STAFF_CREATE, AuditAction.STAFF_RECOVERY):
            expect(_STAFF, entity_id)
        elif action == AuditAction.SETTINGS_UPDATE:
            for key in after:
                expect(_SETTING, key)
        elif action == AuditAction.BACKUP_CREATE:
            expect(_SETTING, LAST_BACKUP_KEY)
        elif action == AuditAction.DEMO_MARK:
            expect(_SETTING, DEMO_MARK)
    problems: list[str] = []
    for kind, values in expected.items():
        present = _present(connection, kind)
        missing = list(dict.fromkeys(v for v in values if _normal(kind, v) not in present))
        for value in missing[:SHOWN_PER_KIND]:
            shown = value[1] if kind is _CALL else value
            problems.append(f"{kind.name(shown)}が削除されています（変更履歴には記録があります）")
        if len(missing) > SHOWN_PER_KIND:
            problems.append(
                f"ほかにも {len(missing) - SHOWN_PER_KIND} 件の{kind.word}が削除されています"
            )
    return problems


def _present(connection: Connection, kind: _Kind) -> set[Any]:
    t = tables
    if kind is _CASE:
        return _set(connection.scalars(select(t.cases.c.case_number)))
    if kind is _PAYMENT:
        return _set(connection.scalars(select(t.payments.c.receipt_number)))
    if kind is _APPOINTMENT:
        return {str(i) for i in connection.scalars(select(t.appointments.c.id))}
    if kind is _DOCUMENT:
        return {str(i) for i in connection.scalars(select(t.case_documents.c.id))}
    if kind is _CONTACT:
        return {str(i) for i in connection.scalars(select(t.contact_log.c.id))}
    if kind is _CALL:
        rows = connection.execute(select(t.contact_log.c.case_id, t.contact_log.c.at))
        return {(case_id, at.astimezone(dt.UTC)) for case_id, at in rows if at is not None}
    if kind is _STAFF:
        return _set(connection.scalars(select(t.staff_users.c.login)))
    return _set(connection.scalars(select(t.settings.c.key)))


def _set(values: Iterable[Any]) -> set[Any]:
    return set(values)


def _normal(kind: _Kind, value: Any) -> Any:
    return value if kind is _CALL else str(value)


def _contact_key(case_id: Any, at: Any) -> tuple[Any, dt.datetime] | None:
    """(case, when in UTC) of a contact the log recorded."""
    if not isinstance(at, str):
        return None
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return (case_id, when.astimezone(dt.UTC))


def _local(at: dt.datetime) -> str:
    return at.astimezone().strftime("%Y/%m/%d %H:%M")
