"""``sodesk report``: the 月報 of a month or a 年度 as a PDF file.

    sodesk report --month 2027-01 -o 月報.pdf
    sodesk report --fiscal-year 2026 -o 年度報告.pdf

The same page the 統計 screen prints (services/monthly_report.py); the file is checked and
written as ``sodesk print`` writes a form, and saving it is recorded in the history.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from desktop_app.cli import EXIT_OK, _overwrite_option, _sign_in
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.statistics import Period, custom_period, fiscal_year

COMMAND = "report"
MONTH_FORMAT = re.compile(r"(\d{4})-(\d{1,2})")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the 統計 page's year box


def month_period(text: str) -> Period:
    """'2027-01' as that calendar month; a one-line Japanese refusal otherwise."""
    found = MONTH_FORMAT.fullmatch(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or not _known_year(int(found[1])):
        raise argparse.ArgumentTypeError(
            f"月は YYYY-MM（例: 2027-01、{FIRST_YEAR}〜{LAST_YEAR}年）で指定してください: {text}"
        )
    year, month = int(found[1]), int(found[2])
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return custom_period(dt.date(year, month, 1), following - dt.timedelta(days=1))


def fiscal_year_period(text: str) -> Period:
    """'2026' as 2026年度 (April 2026 to March 2027)."""
    if not (text.strip().isascii() and text.strip().isdigit()) or not _known_year(int(text)):
        raise argparse.ArgumentTypeError(
            f"年度は西暦の4桁（例: 2026 は2026年4月〜2027年3月）で指定してください: {text}"
        )
    return fiscal_year(int(text))


def _known_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def add_report_parser(
    sub: Any,
    parents: Sequence[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """The ``report`` subcommand (``parents``: the signed commands' --db and --user)."""
    report = sub.add_parser(
        COMMAND, parents=list(parents), help="月報（1か月または年度の統計）をPDFに出力する"
    )
    # Exactly one of the two, checked by report_period: its message is Japanese, argparse's
    # own for a mutually exclusive group is not.
    report.add_argument("--month", metavar="YYYY-MM", type=month_period, help="月（例: 2027-01）")
    report.add_argument(
        "--fiscal-year",
        metavar="YYYY",
        type=fiscal_year_period,
        help="年度（例: 2026 は2026年4月〜2027年3月）",
    )
    report.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="出力先")
    _overwrite_option(report)
    return report


def report_period(args: argparse.Namespace) -> Period:
    """The period asked for: exactly one of --month and --fiscal-year."""
    given = [p for p in (args.month, args.fiscal_year) if p is not None]
    if len(given) != 1:
        raise ValidationError(
            "--month（例: 2027-01）と --fiscal-year（例: 2026）のどちらか一方を指定してください。"
        )
    return given[0]


def run_report(args: argparse.Namespace) -> int:
    """Count, draw and write the report; ``sodesk print``'s checks on the file come first."""
    from desktop_app.printing.forms.monthly_report import period_title
    from desktop_app.services.monthly_report import monthly_report, record_monthly_report
    from desktop_app.services.output_files import check_output, write_output
    from desktop_app.services.store import open_store

    period = report_period(args)  # before the database is opened
    store = open_store(args.db)
    try:
        _sign_in(store, args.user)
        # Refused targets (a database, a backup, an existing file) are told before the work.
        check_output(args.output, store=store, overwrite=args.overwrite)
        pdf = monthly_report(store, period)
        output = write_output(args.output, pdf, store=store, overwrite=args.overwrite)
        record_monthly_report(store, period, how="PDF保存")
    finally:
        store.close()
    print(f"月報（{period_title(period)}）→ {output}")
    return EXIT_OK
