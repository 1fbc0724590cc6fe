"""Clinic settings: read with the guide's defaults, update after validation."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.eligibility import ExclusionReason, Route
from desktop_app.domain.errors import ConflictError
from desktop_app.domain.roles import Permission
from desktop_app.domain.settings import (
    DEFAULT_SETTINGS,
    LEDGER_MAPPING_KEY,
    ClinicSettings,
    DateStyle,
    printer_name,
)
from desktop_app.domain.validation import validate_settings
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.store import Store

_FIELDS = [f.name for f in dataclasses.fields(ClinicSettings)]


def get_settings(store: Store) -> ClinicSettings:
    """The clinic's settings; anything never saved has the guide's default."""
    with store.read() as session:
        return load_settings(session)


def load_settings(session: Session) -> ClinicSettings:
    """Settings inside a service's own transaction (read from the Core table: the window
    reads them before its first page is up, before the ORM is configured)."""
    table = tables.settings
    rows = {key: value for key, value in session.execute(select(table.c.key, table.c.value))}
    values: dict[str, Any] = {}
    for name in _FIELDS:
        if name in rows:
            values[name] = _from_json(name, rows[name])
    return dataclasses.replace(DEFAULT_SETTINGS, **values)


@requires(Permission.SETTINGS, verbatim=("based_on",))  # compared as read, never written
def update_settings(
    store: Store, new: ClinicSettings, *, based_on: ClinicSettings | None = None
) -> ClinicSettings:
    """Validate and save; raises ValidationError (Japanese, with the field) and writes nothing.

    Key by key: ``based_on`` is what the settings screen showed before the clerk edited it,
    and only the settings this save changes from it are written. A setting another desk has
    saved since and this save leaves alone is kept as that desk saved it; when another desk
    has saved a setting this save changes too, ConflictError and nothing is written, instead
    of quietly reverting that desk's change. Returns the settings as now stored (the other
    desks' changes included). Without ``based_on`` (the CLI, a script), the settings that
    differ from the stored ones are written.
    """
    from desktop_app.db.models import Setting  # the ORM: not needed before the first paint

    checked = _validated(new)
    with store.transaction() as session:
        # The check and the writes are one step for all desks: two first saves of one
        # setting cannot both INSERT it, and two saves of it cannot both pass the check.
        _lock_settings(session)
        stored = load_settings(session)
        shown = based_on if based_on is not None else stored
        changing = [n for n in _FIELDS if _json_of(checked, n) != _json_of(shown, n)]
        if any(_json_of(stored, n) != _json_of(shown, n) for n in changing):
            raise ConflictError()
        merged = _validated(
            dataclasses.replace(stored, **{n: getattr(checked, n) for n in changing})
        )
        before, after = {}, {}
        for name in _FIELDS:
            old_value, new_value = _json_of(stored, name), _json_of(merged, name)
            if old_value == new_value:
                continue
            before[name], after[name] = old_value, new_value
            row = session.get(Setting, name)
            if row is None:
                session.add(Setting(key=name, value=new_value))
            else:
                row.value = new_value
        if after:
            audit.record(
                session,
                store.staff,
                AuditAction.SETTINGS_UPDATE,
                "settings",
                summary="設定を変更: " + "、".join(after),
                before=before,
                after=after,
            )
        elif _never_saved(session):
            # The first save of a clinic whose details are the defaults: it confirms them
            # (the first-run checklist asks for this once; later no-change saves log nothing).
            audit.record(
                session,
                store.staff,
                AuditAction.SETTINGS_UPDATE,
                "settings",
                summary="設定を確認（変更なし）",
            )
    return merged


def _validated(new: ClinicSettings) -> ClinicSettings:
    """``validate_settings``, and the FAX printer's name (a name, not a clinic's detail)."""
    checked = validate_settings(new)
    return dataclasses.replace(checked, fax_printer=printer_name(checked.fax_printer))


@requires(Permission.SETTINGS)
def get_ledger_mapping(store: Store) -> dict[str, str]:
    """The column mapping (header → field) the last ledger import used; {} before the first."""
    with store.read() as session:
        return load_ledger_mapping(session)


def load_ledger_mapping(session: Session) -> dict[str, str]:
    """``get_ledger_mapping`` inside a service's own transaction."""
    table = tables.settings
    value = session.scalar(select(table.c.value).where(table.c.key == LEDGER_MAPPING_KEY))
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def save_ledger_mapping(session: Session, mapping: dict[str, str]) -> None:
    """Keep a ledger's column mapping for next time, in the caller's transaction (the import
    that used it records it in its own audit entry)."""
    from desktop_app.db.models import Setting

    _lock_settings(session)
    row = session.get(Setting, LEDGER_MAPPING_KEY)
    if row is None:
        session.add(Setting(key=LEDGER_MAPPING_KEY, value=dict(mapping)))
    elif row.value != mapping:
        row.value = dict(mapping)


# pg_advisory_xact_lock key that serialises settings saves ("SODESK" + "ST").
SETTINGS_LOCK_KEY = 0x534F4445534B5354


def _lock_settings(session: Session) -> None:
    """On PostgreSQL, wait for any other desk's settings save to commit before reading
    (an advisory lock: a setting never saved yet has no row to lock with FOR UPDATE). On
    SQLite the transaction's BEGIN IMMEDIATE has done it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETTINGS_LOCK_KEY})


def _json_of(settings: ClinicSettings, name: str) -> Any:
    return _to_json(getattr(settings, name))


def _never_saved(session: Session) -> bool:
    entries = tables.audit_log
    first = session.scalar(
        select(entries.c.id).where(entries.c.action == AuditAction.SETTINGS_UPDATE).limit(1)
    )
    return first is None


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, ExclusionReason):
        return {f.name: str(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _from_json(name: str, value: Any) -> Any:
    if name == "exclusion_reasons":
        return tuple(
            ExclusionReason(**{**item, "route": Route(item.get("route", ""))}) for item in value
        )
    if name == "annual_closures":
        return tuple((int(m), int(d)) for m, d in value)
    if name == "date_style":
        return DateStyle(value)
    if name == "payment_methods":
        return tuple(str(v) for v in value)
    return value
