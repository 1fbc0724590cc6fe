"""sodesk restore as the documented way out (issue #22 items 2-5 and 12): the damaged database
is rescued by the command the message names, the line says what came back, and a backup of
another database (the demo's above all) is refused before anything changes."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.services.demo_mark import DEMO_MARK
from desktop_app.services.store import open_store
from tests.db_templates import copy_of
from tests.stores import CLI_USER


def cases(path: Path) -> int:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return int(c.execute("SELECT count(*) FROM cases").fetchone()[0])


def one_line(text: str) -> str:
    text = text.strip()
    assert len(text.splitlines()) == 1, text
    assert "Traceback" not in text
    return text


@pytest.fixture
def db(tmp_path: Path, tmp_path_factory, cli_admin) -> Path:
    """The clinic's database: its administrator (``*CLI_USER``) and three cases."""
    return copy_of("clinic", tmp_path_factory, tmp_path / "clinic.db")


@pytest.fixture
def backup(db: Path, tmp_path: Path, capsys) -> Path:
    made = tmp_path / "b.db"
    assert main(["backup", "--db", str(db), *CLI_USER, "-o", str(made)]) == 0
    capsys.readouterr()
    return made


def test_a_truncated_database_is_rescued_by_the_command_its_message_names(
    db: Path, backup: Path, capsys
) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 100])
    assert main(["export", "cases", "--db", str(db), *CLI_USER, "-o", "x.csv"]) == 1
    assert "sodesk restore" in one_line(capsys.readouterr().err)
    assert main(["restore", str(backup), "--db", str(db), *CLI_USER]) == 0
    out = one_line(capsys.readouterr().out)
    assert out.startswith("復元しました: ")
    assert "案件 3 件" in out
    assert "開けない" in out and "recovery:" in out
    aside = next(db.parent.glob("clinic.before-restore-*.db"))
    assert aside.read_bytes() == data[: len(data) // 2 + 100]
    assert cases(db) == 3
    assert main(["check", "--db", str(db)]) == 0


def test_the_line_says_how_many_cases_came_back(db: Path, backup: Path, capsys) -> None:
    assert main(["restore", str(backup), "--db", str(db), *CLI_USER]) == 0
    out = one_line(capsys.readouterr().out)
    assert "案件 3 件" in out and "入金 0 件" in out


def test_a_tampered_backup_is_refused_with_its_first_problem(
    db: Path, backup: Path, capsys
) -> None:
    with closing(sqlite3.connect(backup)) as c, c:
        c.execute("UPDATE patients SET name = '改ざん　太郎' WHERE id = 3")
    assert main(["restore", str(backup), "--db", str(db), *CLI_USER]) == 1
    err = one_line(capsys.readouterr().err)
    assert "患者" in err and "--accept-problems" in err
    assert cases(db) == 3
    assert not list(db.parent.glob("*.before-restore-*"))
    argv = ["restore", str(backup), "--db", str(db), *CLI_USER, "--accept-problems"]
    assert main(argv) == 0
    assert "問題" in one_line(capsys.readouterr().out)


def test_a_demo_backup_is_refused_over_the_clinic_database(
    db: Path, tmp_path: Path, tmp_path_factory, capsys
) -> None:
    demo = copy_of("demo", tmp_path_factory, tmp_path / "demo.db")
    demo_backup = tmp_path / "demo-backup.db"
    store = open_store(demo)
    try:
        from desktop_app.services.backup import backup_database

        backup_database(store, demo_backup)
    finally:
        store.close()
    capsys.readouterr()
    for extra in ([], ["--other-database"]):
        assert main(["restore", str(demo_backup), "--db", str(db), *CLI_USER, *extra]) == 1
        assert "デモ" in one_line(capsys.readouterr().err)
    assert cases(db) == 3


def test_another_clinics_backup_needs_the_flag(
    db: Path, tmp_path: Path, tmp_path_factory, capsys
) -> None:
    foreign = copy_of("other", tmp_path_factory, tmp_path / "other-backup.db")
    capsys.readouterr()
    assert main(["restore", str(foreign), "--db", str(db), *CLI_USER]) == 1
    assert "--other-database" in one_line(capsys.readouterr().err)
    assert cases(db) == 3
    assert main(["restore", str(foreign), "--db", str(db), *CLI_USER, "--other-database"]) == 0
    assert "別のデータベース" in one_line(capsys.readouterr().out)
    assert cases(db) == 1


def test_a_forged_demo_mark_lets_no_one_in_without_a_password(
    db: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    with closing(sqlite3.connect(db)) as c, c:
        c.execute("INSERT INTO settings (key, value) VALUES (?, 'true')", (DEMO_MARK,))
    monkeypatch.delenv("SODESK_PASSWORD")
    out = tmp_path / "cases.csv"
    assert main(["export", "cases", "--db", str(db), "-o", str(out)]) == 1
    assert "--user" in one_line(capsys.readouterr().err)
    assert not out.exists()
    assert main(["check", "--db", str(db)]) == 1
    assert "デモ" in capsys.readouterr().out


def test_a_demo_with_staff_of_its_own_asks_who_works(
    tmp_path: Path, tmp_path_factory, capsys, quick_hashes
) -> None:
    from desktop_app.domain.roles import Role
    from desktop_app.services.staff_admin import add_account

    demo = copy_of("demo", tmp_path_factory, tmp_path / "demo.db")
    store = open_store(demo)
    try:
        add_account(store, "suzuki", "鈴木 一郎", Role.ADMIN, "temp-pass-1", "temp-pass-1")
    finally:
        store.close()
    capsys.readouterr()
    out = tmp_path / "cases.csv"
    assert main(["export", "cases", "--db", str(demo), "-o", str(out)]) == 1
    assert "--user" in one_line(capsys.readouterr().err)
    assert not out.exists()


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_restore_onto_a_dangling_link_is_refused(backup: Path, tmp_path: Path, capsys) -> None:
    link = tmp_path / "link.db"
    far = tmp_path / "far" / "sodesk.db"
    far.parent.mkdir()
    link.symlink_to(far)
    assert main(["restore", str(backup), "--db", str(link)]) == 1
    assert "リンク" in one_line(capsys.readouterr().err)
    assert not far.exists()
