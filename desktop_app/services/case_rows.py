"""The case list's lines: the search as the clerk types, and the lines of changed cases.

Apart from services/cases.py (the case itself), so that the window's first page needs only
these two dataclasses and the Core tables (db/tables.py), not the detail's or the ORM's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.domain.japanese import search_key
from desktop_app.domain.roles import Permission
from desktop_app.domain.stages import Stage
from desktop_app.services.access import requires
from desktop_app.services.case_search import search_queries
from desktop_app.services.store import Store


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    id: int
    case_number: str
    patient_name: str
    furigana: str
    stage: Stage
    appointment: dt.datetime | None
    referrer: str
    department: str
    doctor: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class CasePage:
    rows: tuple[CaseRow, ...]
    total: int
    offset: int
    limit: int
    # True when the count stopped before the last match (it never scans them all): total is
    # where it stopped, and the list says 「N件以上」.
    capped: bool = False


MAX_PAGE = 500
# How far past the page's start search_cases counts matches (see there).
COUNT_AHEAD = 200


@requires(Permission.READ_CASES)
def search_cases(
    store: Store,
    query: str = "",
    *,
    stages: tuple[Stage, ...] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> CasePage:
    """Newest first. ひらがな, カタカナ, half-width kana, kanji, a case or phone number all match.

    The count never scans every match: it stops ``COUNT_AHEAD`` cases (or a page, if more)
    past ``offset``; when more match, ``total`` is where it stopped and ``capped`` is True
    (the list shows 「200件以上」).
    """
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    key = search_key(query)
    stop = offset + max(limit, COUNT_AHEAD)
    with store.read() as session:
        page, count = search_queries(
            session, key, stages, limit=limit, offset=offset, count_upto=stop + 1
        )
        rows = _rows(session, page)
        # A page that is not full holds the last match: nothing is left to count.
        counted = offset + len(rows) if len(rows) < limit else session.scalar(count) or 0
    capped = counted > stop
    total = stop if capped else counted
    return CasePage(rows=rows, total=total, offset=offset, limit=limit, capped=capped)


@requires(Permission.READ_CASES)
def case_rows(store: Store, case_ids: tuple[int, ...]) -> tuple[CaseRow, ...]:
    """The case list's lines for these cases (after they changed), newest first."""
    with store.read() as session:
        ids = _CASES.c.id
        changed = select(ids).where(ids.in_(case_ids)).order_by(ids.desc())
        return _rows(session, changed)


# The columns a case list line shows, for the ids bound to "ids" (built once: SQLAlchemy then
# reuses its compiled form). Core tables, not the ORM classes: the window's first page is
# read before the ORM's classes are made (db/tables.py).
_CASES, _PATIENTS = tables.cases, tables.patients
_REF_DOCTOR = tables.referring_doctors.alias("ref_doctor")
_INSTITUTION = tables.referring_institutions.alias("institution")
_DOCTOR = tables.doctors.alias("doctor")
_DEPARTMENT = tables.departments.alias("department")
_APPOINTMENTS = tables.appointments
_LINES = (
    select(
        _CASES.c.id,
        _CASES.c.case_number,
        _PATIENTS.c.name,
        _PATIENTS.c.furigana,
        _CASES.c.stage,
        _CASES.c.updated_at,
        _INSTITUTION.c.name.label("referrer"),
        _DOCTOR.c.name.label("doctor"),
        _DEPARTMENT.c.name.label("department"),
    )
    .join_from(_CASES, _PATIENTS, _PATIENTS.c.id == _CASES.c.patient_id)
    .outerjoin(_REF_DOCTOR, _REF_DOCTOR.c.id == _CASES.c.referring_doctor_id)
    .outerjoin(_INSTITUTION, _INSTITUTION.c.id == _REF_DOCTOR.c.institution_id)
    .outerjoin(_DOCTOR, _DOCTOR.c.id == _CASES.c.doctor_id)
    .outerjoin(_DEPARTMENT, _DEPARTMENT.c.id == _DOCTOR.c.department_id)
    .where(_CASES.c.id.in_(bindparam("ids", expanding=True)))
)
_LIVE_APPOINTMENTS = (
    select(_APPOINTMENTS.c.case_id, _APPOINTMENTS.c.date, _APPOINTMENTS.c.start_time)
    .where(
        _APPOINTMENTS.c.case_id.in_(bindparam("ids", expanding=True)),
        _APPOINTMENTS.c.cancelled.is_(False),
    )
    .order_by(_APPOINTMENTS.c.id)
)


def _rows(session: Session, ids_query: Select[Any]) -> tuple[CaseRow, ...]:
    """The list lines of the cases ``ids_query`` selects (ids, in its order).

    Only the columns a line shows, in one joined query: loading whole ORM cases with their
    relations took most of a search's time (mapping.case_row gives the same lines).
    """
    ids = list(session.scalars(ids_query))
    if not ids:
        return ()
    found = {line.id: line for line in session.execute(_LINES, {"ids": ids})}
    # The last live appointment of each case is the one shown.
    at = {
        a.case_id: dt.datetime.combine(a.date, a.start_time)
        for a in session.execute(_LIVE_APPOINTMENTS, {"ids": ids})
    }
    return tuple(_line(found[i], at.get(i)) for i in ids if i in found)


def _line(line: Any, appointment: dt.datetime | None) -> CaseRow:
    return CaseRow(
        id=line.id,
        case_number=line.case_number,
        patient_name=line.name,
        furigana=line.furigana,
        stage=line.stage,
        appointment=appointment,
        referrer=line.referrer or "",
        department=line.department or "",  # the doctor's, as mapping.case_row
        doctor=line.doctor or "",
        updated_at=line.updated_at,
    )
