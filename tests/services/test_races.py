"""Two desks at once, in two processes, on one SQLite file (and on PostgreSQL when given).

Each race is real: separate processes, separate connections, no shared Python state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.db import tables
from desktop_app.db.models import (
    Appointment,
    AuditEntry,
    Department,
    Doctor,
    DoctorAvailability,
    SOCase,
)
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ConflictError
from desktop_app.domain.roles import Role
from desktop_app.domain.slots import Booking, overlaps
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services import staff
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.maintenance import check_database, rebuild_demo
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.staff_admin import add_account
from desktop_app.services.store import open_store
from tests.services import race_workers

POSTGRES_URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="SODESK_TEST_POSTGRES_URL is not set"
))]  # fmt: skip


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path: Path) -> Iterator[str]:
    """A fresh database for the race: a SQLite file, or the emptied PostgreSQL test database."""
    if request.param == "sqlite":
        yield str(tmp_path / "shared.db")
        return
    from sqlalchemy import create_engine

    from desktop_app.db.engine import database_url

    def empty() -> None:
        engine = create_engine(database_url(POSTGRES_URL))
        with engine.begin() as c:
            c.exec_driver_sql("DROP SCHEMA public CASCADE")
            c.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()

    empty()
    yield POSTGRES_URL
    empty()  # the other PostgreSQL tests expect the database as CI made it


def _two_desks(fn, *args_per_desk: tuple[object, ...]) -> list[object]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(args_per_desk)) as pool:
        results = [pool.apply_async(fn, args) for args in args_per_desk]
        return [r.get(timeout=300) for r in results]


def test_case_numbers_never_collide_between_two_desks(target: str) -> None:
    open_store(target, create=True).close()  # create the schema before the desks start
    per_desk = 500
    first, second = _two_desks(
        race_workers.create_cases, (target, "受付A", per_desk), (target, "受付B", per_desk)
    )
    numbers = [*first, *second]
    assert len(numbers) == 2 * per_desk, "every registration succeeded"
    assert len(set(numbers)) == 2 * per_desk, "no number given twice"
    year = numbers[0].split("-")[1]
    assert sorted(numbers) == [f"SO-{year}-{n:04d}" for n in range(1, 2 * per_desk + 1)]


def test_two_desks_moving_the_same_cases_exactly_one_wins_each(target: str, make_case_in) -> None:
    store = open_store(target, create=True, staff="準備")
    cases = [make_case_in(store, k) for k in range(150)]
    for case in cases:
        move_stage(store, case.id, Stage.FORMS_SENT)
    # Both desks' screens show each case as it is now.
    shown = [(c.id, get_case(store, c.id).version) for c in cases]
    store.close()
    cancel, advance = _two_desks(
        race_workers.move_all,
        (target, "受付A", shown, Stage.CANCELLED.value),
        (target, "受付B", shown, Stage.APPLICATION_RECEIVED.value),
    )
    store = open_store(target)
    try:
        for case_id, _version in shown:
            outcomes = sorted([cancel[case_id], advance[case_id]])
            assert outcomes == ["conflict", "ok"], (case_id, outcomes)
            detail = get_case(store, case_id)
            if cancel[case_id] == "ok":
                assert detail.stage is Stage.CANCELLED
                assert detail.end_reason == "患者都合"
            else:
                assert detail.stage is Stage.APPLICATION_RECEIVED
                assert detail.end_reason == ""
        with store.read() as session:
            moves = session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "case.stage")
            )
            reopened = session.scalar(
                select(func.count(SOCase.id)).where(
                    SOCase.stage != Stage.CANCELLED.value, SOCase.end_reason != ""
                )
            )
        assert moves == 150 * 2, "one move to 書類送付済 and one winner per case"
        assert reopened == 0, "no case carries a cancellation reason while open"
    finally:
        store.close()


def test_the_stage_guard_holds_between_desks_without_versions(target: str, make_case_in) -> None:
    """Even a caller that names no version cannot move a case its check has not seen."""
    store = open_store(target, create=True, staff="準備")
    cases = [make_case_in(store, k) for k in range(60)]
    store.close()
    shown = [(c.id, None) for c in cases]
    cancel, cancel_again = _two_desks(
        race_workers.move_all,
        (target, "受付A", shown, Stage.CANCELLED.value),
        (target, "受付B", shown, Stage.CANCELLED.value),
    )
    for case_id, _ in shown:
        # The loser is refused by the guard (SQLite: it waited, then saw the cancellation) or
        # told of the conflict (PostgreSQL: its UPDATE found the row's version moved on).
        outcomes = {cancel[case_id], cancel_again[case_id]}
        assert outcomes in ({"ok", "refused"}, {"ok", "conflict"}), (case_id, outcomes)


def test_a_settings_save_never_reverts_another_desks_change(target: str) -> None:
    """Key by key: what another desk saved meanwhile is kept, what this desk changed is
    saved; a setting both changed is refused (ConflictError), nothing of it written."""
    desk_a, desk_b = (
        open_store(target, create=True, staff="受付A"),
        open_store(target, staff="受付B"),
    )
    try:
        shown_a, shown_b = get_settings(desk_a), get_settings(desk_b)
        update_settings(desk_a, dataclasses.replace(shown_a, fax="0144-33-0000"), based_on=shown_a)
        saved = update_settings(
            desk_b, dataclasses.replace(shown_b, tel="0144-84-0000"), based_on=shown_b
        )
        assert (saved.fax, saved.tel) == ("0144330000", "0144840000"), "B is shown A's too"
        assert get_settings(desk_a) == saved, "A's change kept, B's saved"
        # Both change the FAX number from what their screens showed: the second is told.
        shown_a, shown_b = get_settings(desk_a), get_settings(desk_b)
        update_settings(desk_a, dataclasses.replace(shown_a, fax="0144-33-1111"), based_on=shown_a)
        with pytest.raises(ConflictError, match="他の端末で更新されました"):
            update_settings(
                desk_b,
                dataclasses.replace(shown_b, fax="0144-33-2222", address="苫小牧市旭町1"),
                based_on=shown_b,
            )
        now = get_settings(desk_b)
        assert (now.fax, now.address) == ("0144331111", shown_b.address), "nothing of B's written"
        # B's screen reloads and saves again: it wins now.
        update_settings(desk_b, dataclasses.replace(now, fax="0144-33-2222"), based_on=now)
        assert get_settings(desk_a).fax == "0144332222"
    finally:
        desk_a.close()
        desk_b.close()


def test_a_stale_screen_cannot_move_a_case(store, make_case) -> None:
    case = make_case()
    moved = move_stage(store, case.id, Stage.FORMS_SENT, expected_version=case.version)
    assert moved.version == case.version + 1
    with pytest.raises(ConflictError):
        move_stage(store, case.id, Stage.CANCELLED, reason="x", expected_version=case.version)
    assert get_case(store, case.id).stage is Stage.FORMS_SENT


@pytest.mark.usefixtures("quick_hashes")  # each desk verifies with the hash's own costs
@pytest.mark.parametrize("desks", [8, 16])
def test_a_lockout_holds_when_many_desks_try_at_once(target: str, desks: int) -> None:
    """Desks trying wrong passwords for one ID at the same moment: exactly MAX_FAILURES
    passwords are checked; every other attempt is refused by the lockout, and logged."""
    store = open_store(target, create=True, staff="準備")
    try:
        add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, "clerk-pass-1", "clerk-pass-1")
    finally:
        store.close()
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(desks), context.Queue()
    workers = [
        context.Process(
            target=race_workers.try_password,
            args=(target, "uketsuke", f"wrong-password-{k}", ready, results),
        )
        for k in range(desks)
    ]
    for worker in workers:
        worker.start()
    told = Counter(results.get(timeout=240) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert told == {"checked": staff.MAX_FAILURES, "resting": desks - staff.MAX_FAILURES}
    store = open_store(target)
    try:
        with store.read() as session:
            logged = dict(
                session.execute(
                    select(AuditEntry.action, func.count(AuditEntry.id))
                    .where(AuditEntry.staff == "uketsuke")
                    .group_by(AuditEntry.action)
                ).all()
            )
    finally:
        store.close()
    # Each checked password: its attempt, then its failure; each refused one: its refusal.
    checked = (AuditAction.STAFF_SIGN_IN_ATTEMPT, AuditAction.STAFF_SIGN_IN_FAILED)
    refused = {AuditAction.STAFF_SIGN_IN_REFUSED: desks - staff.MAX_FAILURES}
    assert logged == dict.fromkeys(checked, staff.MAX_FAILURES) | refused


# The races of issue #23: two desks in step (a barrier before every call), counted.
NOW = dt.datetime(2026, 12, 3, 9, 30)  # the suite's day; passed, so the rounds never age
BOOKING_DAYS = (dt.date(2026, 12, 14), dt.date(2026, 12, 15), dt.date(2026, 12, 16))  # Mon-Wed
PAIRS = 24  # eight one-hour blocks (9:00-17:00) a day
SIGN_INS = 25


def _in_step(work, *per_desk: tuple[object, ...]) -> dict[str, list]:
    """Run ``work(*args, ready, results)`` for each desk in its own process, the desks in step
    at ``ready`` (a Barrier); each desk's outcomes by its name (``args[1]``)."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(len(per_desk)), context.Queue()
    desks = [context.Process(target=work, args=(*args, ready, results)) for args in per_desk]
    for desk in desks:
        desk.start()
    try:
        told = dict(results.get(timeout=100) for _ in desks)
    finally:
        for desk in desks:
            desk.join(timeout=30)
            if desk.is_alive():
                desk.kill()
    for name, outcomes in told.items():
        assert not isinstance(outcomes, str), f"{name}: {outcomes}"
    return told


def _engine(target: str) -> str:
    return "postgresql" if target.startswith("postgresql") else "sqlite"


def _clinic_with_waiting_cases(target: str, make_case_in, count: int) -> tuple[int, list[int]]:
    """One doctor who sees second opinions on weekdays 9:00-17:00, and ``count`` accepted
    cases of different patients waiting for a date: (the doctor's id, the case ids)."""
    store = open_store(target, create=True, staff="準備")
    try:
        with store.transaction() as session:
            department = Department(name="呼吸器内科")
            session.add(department)
            session.flush()
            doctor = Doctor(department_id=department.id, name="青木 一郎")
            session.add(doctor)
            session.flush()
            for weekday in range(5):
                session.add(
                    DoctorAvailability(
                        doctor_id=doctor.id,
                        weekday=weekday,
                        start_time=dt.time(9),
                        end_time=dt.time(17),
                    )
                )
            doctor_id = doctor.id
        case_ids = [make_case_in(store, k).id for k in range(count)]
        with store.transaction() as session:
            for case in session.scalars(select(SOCase).where(SOCase.id.in_(case_ids))):
                case.stage, case.decision = Stage.DOCTOR_REVIEW, Decision.ACCEPTED
        return doctor_id, case_ids
    finally:
        store.close()


def _booking_race(target: str, make_case_in, slots) -> dict[str, int]:
    """PAIRS rounds of two desks booking ``slots(k)`` = (desk A's (start, minutes), desk B's)
    on the k-th hour for two cases; the winners, the losers' sentences and the overlapping
    live bookings left in the table, counted."""
    doctor_id, case_ids = _clinic_with_waiting_cases(target, make_case_in, 2 * PAIRS)
    rounds: dict[str, list[tuple[object, ...]]] = {"受付A": [], "受付B": []}
    for k in range(PAIRS):
        day, hour = BOOKING_DAYS[k // 8], 9 + k % 8
        for n, (desk, (start, minutes)) in enumerate(zip(rounds, slots(hour), strict=True)):
            rounds[desk].append((case_ids[2 * k + n], doctor_id, day, start, minutes, NOW))
    told = _in_step(
        race_workers.book_rounds,
        (target, "受付A", rounds["受付A"]),
        (target, "受付B", rounds["受付B"]),
    )
    counts = Counter()
    for a, b in zip(told["受付A"], told["受付B"], strict=True):
        outcomes = sorted([a, b])
        counts["one winner"] += outcomes.count("booked") == 1
        for loser in [o for o in outcomes if o != "booked"]:
            if loser == "slot taken":
                counts["slot taken"] += 1
            elif loser.startswith("refused: この担当医は") and "別の予約が入っています" in loser:
                counts["refused by the check"] += 1
            else:
                counts["raw"] += 1
                print("not a clerk's answer:", loser)
    store = open_store(target)
    try:
        with store.read() as session:
            live = session.scalars(select(Appointment).where(Appointment.cancelled.is_(False)))
            booked = [
                Booking(a.doctor_id, a.date, a.start_time, a.minutes, a.case_id) for a in live
            ]
    finally:
        store.close()
    counts["live bookings"] = len(booked)
    counts["overlaps"] = sum(overlaps(x, y) for i, x in enumerate(booked) for y in booked[i + 1 :])
    return counts


def _assert_one_booking_per_pair(counts: dict[str, int]) -> None:
    assert counts["one winner"] == PAIRS, counts
    assert counts["slot taken"] + counts["refused by the check"] == PAIRS, counts
    assert counts["raw"] == 0, counts
    assert (counts["live bookings"], counts["overlaps"]) == (PAIRS, 0), counts


def test_overlapping_bookings_at_two_desks_one_wins_each_pair(target: str, make_case_in) -> None:
    """60 minutes at HH:00 at one desk, 30 at HH:30 at the other, at the same moment: one
    booking stands, the other desk is told in a sentence (PostgreSQL: the exclusion
    constraint; SQLite: the booking's own check, one desk after the other)."""

    def slots(hour: int) -> tuple[tuple[dt.time, int], tuple[dt.time, int]]:
        long, short = (dt.time(hour), 60), (dt.time(hour, 30), 30)
        return (long, short) if hour % 2 else (short, long)

    counts = _booking_race(target, make_case_in, slots)
    print(f"\n[{_engine(target)}] overlapping bookings, {PAIRS} pairs: {dict(counts)}")
    _assert_one_booking_per_pair(counts)


def test_same_slot_bookings_at_two_desks_the_loser_is_told(target: str, make_case_in) -> None:
    """Both desks book the same doctor at the same start (30 or 60 minutes): one wins, the
    other hears SLOT_TAKEN or the check's sentence, never 予期しないエラー."""

    def slots(hour: int) -> tuple[tuple[dt.time, int], tuple[dt.time, int]]:
        minutes = 60 if hour % 2 else 30
        return (dt.time(hour), minutes), (dt.time(hour), minutes)

    counts = _booking_race(target, make_case_in, slots)
    print(f"\n[{_engine(target)}] same-slot bookings, {PAIRS} pairs: {dict(counts)}")
    _assert_one_booking_per_pair(counts)


@pytest.mark.usefixtures("quick_hashes")  # the desks rehash it with today's costs, once
def test_one_account_signing_in_at_two_desks_at_once(target: str) -> None:
    """Both desks are signed in every time: a sign-in bumps no version another desk checks,
    and the account's row is sealed as written (``sodesk check`` is clean)."""
    store = open_store(target, create=True, staff="準備")
    try:
        created = add_account(
            store, "uketsuke", "受付 一郎", Role.RECEPTION, "clerk-pass-1", "clerk-pass-1"
        )
    finally:
        store.close()
    told = _in_step(
        race_workers.sign_in_rounds,
        (target, "受付A", "uketsuke", "clerk-pass-1", SIGN_INS),
        (target, "受付B", "uketsuke", "clerk-pass-1", SIGN_INS),
    )
    counts = Counter(
        o if o == "signed in" else o.split(":")[0] for desk in told.values() for o in desk
    )
    print(f"\n[{_engine(target)}] one account at two desks, {SIGN_INS} rounds: {dict(counts)}")
    assert counts == {"signed in": 2 * SIGN_INS}, told
    store = open_store(target)
    try:
        with store.read() as session:
            signed = session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == AuditAction.STAFF_SIGN_IN
                )
            )
        assert signed == 2 * SIGN_INS
        account = staff.sign_in(store, "uketsuke", "clerk-pass-1")  # the hash still verifies
        assert account.version == created.version, "sign-ins leave the version alone"
        assert account.last_sign_in_at is not None
    finally:
        store.close()
    assert check_database(target).problems == (), "every row's seal matches"


FIRST_SAVES = {  # one setting never saved before, per round: desk A's value, desk B's
    "hospital_name": ("A市立病院", "B市立病院"),
    "office_name": ("連携室A", "連携室B"),
    "address": ("苫小牧市清水町1-1", "苫小牧市清水町2-2"),
    "postal_code": ("0530001", "0530002"),
    "tel": ("0144330001", "0144330002"),
    "fax": ("0144330003", "0144330004"),
    "fee_per_block_yen": (6000, 6500),
    "session_minutes": (35, 40),
    "max_extension_minutes": (20, 25),
    "materials_deadline_days": (4, 5),
    "application_reminder_days": (10, 12),
    "age_of_majority": (19, 20),
}
LATER_ROUNDS = 20


def test_settings_saved_at_two_desks_at_once(target: str) -> None:
    """First saves of one setting at both desks, later saves of one setting, and saves of
    different settings from the same screen: every save either stands or is refused with
    the conflict message; none raises, none is lost, none reverts the other's."""
    open_store(target, create=True).close()
    first = [({k: a}, {k: b}) for k, (a, b) in FIRST_SAVES.items()]
    same = [
        ({"fee_per_block_yen": 7000 + 10 * r}, {"fee_per_block_yen": 8000 + 10 * r})
        for r in range(LATER_ROUNDS)
    ]
    apart = [
        ({"lock_after_minutes": 11 + r}, {"decision_reminder_days": 10 + r})
        for r in range(LATER_ROUNDS)
    ]
    rounds = [*first, *same, *apart]
    told = _in_step(
        race_workers.settings_rounds,
        (target, "受付A", [a for a, _ in rounds]),
        (target, "受付B", [b for _, b in rounds]),
    )
    phases = {"first saves": first, "later saves of one": same, "different settings": apart}
    start, counts = 0, {}
    for phase, its_rounds in phases.items():
        found = Counter({"saved": 0, "conflict": 0, "raw": 0, "lost": 0})
        for r in range(start, start + len(its_rounds)):
            for said, kept in (told["受付A"][r], told["受付B"][r]):
                if said not in ("saved", "conflict"):
                    print("not a clerk's answer:", said)
                found[said if said in ("saved", "conflict") else "raw"] += 1
                found["lost"] += said == "saved" and not kept
        counts[phase] = dict(found)
        start += len(its_rounds)
    print(f"\n[{_engine(target)}] settings at two desks: {counts}")
    n_first, n_later = len(first), LATER_ROUNDS
    assert counts["first saves"] == {"saved": n_first, "conflict": n_first, "raw": 0, "lost": 0}
    assert counts["later saves of one"] == {
        "saved": n_later, "conflict": n_later, "raw": 0, "lost": 0
    }  # fmt: skip
    assert counts["different settings"] == {
        "saved": 2 * n_later, "conflict": 0, "raw": 0, "lost": 0
    }  # fmt: skip


def test_a_demo_sign_in_leaves_the_version_and_keeps_the_seal(tmp_path: Path) -> None:
    """The demo clerk's sign-in, recorded once the window is up, at two desks: the account's
    version is what an administrator's screen showed, and its row is sealed as written."""
    target = str(tmp_path / "demo.db")
    rebuild_demo(target, 0).close()
    desks = [open_store(target, staff=f"desk{k}") for k in range(2)]
    try:
        before = staff.open_demo_session(desks[0])
        staff.open_demo_session(desks[1])
        for desk in desks:
            staff.record_demo_sign_in(desk)
        with desks[0].read() as session:
            version, at = session.execute(
                select(tables.staff_users.c.version, tables.staff_users.c.last_sign_in_at).where(
                    tables.staff_users.c.id == before.id
                )
            ).one()
    finally:
        for desk in desks:
            desk.close()
    assert version == before.version
    assert at is not None and at != before.last_sign_in_at
    assert check_database(target).problems == ()


def test_one_received_fax_confirmed_at_two_desks_is_recorded_once(
    target: str, make_case_in, tmp_path: Path
) -> None:
    from desktop_app.db.models import FaxPage, ReceivedFax
    from desktop_app.domain.forms import FormKind
    from tests.fax_samples import FINE, fax, form, tiff

    store = open_store(target, create=True, staff="準備")
    case = make_case_in(store, 1)
    path = tiff(tmp_path / "fax.tif", [fax(form(store, FormKind.APPLICATION, case.id), FINE)])
    store.close()

    told = _in_step(
        race_workers.confirm_fax, (target, "desk-a", str(path)), (target, "desk-b", str(path))
    )

    outcomes = [o for outcomes in told.values() for o in outcomes]
    assert outcomes.count("recorded") == 1, outcomes
    (lost,) = [o for o in outcomes if o != "recorded"]
    assert lost.startswith(("refused: このFAXはすでに記録されています", "conflict")), outcomes
    store = open_store(target, staff="確認")
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(ReceivedFax)) == 1
        assert session.scalar(select(func.count()).select_from(FaxPage)) == 1
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.FAX_RECEIVE)
        ).all()
    assert len(entries) == 1
    store.close()
