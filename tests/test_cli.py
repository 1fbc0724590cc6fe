from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import __version__
from desktop_app.cli import main
from tests.stores import write_not_a_database


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_the_collector_is_on_for_a_command_and_after_any_exit(tmp_path: Path, capsys) -> None:
    """main() turns the cycle collector off only while the program loads (see ui/app)."""
    seen: list[bool] = []
    gc.callbacks.append(lambda phase, _info: seen.append(phase == "start"))
    try:
        assert main(["init", "--db", str(tmp_path / "c.db")]) == 0
        assert gc.isenabled()
        with pytest.raises(SystemExit):
            main(["--version"])
        assert gc.isenabled()
    finally:
        gc.callbacks.pop()
    assert seen, "a command that makes a database ran without one collection"


def test_init_demo_check(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "c.db")
    assert main(["init", "--db", db]) == 0
    assert main(["--db", db, "check"]) == 0
    assert "正常" in capsys.readouterr().out
    demo = str(tmp_path / "demo.db")
    assert main(["demo", "--db", demo, "--cases", "12"]) == 0
    assert "12件" in capsys.readouterr().out


def test_default_demo_goes_to_its_own_file(capsys) -> None:
    assert main(["demo", "--cases", "3"]) == 0
    out = capsys.readouterr().out
    assert "sodesk-demo.db" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["demo", "--cases", "x"], "invalid int"),
        (["demo", "--cases", "200000"], "案件数"),
        (["check", "--db", "/nonexistent/none.db"], "ありません"),
        (["print", "guide", "-o", "/nonexistent/x.pdf"], "sodesk init"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(argv, needle, capsys) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code != 0
    err = capsys.readouterr().err.strip()
    assert needle in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


_COMMANDS = {
    "init": ["init"],
    "print": ["print", "referral", "-o", "{out}"],
    "demo": ["demo", "--cases", "3"],
    "check": ["check"],
    "gui": [],
    "gui-demo": ["--demo"],
}
# What must succeed; every other pair must fail with one line and change nothing.
_SUCCEEDS = {("check", "read-only")}
_NOT_APPLICABLE = {("init", "missing"), ("demo", "missing"), ("gui-demo", "missing")}


def _bad_target(kind: str, folder: Path, tmp_path: Path, make_read_only) -> Path:
    target = folder / "sodesk.db"
    if kind in ("folder", "png", "empty", "truncated"):
        whole = tmp_path / "whole.db"
        if kind == "truncated":
            assert main(["demo", "--db", str(whole), "--cases", "30"]) == 0
        write_not_a_database(target, kind, sound=whole)
    elif kind == "read-only":
        assert main(["init", "--db", str(target)]) == 0
        make_read_only(folder)
    elif kind == "missing":
        target = folder / "typo" / "sodesk.db"
    return target


@pytest.mark.parametrize("kind", ["folder", "png", "truncated", "empty", "read-only", "missing"])
@pytest.mark.parametrize("command", list(_COMMANDS))
def test_a_bad_db_is_one_line_and_changes_nothing(
    command: str, kind: str, tmp_path: Path, capsys, folder_snapshot, make_read_only
) -> None:
    if (command, kind) in _NOT_APPLICABLE:
        pytest.skip("creates a database on purpose")
    folder = tmp_path / "db"
    folder.mkdir()
    target = _bad_target(kind, folder, tmp_path, make_read_only)
    capsys.readouterr()
    before = folder_snapshot(folder)
    out = tmp_path / "out.pdf"
    argv = [a.format(out=out) for a in _COMMANDS[command]] + ["--db", str(target)]
    code = main(argv)
    captured = capsys.readouterr()
    assert folder_snapshot(folder) == before
    assert not out.exists()
    if (command, kind) in _SUCCEEDS:
        assert code == 0, captured.err
        return
    assert code != 0
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and "予期しない" not in err, err


def test_demo_never_replaces_a_clinic_database_without_cases(
    tmp_path: Path, capsys, folder_snapshot
) -> None:
    import dataclasses

    from desktop_app.domain.people import Relationship
    from desktop_app.services.intake import log_enquiry
    from desktop_app.services.settings import get_settings, update_settings
    from desktop_app.services.store import open_store

    clinic = tmp_path / "clinic.db"
    store = open_store(clinic, create=True)
    update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
    log_enquiry(store, "鈴木　一郎", Relationship.OTHER)
    store.close()
    before = folder_snapshot(tmp_path)
    assert main(["demo", "--db", str(clinic), "--cases", "3"]) == 1
    assert main(["--demo", "--db", str(clinic)]) == 1
    err = capsys.readouterr().err
    assert err.count("デモデータベースではありません") == 2, err
    assert folder_snapshot(tmp_path) == before


def test_demo_refuses_the_clinic_database_by_url_and_link(
    tmp_path: Path, capsys, folder_snapshot
) -> None:
    from desktop_app.services.store import default_database

    assert main(["init"]) == 0
    clinic = Path(default_database())
    link = tmp_path / "link.db"
    link.symlink_to(clinic)
    before = folder_snapshot(clinic.parent)
    for target in (f"sqlite:///{clinic}", f"sqlite+pysqlite:///{clinic}", str(link)):
        assert main(["demo", "--db", target, "--cases", "3"]) == 1
        assert "実データベース" in capsys.readouterr().err
    assert folder_snapshot(clinic.parent) == before


def test_unexpected_errors_are_logged_and_one_line(monkeypatch, capsys, caplog) -> None:
    import desktop_app.cli as cli

    def boom(args):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_dispatch", boom)
    assert main(["check"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "予期しない" in err and "boom" in err
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors and errors[0].exc_info is not None


def test_check_fails_on_a_newer_database(tmp_path: Path, capsys) -> None:
    db = tmp_path / "n.db"
    assert main(["init", "--db", str(db)]) == 0
    import sqlite3

    with sqlite3.connect(db) as c:
        c.execute("UPDATE alembic_version SET version_num='9999'")
    assert main(["check", "--db", str(db)]) == 1
    assert main(["init", "--db", str(db)]) == 1
    assert "新しいバージョン" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_print_forms_for_a_case_and_blank(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "p.db")
    assert main(["demo", "--db", db, "--cases", "14"]) == 0
    from desktop_app.services.case_rows import search_cases
    from desktop_app.services.store import open_store

    store = open_store(db)
    number = search_cases(store, limit=1).rows[0].case_number
    store.close()
    out = tmp_path / "packet.pdf"
    assert main(["print", "packet", "--db", db, "--case", number.lower(), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    blank = tmp_path / "blank.pdf"
    assert main(["print", "referral", "--db", db, "-o", str(blank)]) == 0
    day = tmp_path / "day.pdf"
    assert main(["print", "daylist", "--db", db, "--date", "2026-11-24", "-o", str(day)]) == 0
    assert main(["print", "packet", "--db", db, "--case", "SO-1900-0001", "-o", str(out)]) == 1
    assert "見つかりません" in capsys.readouterr().err


def test_no_display_is_one_line_not_a_crash(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--db", str(tmp_path / "g.db")]) == 1
    assert "ディスプレイ" in capsys.readouterr().err
    assert not list(tmp_path.iterdir()), "nothing is created when no window can open"


def test_demo_is_not_rebuilt_under_an_open_window(tmp_path: Path, capsys) -> None:
    from desktop_app.ui.single_instance import acquire

    demo = tmp_path / "demo.db"
    assert main(["demo", "--db", str(demo), "--cases", "2"]) == 0
    before = demo.read_bytes()
    lock = acquire(demo)
    assert lock is not None
    try:
        assert main(["demo", "--db", str(demo), "--cases", "3"]) == 1
    finally:
        lock.unlock()
    assert "開いています" in capsys.readouterr().err
    assert demo.read_bytes() == before


def test_the_plain_start_parses_as_the_whole_parser_does() -> None:
    """cli.parse_args reads a plain start with the window's options alone; the result is the
    whole parser's, and COMMANDS names every subcommand the whole parser has."""
    import argparse

    from desktop_app import cli

    whole = cli.build_parser()
    (commands,) = [a for a in whole._actions if isinstance(a, argparse._SubParsersAction)]
    assert tuple(commands.choices) == cli.COMMANDS
    for argv in ([], ["--demo"], ["--db", "x.db"], ["--db=x.db", "--demo"], ["--de"]):
        assert cli.parse_args(argv) == whole.parse_args(argv), argv
    assert cli.parse_args(["--db", "x.db", "check"]).command == "check"
