"""Work for the race tests, run in separate processes: each is one desk with its own store."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from desktop_app.domain.errors import ConflictError, ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.store import StoreError, open_store

T = TypeVar("T")


def _like_a_clerk(call: Callable[[], T], tries: int = 5) -> T:
    """Press again after "他の端末が長く書き込み中": on a machine loaded far beyond a clinic's
    (CI beside other jobs), a desk can wait out SQLite's 10 s busy timeout. Nothing was
    written by the refused call, so trying again is what a clerk does."""
    for attempt in range(tries):
        try:
            return call()
        except StoreError:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def create_cases(target: str, desk: str, count: int) -> list[str]:
    """Register ``count`` cases of patients who call for themselves; the case numbers given.

    Every other call is from a returning patient, so the case number is the first thing that
    registration writes: nothing else has taken the write lock before the counter is read.
    """
    store = open_store(target, staff=desk)
    try:
        numbers: list[str] = []
        returning: int | None = None
        for k in range(count):
            if returning is not None and k % 2:
                new = NewCase(existing_patient_id=returning)
            else:
                new = NewCase(patient=NewPatient(name=f"{desk}　{k}", furigana="テスト　タロウ"))
            case = _like_a_clerk(lambda new=new: create_case(store, new))
            returning = case.patient.id
            numbers.append(case.case_number)
        return numbers
    finally:
        store.close()


def move_all(target: str, desk: str, moves: list[tuple[int, int]], stage: str) -> dict[int, str]:
    """Move each (case id, version the desk's screen showed) to ``stage``: the outcome each."""
    store = open_store(target, staff=desk)
    outcome: dict[int, str] = {}
    try:
        for case_id, version in moves:
            try:
                move_stage(
                    store,
                    case_id,
                    Stage(stage),
                    reason="患者都合",
                    expected_version=version,
                    override_reason="申込書はFAXで確認済み",
                )
                outcome[case_id] = "ok"
            except ConflictError:
                outcome[case_id] = "conflict"
            except ValidationError:
                outcome[case_id] = "refused"
        return outcome
    finally:
        store.close()


def try_password(target: str, login: str, password: str, ready: Any, results: Any) -> None:
    """One desk's sign-in as ``login``, started with the others (``ready``, a Barrier);
    what it was told goes on ``results`` (a Queue): "checked" when its password was checked
    and found wrong, "resting" when refused by the lockout without a check."""
    try:
        results.put(_sign_in_once(target, login, password, ready))
    except BaseException as exc:  # the test reads it, rather than wait for a desk that died
        results.put(f"error: {exc!r}")
        raise


def _sign_in_once(target: str, login: str, password: str, ready: Any) -> str:
    from sqlalchemy.orm import configure_mappers

    import desktop_app.db.models  # noqa: F401  (the classes configure_mappers readies)
    from desktop_app.services import staff

    store = open_store(target, staff=f"desk-{os.getpid()}")
    try:
        # The connection and the ORM are ready before the race, as at a desk whose window is
        # up: the race is about the sign-in, not about who imports fastest.
        staff.has_accounts(store)
        configure_mappers()
        ready.wait(timeout=120)
        try:
            staff.sign_in(store, login, password)
            return "signed in"
        except ValidationError as exc:
            if exc.message == staff.WRONG:
                return "checked"
            if f"{staff.MAX_FAILURES}回間違えた" in exc.message:
                return "resting"
            return f"other: {exc.message}"
    finally:
        store.close()


# The races of issue #23, round by round: two desks, a barrier before each call, every
# outcome put in words ("booked", "slot taken", ... or "raw: <exception>" for what a clerk
# would have seen as 予期しないエラー).


def _ready_desk(target: str, desk: str) -> Any:
    """A desk whose window is up: the connection made and the ORM configured before the race,
    so the race is about the call, not about who imports fastest."""
    from sqlalchemy.orm import configure_mappers

    import desktop_app.db.models  # noqa: F401  (the classes configure_mappers readies)
    from desktop_app.services import staff

    store = open_store(target, staff=desk)
    staff.has_accounts(store)
    configure_mappers()
    return store


def _report(results: Any, desk: str, work: Callable[[], list[Any]]) -> None:
    """Put (desk, outcomes) on ``results``; a desk that died says why instead of hanging."""
    try:
        results.put((desk, work()))
    except BaseException as exc:
        results.put((desk, f"error: {exc!r}"))
        raise


def _told(
    done: str, expected: str, call: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[str, Any]:
    """Run one desk's ``call(*args, **kwargs)``: (what the desk was told, the result or None).
    ``done`` when it succeeds; "conflict" alone when the ConflictError says ``expected``; else
    "conflict: …", "refused: …" (a ValidationError), "raw: …" (anything a clerk would see as
    予期しないエラー)."""
    try:
        return done, call(*args, **kwargs)
    except ConflictError as exc:
        return ("conflict" if exc.message == expected else f"conflict: {exc.message}"), None
    except ValidationError as exc:
        return f"refused: {exc.message}", None
    except Exception as exc:
        return f"raw: {exc!r}", None


def book_rounds(
    target: str, desk: str, rounds: list[tuple[Any, ...]], ready: Any, results: Any
) -> None:
    """Each round: wait for the other desk, then book (case id, doctor id, date, start,
    minutes, now). Outcomes: "booked", "slot taken" (SLOT_TAKEN), "refused: …" (the booking's
    own check saw the other desk's row), "conflict: …", "raw: …"."""
    from desktop_app.services.booking import SLOT_TAKEN, book

    def work() -> list[str]:
        store = _ready_desk(target, desk)
        outcomes: list[str] = []
        try:
            for case_id, doctor_id, date, start, minutes, now in rounds:
                ready.wait(timeout=120)
                said, _ = _told(
                    "booked",
                    SLOT_TAKEN,
                    book,
                    store,
                    case_id,
                    doctor_id=doctor_id,
                    date=date,
                    start=start,
                    minutes=minutes,
                    now=now,
                )
                outcomes.append("slot taken" if said == "conflict" else said)
        finally:
            store.close()
        return outcomes

    _report(results, desk, work)


def sign_in_rounds(
    target: str, desk: str, login: str, password: str, rounds: int, ready: Any, results: Any
) -> None:
    """Each round: wait for the other desk, then sign in as ``login`` (the same account at both
    desks). Outcomes: "signed in", "conflict: …", "refused: …", "raw: …"."""
    from desktop_app.services import staff

    def work() -> list[str]:
        store = _ready_desk(target, desk)
        outcomes: list[str] = []
        try:
            for _ in range(rounds):
                ready.wait(timeout=120)
                said, _ = _told("signed in", "", staff.sign_in, store, login, password)
                outcomes.append(said)
        finally:
            store.close()
        return outcomes

    _report(results, desk, work)


def settings_rounds(
    target: str, desk: str, rounds: list[dict[str, Any]], ready: Any, results: Any
) -> None:
    """Each round: both desks read the settings (their screens), then both save their
    changes at once, based on what they read; once both are done, each reads again whether
    its values are stored. Outcomes: (what the save said, kept): "saved", "conflict" (the
    conflict message), "conflict: …", "refused: …", "raw: …"; kept is True when every value
    this desk saved is what is stored after the round."""
    import dataclasses

    from desktop_app.domain.errors import CONFLICT_MESSAGE
    from desktop_app.services.settings import get_settings, update_settings

    def work() -> list[tuple[str, bool]]:
        store = _ready_desk(target, desk)
        outcomes: list[tuple[str, bool]] = []
        try:
            for changes in rounds:
                ready.wait(timeout=120)  # the previous round is over at both desks
                shown = get_settings(store)
                ready.wait(timeout=120)
                edited = dataclasses.replace(shown, **changes)
                said, saved = _told(
                    "saved", CONFLICT_MESSAGE, update_settings, store, edited, based_on=shown
                )
                ready.wait(timeout=120)  # both have saved (or been told why not)
                now = get_settings(store)
                kept = saved is not None and all(
                    getattr(now, name) == getattr(saved, name) for name in changes
                )
                outcomes.append((said, kept))
        finally:
            store.close()
        return outcomes

    _report(results, desk, work)


def confirm_fax(target: str, desk: str, path: str, ready: Any, results: Any) -> None:
    """One desk reads a received fax and confirms it, in step with the others (``ready``)."""
    from desktop_app.services.fax_inbox import PageAssignment, read_inbox_file, record_fax

    def work() -> list[str]:
        store = _ready_desk(target, desk)
        try:
            read = read_inbox_file(store, path)
            ready.wait(timeout=60)
            told, _ = _told(
                "recorded", "", record_fax, store, read, [PageAssignment.of(p) for p in read.pages]
            )
            return [told]
        finally:
            store.close()

    _report(results, desk, work)
