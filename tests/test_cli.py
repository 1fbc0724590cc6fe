from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import __version__
from desktop_app.cli import main


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


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
    from desktop_app.services.cases import search_cases
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
