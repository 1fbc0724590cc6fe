"""Any command line: an exit code, at most one line on stderr, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from desktop_app.cli import main
from desktop_app.domain.forms import FormKind
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCase, NewPatient
from tests.bad_input import budget, hostile_text, open_test_store

WORDS = [
    "init",
    "demo",
    "check",
    "print",
    "--db",
    "--demo",
    "--version",
    "--help",
    "-h",
    "--cases",
    "--seed",
    "--case",
    "--date",
    "-o",
    "--output",
    "--",
    *(k.value for k in FormKind),
    "clinic.db",
    "new.db",
    "new-folder/x.db",
    "clinic.db/x.db",  # a file where a folder should be
    ".",
    "",
    "SO-2026-0001",
    "so-2026-0001",
    "SO-1900-0001",
    "2026-11-24",
    "2026-02-30",
    "out.pdf",
    "3",
    "-1",
    "100001",
]
# Free text anywhere in the line, but never a path outside the test's folder (tests run as
# any user, root included) nor a URL that would reach for a server.
free_text = hostile_text(12, broken=True).filter(
    lambda t: not any(c in t for c in "/\\:~") and not t.startswith(("sqlite", "postgres"))
)
word_or_text = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), free_text)
VALUES = ["clinic.db", "new.db", "out.pdf", "SO-2026-0001", "2026-11-24", "3", "-1", ""]
# Each command with the options it takes, so that most lines get past the parser.
COMMANDS = {
    (): ("--db",),
    ("init",): ("--db",),
    ("check",): ("--db",),
    ("demo",): ("--db", "--cases", "--seed"),
    **{("print", k.value): ("--db", "--case", "--date", "-o") for k in FormKind},
}


@st.composite
def commands(draw: st.DrawFn) -> list[str]:
    """A command with its options in place, each value anything, and now and then a stray."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    options = draw(st.sets(st.sampled_from(COMMANDS[command])))
    if command and command[0] == "print":
        options.add("-o")
    argv = list(command)
    for option in sorted(options):
        argv += [option, draw(st.one_of(st.sampled_from(VALUES), free_text))]
    if not command and draw(st.booleans()):
        argv.append("--demo")
    if draw(st.integers(0, 7)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(word_or_text))
    return argv


argvs = st.one_of(commands(), commands(), st.lists(word_or_text, max_size=7))
MAX_DEMO_IN_TEST = 30


def _as_int(text: str) -> int | None:
    try:
        return int(text)  # as argparse reads --cases
    except ValueError:
        return None


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the clinic's database holding one case; no display, so no window opens."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    store = open_test_store(folder / "clinic.db")
    patient = NewPatient(name="山田　太郎", furigana="ヤマダ　タロウ")
    create_case(store, NewCase(patient=patient, today=dt.date(2026, 11, 24)))
    store.close()
    return folder


@budget(150, reuse_fixtures=True)
@given(argv=argvs)
def test_any_command_line_exits_with_one_line_at_most(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    if "demo" in argv or "--demo" in argv:
        # Building a large demo is a benchmark, not bad input.
        assume(all((_as_int(t) or 0) <= MAX_DEMO_IN_TEST for t in argv))
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's --help, --version and usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    assert isinstance(code, int), repr(code)
    assert len(err.splitlines()) <= 1, err
    assert "Traceback" not in err and "Traceback" not in out
    if code != 0:
        assert err.strip(), f"exit {code} without a word on stderr"
    event(f"exit {code}")


@pytest.mark.parametrize(
    ("argv", "logged"),
    [
        (["init", "--db", "."], None),  # a folder: refused before SQLite is asked, no traceback
        (["print", "referral", "--db", "clinic.db", "--case", "a\nb", "-o", "x.pdf"], None),
    ],
)
def test_the_real_program_writes_details_to_its_log_not_the_terminal(
    workdir: Path, tmp_path: Path, argv: list[str], logged: str | None
) -> None:
    """In-process, pytest holds the logging; the installed program must not print tracebacks."""
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_DATA_HOME": str(data), "LOCALAPPDATA": str(data)},
    )
    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    if logged is not None:
        log = (data / "SODesk" / "sodesk.log").read_text(encoding="utf-8")
        assert logged in log and "Traceback" in log
