"""Statistics benchmark: statistics() and the CSV exports on a 100,000-case demo database.

Run: python benchmarks/bench_stats.py [--cases N] [--db PATH]
(An existing --db file is reused, so a database built by bench_scale.py can be timed again.)
Prints timings; it asserts nothing (timed tests do not belong in the suite).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_scale import timed

from desktop_app.domain import clock
from desktop_app.domain.statistics import calendar_year, custom_period, this_fiscal_year
from desktop_app.services.export import export_cases, export_payments, export_stats
from desktop_app.services.maintenance import rebuild_demo
from desktop_app.services.statistics import statistics
from desktop_app.services.store import Store, open_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    store: Store
    if db.exists():
        store = open_store(db)
        print(f"reusing {db}")
    else:
        start = time.perf_counter()
        store = rebuild_demo(str(db), args.cases)
        print(f"build {args.cases:,} cases: {time.perf_counter() - start:.1f} s ({db})")
    today = clock.today()
    everything = custom_period(today.replace(year=today.year - 29, month=1, day=1), today)
    out = db.parent
    timed("statistics(), this calendar year", lambda: statistics(store, calendar_year(today.year)))
    timed("statistics(), this fiscal year", lambda: statistics(store, this_fiscal_year(today)))
    timed("statistics(), 29 years (every case)", lambda: statistics(store, everything), repeat=3)
    timed(
        "export stats, this year",
        lambda: export_stats(store, out / "stats.csv", calendar_year(today.year)),
        repeat=3,
    )
    timed(
        "export payments, everything",
        lambda: export_payments(store, out / "payments.csv", date_from=None, date_to=None),
        repeat=3,
    )
    timed(
        "export cases, everything",
        lambda: export_cases(store, out / "cases.csv", date_from=None, date_to=None),
        repeat=1,
    )


if __name__ == "__main__":
    main()
