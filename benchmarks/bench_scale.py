"""Scale benchmark: a 100,000-case demo database, then the queries the desk runs all day.

Run: python benchmarks/bench_scale.py [--cases N] [--db PATH]
Prints timings; it asserts nothing (timed tests do not belong in the suite).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import find_case_id, get_case
from desktop_app.services.maintenance import rebuild_demo


def timed(label: str, fn: Callable[[], object], repeat: int = 5) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<40} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    start = time.perf_counter()
    store = rebuild_demo(str(db), args.cases)
    print(f"build {args.cases:,} cases: {time.perf_counter() - start:.1f} s ({db})")
    newest = search_cases(store, limit=1).rows[0]
    timed("case list, first page (200 rows)", lambda: search_cases(store))
    timed("case list, page 100", lambda: search_cases(store, offset=20_000))
    timed("search ひらがな 'やまだ'", lambda: search_cases(store, "やまだ"))
    timed("search half-width 'ﾔﾏﾀﾞ ﾀﾛｳ'", lambda: search_cases(store, "ﾔﾏﾀﾞ ﾀﾛｳ"))
    timed("search case number", lambda: search_cases(store, newest.case_number))
    timed("find case by number", lambda: find_case_id(store, newest.case_number))
    timed("case detail with history", lambda: get_case(store, newest.id))


if __name__ == "__main__":
    main()
