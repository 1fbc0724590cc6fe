"""write_output: never over a database, a backup or the store's own files; an existing file
only when asked; private (0600); never half a file, and no temp file left on any failure."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.services.backup import default_backup_folder
from desktop_app.services.export import export_payments
from desktop_app.services.output_files import (
    OutputFailed,
    OutputRefused,
    staged_output,
    write_output,
)
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.sqlite_copy import _host_tag, private_temp, remove_stale_temps
from desktop_app.services.store import Store, open_store

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and links")
PDF = b"%PDF-1.4 a form\n"


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sodesk-test.db"
    open_store(path, create=True).close()
    return path


@pytest.fixture
def store(_template: Path, db_path: Path) -> Iterator[Store]:
    """A fresh copy of one empty database (creating each takes a second)."""
    shutil.copyfile(_template, db_path)
    opened = open_store(db_path, staff="テスト担当")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _no_umask() -> Iterator[None]:
    """umask 0: a file made the ordinary way would be 0666, so only our care makes it 0600."""
    old = os.umask(0)
    yield
    os.umask(old)


def _folder_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _backup_copy(store: Store, target: Path) -> Path:
    assert store.file is not None
    with closing(sqlite3.connect(store.file)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def _make(kind: str, store: Store, out: Path) -> Path:
    """A target of ``kind`` (made as the clerk's mistakes would make it)."""
    db = store.file
    assert db is not None
    if kind == "database":
        return db
    if kind in ("-wal", "-shm", "-journal", ".lock"):
        return Path(f"{db}{kind}")
    if kind == "backup-named-pdf":
        return _backup_copy(store, out / "form.pdf")
    if kind == "other-database-wal":
        other = _backup_copy(store, out / "other.db")
        return Path(f"{other}-wal")
    if kind == "wal-renamed":
        target = out / "old-log.csv"
        target.write_bytes(b"\x37\x7f\x06\x82" + bytes(60))
        return target
    if kind == "pg-dump":
        target = out / "server.csv"
        target.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(60))
        return target
    if kind == "symlink-to-database":
        link = out / "link.pdf"
        link.symlink_to(db)
        return link
    if kind == "hard-link-to-database":
        link = out / "hard.pdf"
        os.link(db, link)
        return link
    if kind == "folder":
        folder = out / "folder.pdf"
        folder.mkdir()
        return folder
    if kind == "dangling-symlink":
        link = out / "gone.pdf"
        link.symlink_to(out / "nowhere" / "x.pdf")
        return link
    if kind == "default-backup-name":
        folder = default_backup_folder()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "sodesk-20261203-093000.db"
    if kind == "chosen-backup-name":
        folder = out / "usb"
        folder.mkdir()
        update_settings(store, dataclasses.replace(get_settings(store), backup_folder=str(folder)))
        return folder / "sodesk-20261203-093000-2.dump"
    raise ValueError(kind)


REFUSED_EVEN_WITH_OVERWRITE = [
    "database",
    "-wal",
    "-shm",
    "-journal",
    ".lock",
    "backup-named-pdf",
    "other-database-wal",
    "wal-renamed",
    "pg-dump",
    "symlink-to-database",
    "hard-link-to-database",
    "folder",
    "dangling-symlink",
    "default-backup-name",
    "chosen-backup-name",
]


@posix_only
@pytest.mark.parametrize("overwrite", [False, True])
def test_refused_targets_are_never_written(store: Store, tmp_path: Path, overwrite: bool) -> None:
    out = tmp_path / "out"
    out.mkdir()
    from desktop_app.services.cases import create_case
    from desktop_app.services.dto import NewCase, NewPatient

    create_case(store, NewCase(patient=NewPatient(name="山田　太郎", furigana="ヤマダ　タロウ")))
    assert store.file is not None and Path(f"{store.file}-wal").exists()
    refused = []
    for kind in REFUSED_EVEN_WITH_OVERWRITE:
        target = _make(kind, store, out)
        before = {p: _state(p) for p in (target.parent, store.file.parent)}
        with pytest.raises(OutputRefused) as caught:
            write_output(target, PDF, store=store, overwrite=overwrite)
        assert str(target) in caught.value.message or target.name in caught.value.message, kind
        assert "\n" not in caught.value.message
        assert caught.value.field == "path"
        for folder, state in before.items():
            assert _state(folder) == state, (kind, folder)
        refused.append(kind)
    assert refused == REFUSED_EVEN_WITH_OVERWRITE
    # The store still works: its files were never touched.
    assert get_settings(store) is not None


def _state(folder: Path) -> dict[str, object]:
    """Every entry's name and kind (with a file's bytes, except the live -wal and -shm)."""

    def of(p: Path) -> object:
        if p.is_symlink():
            return ("link", os.readlink(p))
        if p.is_dir():
            return "folder"
        if p.name.endswith(("-wal", "-shm")) or p.suffix == ".db":
            return "database"
        return p.read_bytes()

    return {p.name: of(p) for p in folder.iterdir()}


def test_an_existing_file_is_replaced_only_when_asked(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "form.pdf"
    target.write_bytes(b"the clerk's letter")
    with pytest.raises(OutputRefused, match=r"既にあります.*--overwrite"):
        write_output(target, PDF, store=store)
    assert target.read_bytes() == b"the clerk's letter"
    assert write_output(target, PDF, store=store, overwrite=True) == target
    assert target.read_bytes() == PDF
    assert list(tmp_path.glob("*.tmp")) == list(tmp_path.glob(".*.tmp")) == []


@posix_only
def test_written_files_are_private_whatever_the_umask(store: Store, tmp_path: Path) -> None:
    new = write_output(tmp_path / "new.pdf", PDF, store=store)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    old = tmp_path / "old.pdf"
    old.write_bytes(b"old")
    old.chmod(0o644)
    write_output(old, PDF, store=store, overwrite=True)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


@posix_only
def test_a_symlink_to_an_ordinary_file_writes_where_it_leads(store: Store, tmp_path: Path) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    with pytest.raises(OutputRefused, match=r"link\.pdf"):
        write_output(link, PDF, store=store)
    assert write_output(link, PDF, store=store, overwrite=True) == real
    assert link.is_symlink() and real.read_bytes() == PDF


def test_a_failing_writer_leaves_the_old_file_and_no_temp(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "cases.csv"
    target.write_bytes(b"yesterday's")

    def half_then_fail(file: IO[bytes]) -> None:
        file.write(b"half a fi")
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError):
        write_output(target, half_then_fail, store=store, overwrite=True)
    assert _folder_files(out) == {"cases.csv"}
    assert target.read_bytes() == b"yesterday's"


def test_a_missing_folder_is_one_japanese_sentence(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "ない" / "form.pdf"
    with pytest.raises(OutputFailed, match="書き込めません（保存先のフォルダがありません）"):
        write_output(target, PDF, store=store)
    assert not target.parent.exists()


def test_a_file_that_appears_meanwhile_is_not_replaced(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "form.pdf"
    with (
        pytest.raises(OutputRefused, match="既にあります"),
        staged_output(target, store=store) as staged,
    ):
        with staged.open_binary() as out:
            out.write(PDF)
        target.write_bytes(b"another desk's")  # between the check and the rename
        staged.place()
    assert target.read_bytes() == b"another desk's"
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_database_that_appears_meanwhile_is_not_replaced_even_with_overwrite(
    store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "copy.pdf"
    with (
        pytest.raises(OutputRefused, match="データベース"),
        staged_output(target, store=store, overwrite=True) as staged,
    ):
        with staged.open_binary() as out:
            out.write(PDF)
        _backup_copy(store, target)
        staged.place()
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


# The CSV exports -----------------------------------------------------------------------------


def _export_entries(store: Store) -> int:
    with store.read() as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.EXPORT_CSV)
        )


def test_an_export_replaces_a_file_only_with_overwrite(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "payments.csv"
    target.write_bytes(b"last month's")
    with pytest.raises(OutputRefused, match="既にあります"):
        export_payments(store, target, date_from=None, date_to=None)
    assert target.read_bytes() == b"last month's"
    assert _export_entries(store) == 0
    export_payments(store, target, date_from=None, date_to=None, overwrite=True)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _export_entries(store) == 1


def test_an_export_onto_the_database_is_refused_and_not_recorded(store: Store) -> None:
    assert store.file is not None
    before = store.file.read_bytes()[:100]
    with pytest.raises(OutputRefused, match="データベース"):
        export_payments(store, store.file, date_from=None, date_to=None, overwrite=True)
    assert store.file.read_bytes()[:100] == before
    assert _export_entries(store) == 0


# Temp files a killed copy left behind -----------------------------------------------------------


def test_stale_temps_go_and_live_ones_stay(tmp_path: Path) -> None:
    mine = private_temp(tmp_path)  # this process runs: its temp is in use
    # A process of this machine that has ended (tests/test_cli_outputs.py kills a real one
    # holding its temp); the temp and journal it left, named as private_temp names them.
    ended = subprocess.run(
        [sys.executable, "-S", "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    dead = tmp_path / f".sodesk-{int(ended.stdout)}-{_host_tag()}-k2x9.tmp"
    dead.write_bytes(b"SQLite format 3\x00")
    Path(f"{dead}-journal").write_bytes(b"j")
    # Another machine's (the same folder on a share): a pid means nothing here; by age only.
    other_host = "000000" if _host_tag() != "000000" else "111111"
    foreign = tmp_path / f".sodesk-{dead.name.split('-')[1]}-{other_host}-abcd.tmp"
    foreign.write_bytes(b"")
    # An older version's (no pid in the name), made just now.
    elsewhere = tmp_path / ".sodesk-abcd1234.tmp"
    elsewhere.write_bytes(b"")
    orphan_journal = tmp_path / ".sodesk-xyz.tmp-wal"  # an older version's, a day old
    orphan_journal.write_bytes(b"")
    day_ago = time.time() - 25 * 60 * 60
    os.utime(orphan_journal, (day_ago, day_ago))
    unrelated = tmp_path / "sodesk-notes.tmp"
    unrelated.write_bytes(b"")

    removed = remove_stale_temps(tmp_path)
    assert {p.name for p in removed} == {dead.name, f"{dead.name}-journal", orphan_journal.name}
    assert mine.exists() and elsewhere.exists() and foreign.exists() and unrelated.exists()
    # After a day every leftover goes, whoever made it.
    later = remove_stale_temps(tmp_path, now=time.time() + 2 * 24 * 60 * 60)
    assert {p.name for p in later} == {mine.name, elsewhere.name, foreign.name}
    assert unrelated.exists()
