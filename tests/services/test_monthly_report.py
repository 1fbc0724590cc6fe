"""月報: the 統計 figures on one page (service), and ``sodesk report`` (parsed and run through
desktop_app.cli_report until cli.py dispatches to it)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from desktop_app import cli
from desktop_app.cli_report import add_report_parser, report_period, run_report
from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission
from desktop_app.domain.statistics import custom_period, fiscal_year
from desktop_app.services.demo import build_demo, mark_as_demo
from desktop_app.services.monthly_report import (
    monthly_report,
    record_monthly_report,
    top_referrers,
)
from desktop_app.services.output_files import OutputRefused
from desktop_app.services.statistics import NO_REFERRER
from desktop_app.services.statistics_data import ReferrerRow
from desktop_app.services.store import Store, open_store
from tests.services.stats_dataset import build_known_year

APRIL = custom_period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return ["".join((page.extract_text() or "").split()) for page in reader.pages]


def _audit_count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_month_of_the_known_year_on_one_page(store: Store) -> None:
    build_known_year(store)
    before = _audit_count(store)
    pdf = monthly_report(store, APRIL, today=dt.date(2026, 12, 3))
    assert _audit_count(store) == before  # making the PDF records nothing; printing does
    [page] = _pages(pdf)
    assert "令和8年（2026年）4月" in page
    assert "月別の推移（直近12か月）" in page and "2025年" in page  # May 2025 to April 2026
    assert "16,500円" in page  # A (11,000) and B (5,500) paid in April
    assert "青木一郎" in page and "みなと内科クリニック" in page
    assert "印刷日令和8年12月3日" in page


def test_an_empty_month_prints_zeros(store: Store) -> None:
    [page] = _pages(monthly_report(store, custom_period(dt.date(2020, 1, 1), dt.date(2020, 1, 31))))
    assert "令和2年（2020年）1月" in page
    assert "0件" in page and "0円" in page and "該当なし" in page


def test_a_fiscal_year_on_the_demo_database(tmp_path: Path) -> None:
    demo = open_store(tmp_path / "demo.db", create=True)
    try:
        mark_as_demo(demo)
        build_demo(demo, 40)
        [page] = _pages(monthly_report(demo, fiscal_year(2026)))
    finally:
        demo.close()
    assert "令和8年度（2026年4月〜2027年3月）" in page
    assert "所要日数（中央値）" in page and "対象外の理由" in page


def test_printing_it_is_in_the_log(store: Store) -> None:
    record_monthly_report(store, APRIL, how="PDF保存")
    with store.read() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == AuditAction.FORM_PRINT
    assert entry.summary == "月報（令和8年（2026年）4月）をPDF保存"
    assert entry.case_id is None


def test_the_report_is_for_the_roles_that_may_export_the_statistics() -> None:
    assert getattr(monthly_report, "__requires__", None) == Permission.CASE_WORK
    assert getattr(record_monthly_report, "__requires__", None) == Permission.CASE_WORK


def test_top_ten_referrers_the_rest_as_others_and_no_referrer_last() -> None:
    named = tuple(ReferrerRow(f"病院{i:02d}", i, 1, 0) for i in range(45))
    rows = (*named, ReferrerRow(NO_REFERRER, 99, 9, 9))
    lines = top_referrers(rows)
    assert [line.institution for line in lines[:3]] == ["病院44", "病院43", "病院42"]
    assert lines[10].institution == "その他（35機関）"
    assert lines[10].enquiries == sum(range(35)) and lines[10].applications == 35
    assert lines[-1].institution == NO_REFERRER and len(lines) == 12


# sodesk report ------------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    """The command line as cli.build_parser will read it once ``report`` is added there."""
    parser = cli._window_parser()
    sub = parser.add_subparsers(dest="command", parser_class=cli._Parser)
    common = cli._Parser(add_help=False)
    cli._db_option(common, argparse.SUPPRESS)
    signed = cli._Parser(add_help=False, parents=[common])
    signed.add_argument("--user")
    add_report_parser(sub, [signed])
    return parser.parse_args(argv)


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    demo = open_store(path, create=True)
    mark_as_demo(demo)
    build_demo(demo, 20)
    demo.close()
    return path


def test_report_for_a_month_writes_one_page_and_logs_it(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "x.pdf"
    args = _parse(["report", "--db", str(demo_db), "--month", "2026-11", "-o", str(out)])
    assert report_period(args) == custom_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert run_report(args) == cli.EXIT_OK
    [page] = _pages(out.read_bytes())
    assert "令和8年（2026年）11月" in page
    assert "月報（令和8年（2026年）11月）→" in capsys.readouterr().out
    store = open_store(demo_db)
    try:
        with store.read() as session:
            summary = session.scalars(
                select(AuditEntry.summary).order_by(AuditEntry.id.desc())
            ).first()
    finally:
        store.close()
    assert summary == "月報（令和8年（2026年）11月）をPDF保存"


def test_report_for_a_fiscal_year_and_the_output_checks(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "fy.pdf"
    out.write_bytes(b"keep")
    args = _parse(["report", "--db", str(demo_db), "--fiscal-year", "2026", "-o", str(out)])
    assert report_period(args) == fiscal_year(2026)
    with pytest.raises(OutputRefused):  # an existing file is kept without --overwrite
        run_report(args)
    assert out.read_bytes() == b"keep"
    with pytest.raises(OutputRefused):  # never over the database itself
        run_report(
            _parse(
                [
                    "report",
                    "--db",
                    str(demo_db),
                    "--fiscal-year",
                    "2026",
                    "-o",
                    str(demo_db),
                    "--overwrite",
                ]
            )
        )
    args = _parse(
        ["report", "--db", str(demo_db), "--fiscal-year", "2026", "-o", str(out), "--overwrite"]
    )
    assert run_report(args) == cli.EXIT_OK
    assert "令和8年度（2026年4月〜2027年3月）" in _pages(out.read_bytes())[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["--month", "2027-13"],
        ["--month", "2027/01"],
        ["--month", "一月"],
        ["--fiscal-year", "R8"],
        ["--fiscal-year", "1999"],
    ],
)
def test_bad_periods_are_one_japanese_line(argv: list[str], tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        _parse(["report", *argv, "-o", str(tmp_path / "x.pdf")])
    assert exit_.value.code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sodesk: ")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("argv", [["--month", "2027-01", "--fiscal-year", "2026"], []])
def test_exactly_one_period_or_one_japanese_line_before_the_database(
    argv: list[str], tmp_path: Path
) -> None:
    args = _parse(
        ["report", "--db", str(tmp_path / "none.db"), *argv, "-o", str(tmp_path / "x.pdf")]
    )
    with pytest.raises(ValidationError, match="どちらか一方を指定してください"):
        run_report(args)
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "x.pdf").exists()


def test_a_bad_month_says_how_to_write_it(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        _parse(["report", "--month", "2027-13", "-o", str(tmp_path / "x.pdf")])
    assert "月は YYYY-MM（例: 2027-01" in capsys.readouterr().err
