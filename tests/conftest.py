"""Shared fixtures: a fresh SQLite file per test and small factories."""

from __future__ import annotations

import os
import shutil
import subprocess

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.domain import clock
from desktop_app.domain.people import Attendance, Relationship, Sex
from desktop_app.services.cases import create_case
from desktop_app.services.dto import (
    CaseDetail,
    NewCaller,
    NewCase,
    NewPatient,
    NewReferrer,
)
from desktop_app.services.store import Store, open_store
from tests.stores import CLI_PASSWORD

# Every run takes place on the same day, whatever the calendar says: a Thursday with no
# holiday or closure within two weeks. The clock runs on from 09:30 local time, and the CLI's
# subprocesses inherit the shift. CI runs the suite again under faketime on hard days
# (tools/ci-hard-days.sh): faketime moves only the system clock, so a test or a screen that
# reads the real date instead of desktop_app.domain.clock fails there. SODESK_TEST_TODAY
# (ISO date) moves this day, to find tests that lean on the calendar around it.
TEST_DAY = dt.date.fromisoformat(os.environ.get("SODESK_TEST_TODAY") or "2026-12-03")
os.environ[clock.OFFSET_VARIABLE] = str(
    clock.offset_to(dt.datetime.combine(TEST_DAY, dt.time(9, 30)))
)


def _own_server_database() -> None:
    """Under pytest-xdist (``--dist loadfile``) each worker gets its own copy of the PostgreSQL
    test database (``<name>_gw0``, ...), made afresh: the tests that use it empty and fill it,
    and two workers must not do so at once. Needs CREATEDB (tools/ci-postgres.sh grants it)."""
    url = os.environ.get("SODESK_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return
    import psycopg
    from sqlalchemy.engine import make_url

    given = make_url(url)
    name = f"{given.database}_{worker}"
    server = given.set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    os.environ["SODESK_TEST_POSTGRES_URL"] = given.set(database=name).render_as_string(
        hide_password=False
    )


_own_server_database()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """No test ever touches the real data folder or an outside database URL."""
    home = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home))
    monkeypatch.delenv("SODESK_DATABASE_URL", raising=False)


@pytest.fixture
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small costs: the same code path, a hundredth of the time."""
    from argon2 import PasswordHasher

    from desktop_app.services import staff

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(staff, "_hasher", quick)
    monkeypatch.setattr(staff, "_DUMMY_HASH", quick.hash("dummy"))


@pytest.fixture
def cli_admin(monkeypatch: pytest.MonkeyPatch, quick_hashes: None) -> Callable[[Path], None]:
    """Give a clinic database its first administrator, whose password the environment
    carries as a script would pass it; the CLI then takes ``*CLI_USER``."""
    from tests.stores import add_cli_admin

    monkeypatch.setenv("SODESK_PASSWORD", CLI_PASSWORD)
    return add_cli_admin


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sodesk-test.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = open_store(db_path, create=True, staff="テスト担当")
    yield s
    s.close()


@pytest.fixture
def make_case(store: Store) -> Callable[..., CaseDetail]:
    """Create a case through the real service; keyword arguments override the defaults."""

    def factory(
        name: str = "山田　太郎",
        furigana: str = "ヤマダ　タロウ",
        birth_date: dt.date | None = dt.date(1970, 3, 15),
        attendance: Attendance = Attendance.PATIENT,
        relationship: Relationship = Relationship.SELF,
        **overrides: object,
    ) -> CaseDetail:
        new = NewCase(
            patient=NewPatient(
                name=name,
                furigana=furigana,
                birth_date=birth_date,
                sex=Sex.MALE,
                postal_code="0530022",
                address="北海道苫小牧市表町1-1-1",
                phone="0144-11-2233",
            ),
            caller=NewCaller(name="山田　花子", relationship=relationship)
            if relationship != Relationship.SELF
            else None,
            referrer=NewReferrer(
                institution="みなと内科クリニック", department="内科", doctor="北村 誠司"
            ),
            attendance=attendance,
            consultation="手術か薬物療法かで迷っている",
        )
        if overrides:
            from dataclasses import replace

            new = replace(new, **overrides)
        return create_case(store, new)

    return factory


@pytest.fixture
def make_case_in() -> Callable[[Store, int], CaseDetail]:
    """A minimal case (a patient calling for themselves) in any store, numbered by ``k``."""

    def factory(target: Store, k: int = 0) -> CaseDetail:
        return create_case(
            target, NewCase(patient=NewPatient(name=f"患者　{k}", furigana="カンジャ　イチ"))
        )

    return factory


def folder_state(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes), link (where it points) and folder (None) under ``folder``."""

    def state(p: Path) -> bytes | None:
        if p.is_symlink():
            return b"-> " + str(p.readlink()).encode()
        return None if p.is_dir() else p.read_bytes()

    return {str(p.relative_to(folder)): state(p) for p in sorted(folder.rglob("*"))}


@pytest.fixture
def folder_snapshot() -> Callable[[Path], dict[str, bytes | None]]:
    return folder_state


def _can_write_in(folder: Path) -> bool:
    probe = folder / ".write-probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Make a folder read-only for this process (POSIX only).

    chmod is not enough for root, who writes anyway; there the folder is made immutable
    with chattr. Skips the test when neither works. Undone after the test.
    """
    undo: list[Callable[[], object]] = []

    def make(folder: Path) -> None:
        if os.name != "posix":
            pytest.skip("read-only folders are tested on POSIX")
        mode = folder.stat().st_mode
        os.chmod(folder, 0o555)
        undo.append(lambda: os.chmod(folder, mode))
        chattr = shutil.which("chattr")
        if (
            _can_write_in(folder)
            and chattr
            and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
        ):
            undo.append(lambda: subprocess.run([chattr, "-i", str(folder)], check=True))
        if _can_write_in(folder):
            pytest.skip("cannot make a folder read-only for this user")

    yield make
    for step in reversed(undo):
        step()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """The bad-input tests log and print lone surrogates on purpose; pytest-xdist sends each
    report's captured output to the main process as UTF-8, which cannot carry them."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    report.sections = [(title, _utf8_safe(text)) for title, text in report.sections]
    if isinstance(report.longrepr, str):
        report.longrepr = _utf8_safe(report.longrepr)


def _utf8_safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
