"""A small known year (2026) for the statistics and export tests, built with the real services.

Every row is written today (the suite's day, 2026-12-03), as a ledger typed in late would be:
the clinic's dates come from the clerk (受付日, the dates papers came and decisions were made)
or from the store's clock set to the day the step was taken (a booking, a cancellation). The
statistics must count these dates, never when a row was written. Only the minutes of a
session and payments are written directly.

    case  referrer   created     application  outcome
    A     みなと      2026-03-10  2026-03-20   booked 03-26 → seen 04-07 (青木, 45 min), paid 11,000
    B     みなと      2026-03-15  2026-03-19   booked 03-30 → seen 04-14 (馬場, 30 min), paid 5,500
    C     室蘭        2026-04-02  2026-04-10   cancelled 2026-04-20
    D     (none)      2026-05-01  —            対象外 at intake: complaint
    E     みなと      2025-12-20  2026-01-05   (still waiting); paid nothing in 2026
    G     みなと      2026-06-01  2026-06-05   declined by 青木 on 2026-06-08 (対象外)
    F     みなと      today       —            問い合わせ受付
    +     a call logged without a case today (third party)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from desktop_app.db.models import Payment, SOCase
from desktop_app.domain.clock import SYSTEM, FixedClock
from desktop_app.domain.documents import Channel
from desktop_app.domain.people import Relationship
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.booking import book
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.decisions import record_decision
from desktop_app.services.dto import NewCase, NewPatient, NewReferrer
from desktop_app.services.intake import log_enquiry
from desktop_app.services.paper_trail import receive_application
from desktop_app.services.store import Store
from tests.services.trail_helpers import add_doctor

D = dt.date
MINATO = NewReferrer(institution="みなと内科クリニック", department="内科", doctor="北村 誠司")
MURORAN = NewReferrer(institution="室蘭港南総合病院", department="外科", doctor="南 一郎")


@dataclass(frozen=True)
class KnownYear:
    case_ids: dict[str, int]


def _new(name: str, referrer: NewReferrer | None, **kw: object) -> NewCase:
    new = NewCase(
        patient=NewPatient(name=f"統計　{name}", furigana="トウケイ　テスト", address="苫小牧市"),
        referrer=referrer,
        consultation="手術か薬物療法かで迷っている",
    )
    return replace(new, **kw) if kw else new


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A desk's local wall-clock time on ``day``, as the aware instant the services store."""
    return dt.datetime.combine(day, dt.time(hour)).astimezone()


def _set(store: Store, case_id: int, **values: object) -> None:
    with store.transaction() as session:
        case = session.get(SOCase, case_id)
        assert case is not None
        for key, value in values.items():
            setattr(case, key, value)


def _on(store: Store, day: dt.date) -> None:
    """From now on the store's services work as on ``day`` (10:00 at the desk)."""
    store.clock = FixedClock(_at(day))


def _pay(store: Store, case_id: int, number: str, on: dt.date, minutes: int, yen: int) -> None:
    with store.transaction() as session:
        session.add(
            Payment(
                case_id=case_id, receipt_number=number, paid_on=on, minutes=minutes,
                base_yen=5500, extension_yen=yen - 5500, total_yen=yen, staff="テスト担当",
            )
        )  # fmt: skip


def _seen(
    store: Store,
    case_id: int,
    doctor: tuple[int, int],
    *,
    decided: dt.date,
    booked: dt.date,
    visit: dt.date,
    start: dt.time,
    minutes: int,
) -> None:
    dep_id, doctor_id = doctor
    record_decision(
        store, case_id, department_id=dep_id, doctor_id=doctor_id,
        decision=Decision.ACCEPTED, on=decided,
    )  # fmt: skip
    _on(store, booked)
    book(store, case_id, doctor_id=doctor_id, date=visit, start=start, override_reason="統計テスト")
    _on(store, visit)
    move_stage(store, case_id, Stage.CHECKED_IN)
    _set(store, case_id, actual_minutes=minutes)
    move_stage(store, case_id, Stage.DONE)
    store.clock = SYSTEM


def build_known_year(store: Store) -> KnownYear:
    aoki = add_doctor(store, "呼吸器内科", "青木 一郎")
    baba = add_doctor(store, "外科", "馬場 二郎")
    ids: dict[str, int] = {}
    for key, referrer, created, application in (
        ("A", MINATO, D(2026, 3, 10), D(2026, 3, 20)),
        ("B", MINATO, D(2026, 3, 15), D(2026, 3, 19)),
        ("C", MURORAN, D(2026, 4, 2), D(2026, 4, 10)),
        ("E", MINATO, D(2025, 12, 20), D(2026, 1, 5)),
        ("G", MINATO, D(2026, 6, 1), D(2026, 6, 5)),
    ):
        case_id = create_case(store, _new(key, referrer, received_on=created)).id
        receive_application(store, case_id, on=application, channel=Channel.FAX)
        ids[key] = case_id
    _seen(store, ids["A"], aoki, decided=D(2026, 3, 25), booked=D(2026, 3, 26),
          visit=D(2026, 4, 7), start=dt.time(14), minutes=45)  # fmt: skip
    _seen(store, ids["B"], baba, decided=D(2026, 3, 27), booked=D(2026, 3, 30),
          visit=D(2026, 4, 14), start=dt.time(10), minutes=30)  # fmt: skip
    _pay(store, ids["A"], "R-2026-00001", D(2026, 4, 7), 45, 11000)
    _pay(store, ids["B"], "R-2026-00002", D(2026, 4, 14), 30, 5500)
    _pay(store, ids["E"], "R-2025-00099", D(2025, 12, 30), 30, 5500)  # outside the year

    _on(store, D(2026, 4, 20))
    move_stage(store, ids["C"], Stage.CANCELLED, reason="ご本人の都合")
    store.clock = SYSTEM

    new_d = _new("D", None, exclusion_code="complaint", received_on=D(2026, 5, 1))
    ids["D"] = create_case(store, new_d).id

    record_decision(
        store, ids["G"], department_id=aoki[0], doctor_id=aoki[1],
        decision=Decision.DECLINED, reason="専門外", on=D(2026, 6, 8),
    )  # fmt: skip

    ids["F"] = create_case(store, _new("F", MINATO)).id
    log_enquiry(store, "第三者　様", Relationship.OTHER, summary="知人の代理")
    return KnownYear(ids)
