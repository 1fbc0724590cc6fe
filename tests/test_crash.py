"""Pull the plug: a process registering cases is SIGKILLed at random moments, again and again.

After every kill the database is intact, every case the process said it had registered is
there whole (patient, documents, the call, the audit entry), and the intake draft is the
last one saved or the one being saved, never a broken file.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop_app.domain.documents import ContactKind, Direction, DocumentKind
from desktop_app.services.cases import find_case_id, get_case
from desktop_app.services.drafts import draft_path, open_draft
from tests.stores import open_test_store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROUNDS = 20
REPO = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import datetime as dt
    import sys
    from pathlib import Path

    sys.path.insert(0, {repo!r})
    from desktop_app.domain.documents import DocumentKind
    from desktop_app.domain.people import Relationship
    from desktop_app.services.cases import create_case
    from desktop_app.services.drafts import save_draft
    from desktop_app.services.dto import NewCaller, NewCase, NewPatient, NewReferrer
    from tests.stores import open_test_store

    print("imported", flush=True)
    n = int(sys.stdin.readline()) - 1  # "go": drafts are numbered on from the last round's
    store = open_test_store(Path(sys.argv[1]))
    print("ready", flush=True)
    while True:
        n += 1
        case = create_case(
            store,
            NewCase(
                patient=NewPatient(
                    name=f"患者　{{n}}", furigana="カンジャ　タロウ", phone="0144112233",
                    birth_date=dt.date(1970, 3, 15),
                ),
                caller=NewCaller(name="家族　花子", relationship=Relationship.SPOUSE),
                referrer=NewReferrer(institution=f"みなと内科{{n % 5}}", doctor="北村　誠司"),
                materials=(DocumentKind.BLOOD_TEST,),
                consultation="手術を勧められた",
                today=dt.date(2026, 11, 24),
            ),
        )
        print("case", n, case.case_number, flush=True)
        values = {{"caller": {{"name": f"下書き{{n}}"}}, "patient": {{"name": "x" * (n % 300)}}}}
        save_draft(store, values, page=n % 7)
        print("draft", n, flush=True)
    """
)


@dataclass
class Child:
    """One run of the child, its stdout read line by line as it comes."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.endswith("\n"):  # a line cut by the kill was never acknowledged
                self.lines.append(line.strip())

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.startswith(kind))

    def go(self, first_draft: int) -> None:
        """Start opening the store and registering (the imports are done by now)."""
        _wait(lambda: self.count("imported") == 1, 60)
        assert self.process.stdin is not None
        self.process.stdin.write(f"{first_draft}\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)


def _wait(until, limit: float) -> None:
    end = time.monotonic() + limit
    while not until() and time.monotonic() < end:
        time.sleep(0.002)


def test_killed_at_random_moments_nothing_acknowledged_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(repo=str(REPO)), encoding="utf-8")
    db = tmp_path / "crash.db"
    data = tmp_path / "data"  # the drafts' folder, for the child and for the checks here
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("LOCALAPPDATA", str(data))
    acknowledged: list[str] = []
    last_draft = 0  # the number of the draft last known to be on disk (0: none yet)
    next_number = 1
    promised = 0  # cases the parent waited to see acknowledged before killing
    store = open_test_store(db)  # created before the first child, so no kill hits a migration
    store.close()

    def spawn() -> Child:
        return Child(
            subprocess.Popen(
                [sys.executable, str(script), str(db)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env=dict(os.environ),
            )
        )

    upcoming: Child | None = spawn()
    try:
        for round_ in range(ROUNDS):
            where = f"seed {seed}, round {round_}"
            child, upcoming = upcoming, None
            assert child is not None
            child.go(next_number)
            # The next child imports (a second of a Python start) while this one runs.
            upcoming = spawn() if round_ + 1 < ROUNDS else None
            promised += _kill_at_a_random_moment(child, rng, opening=round_ % 7 == 3)
            cases_seen = [line.split()[1:] for line in child.lines if line.startswith("case")]
            drafts_seen = [int(line.split()[1]) for line in child.lines if line.startswith("draft")]
            new = [number for _, number in cases_seen]
            acknowledged += new
            # A draft is saved after its case is acknowledged: that one may be on disk unsaid.
            in_flight = int(cases_seen[-1][0]) if cases_seen else None
            if drafts_seen:
                last_draft = drafts_seen[-1]
            next_number = max([next_number - 1, *drafts_seen, in_flight or 0]) + 1

            unacknowledged = _check(db, acknowledged, new, where)
            assert unacknowledged <= round_ + 1, where  # at most one commit unsaid per kill
            on_disk = _check_draft(db, where)
            assert on_disk in {last_draft, in_flight}, (where, on_disk, last_draft, in_flight)
            last_draft = on_disk
    finally:
        if upcoming is not None:
            upcoming.kill()

    assert len(acknowledged) >= promised > 0  # kills did land in the loop, not only at start
    leftovers = len(list(data.rglob(".intake-draft-*.tmp")))
    print(
        f"crash test: seed {seed}, {ROUNDS} rounds, {len(acknowledged)} acknowledged cases,"
        f" {leftovers} temporary draft files left by kills"
    )


def _kill_at_a_random_moment(child: Child, rng: random.Random, *, opening: bool) -> int:
    """SIGKILL while the store opens, after a random delay, or after a random number of
    acknowledged cases; returns how many cases were waited for (0 when not counted)."""
    cases = 0
    if opening:
        time.sleep(rng.uniform(0.0, 0.1))
    else:
        _wait(lambda: child.count("ready") == 1, 30)
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.0, 0.25))
        else:
            cases = rng.randint(1, 6)
            _wait(lambda: child.count("case") >= cases, 30)
    child.kill()
    return cases


WHOLE_CASES = """
    SELECT c.case_number,
           (SELECT count(*) FROM patients p WHERE p.id = c.patient_id),
           (SELECT count(*) FROM case_documents d WHERE d.case_id = c.id),
           (SELECT count(*) FROM contact_log k WHERE k.case_id = c.id AND k.kind = 'call_in'),
           (SELECT count(*) FROM audit_log a WHERE a.case_id = c.id AND a.action = 'case.create')
    FROM cases c
"""


def _check(db: Path, acknowledged: list[str], new: list[str], where: str) -> int:
    """Integrity, every acknowledged case whole; returns how many cases are unacknowledged.

    Every case is checked row by row after every kill; this round's new ones also through
    the service that shows a case to the clerk.
    """
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], where
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == [], where
        rows = {row[0]: row[1:] for row in connection.execute(WHOLE_CASES)}
    finally:
        connection.close()
    for number in acknowledged:
        patient, documents, calls, audits = rows[number]  # KeyError: a lost case
        assert (patient, calls, audits) == (1, 1, 1) and documents >= 3, (where, number)
    assert len(set(acknowledged)) == len(acknowledged), where  # no number given twice
    store = open_test_store(db)
    try:
        for number in new:
            case = get_case(store, find_case_id(store, number))
            assert case.patient.name.startswith("患者"), (where, number)
            assert case.caller is not None and case.referrer is not None, (where, number)
            incoming = {d.kind for d in case.documents if d.direction == Direction.IN}
            assert {DocumentKind.APPLICATION, DocumentKind.BLOOD_TEST} <= incoming, where
            assert any(d.direction == Direction.OUT for d in case.documents), (where, number)
            assert [c.kind for c in case.contacts] == [ContactKind.CALL_IN], (where, number)
            assert [h.action for h in case.history] == ["case.create"], (where, number)
    finally:
        store.close()
    return len(rows) - len(acknowledged)


def _check_draft(db: Path, where: str) -> int:
    """The number of the draft on disk (0: none); it must read, never be set aside as broken."""
    store = open_test_store(db)
    try:
        path = draft_path(store)
        loaded = open_draft(store)
    finally:
        store.close()
    assert loaded.set_aside is None, where
    assert not list(path.parent.glob("*.broken-*.json")), where
    if loaded.draft is None:
        return 0
    number = int(loaded.draft.values["caller"]["name"].removeprefix("下書き"))
    assert loaded.draft.page == number % 7, where
    assert loaded.draft.values["patient"]["name"] == "x" * (number % 300), where
    return number
