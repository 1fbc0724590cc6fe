"""Files the commands write: never over a database, a backup or the store's own files, never
over an existing file unless --overwrite, private (0600), and no temp file left behind."""

from __future__ import annotations

import hashlib
import logging
import logging.handlers
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.services.backup import default_backup_folder
from desktop_app.services.sqlite_copy import SQLITE_HEADER
from desktop_app.services.staff import has_accounts
from desktop_app.services.store import open_store
from tests.stores import CLI_USER

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

# Each command that writes a file the clerk names, as its argv before the target.
WRITERS = {
    "print": ["print", "referral"],
    "export cases": ["export", "cases"],
    "export payments": ["export", "payments"],
    "export stats": ["export", "stats"],
    "report": ["report", "--month", "2026-11"],
}
TARGETS = ("db", "wal", "backup", "symlink-to-db", "existing", "folder", "backup-name")


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clinic database with its first administrator, made once for the module."""
    from desktop_app.services import staff
    from tests.stores import add_cli_admin

    path = tmp_path_factory.mktemp("template") / "clinic.db"
    with pytest.MonkeyPatch.context() as patch:
        quick = staff.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        patch.setattr(staff, "_hasher", quick)
        open_store(path, create=True).close()
        add_cli_admin(path)
    return path


@pytest.fixture
def clinic(_template: Path, tmp_path: Path, cli_admin) -> Path:
    path = tmp_path / "clinic" / "clinic.db"
    path.parent.mkdir()
    shutil.copyfile(_template, path)
    return path


@pytest.fixture(autouse=True)
def _umask() -> Iterator[None]:
    """The usual umask, whatever the test runner's: files would be 0644 without our care."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _target(kind: str, clinic: Path, tmp_path: Path, capsys) -> Path:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    if kind == "db":
        return clinic
    if kind == "wal":
        return Path(f"{clinic}-wal")  # appears while the command has the store open
    if kind == "backup":
        target = out / "copy.pdf"  # a backup, whatever its name
        assert main(["backup", "--db", str(clinic), *CLI_USER, "-o", str(target)]) == 0
        capsys.readouterr()
        return target
    if kind == "symlink-to-db":
        link = out / "link.csv"
        link.symlink_to(clinic)
        return link
    if kind == "existing":
        target = out / "old.csv"
        target.write_bytes(b"the clerk's own file")
        return target
    if kind == "folder":
        target = out / "folder"
        target.mkdir()
        return target
    if kind == "backup-name":
        folder = default_backup_folder()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "sodesk-20261203-093000.db"
    raise ValueError(kind)


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp") or ".tmp-" in p.name]


def _refused(argv: list[str], capsys) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 1, f"exit {code}: {argv}"
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _database_is_whole(clinic: Path) -> None:
    """Still SQLite, still opens, its administrator still there."""
    assert clinic.read_bytes().startswith(SQLITE_HEADER)
    store = open_store(clinic)
    try:
        assert has_accounts(store)
    finally:
        store.close()


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_command_never_writes_over_a_database_a_backup_or_an_existing_file(
    writer: str, clinic: Path, tmp_path: Path, capsys
) -> None:
    """Each kind of target, without and with --overwrite: only an ordinary file is replaced,
    and only when asked."""
    base = [*WRITERS[writer], "--db", str(clinic), *CLI_USER, "-o"]
    for kind in TARGETS:
        target = _target(kind, clinic, tmp_path, capsys)
        before = _digest(target) if kind in ("backup", "existing") else None
        err = _refused([*base, str(target)], capsys)
        assert target.name in err, (kind, err)  # the message names the file
        if kind == "existing":
            assert "既にあります" in err and "--overwrite" in err
            assert _digest(target) == before
            continue
        err = _refused([*base, str(target), "--overwrite"], capsys)
        assert target.name in err, (kind, err)
        if before is not None:
            assert _digest(target) == before, kind
        if kind == "backup-name":
            assert not target.exists()
        _database_is_whole(clinic)
    assert _temps(tmp_path) == []


@posix_only
@pytest.mark.parametrize("writer", list(WRITERS))
def test_overwrite_replaces_an_ordinary_file_and_every_output_is_private(
    writer: str, clinic: Path, tmp_path: Path, capsys
) -> None:
    # An export's format follows its suffix (.csv or .xlsx); the others take any name.
    suffix = ".csv" if writer.startswith("export") else ".out"
    fresh = tmp_path / f"fresh{suffix}"
    assert main([*WRITERS[writer], "--db", str(clinic), *CLI_USER, "-o", str(fresh)]) == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    old = tmp_path / f"old{suffix}"
    old.write_bytes(b"old")
    old.chmod(0o644)
    argv = [*WRITERS[writer], "--db", str(clinic), *CLI_USER, "-o", str(old), "--overwrite"]
    assert main(argv) == 0, capsys.readouterr().err
    assert old.read_bytes() != b"old"
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert _temps(tmp_path) == []


def test_a_symlink_to_an_ordinary_file_is_followed_with_overwrite(
    clinic: Path, tmp_path: Path, capsys
) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    assert main(["print", "referral", "--db", str(clinic), *CLI_USER, "-o", str(link)]) == 1
    assert real.read_bytes() == b"old"
    argv = ["print", "referral", "--db", str(clinic), *CLI_USER, "-o", str(link), "--overwrite"]
    assert main(argv) == 0
    assert link.is_symlink() and real.read_bytes().startswith(b"%PDF")


# The log and the lock file -----------------------------------------------------------------


@posix_only
def test_the_log_and_its_rotated_files_are_private(monkeypatch, tmp_path: Path) -> None:
    from desktop_app import cli
    from desktop_app.services.store import data_dir

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # pytest's own capture would stop the setup
    level = root.level
    try:
        cli._configure_logging()
        (handler,) = root.handlers
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        logging.getLogger("desktop_app.test").warning("患者　山田")
        handler.doRollover()
        logging.getLogger("desktop_app.test").warning("患者　佐藤")
        handler.flush()
    finally:
        for h in root.handlers:
            h.close()
        root.setLevel(level)
    log = data_dir() / cli.LOG_FILE
    for path in (log, Path(f"{log}.1")):
        assert path.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@posix_only
def test_an_older_log_is_made_private_when_opened(monkeypatch) -> None:
    from desktop_app import cli
    from desktop_app.services.store import data_dir

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / cli.LOG_FILE
    for path in (log, Path(f"{log}.2")):
        path.write_text("older version\n", encoding="utf-8")
        path.chmod(0o644)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    level = root.level
    try:
        cli._configure_logging()
        logging.getLogger("desktop_app.test").warning("again")
    finally:
        for h in root.handlers:
            h.close()
        root.setLevel(level)
    for path in (log, Path(f"{log}.2")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@posix_only
def test_the_window_lock_file_is_private(clinic: Path) -> None:
    from desktop_app.ui.single_instance import acquire, lock_path

    lock = acquire(clinic)
    assert lock is not None
    try:
        assert stat.S_IMODE(Path(lock_path(clinic)).stat().st_mode) == 0o600
    finally:
        lock.unlock()


# Temp files of a backup that was killed ----------------------------------------------------

_MAKE_TEMP = """
import sys, time
from pathlib import Path
from desktop_app.services.sqlite_copy import private_temp
temp = private_temp(Path(sys.argv[1]))
Path(f"{temp}-journal").write_bytes(b"x" * 4096)
temp.write_bytes(b"SQLite format 3\\x00" + bytes(8192))
print(temp, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_killed_backups_temp_files_are_removed_by_the_next_backup(
    clinic: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    # A process that died mid-copy (SIGKILL: no finally ran), its temp half written.
    child = subprocess.Popen(
        [sys.executable, "-c", _MAKE_TEMP, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    left = Path(child.stdout.readline().strip())
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert left.exists() and left.name.startswith(f".sodesk-{child.pid}-")
    # A backup running now in another process of ours: its temp must stay.
    from desktop_app.services.sqlite_copy import private_temp

    running = private_temp(folder)
    # One from an older version (no pid in the name), two days old.
    old = folder / ".sodesk-abc123.tmp"
    old.write_bytes(b"old")
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    os.utime(old, (two_days_ago, two_days_ago))

    assert main(["backup", "--db", str(clinic), *CLI_USER, "-o", str(folder / "today.db")]) == 0
    capsys.readouterr()
    assert (folder / "today.db").is_file()
    assert [p.name for p in folder.iterdir() if p.name.startswith(".sodesk-")] == [running.name]
    running.unlink()
