"""Reading the audit log (変更履歴) for administrators: filtered pages, and an export (Excel
or CSV, by the file's suffix) that is itself recorded in the log."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from desktop_app.db.models import AuditEntry, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission
from desktop_app.services import audit
from desktop_app.services.access import allowed, requires
from desktop_app.services.store import Store, StoreError

log = logging.getLogger(__name__)

_Query = TypeVar("_Query", bound=Select)

PAGE_SIZE = 200
# What the log's ``entity`` words mean to a clerk; an unknown one is shown as stored.
ENTITY_LABELS = {
    "case": "案件",
    "appointment": "予約",
    "contact": "連絡",
    "database": "データベース",
    "settings": "設定",
    "audit_log": "変更履歴",
    "department": "診療科",
    "doctor": "担当医",
    "doctor_hours": "診療枠",
    "clinic_closure": "休診日",
    "staff_user": "職員アカウント",
    "export": "書き出し",
}
CSV_HEADERS = (
    "番号", "日時", "担当者", "操作", "案件番号", "対象", "対象ID", "内容", "変更前", "変更後",
)  # fmt: skip


def can_read_audit(store: Store) -> bool:
    """Whether the signed-in member of staff may read and export the audit log (管理者)."""
    return allowed(store, Permission.AUDIT)


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer narrows the log to; empty fields do not narrow."""

    staff: str = ""
    case_number: str = ""  # part of a case number, e.g. "2026-0012"
    action: AuditAction | None = None
    date_from: dt.date | None = None  # the desk's local dates, both inclusive
    date_to: dt.date | None = None

    def describe(self) -> str:
        """The conditions in words, for the export's own audit entry."""
        parts = []
        if self.staff:
            parts.append(f"担当者：{self.staff}")
        if self.case_number:
            parts.append(f"案件番号：{self.case_number}")
        if self.action is not None:
            parts.append(f"操作：{self.action.label}")
        if self.date_from or self.date_to:
            start = self.date_from.isoformat() if self.date_from else ""
            end = self.date_to.isoformat() if self.date_to else ""
            parts.append(f"期間：{start}〜{end}")
        return "、".join(parts) or "すべて"


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime  # UTC
    staff: str
    action: str  # the stored value
    action_label: str
    case_number: str
    entity: str  # in the clerk's words (ENTITY_LABELS)
    entity_id: str
    summary: str
    before: str  # JSON text, "" when none
    after: str


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def _filtered(query: _Query, f: AuditFilter) -> _Query:
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationError("期間の開始日が終了日より後になっています。", field="date_from")
    query = query.outerjoin(SOCase, SOCase.id == AuditEntry.case_id)
    if f.staff:
        query = query.where(AuditEntry.staff == f.staff)
    if f.case_number.strip():
        query = query.where(SOCase.case_number.contains(f.case_number.strip().upper()))
    if f.action is not None:
        query = query.where(AuditEntry.action == f.action)
    if f.date_from:
        query = query.where(AuditEntry.at >= _local_midnight_utc(f.date_from))
    if f.date_to:
        end = _local_midnight_utc(f.date_to + dt.timedelta(days=1))
        query = query.where(AuditEntry.at < end)
    return query


@requires(Permission.AUDIT)
def count_entries(store: Store, f: AuditFilter = AuditFilter()) -> int:
    """How many entries match."""
    with store.read() as session:
        return session.scalar(_filtered(select(func.count(AuditEntry.id)), f)) or 0


@requires(Permission.AUDIT)
def list_entries(
    store: Store,
    f: AuditFilter = AuditFilter(),
    *,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[AuditRow, ...]:
    """One page, newest first; the next page starts below the last id of this one."""
    with store.read() as session:
        return _page(session, f, before_id, limit)


def _page(session: Session, f: AuditFilter, before_id: int | None, limit: int | None) -> Any:
    query = _filtered(select(AuditEntry, SOCase.case_number), f).order_by(AuditEntry.id.desc())
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if limit is not None:
        query = query.limit(limit)
    return tuple(_row(entry, number) for entry, number in session.execute(query))


@requires(Permission.AUDIT)
def staff_names(store: Store) -> tuple[str, ...]:
    """Everyone who appears in the log, for the viewer's staff filter."""
    with store.read() as session:
        names = session.scalars(select(AuditEntry.staff).distinct().order_by(AuditEntry.staff))
        return tuple(n for n in names if n)


@requires(Permission.AUDIT)
def export_csv(store: Store, f: AuditFilter, path: Path, *, overwrite: bool = False) -> int:
    """Write the matching entries (oldest first) to ``path``: an Excel workbook for ``.xlsx``
    (dates as dates, numbers as numbers), a CSV for ``.csv`` (UTF-8 with BOM so Excel reads
    the Japanese), any other suffix refused before anything is written. The export is then
    recorded in the log. Returns the number written.

    Never over a database, a backup or the store's own files, and over an existing file only
    with ``overwrite`` (services/output_files.py: OutputRefused); the file is 0600."""
    from desktop_app.services.output_files import OutputFailed, staged_output
    from desktop_app.services.xlsx_export import ExportFormat, Sheet, export_format, write_workbook

    fmt = export_format(path)
    with store.read() as session:
        rows = _page(session, f, None, None)
    try:
        with staged_output(path, store=store, overwrite=overwrite) as staged:
            if fmt is ExportFormat.XLSX:
                sheet = Sheet("変更履歴", CSV_HEADERS, (typed_fields(r) for r in reversed(rows)))
                with staged.open_binary() as binary:
                    write_workbook(binary, [sheet], title=f"変更履歴（{f.describe()}）")
            else:
                with staged.open_text("utf-8-sig") as out:
                    writer = csv.writer(out)
                    writer.writerow(CSV_HEADERS)
                    for row in reversed(rows):
                        writer.writerow(csv_fields(row))
            staged.place()
    except OutputFailed as exc:
        log.warning("audit export to %s failed: %s", path, exc)
        raise StoreError(f"変更履歴を書き出せませんでした：{exc.message}") from exc
    path = staged.target
    with store.transaction() as session:
        audit.record(
            session,
            store.staff,
            AuditAction.AUDIT_EXPORT,
            "audit_log",
            summary=f"変更履歴を{fmt.label}に書き出し（{len(rows)}件、{f.describe()}）：{path}",
            after={
                "path": str(path),
                "format": fmt.value,
                "rows": len(rows),
                "filter": f.describe(),
            },
        )
    return len(rows)


def csv_fields(row: AuditRow) -> tuple[str, ...]:
    """One CSV line: dates as YYYY/MM/DD HH:MM in the desk's local time."""
    return (
        str(row.id),
        local_minutes(row.at),
        row.staff,
        row.action_label,
        row.case_number,
        row.entity,
        row.entity_id,
        row.summary,
        row.before,
        row.after,
    )


def typed_fields(row: AuditRow) -> tuple[object, ...]:
    """One row of the workbook: the number as a number, the moment as the desk's local time
    (the workbook shows it to the minute), the rest as text."""
    return (
        row.id,
        row.at.astimezone(),
        row.staff,
        row.action_label,
        row.case_number,
        row.entity,
        row.entity_id,
        row.summary,
        row.before,
        row.after,
    )


def local_minutes(at: dt.datetime) -> str:
    """``2026/11/25 10:00`` in the desk's local time."""
    return at.astimezone().strftime("%Y/%m/%d %H:%M")


def _row(entry: AuditEntry, case_number: str | None) -> AuditRow:
    try:
        label = AuditAction(entry.action).label
    except ValueError:
        label = str(entry.action)
    return AuditRow(
        id=entry.id,
        at=entry.at,
        staff=entry.staff,
        action=str(getattr(entry.action, "value", entry.action)),
        action_label=label,
        case_number=case_number or "",
        entity=ENTITY_LABELS.get(entry.entity, entry.entity),
        entity_id=entry.entity_id,
        summary=entry.summary,
        before=_json_text(entry.before),
        after=_json_text(entry.after),
    )


def _json_text(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
