"""Cases, payments and the 統計 tables as an Excel workbook (.xlsx) or a CSV for Excel (.csv).

The target's suffix decides the format (services/xlsx_export.py: any other is refused before
anything is written). The workbook keeps dates as dates and yen as numbers, one sheet per
統計 table. The CSV is UTF-8 with a BOM (so Excel on Windows reads the Japanese), CRLF line
ends, Japanese headers, dates as YYYY/MM/DD, amounts as plain integers. The row builders give
typed values (dt.date, int, text); each writer formats them. Personal data (names, birth dates, addresses,
phone numbers) goes only into the cases export. A file is written beside its target under a
private temporary name and renamed into place in the same transaction that writes the audit
entry: never half a file, and never a file without its line in the history (who, when, what
range). The target is checked by services/output_files.py: never a database, a backup or the
store's own files, and an existing file only with ``overwrite``.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from desktop_app.db.models import (
    Appointment,
    Caller,
    CaseDocument,
    Department,
    Doctor,
    Patient,
    Payment,
    ReferringDoctor,
    ReferringInstitution,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.contact import format_phone, format_postal
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import relation_label
from desktop_app.domain.roles import Permission
from desktop_app.domain.statistics import Period
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.output_files import StagedOutput, check_output, staged_output
from desktop_app.services.settings import load_settings
from desktop_app.services.statistics import statistics
from desktop_app.services.statistics_data import StatsData, StatsTable, stats_tables, table_by_key
from desktop_app.services.store import Store
from desktop_app.services.xlsx_export import ExportFormat, Sheet, export_format, write_workbook

log = logging.getLogger(__name__)

ENCODING = "utf-8-sig"  # the BOM tells Excel the file is UTF-8
CASE_HEADERS = (
    "案件番号", "受付日", "段階", "患者氏名", "フリガナ", "生年月日", "性別", "郵便番号", "住所",
    "電話", "携帯電話", "相談者", "続柄", "続柄の分類", "紹介元医療機関", "紹介元診療科", "紹介医",
    "希望診療科", "相談の区分", "病名", "担当医の判断", "診療科", "担当医", "予約日", "予約時刻",
    "実施時間（分）", "申込書受領日", "報告書お渡し日", "対象外の理由", "終了の理由",
    "終了日",
)  # fmt: skip
PAYMENT_HEADERS = (
    "領収書番号", "入金日", "案件番号", "実施時間（分）", "基本料金（円）", "延長料金（円）",
    "合計（円）", "支払方法", "金額変更の理由", "担当", "取消", "取消理由",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    what: str  # 案件 / 入金 / 統計
    range_text: str
    format: ExportFormat = ExportFormat.CSV


@requires(Permission.CASE_WORK)
def export_cases(
    store: Store,
    path: Path | str,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    overwrite: bool = False,
) -> ExportResult:
    """Every case registered in the range (by 受付日), with the patient's personal data."""
    fmt = _checked_target(store, path, overwrite)
    _check_range(date_from, date_to)
    with staged_output(path, store=store, overwrite=overwrite) as staged:
        with store.read() as session:
            labels = {r.code: r.label for r in load_settings(session).exclusion_reasons}
            query = _cases_query(date_from, date_to)
            rows = (_case_line(row, labels) for row in session.execute(query).yield_per(2000))
            count = _write(staged, fmt, "案件", CASE_HEADERS, rows)
        return _put_in_place(store, staged, fmt, count, "案件", "cases", date_from, date_to)


@requires(Permission.CASE_WORK)
def export_payments(
    store: Store,
    path: Path | str,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    overwrite: bool = False,
) -> ExportResult:
    """Payments in the range (by 入金日): receipt, case number and amounts, no personal data.

    Every payment is listed, a voided one marked 取消 with its reason (it is not money kept:
    the 統計 revenue leaves it out).
    """
    fmt = _checked_target(store, path, overwrite)
    _check_range(date_from, date_to)
    query = (
        select(
            Payment.receipt_number, Payment.paid_on, SOCase.case_number, Payment.minutes,
            Payment.base_yen, Payment.extension_yen, Payment.total_yen, Payment.method,
            Payment.amount_reason, Payment.staff, Payment.voided, Payment.void_reason,
        )
        .join(SOCase, SOCase.id == Payment.case_id)
        .order_by(Payment.paid_on, Payment.receipt_number)
    )  # fmt: skip
    if date_from is not None:
        query = query.where(Payment.paid_on >= date_from)
    if date_to is not None:
        query = query.where(Payment.paid_on <= date_to)
    with staged_output(path, store=store, overwrite=overwrite) as staged:
        with store.read() as session:
            rows = ((*r[:-2], "取消" if r[-2] else "", r[-1]) for r in session.execute(query))
            count = _write(staged, fmt, "入金", PAYMENT_HEADERS, rows)
        return _put_in_place(store, staged, fmt, count, "入金", "payments", date_from, date_to)


@requires(Permission.CASE_WORK)
def export_stats(
    store: Store, path: Path | str, period: Period, *, overwrite: bool = False
) -> ExportResult:
    """Every 統計 table of the period: in a workbook one sheet per table, in a CSV one table
    after another, each under its title."""
    _checked_target(store, path, overwrite)  # before the figures are worked out
    return _export_tables(store, path, statistics(store, period), stats_tables, overwrite)


@requires(Permission.CASE_WORK)
def export_stats_table(
    store: Store, path: Path | str, data: StatsData, key: str, *, overwrite: bool = False
) -> ExportResult:
    """One table of figures already on screen (the page's export button)."""
    return _export_tables(store, path, data, lambda d: (table_by_key(d, key),), overwrite)


def _checked_target(store: Store, path: Path | str, overwrite: bool) -> ExportFormat:
    """The target checked (never a database, a backup, an existing file without
    ``overwrite``: that reason first, it is the graver), then its format from the suffix."""
    check_output(path, store=store, overwrite=overwrite)
    return export_format(path)


def _export_tables(
    store: Store, path: Path | str, data: StatsData, pick: Any, overwrite: bool
) -> ExportResult:
    fmt = _checked_target(store, path, overwrite)
    tables: Sequence[StatsTable] = pick(data)
    what = "統計" if len(tables) > 1 else f"統計・{tables[0].title}"
    with staged_output(path, store=store, overwrite=overwrite) as staged:
        if fmt is ExportFormat.XLSX:
            sheets = [Sheet(t.title, t.headers, _typed_stats_rows(t)) for t in tables]
            with staged.open_binary() as out:
                write_workbook(out, sheets, title=f"{what}　{data.period.label}")
        else:
            _write_csv(staged, None, iter(_stats_lines(tables, data)))
        return _put_in_place(
            store, staged, fmt, sum(len(t.rows) for t in tables), what, "stats",
            data.period.start, data.period.end,
        )  # fmt: skip


def _stats_lines(tables: Sequence[StatsTable], data: StatsData) -> list[Sequence[object]]:
    """The CSV's lines: several tables one after another, each under its title and period."""
    lines: list[Sequence[object]] = []
    for table in tables:
        if len(tables) > 1:
            if lines:
                lines.append(())
            lines.append((f"{table.title}　{data.period.label}",))
        lines.append(table.headers)
        lines.extend(table.rows)
    return lines


def _typed_stats_rows(table: StatsTable) -> list[tuple[object, ...]]:
    """The table's rows for a workbook: a median in days ("8.5") as a number, "—" as text."""
    medians = frozenset(i for i, h in enumerate(table.headers) if "中央値" in h)
    if not medians:
        return list(table.rows)
    return [
        tuple(_number(v) if i in medians else v for i, v in enumerate(row)) for row in table.rows
    ]


def _number(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationError("期間の開始日が終了日より後になっています。", field="period")


def range_text(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from is None and date_to is None:
        return "全期間"
    return f"{slash_date(date_from)}〜{slash_date(date_to)}"


def slash_date(day: dt.date | None) -> str:
    """YYYY/MM/DD, as Excel reads a date in Japan; "" for none."""
    return "" if day is None else f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _write(
    staged: StagedOutput,
    fmt: ExportFormat,
    sheet: str,
    headers: Sequence[str],
    rows: Iterator[Sequence[object]],
) -> int:
    """The whole file in the format asked for; the number of rows."""
    if fmt is ExportFormat.XLSX:
        with staged.open_binary() as out:
            return write_workbook(out, [Sheet(sheet, headers, rows)])
    return _write_csv(staged, headers, rows)


def _write_csv(
    staged: StagedOutput, headers: Sequence[str] | None, rows: Iterator[Sequence[object]]
) -> int:
    """The whole file into the staged temp file (flushed to disk); the number of rows."""
    count = 0
    with staged.open_text(ENCODING) as out:
        writer = csv.writer(out, lineterminator="\r\n")
        if headers is not None:
            writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    return count


def _put_in_place(
    store: Store,
    staged: StagedOutput,
    fmt: ExportFormat,
    count: int,
    what: str,
    kind: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> ExportResult:
    """Audit entry and rename in one transaction: the rename failing rolls the entry back."""
    span = range_text(date_from, date_to)
    with store.transaction() as session:
        _audit(session, store, fmt, what, kind, span, date_from, date_to, count, staged.target)
        staged.place()
    return ExportResult(staged.target, count, what, span, fmt)


def _audit(
    session: Session,
    store: Store,
    fmt: ExportFormat,
    what: str,
    kind: str,
    span: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    count: int,
    target: Path,
) -> None:
    audit.record(
        session, store.staff, AuditAction.EXPORT_CSV, "export", kind,
        summary=f"{fmt.label}を書き出し：{what}（{span}、{count}行）→ {target.name}",
        after={"what": kind, "format": fmt.value,
               "from": date_from.isoformat() if date_from else None,
               "to": date_to.isoformat() if date_to else None, "rows": count,
               "file": str(target)},
    )  # fmt: skip


def _cell(value: object) -> object:
    """Dates as YYYY/MM/DD; text Excel would run as a formula is quoted with an apostrophe."""
    if isinstance(value, dt.datetime):
        return slash_date(value.astimezone().date())
    if isinstance(value, dt.date):
        return slash_date(value)
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cases_query(date_from: dt.date | None, date_to: dt.date | None) -> Select[*tuple[Any, ...]]:
    wanted = aliased(Department)
    seen_by = aliased(Department)
    application = (
        select(CaseDocument.received_on)
        .where(
            CaseDocument.case_id == SOCase.id,
            CaseDocument.kind == DocumentKind.APPLICATION,
            CaseDocument.direction == Direction.IN,
        )
        .order_by(CaseDocument.id)
        .limit(1)
        .scalar_subquery()
    )
    query: Select[*tuple[Any, ...]] = (
        select(
            SOCase, Patient, Caller.name, Caller.relationship, Caller.relation,
            ReferringInstitution.name,
            ReferringDoctor.department, ReferringDoctor.name, wanted.name, seen_by.name,
            Doctor.name, Appointment.date, Appointment.start_time, application,
        )
        .join(Patient, Patient.id == SOCase.patient_id)
        .outerjoin(Caller, Caller.id == SOCase.caller_id)
        .outerjoin(ReferringDoctor, ReferringDoctor.id == SOCase.referring_doctor_id)
        .outerjoin(ReferringInstitution, ReferringInstitution.id == ReferringDoctor.institution_id)
        .outerjoin(wanted, wanted.id == SOCase.desired_department_id)
        .outerjoin(Doctor, Doctor.id == SOCase.doctor_id)
        .outerjoin(seen_by, seen_by.id == Doctor.department_id)
        .outerjoin(
            Appointment, (Appointment.case_id == SOCase.id) & Appointment.cancelled.is_(False)
        )
        .order_by(SOCase.id)
    )  # fmt: skip
    # The period is the cases' 受付日, as the statistics count them.
    if date_from is not None:
        query = query.where(SOCase.received_on >= date_from)
    if date_to is not None:
        query = query.where(SOCase.received_on <= date_to)
    return query


def _case_line(row: Any, labels: dict[str, str]) -> tuple[object, ...]:
    (case, patient, caller, relationship, relation, institution, ref_department, ref_doctor, wanted,
     department, doctor, appt_date, appt_time, application) = row  # fmt: skip
    return (
        case.case_number, case.received_on, case.stage.label, patient.name, patient.furigana,
        patient.birth_date, patient.sex.label, format_postal(patient.postal_code, mark=False),
        patient.address, _phone_text(patient.phone), _phone_text(patient.mobile),
        caller or "", relation_label(relationship, relation) if relationship else "",
        relationship.label if relationship else "", institution or "",
        ref_department or "", ref_doctor or "", wanted or "", case.category.label,
        case.diagnosis, case.decision.label, department or "", doctor or "", appt_date,
        appt_time, case.actual_minutes, application, case.report_delivered_on,
        labels.get(case.exclusion_code, case.exclusion_code), case.end_reason, case.ended_on,
    )  # fmt: skip


# (first six digits, length) -> the lengths of the hyphenated groups. In Japan the first six
# digits fix where the area code ends; format_phone (phonenumbers) takes half a millisecond a
# number, which is a minute and a half over 100,000 cases, so each shape is worked out once.
_PHONE_SHAPES: dict[tuple[str, int], tuple[int, ...] | None] = {}


def _phone_text(digits: str) -> str:
    """The number with Japan's hyphens (a leading 0 Excel keeps, as text)."""
    if not digits:
        return ""
    key = (digits[:6], len(digits))
    if key not in _PHONE_SHAPES:
        parts = format_phone(digits).split("-")
        sizes = tuple(len(p) for p in parts)
        _PHONE_SHAPES[key] = sizes if len(parts) > 1 and sum(sizes) == len(digits) else None
    shape = _PHONE_SHAPES[key]
    if shape is None:
        return format_phone(digits)
    groups, at = [], 0
    for size in shape:
        groups.append(digits[at : at + size])
        at += size
    return "-".join(groups)
