"""sodesk export cases|payments|stats: a CSV for Excel, or one line on stderr and no traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.services.store import Store
from tests.services.stats_dataset import build_known_year
from tests.stores import CLI_USER


@pytest.fixture
def known(store: Store, db_path: Path, cli_admin) -> Path:
    build_known_year(store)
    store.close()
    cli_admin(db_path)
    return db_path


@pytest.mark.parametrize(
    ("what", "first_header"), [("cases", "案件番号"), ("payments", "領収書番号"), ("stats", "月")]
)
def test_export_writes_the_csv(
    known: Path, tmp_path: Path, capsys, what: str, first_header: str
) -> None:
    out = tmp_path / f"{what}.csv"
    code = main(
        ["export", what, "--db", str(known), *CLI_USER, "--from", "2026-01-01", "--to", "2026-12-31",
         "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert first_header in rows[0] + rows[1]
    assert "2026/01/01〜2026/12/31" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-02-30"], "YYYY-MM-DD"),
        (["--from", "2026/01/01"], "YYYY-MM-DD"),
        (["--from", "2026-05-01", "--to", "2026-04-01"], "開始日"),
    ],
)
def test_bad_dates_give_one_line(known: Path, tmp_path: Path, capsys, args, words) -> None:
    try:
        code = main(
            ["export", "stats", "--db", str(known), *CLI_USER, *args, "-o", str(tmp_path / "s.csv")]
        )
    except SystemExit as exc:  # argparse refuses the date before anything is opened
        code = exc.code
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and words in err
    assert "Traceback" not in err
    assert not (tmp_path / "s.csv").exists()


def test_unwritable_file_gives_one_line(known: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "no-such-folder" / "cases.csv"
    code = main(["export", "cases", "--db", str(known), *CLI_USER, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "書き込めません" in err and "Traceback" not in err


def test_missing_output_is_a_usage_error(known: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "cases", "--db", str(known)])
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
