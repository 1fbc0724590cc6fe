"""Two desks at once, in two processes, on one SQLite file (and on PostgreSQL when given).

Each race is real: separate processes, separate connections, no shared Python state.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ConflictError
from desktop_app.domain.roles import Role
from desktop_app.domain.stages import Stage
from desktop_app.services import staff
from desktop_app.services.cases import get_case, move_stage
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
    desk_a, desk_b = (
        open_store(target, create=True, staff="受付A"),
        open_store(target, staff="受付B"),
    )
    try:
        shown_a, shown_b = get_settings(desk_a), get_settings(desk_b)
        update_settings(desk_a, dataclasses.replace(shown_a, fax="0144-33-0000"), based_on=shown_a)
        with pytest.raises(ConflictError, match="他の端末で更新されました"):
            update_settings(
                desk_b, dataclasses.replace(shown_b, tel="0144-84-0000"), based_on=shown_b
            )
        now = get_settings(desk_b)
        assert (now.fax, now.tel) == ("0144330000", shown_b.tel), "A's change kept, B's refused"
        # B's screen reloads and saves again: both changes stand.
        update_settings(desk_b, dataclasses.replace(now, tel="0144-84-0000"), based_on=now)
        final = get_settings(desk_a)
        assert (final.fax, final.tel) == ("0144330000", "0144840000")
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
