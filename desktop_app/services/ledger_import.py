"""Importing the office's ledger (受付台帳): a dry run that says what would happen, and the
import itself in one transaction.

Each row becomes a patient (an existing one when it clearly is the same person) and a case
with its 受付日, at the stage the row shows: 実施日 and 料金 make a settled case with its
appointment and payment on that day; a 実施日 ahead is a booking; otherwise what 状態 says,
or 問い合わせ. A row is known again by its key (domain/ledger.LedgerRow.key, stored in
cases.ledger_key), so importing a file twice creates nothing the second time.

Written in bulk (a few statements per table, not per row) for a ledger of 10,000 rows: the
masters, the keys already imported and the candidate patients are read once before.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.db.models import (
    Appointment,
    AuditEntry,
    CaseDocument,
    ContactLog,
    Patient,
    Payment,
    SOCase,
)
from desktop_app.db.seals import seal_rows
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import (
    Channel,
    ContactKind,
    Direction,
    DocumentKind,
    required_incoming_documents,
)
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.fees import blocks_for_minutes
from desktop_app.domain.forms import mailout_documents
from desktop_app.domain.japanese import search_key
from desktop_app.domain.ledger import (
    LedgerMapping,
    LedgerRow,
    RowProblem,
    guess_mapping,
    parse_row,
)
from desktop_app.domain.people import Attendance, is_minor_on
from desktop_app.domain.roles import Permission
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.stages import Decision, Stage
from desktop_app.domain.text_input import scrub
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.case_numbers import next_value
from desktop_app.services.dto import NewReferrer
from desktop_app.services.ledger_read import LedgerTable, read_ledger
from desktop_app.services.referrers import find_or_add_referrer
from desktop_app.services.settings import load_ledger_mapping, load_settings, save_ledger_mapping
from desktop_app.services.store import Store, session_clock

_CHUNK = 500  # ids or keys per IN (…): well under SQLite's limit of bound parameters
IMPORT_STAFF_NOTE = "台帳から取り込み"
AMOUNT_REASON = "台帳の金額（取り込み）"
# Appointments of imported visits: the clinic's usual afternoon half hours first.
_FIRST_SLOT = dt.time(14, 0)
_SLOT_STEP = 30


@dataclass(frozen=True)
class PatientMatch:
    """A row whose patient looks like one already registered."""

    row: int
    name: str
    birth_date: dt.date | None
    patient_id: int
    # Same 氏名, フリガナ and 生年月日: the case goes to that patient. Otherwise (only the
    # 氏名 or only the フリガナ with the birth date) a new patient is made and the clerk told.
    same_person: bool

    @property
    def reason(self) -> str:
        if self.same_person:
            return "氏名・フリガナ・生年月日が同じ患者に追加します"
        return "氏名かフリガナと生年月日が同じ患者がいます（別の患者として登録します）"


@dataclass(frozen=True)
class ImportPreview:
    """What an import of the file would do (nothing has been written)."""

    file_name: str
    mapping: LedgerMapping
    rows: int  # data rows read (blank rows not counted)
    to_create: tuple[LedgerRow, ...]
    refused: tuple[RowProblem, ...]
    existing_patients: tuple[PatientMatch, ...]
    already_imported: tuple[int, ...]  # row numbers whose case is in the database
    repeated: tuple[int, ...]  # row numbers that repeat an earlier row of the file
    unknown_names: tuple[str, ...]  # 診療科・担当医 not in the masters

    @property
    def refused_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.refused}))

    @property
    def ok(self) -> bool:
        return not self.refused

    def stage_counts(self) -> dict[Stage, int]:
        return dict(Counter(r.stage for r in self.to_create))


@dataclass(frozen=True)
class ImportResult:
    """What the import wrote."""

    preview: ImportPreview
    created: int
    new_patients: int
    case_ids: tuple[int, ...]

    @property
    def ok(self) -> bool:
        return self.preview.ok


@requires(Permission.SETTINGS)
def preview_ledger(
    store: Store, path: Path, mapping: Mapping[str, str] | None = None
) -> ImportPreview:
    """The dry run: rows to create, refused rows with their reasons (row and column), rows
    whose patient is already registered, rows imported before. Writes nothing.

    ``mapping`` (header → field) overrides the guess from the header row and the mapping
    saved by the last import.
    """
    table = read_ledger(path)
    with store.read() as session:
        return _plan(session, table, path.name, mapping).preview


@requires(Permission.SETTINGS)
def import_ledger(
    store: Store, path: Path, mapping: Mapping[str, str] | None = None
) -> ImportResult:
    """Import the rows that pass, in one transaction; refused rows are left out (and listed
    in the result), rows imported before are skipped. The mapping is kept for next time."""
    table = read_ledger(path)
    with store.transaction() as session:
        plan = _plan(session, table, path.name, mapping)
        preview = plan.preview
        if preview.mapping.missing():
            raise _missing_columns(preview.mapping)
        writer = _Writer(session, store.staff, plan)
        case_ids = writer.write()
        save_ledger_mapping(session, preview.mapping.as_saved())
        audit.record(
            session,
            store.staff,
            AuditAction.LEDGER_IMPORT,
            "ledger",
            path.name[:40],
            summary=f"台帳 {path.name} を取り込み：{len(case_ids):,}件を登録"
            + (f"、取り込めない行 {len(preview.refused_rows):,}行" if preview.refused else "")
            + (
                f"、取り込み済み {len(preview.already_imported):,}行"
                if preview.already_imported
                else ""
            ),
            after={
                "file": path.name,
                "rows": preview.rows,
                "created": len(case_ids),
                "refused": list(preview.refused_rows),
                "already_imported": len(preview.already_imported),
                "mapping": preview.mapping.as_saved(),
            },
        )
    return ImportResult(
        preview=preview, created=len(case_ids), new_patients=writer.new_patients,
        case_ids=tuple(case_ids),
    )  # fmt: skip


def _missing_columns(mapping: LedgerMapping) -> ValidationError:
    names = "・".join(f.label for f in mapping.missing())
    return ValidationError(f"{names}の列が決まっていません。列の割り当てを確認してください。")


# Planning ----------------------------------------------------------------------------------


@dataclass
class _Planned:
    row: LedgerRow
    patient_id: int | None  # an existing patient; None: a new one (or an earlier row's)
    department_id: int | None
    doctor_id: int | None
    start: dt.time | None = None  # the appointment's start, for a row with a visit


@dataclass
class _Plan:
    preview: ImportPreview
    planned: list[_Planned]
    settings: ClinicSettings
    today: dt.date
    now: dt.datetime


def _plan(
    session: Session, table: LedgerTable, file_name: str, given: Mapping[str, str] | None
) -> _Plan:
    desk = session_clock(session)
    today = desk.today()
    saved = dict(load_ledger_mapping(session))
    saved.update(given or {})
    mapping = guess_mapping(table.headers, saved)
    settings = load_settings(session)
    problems: list[RowProblem] = []
    parsed: list[LedgerRow] = []
    if mapping.missing():
        names = "・".join(f.label for f in mapping.missing())
        problems.append(RowProblem(table.header_row, "", f"{names}の列がありません"))
    else:
        for number, cells in table.rows:
            result = parse_row(number, cells, mapping, today)
            if isinstance(result, LedgerRow):
                parsed.append(result)
            else:
                problems.extend(result)
    masters = _Masters.load(session)
    unknown: set[str] = set()
    known_keys = _existing_keys(session, [r.key for r in parsed])
    seen: dict[str, int] = {}
    already: list[int] = []
    repeated: list[int] = []
    kept: list[tuple[LedgerRow, int | None, int | None]] = []
    for row in parsed:
        if row.key in known_keys:
            already.append(row.row)
            continue
        if row.key in seen:
            repeated.append(row.row)
            continue
        seen[row.key] = row.row
        found = masters.resolve(row)
        if isinstance(found, _Unknown):
            problems.append(found.problem)
            unknown.add(found.name)
            continue
        kept.append((row, *found))
    taken = _taken_slots(session, [(r.visit_date, doc) for r, _d, doc in kept])
    planned: list[_Planned] = []
    minutes = settings.session_minutes
    for row, dept, doctor in kept:
        start = None
        if row.stage in _VISITED and row.visit_date is not None and doctor is not None:
            start = _free_start(taken[(doctor, row.visit_date)], row, minutes)
            if start is None:
                message = "その日の担当医の予約に空きがありません"
                problems.append(RowProblem(row.row, "実施日", message))
                continue
        planned.append(_Planned(row, None, dept, doctor, start))
    matches, patient_of = _match_patients(session, [p.row for p in planned])
    for p in planned:
        p.patient_id = patient_of.get(p.row.row)
    preview = ImportPreview(
        file_name=file_name,
        mapping=mapping,
        rows=len(table.rows),
        to_create=tuple(p.row for p in planned),
        refused=tuple(sorted(problems, key=lambda p: p.row)),
        existing_patients=tuple(matches),
        already_imported=tuple(already),
        repeated=tuple(repeated),
        unknown_names=tuple(sorted(unknown)),
    )
    return _Plan(
        preview=preview,
        planned=planned,
        settings=settings,
        today=today,
        now=desk.utcnow(),
    )


@dataclass(frozen=True)
class _Unknown:
    problem: RowProblem
    name: str  # the 診療科 or 担当医 as the ledger spells it


@dataclass
class _Masters:
    """Departments and doctors by name (search_key), read once."""

    departments: dict[str, int]
    doctors: list[tuple[int, str, int]]  # id, name key, department id

    @classmethod
    def load(cls, session: Session) -> _Masters:
        d, doc = tables.departments.c, tables.doctors.c
        departments = {search_key(n): i for i, n in session.execute(select(d.id, d.name))}
        doctors = [
            (i, search_key(n), dept)
            for i, n, dept in session.execute(
                select(doc.id, doc.name, doc.department_id).order_by(doc.active.desc(), doc.id)
            )
        ]
        return cls(departments, doctors)

    def resolve(self, row: LedgerRow) -> tuple[int | None, int | None] | _Unknown:
        """(department id, doctor id) for the row's names; a problem for a name the masters
        do not have (the clerk adds it in マスター first: an import makes no doctors)."""
        dept_id = None
        if row.department:
            dept_id = self.departments.get(search_key(row.department))
            if dept_id is None:
                message = f"「{row.department}」がマスターにありません"
                return _Unknown(RowProblem(row.row, "診療科", message), row.department)
        if not row.doctor:
            return dept_id, None
        key = search_key(row.doctor)
        candidates = [d for d in self.doctors if dept_id is None or d[2] == dept_id]
        exact = [d for d in candidates if d[1] == key]
        # A ledger often has the family name only (鈴木): enough when only one doctor has it.
        found = exact or [d for d in candidates if d[1].startswith(key)]
        if not found:
            message = f"「{row.doctor}」がマスターにありません"
            return _Unknown(RowProblem(row.row, "担当医", message), row.doctor)
        if len({d[0] for d in found}) > 1 and not exact:
            message = (
                f"「{row.doctor}」に当たる担当医が複数います（氏名か診療科で区別してください）"
            )
            return _Unknown(RowProblem(row.row, "担当医", message), row.doctor)
        doctor_id, _key, doctor_dept = found[0]
        return dept_id or doctor_dept, doctor_id


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    c = tables.cases.c
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        found.update(session.scalars(select(c.ledger_key).where(c.ledger_key.in_(chunk))))
    return found


def _match_patients(
    session: Session, rows: list[LedgerRow]
) -> tuple[list[PatientMatch], dict[int, int]]:
    """Registered patients with the row's birth date and its 氏名 or フリガナ; the patient
    id for rows that are clearly the same person (氏名, フリガナ and 生年月日 all the same)."""
    births = sorted({r.birth_date for r in rows if r.birth_date is not None})
    p = tables.patients.c
    by_birth: dict[dt.date, list[tuple[int, str, str]]] = defaultdict(list)
    for chunk in _chunks(births):
        for pid, name, kana, birth in session.execute(
            select(p.id, p.name, p.furigana_key, p.birth_date)
            .where(p.birth_date.in_(chunk))
            .order_by(p.id)
        ):
            by_birth[birth].append((pid, search_key(name), kana))
    matches: list[PatientMatch] = []
    same: dict[int, int] = {}
    for row in rows:
        if row.birth_date is None:
            continue
        name, kana = search_key(row.name), search_key(row.furigana)
        both = [pid for pid, n, k in by_birth.get(row.birth_date, ()) if n == name and k == kana]
        either = [pid for pid, n, k in by_birth.get(row.birth_date, ()) if n == name or k == kana]
        if both:
            same[row.row] = both[0]
            matches.append(PatientMatch(row.row, row.name, row.birth_date, both[0], True))
        elif either:
            matches.append(PatientMatch(row.row, row.name, row.birth_date, either[0], False))
    return matches, same


_VISITED = (Stage.BOOKED, Stage.DONE, Stage.SETTLED)


def _taken_slots(
    session: Session, visits: list[tuple[dt.date | None, int | None]]
) -> dict[tuple[int, dt.date], list[tuple[int, int]]]:
    """The live appointments of the doctors on the days the rows book (start, end minutes)."""
    days = sorted({day for day, doctor in visits if day is not None and doctor is not None})
    a = tables.appointments.c
    taken: dict[tuple[int, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for chunk in _chunks(days):
        for doctor, day, start, minutes in session.execute(
            select(a.doctor_id, a.date, a.start_time, a.minutes).where(
                a.date.in_(chunk), a.cancelled.is_(False)
            )
        ):
            begin = start.hour * 60 + start.minute
            taken[(doctor, day)].append((begin, begin + minutes))
    return taken


# Writing -----------------------------------------------------------------------------------


@dataclass
class _Writer:
    """Writes the planned rows table by table, in bulk, inside the caller's transaction."""

    session: Session
    staff: str
    plan: _Plan
    new_patients: int = 0
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def write(self) -> list[int]:
        planned = self.plan.planned
        if not planned:
            return []
        referrers = self._referrers(planned)
        patient_ids = self._patients(planned)
        numbers = self._numbers(
            "case", [p.row.received_on.year for p in planned], "SO-{year}-{n:04d}"
        )
        case_rows = [
            self._case(p, patient_ids[i], numbers[i], referrers) for i, p in enumerate(planned)
        ]
        case_ids = self._insert(SOCase, case_rows)
        paid = [i for i, p in enumerate(planned) if p.row.stage == Stage.SETTLED]
        receipts = self._numbers(
            "receipt", [_visit(planned[i].row).year for i in paid], "R-{year}-{n:05d}"
        )
        receipt_of = dict(zip(paid, receipts, strict=True))
        for i, (p, case_id) in enumerate(zip(planned, case_ids, strict=True)):
            self._around_case(p, case_id, case_rows[i], receipt_of.get(i))
        for model, key in (
            (CaseDocument, "documents"),
            (Appointment, "appointments"),
            (Payment, "payments"),
            (ContactLog, "contacts"),
        ):
            self._insert(model, self.rows[key])
        self._audit(planned, case_ids, case_rows)
        return case_ids

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` in bulk and seal them; their ids, in order."""
        if not rows:
            return []
        table = model.__table__  # Core, not the ORM's bulk insert: a third of the time
        ids = list(
            self.session.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
            )
        )
        # Rows inserted in bulk pass the store's flush hook: they are sealed here.
        for chunk in _chunks(ids):
            seal_rows(self.session.connection(), table.name, chunk, table=table)
        return ids

    def _referrers(self, planned: list[_Planned]) -> dict[tuple[str, str], int | None]:
        found: dict[tuple[str, str], int | None] = {}
        for p in planned:
            key = (p.row.referrer, p.row.referring_doctor)
            if key not in found:
                ref = NewReferrer(institution=key[0], doctor=key[1]) if key[0] else None
                found[key] = find_or_add_referrer(self.session, ref)
        return found

    def _patients(self, planned: list[_Planned]) -> list[int]:
        """Each row's patient id: the existing one, or one made here (once per person: two
        rows of the same 氏名, フリガナ and 生年月日 in the file are one patient)."""
        now = self.plan.now
        new_rows: list[dict[str, Any]] = []
        index_of: dict[tuple[str, str, dt.date | None], int] = {}
        slot: list[int | tuple[int]] = []  # an existing id, or (index into new_rows,)
        for p in planned:
            r = p.row
            if p.patient_id is not None:
                slot.append(p.patient_id)
                continue
            person = (search_key(r.name), search_key(r.furigana), r.birth_date)
            if r.birth_date is not None and person in index_of:
                slot.append((index_of[person],))
                continue
            if r.birth_date is not None:
                index_of[person] = len(new_rows)
            slot.append((len(new_rows),))
            new_rows.append(
                dict(
                    name=r.name, furigana=r.furigana, furigana_key=search_key(r.furigana),
                    birth_date=r.birth_date, sex=r.sex, postal_code=r.postal_code,
                    address=r.address, phone=r.phone, mobile=r.mobile, created_at=now,
                )
            )  # fmt: skip
        new_ids = self._insert(Patient, new_rows)
        self.new_patients = len(new_ids)
        return [s if isinstance(s, int) else new_ids[s[0]] for s in slot]

    def _numbers(self, kind: str, years: list[int], pattern: str) -> list[str]:
        """Case or receipt numbers for these years, drawn from the counters in one step per
        year (the same counters as every other number: none is ever given twice)."""
        first: dict[int, int] = {}
        for year, count in Counter(years).items():
            name = f"{kind}:{year}"
            first[year] = next_value(self.session, name)
            if count > 1:
                c = tables.counters.c
                self.session.execute(
                    tables.counters.update()
                    .where(c.name == name)
                    .values(value=c.value + (count - 1))
                )
        out = []
        for year in years:
            out.append(pattern.format(year=year, n=first[year]))
            first[year] += 1
        return out

    def _case(
        self,
        p: _Planned,
        patient_id: int,
        number: str,
        referrers: dict[tuple[str, str], int | None],
    ) -> dict[str, Any]:
        r = p.row
        reached_visit = r.stage in (Stage.BOOKED, Stage.DONE, Stage.SETTLED)
        since_day = r.ended_on or (r.visit_date if r.stage == Stage.DONE else None) or r.received_on
        words = [r.note] if r.note else []
        search = "|".join(
            search_key(x) for x in (number, r.name, r.furigana, r.phone, r.mobile) if x
        )
        return dict(
            case_number=number, patient_id=patient_id, caller_id=None,
            referring_doctor_id=referrers[(r.referrer, r.referring_doctor)],
            stage=r.stage, stage_since=_at(since_day, dt.time(9, 0)),
            received_on=r.received_on, ended_on=r.ended_on, ledger_key=r.key,
            attendance=Attendance.PATIENT, consultation="\n".join(words),
            primary_doctor_informed=None, desired_department_id=p.department_id,
            desired_dates="", screening_answers={},
            decision=Decision.ACCEPTED if reached_visit else Decision.PENDING,
            decision_reason="", decided_on=None,
            doctor_id=p.doctor_id,
            exclusion_code="",
            end_reason=(
                (r.note or f"{IMPORT_STAFF_NOTE}（{r.stage.label}）")
                if r.stage in (Stage.CANCELLED, Stage.EXCLUDED) else ""
            ),
            mail_to_name=r.name, mail_postal_code=r.postal_code, mail_address=r.address,
            mail_channel=Channel.MAIL,
            actual_minutes=r.minutes if r.stage in (Stage.DONE, Stage.SETTLED) else None,
            report_written_on=r.visit_date if r.stage == Stage.SETTLED else None,
            report_delivered_on=r.visit_date if r.stage == Stage.SETTLED else None,
            report_channel=None,
            search_text=search, created_at=self.plan.now, updated_at=self.plan.now,
        )  # fmt: skip

    def _around_case(
        self, p: _Planned, case_id: int, case: dict[str, Any], receipt: str | None
    ) -> None:
        """The call that opened the case, its checklist while open, the visit and payment."""
        r = p.row
        summary = f"{IMPORT_STAFF_NOTE}（行 {r.row}）" + (f"：{r.note}" if r.note else "")
        self.rows["contacts"].append(
            dict(case_id=case_id, kind=ContactKind.CALL_IN, at=_at(r.received_on, dt.time(9)),
                 staff=self.staff, party=r.name, summary=summary)
        )  # fmt: skip
        if r.stage in (Stage.INQUIRY, Stage.BOOKED):
            self._documents(case_id, r)
        if p.start is not None and p.doctor_id is not None:
            day, start = _visit(r), p.start
            minutes = r.minutes or self.plan.settings.session_minutes
            self.rows["appointments"].append(
                dict(case_id=case_id, doctor_id=p.doctor_id, date=day, start_time=start,
                     minutes=minutes, cancelled=False,
                     notified_on=None if r.stage == Stage.BOOKED else r.received_on,
                     notified_channel=None if r.stage == Stage.BOOKED else Channel.PHONE,
                     checked_in_at=None if r.stage == Stage.BOOKED else _at(day, start),
                     created_at=self.plan.now)
            )  # fmt: skip
        if receipt is not None and r.fee is not None:
            settings = self.plan.settings
            minutes = r.minutes or settings.session_minutes
            blocks = max(1, blocks_for_minutes(minutes, settings.session_minutes))
            computed = blocks * settings.fee_per_block_yen
            self.rows["payments"].append(
                dict(case_id=case_id, receipt_number=receipt, paid_on=_visit(r), minutes=minutes,
                     base_yen=settings.fee_per_block_yen,
                     extension_yen=computed - settings.fee_per_block_yen, total_yen=r.fee,
                     staff=self.staff, method=settings.payment_methods[0],
                     amount_reason="" if r.fee == computed else AMOUNT_REASON,
                     voided=False, created_at=self.plan.now)
            )  # fmt: skip

    def _documents(self, case_id: int, r: LedgerRow) -> None:
        """The intake's checklist (services/cases.py): the packet to send and what must come
        back, for a case still at its start; for a booking, what must come in by the day."""
        minor = r.birth_date is not None and is_minor_on(
            r.birth_date, r.received_on, self.plan.settings.age_of_majority
        )
        docs = self.rows["documents"]
        blank = dict(
            required=False, borrowed=False, due_date=None, sent_on=None, received_on=None,
            returned_on=None, channel=None, note="",
        )  # fmt: skip
        if r.stage == Stage.INQUIRY:
            for kind in mailout_documents(Attendance.PATIENT, minor):
                docs.append(blank | dict(case_id=case_id, kind=kind, direction=Direction.OUT))
            docs.append(
                blank
                | dict(
                    case_id=case_id,
                    kind=DocumentKind.APPLICATION,
                    direction=Direction.IN,
                    required=True,
                )
            )
        for req in required_incoming_documents(Attendance.PATIENT, minor):
            docs.append(
                blank
                | dict(case_id=case_id, kind=req.kind, direction=Direction.IN, required=True,
                       borrowed=req.borrowed)
            )  # fmt: skip

    def _audit(
        self, planned: list[_Planned], case_ids: list[int], case_rows: list[dict[str, Any]]
    ) -> None:
        """One entry per case, chained after the log's last row, written in one statement."""
        entries: list[dict[str, Any]] = []
        staff = scrub(self.staff, multiline=False)
        for p, case_id, case in zip(planned, case_ids, case_rows, strict=True):
            r = p.row
            entries.append(
                dict(
                    at=self.plan.now, staff=staff, action=AuditAction.CASE_IMPORT,
                    entity="case", entity_id=case["case_number"], case_id=case_id,
                    summary=scrub(f"台帳から案件を登録（{r.stage.label}・受付日 {r.received_on}）"),
                    before=None,
                    after=scrub({
                        "stage": r.stage.value, "patient": r.name,
                        "received_on": r.received_on.isoformat(),
                        "ended_on": r.ended_on.isoformat() if r.ended_on else None,
                        "row": r.row, "ledger_key": r.key,
                    }),
                )
            )  # fmt: skip
        audit.chain_rows(self.session, entries)
        for chunk in _chunks(entries):
            self.session.execute(insert(AuditEntry.__table__), list(chunk))


def _free_start(
    taken: list[tuple[int, int]], row: LedgerRow, session_minutes: int
) -> dt.time | None:
    """The row's start time when the doctor is free then, else the first free start of the
    day from 14:00 (two visits of one doctor never overlap, as the database requires); the
    interval is marked taken. None when the day has no room left."""
    minutes = row.minutes or session_minutes
    wanted = row.start_time
    first = wanted.hour * 60 + wanted.minute if wanted else _FIRST_SLOT.hour * 60
    last = 24 * 60 - minutes
    starts = [*range(first, last + 1, _SLOT_STEP), *range(8 * 60, first, _SLOT_STEP)]
    for begin in [*starts, *range(0, last + 1, 5)]:
        end = begin + minutes
        if all(end <= s or begin >= e for s, e in taken):
            taken.append((begin, end))
            return dt.time(begin // 60, begin % 60)
    return None


def _visit(row: LedgerRow) -> dt.date:
    if row.visit_date is None:  # pragma: no cover - parse_row gives every visit stage a date
        raise ValueError("no visit date")
    return row.visit_date


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock time of the desk, as the UTC the database keeps."""
    return dt.datetime.combine(day, time).astimezone(dt.UTC)


def summary_lines(preview: ImportPreview) -> Iterable[str]:
    """The dry run's counts in the clerk's words (the CLI and the window show these)."""
    yield f"読み込んだ行: {preview.rows:,}"
    counts = preview.stage_counts()
    detail = "、".join(f"{s.label} {n:,}" for s, n in counts.items())
    yield f"登録する案件: {len(preview.to_create):,}" + (f"（{detail}）" if detail else "")
    if preview.already_imported:
        yield f"取り込み済みの行（何もしません）: {len(preview.already_imported):,}"
    if preview.repeated:
        yield f"ファイル内で重複した行（何もしません）: {len(preview.repeated):,}"
    same = [m for m in preview.existing_patients if m.same_person]
    similar = [m for m in preview.existing_patients if not m.same_person]
    if same:
        yield f"登録済みの患者に追加する行: {len(same):,}"
    if similar:
        rows = "、".join(str(m.row) for m in similar[:20]) + ("…" if len(similar) > 20 else "")
        yield f"似た患者が登録済みの行（別の患者として登録）: {len(similar):,}（行 {rows}）"
    if preview.unknown_names:
        yield "マスターにない名前（マスターで追加してから取り込んでください）: " + "、".join(
            preview.unknown_names
        )
    if preview.refused:
        yield f"取り込めない行: {len(preview.refused_rows):,}"
