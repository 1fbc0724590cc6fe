"""sodesk backup / sodesk restore: one line out, one line on error, the window's lock honoured."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile

from desktop_app.cli import main
from desktop_app.services.backup import default_backup_folder
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.store import open_store
from tests.stores import CLI_USER


def add_case(db: Path, name: str = "受付　花子", furigana: str = "ウケツケ　ハナコ") -> str:
    store = open_store(db)
    try:
        patient = NewPatient(name=name, furigana=furigana)
        return create_case(store, NewCase(patient=patient)).case_number
    finally:
        store.close()


def case_count(db: Path) -> int:
    store = open_store(db)
    try:
        return search_cases(store).total
    finally:
        store.close()


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def db(tmp_path: Path, cli_admin) -> Path:
    path = tmp_path / "clinic.db"
    assert main(["init", "--db", str(path)]) == 0
    cli_admin(path)
    add_case(path)
    return path


def test_backup_to_the_default_folder_and_to_a_file(db: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["backup", "--db", str(db), *CLI_USER]) == 0
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1
    assert out.startswith("バックアップを作成しました: ")
    made = [p for p in default_backup_folder().iterdir() if not p.name.endswith(".witness.json")]
    assert len(made) == 1
    assert str(made[0]) in out
    target = tmp_path / "copy.db"
    assert main(["--db", str(db), "backup", *CLI_USER, "-o", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert target.exists()
    assert main(["backup", "--db", str(db), *CLI_USER, "-o", str(target)]) == 1
    assert "既にあります" in one_line_error(capsys)


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "none.db"
    assert main(["backup", "--db", str(missing), *CLI_USER]) == 1
    assert "データベースがありません" in one_line_error(capsys)
    assert not missing.exists()


def test_restore_keeps_the_current_database_and_says_where(
    db: Path, tmp_path: Path, capsys
) -> None:
    backup = tmp_path / "before.db"
    assert main(["backup", "--db", str(db), *CLI_USER, "-o", str(backup)]) == 0
    later = add_case(db, "後藤　二郎", "ゴトウ　ジロウ")
    assert case_count(db) == 2
    capsys.readouterr()
    assert main(["restore", str(backup), "--db", str(db), *CLI_USER]) == 0
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1
    assert out.startswith("復元しました: ")
    aside = next(db.parent.glob("clinic.before-restore-*.db"))
    assert str(aside) in out
    assert case_count(db) == 1
    with closing(sqlite3.connect(aside)) as connection:
        numbers = [row[0] for row in connection.execute("SELECT case_number FROM cases")]
    assert later in numbers
    assert not db.with_name("clinic.db.lock").exists()  # released after the restore


def test_restore_refuses_while_the_window_has_the_database_open(
    db: Path, tmp_path: Path, capsys
) -> None:
    backup = tmp_path / "b.db"
    assert main(["backup", "--db", str(db), *CLI_USER, "-o", str(backup)]) == 0
    add_case(db, "後藤　二郎", "ゴトウ　ジロウ")
    window_lock = QLockFile(f"{db}.lock")
    assert window_lock.tryLock(0)
    try:
        capsys.readouterr()
        assert main(["restore", str(backup), "--db", str(db), *CLI_USER]) == 1
        assert "開いています" in one_line_error(capsys)
        assert case_count(db) == 2
        assert not list(db.parent.glob("*.before-restore-*"))
    finally:
        window_lock.unlock()
    assert main(["restore", str(backup), "--db", str(db), *CLI_USER]) == 0
    assert case_count(db) == 1


def test_restore_refusals_are_one_line(db: Path, tmp_path: Path, capsys) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    newer = tmp_path / "newer.db"
    shutil.copyfile(db, newer)
    with closing(sqlite3.connect(newer)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num='9999'")
    cases = [
        (["restore", str(text), "--db", str(db), *CLI_USER], "ではありません"),
        (["restore", str(tmp_path / "missing.db"), "--db", str(db), *CLI_USER], "ありません"),
        (["restore", str(newer), "--db", str(db), *CLI_USER], "新しいバージョン"),
        (["restore", "--db", str(db)], "required"),
        (["restore", str(newer), "--db", str(db)], "--user"),
        (
            ["backup", "--db", str(db), *CLI_USER, "-o", str(tmp_path / "no" / "x.db")],
            "フォルダがありません",
        ),
    ]
    for argv, needle in cases:
        capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code
        assert code != 0, argv
        assert needle in one_line_error(capsys), argv
    assert case_count(db) == 1
    assert not list(db.parent.glob("*.before-restore-*"))


def test_restore_onto_a_new_machine(db: Path, tmp_path: Path, capsys) -> None:
    backup = tmp_path / "b.db"
    assert main(["backup", "--db", str(db), *CLI_USER, "-o", str(backup)]) == 0
    fresh = tmp_path / "new-pc" / "data" / "sodesk.db"
    assert main(["restore", str(backup), "--db", str(fresh), *CLI_USER]) == 0
    assert "元のデータベースはありませんでした" in capsys.readouterr().out
    assert case_count(fresh) == 1
