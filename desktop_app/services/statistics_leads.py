"""Lead times for the 統計 page: days from enquiry to application, booking and visit.

Medians need every value, which SQL does not give portably: the period's own cases are read
(their first application and first booking looked up by case id) and measured here.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from desktop_app.db.models import Appointment, CaseDocument, SOCase
from desktop_app.domain.documents import Direction, DocumentKind
from desktop_app.domain.statistics import LeadTime, lead_time

_CHUNK = 500  # ids per IN (...) list
_WHOLE_TABLE = 5_000


@dataclass(frozen=True)
class Held:
    """A session held in the period, with what the figures need of its case."""

    case_id: int
    day: dt.date
    doctor_id: int
    created: dt.date  # the case's 受付日
    referring_doctor_id: int | None
    minutes: int


def is_application() -> tuple[ColumnElement[bool], ...]:
    """The conditions that pick a case's incoming application (申込書) line."""
    return (
        CaseDocument.kind == DocumentKind.APPLICATION,
        CaseDocument.direction == Direction.IN,
    )


def lead_times(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    apps: Sequence[tuple[int, dt.date, dt.date, int | None]],
    held: Sequence[Held],
) -> tuple[LeadTime, ...]:
    """The four medians, each over the cases whose later step falls in [start, end):
    applications received, first bookings made, sessions held (twice: from the booking and
    from the enquiry)."""
    # Cases with an appointment made in the period; kept when it was their first booking.
    # A case imported from a ledger has no booking date (its appointment was written on the
    # day of the import): it is left out of the two lead times that start at the booking.
    candidates = list(
        dict.fromkeys(
            session.scalars(
                select(Appointment.case_id)
                .join(SOCase, SOCase.id == Appointment.case_id)
                .where(
                    Appointment.created_at >= start,
                    Appointment.created_at < end,
                    SOCase.ledger_key.is_(None),
                )
            )
        )
    )
    first_booking = _first_booking(
        session, list(dict.fromkeys([*candidates, *(h.case_id for h in held)]))
    )
    booked_in_period = {
        case_id: first_booking[case_id]
        for case_id in candidates
        if start <= first_booking[case_id] < end
    }
    received = _first_application(session, list(booked_in_period))
    visits = [h for h in held if h.case_id in first_booking]
    return (
        lead_time("問い合わせ → 申込書受領", [(t, d) for _c, d, t, _r in apps]),
        lead_time(
            "申込書受領 → 予約",
            [(received[c], _local_day(at)) for c, at in booked_in_period.items() if c in received],
        ),
        lead_time("予約 → 受診", [(_local_day(first_booking[h.case_id]), h.day) for h in visits]),
        lead_time("問い合わせ → 受診（全体）", [(h.created, h.day) for h in held]),
    )


def _first_application(session: Session, case_ids: list[int]) -> dict[int, dt.date]:
    found: dict[int, dt.date] = {}
    query = (
        select(CaseDocument.case_id, func.min(CaseDocument.received_on))
        .where(*is_application(), CaseDocument.received_on.is_not(None))
        .group_by(CaseDocument.case_id)
    )
    for chunk in _chunks(case_ids):
        ids = set(chunk)
        part = query if chunk is case_ids else query.where(CaseDocument.case_id.in_(chunk))
        for case_id, day in session.execute(part):
            if case_id in ids and day is not None:
                found[case_id] = day
    return found


def _first_booking(session: Session, case_ids: list[int]) -> dict[int, dt.datetime]:
    found: dict[int, dt.datetime] = {}
    query = (
        select(Appointment.case_id, func.min(Appointment.created_at))
        .join(SOCase, SOCase.id == Appointment.case_id)
        .where(SOCase.ledger_key.is_(None))
        .group_by(Appointment.case_id)
    )
    for chunk in _chunks(case_ids):
        ids = set(chunk)
        part = query if chunk is case_ids else query.where(Appointment.case_id.in_(chunk))
        for case_id, at in session.execute(part):
            if case_id in ids:
                found[case_id] = _utc(at)
    return found


def _chunks(ids: list[int]) -> list[list[int]]:
    """IN lists of a few hundred ids; beyond a few thousand ids, one pass over the whole
    table (the list itself, meaning: no IN) is cheaper than hundreds of lookups."""
    if len(ids) > _WHOLE_TABLE:
        return [ids]
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _local_day(at: dt.datetime) -> dt.date:
    return (at.astimezone(dt.UTC) + _local_offset()).date()


@lru_cache(maxsize=1)
def _local_offset() -> dt.timedelta:
    """The desk's offset from UTC. One offset for every date: the clinic is in Japan, which
    keeps no summer time, and asking the system per row costs seconds over 100,000 cases."""
    return dt.timedelta(seconds=-time.timezone)


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC, whatever the driver hands back for an aggregate of a UTC column."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
