"""Search as the clerk types: p50/p95 per kind of query, end to end through the services.

Run: python benchmarks/bench_search.py DB [DB ...]   (demo databases, e.g. from
``sodesk demo --db /tmp/search-100k.db --cases 100000``). Prints a table; asserts nothing.
Every query runs through search_cases (first page of 200, with its count) or find_case_id,
as the case list calls them; keystroke sequences are timed one prefix at a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from desktop_app.domain.stages import OPEN_STAGES
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import find_case_id
from desktop_app.services.store import Store, open_store


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _time(fn: Callable[[], object], repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU) milliseconds per call: on a busy machine the CPU time is the steadier."""
    fn()  # warm the page cache once
    times = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.thread_time()
        fn()
        times.append(((time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000))
    return times


def _samples(store: Store, count: int) -> dict[str, list[str]]:
    """Real case numbers, phones and names from the database, picked at random."""
    with store.engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT c.case_number, p.name, p.furigana, p.phone FROM cases c "
                "JOIN patients p ON p.id = c.patient_id ORDER BY random() LIMIT :n"
            ),
            {"n": count},
        ).all()
    rng = random.Random(1)
    phones = [r.phone for r in rows if r.phone]
    return {
        "number": [r.case_number for r in rows],
        "phone": phones,
        "phone-hyphen": [f"{p[:4]}-{p[4:6]}-{p[6:]}" for p in phones],
        "kanji": [r.name.replace("\u3000", "") for r in rows],
        "furigana": [r.furigana for r in rows],
        "rng": [str(rng.random())],
    }


def kinds(store: Store) -> dict[str, list[Callable[[], object]]]:
    s = _samples(store, 20)

    def search(q: str) -> Callable[[], object]:
        return lambda: search_cases(store, q)

    def typed(word: str) -> list[Callable[[], object]]:
        return [search(word[:n]) for n in range(1, len(word) + 1)]

    half = "ﾔﾏﾀﾞ ﾀﾛｳ"
    return {
        "empty box (first page)": [search("")],
        "kana 1 char (や, ス, コ, ゑ)": [search(q) for q in ("や", "ス", "コ", "ゑ")],
        "kana 2 chars (やま, すず, ゆみ, ゑゑ)": [
            search(q) for q in ("やま", "すず", "ゆみ", "ゑゑ")
        ],
        "typing やまだたろう key by key": typed("やまだたろう"),
        "typing ﾔﾏﾀﾞ ﾀﾛｳ key by key": typed(half),
        "full name hiragana/katakana": [search("やまだ たろう"), search("ヤマダ　タロウ")],
        "full name half-width": [search(half)],
        "full name furigana (sampled)": [search(q) for q in s["furigana"]],
        "kanji name (sampled)": [search(q) for q in s["kanji"]] + [search("山田")],
        "case number (sampled)": [search(q) for q in s["number"]],
        "case number, find_case_id": [
            (lambda q=q: find_case_id(store, q.lower())) for q in s["number"]
        ],
        "phone digits (sampled)": [search(q) for q in s["phone"]],
        "phone with hyphens (sampled)": [search(q) for q in s["phone-hyphen"]],
        "no match (long)": [search("ゑゑゑゑ")],
        "open stages, やまだ": [lambda: search_cases(store, "やまだ", stages=OPEN_STAGES)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for db in args.db:
        store = open_store(db)
        try:
            with store.engine.connect() as c:
                cases = c.execute(text("SELECT count(*) FROM cases")).scalar()
                version = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
            print(f"\n{db}  ({cases:,} cases, schema {version}, {db.stat().st_size / 1e6:.1f} MB)")
            print(f"{'query':<40}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'CPU p95':>9}")
            for label, calls in kinds(store).items():
                timed = [t for call in calls for t in _time(call, args.repeat)]
                wall, cpu = [w for w, _ in timed], [c for _, c in timed]
                print(
                    f"{label:<40}{statistics.median(wall):9.2f}"
                    f"{_percentile(wall, 95):9.2f}{max(wall):9.2f}{_percentile(cpu, 95):9.2f}"
                )
        finally:
            store.close()


if __name__ == "__main__":
    main()
