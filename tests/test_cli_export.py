"""sodesk export cases|payments|stats: an Excel workbook (.xlsx) or a CSV for Excel (.csv), or
one line on stderr and no traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

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


@pytest.mark.parametrize(
    ("what", "sheets"),
    [
        ("cases", ["案件"]),
        ("payments", ["入金"]),
        ("stats", ["月別件数", "診療科・担当医別の実施件数"]),
    ],
)
def test_export_writes_an_excel_workbook(
    known: Path, tmp_path: Path, capsys, what: str, sheets: list[str]
) -> None:
    out = tmp_path / f"{what}.xlsx"
    code = main(
        ["export", what, "--db", str(known), *CLI_USER, "--from", "2026-01-01", "--to", "2026-12-31",
         "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    book = load_workbook(out)
    assert book.sheetnames[: len(sheets)] == sheets
    ws = book.worksheets[0]
    assert ws.freeze_panes == "A2" and ws.cell(1, 1).font.b
    printed = capsys.readouterr().out
    assert "2026/01/01〜2026/12/31" in printed and "Excel" in printed and str(out) in printed


def test_another_suffix_gives_one_line_and_no_file(known: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "cases.txt"
    code = main(["export", "cases", "--db", str(known), *CLI_USER, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and ".xlsx（Excel）か .csv" in err and "cases.txt" in err
    assert not target.exists() and [p.name for p in tmp_path.iterdir() if "cases" in p.name] == []


def test_help_names_both_formats(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "--help"])
    assert exc.value.code == 0
    assert "FILE.csv|FILE.xlsx" in capsys.readouterr().out
