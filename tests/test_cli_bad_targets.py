"""Bad targets and bad bytes on the command line: one Japanese line and exit 1, every command.

- ``--db`` naming what can hold no data (another kind of database, a URL no driver knows, a
  database in memory, a path too long for SQLite) is refused before anything is opened;
- a database file with a damaged page is refused with the restore hint before anything is
  read or written (``PRAGMA quick_check`` when a command opens it);
- ``--user`` with bytes that are not UTF-8 (the process's argv really holds them) is refused
  in one line, not a UnicodeEncodeError.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.stores import CLI_PASSWORD, CLI_USER, open_test_store

COMMANDS = {
    "init": ["init"],
    "check": ["check"],
    "print": ["print", "referral", *CLI_USER, "-o", "out.pdf"],
    "backup": ["backup", *CLI_USER, "-o", "copy.db"],
    "restore": ["restore", "copy.db", *CLI_USER],
    "export": ["export", "cases", *CLI_USER, "-o", "out.csv"],
    "recover-admin": ["recover-admin", "kanri"],
    "demo": ["demo", "--cases", "2"],
    "window": [],  # the plain start that opens the window
}
LONG_PATH = "a" * 5000
TARGETS = {
    "mysql": ("mysql://clerk@server/sodesk", "「mysql」のデータベースには対応していません"),
    "foo": ("foo://bar", "「foo」のデータベースには対応していません"),
    "long path": (LONG_PATH, "長すぎます"),
    "long sqlite url": (f"sqlite:///{LONG_PATH}", "長すぎます"),
    "memory": ("sqlite://", "メモリ上のデータベース"),
    "memory by name": ("sqlite:///:memory:", "メモリ上のデータベース"),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SODESK_PASSWORD", CLI_PASSWORD)
    return tmp_path


@pytest.fixture
def clinic(workdir: Path, cli_admin: Callable[[Path], None]) -> Path:
    """The clinic's database in the working folder: an administrator and 40 cases, enough
    rows for the cases table to fill several pages."""
    from desktop_app.services.cases import create_case
    from desktop_app.services.dto import NewCase, NewPatient

    store = open_test_store(workdir / "clinic.db")
    for k in range(40):
        create_case(store, NewCase(patient=NewPatient(name=f"患者　{k}", furigana="カンジャ")))
    store.close()
    cli_admin(workdir / "clinic.db")
    return workdir / "clinic.db"


def _one_line_exit_1(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 1, (code, out, err)
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in out + err and "予期しない" not in err, err
    return err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_a_target_that_can_hold_no_data_is_one_line_for_every_command(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    target: str,
) -> None:
    import desktop_app.ui.app

    def no_window(_store: object) -> int:  # a tripwire: a refused target opens no window
        raise AssertionError("the window was opened")

    monkeypatch.setattr(desktop_app.ui.app, "run_gui", no_window)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # the window's start gets that far
    url, expected = TARGETS[target]
    err = _one_line_exit_1([*COMMANDS[command], "--db", url], capsys)
    assert expected in err
    assert len(err) < 300, "the message does not repeat a 5,000-character path"
    assert not (workdir / LONG_PATH[:200]).exists()


def _zero_a_page_of_the_cases(database: Path) -> int:
    """Overwrite, with plain file writes, one page that holds case rows (never page 1)."""
    with sqlite3.connect(database) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'cases'"
        ).fetchone()[0]
        assert connection.execute("SELECT count(*) FROM cases").fetchone()[0] == 40
    connection.close()
    assert root > 1
    with database.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(bytes(page_size))
    return root


@pytest.mark.parametrize("command", ["init", "export", "print", "recover-admin", "backup"])
def test_a_database_with_a_damaged_page_is_refused_with_the_restore_hint(
    workdir: Path, clinic: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    database = clinic
    _zero_a_page_of_the_cases(database)
    damaged = database.read_bytes()
    err = _one_line_exit_1([*COMMANDS[command], "--db", str(database)], capsys)
    assert "データベースが壊れています" in err and "sodesk restore" in err, err
    assert database.read_bytes() == damaged, "nothing was written to the damaged file"
    assert not (workdir / "out.pdf").exists() and not (workdir / "out.csv").exists()


@pytest.mark.skipif(os.name != "posix", reason="argv of bytes: POSIX")
@pytest.mark.parametrize("command", ["export", "print"])
def test_a_user_name_that_is_not_utf8_is_one_line(
    workdir: Path, clinic: Path, command: str
) -> None:
    """``--user $'\\xff'``: Python makes '\\udcff' of the byte, which no encoding stores."""
    argv = [b"\xff" if word == "kanri" else word for word in COMMANDS[command]]
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *argv, "--db", str(clinic)],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=60,
        cwd=workdir,
        env={**os.environ, "XDG_DATA_HOME": str(workdir / "data")},
    )
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "ログインID" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "予期しない" not in result.stderr
