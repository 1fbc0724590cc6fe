"""sodesk check writes nothing (issue #22 item 6): a backup keeps its bytes and its journal mode,
a live database is left without -wal or -shm; and check and demo say what really happened
(item 12: a terminal that cannot show Japanese, a read-only folder)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from desktop_app.cli import main
from tests.db_templates import copy_of
from tests.stores import CLI_USER


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def journal(path: Path) -> bytes:
    """The header's file format bytes: 1,1 for a rollback journal (DELETE), 2,2 for WAL."""
    return path.read_bytes()[18:20]


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f"{path.name}-"))


@pytest.fixture
def db(tmp_path: Path, tmp_path_factory, cli_admin) -> Path:
    return copy_of("clinic", tmp_path_factory, tmp_path / "live" / "clinic.db")


def test_check_leaves_a_backup_byte_for_byte(db: Path, tmp_path: Path, capsys) -> None:
    backup = tmp_path / "usb" / "b.db"
    backup.parent.mkdir()
    assert main(["backup", "--db", str(db), *CLI_USER, "-o", str(backup)]) == 0
    assert journal(backup) == b"\x01\x01"
    before, mtime = sha(backup), backup.stat().st_mtime_ns
    assert main(["check", "--db", str(backup)]) == 0
    assert journal(backup) == b"\x01\x01", "check switched the backup to WAL"
    assert sha(backup) == before
    assert backup.stat().st_mtime_ns == mtime
    assert side_files(backup) == []


def test_check_leaves_a_live_wal_database_as_it_was(db: Path, capsys) -> None:
    assert journal(db) == b"\x02\x02"
    before = sha(db)
    assert side_files(db) == []
    assert main(["check", "--db", str(db)]) == 0
    assert journal(db) == b"\x02\x02"
    assert sha(db) == before
    assert side_files(db) == []


def test_check_opens_the_file_read_only(db: Path, tmp_path: Path, monkeypatch) -> None:
    """Whatever check asks of SQLite, the connection itself cannot write."""
    from desktop_app.services import maintenance

    urls: list[str] = []
    real = maintenance.make_engine

    def spy(url, **kwargs):  # type: ignore[no-untyped-def]
        urls.append(unquote(str(url)))
        return real(url, **kwargs)

    monkeypatch.setattr(maintenance, "make_engine", spy)
    assert maintenance.check_database(str(db)).ok
    assert urls and all("mode=ro" in u for u in urls), urls


def _run(db: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "check", "--db", str(db)],
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
    )


def test_check_exits_by_the_result_on_a_terminal_without_japanese(db: Path) -> None:
    done = _run(db, PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"?" in done.stdout and b"Traceback" not in done.stderr


def test_demo_in_a_read_only_folder_names_the_folder(
    tmp_path: Path, capsys, make_read_only
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    demo = folder / "demo.db"
    assert main(["demo", "--db", str(demo), "--cases", "2"]) == 0
    before = demo.read_bytes()
    make_read_only(folder)
    capsys.readouterr()
    assert main(["demo", "--db", str(demo), "--cases", "2"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "開いています" not in err
    assert "書き込めません" in err and str(folder) in err
    assert demo.read_bytes() == before
