"""Ledger import benchmark (issue #25 item 3): import a ledger of 10,000 rows (target: under
30 s), then the same file again (nothing new is created).

Run: python benchmarks/ledger_import.py [--rows N] [--csv] [--db PATH]
The ledger is an .xlsx (or with --csv a CP932 CSV) of fictitious rows in the office's shape:
mostly settled visits with their fee, some bookings ahead, some open enquiries, 和暦 dates.
Prints timings; it asserts nothing (timed tests do not belong in the suite).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
from pathlib import Path

from desktop_app.domain import clock
from desktop_app.domain.wareki import format_wareki
from desktop_app.services.ledger_import import import_ledger, preview_ledger
from desktop_app.services.masters import (
    DoctorInput,
    add_department,
    add_doctor,
    list_departments,
)
from desktop_app.services.store import open_store

HEADERS = ["受付日", "氏名", "フリガナ", "生年月日", "性別", "電話番号", "住所", "紹介元医療機関",
           "紹介医", "診療科", "担当医", "実施日", "実施時間", "料金", "備考"]  # fmt: skip
FAMILY = [("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"),
          ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("中村", "ナカムラ")]  # fmt: skip
GIVEN = [("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("恵子", "ケイコ"),
         ("健", "ケン"), ("由美", "ユミ"), ("誠", "マコト"), ("明美", "アケミ")]  # fmt: skip
DOCTORS = ["北村", "南野", "東山", "西田"]


def ledger_rows(count: int, today: dt.date) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(count):
        family, family_kana = FAMILY[i % len(FAMILY)]
        given, given_kana = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
        received = today - dt.timedelta(days=3 + (count - i) * 1500 // max(count, 1))
        birth = dt.date(1940 + i % 60, 1 + i % 12, 1 + i % 28)
        kind = i % 10
        visit: dt.date | None = None
        minutes: object = ""
        fee: object = ""
        if kind < 8 and received + dt.timedelta(days=14) < today:  # settled, with its fee
            visit = received + dt.timedelta(days=14)
            minutes, fee = 30 if kind else 45, 5500 if kind else 11000
        elif kind == 8:  # booked ahead
            visit = today + dt.timedelta(days=7 + (i // 10) % 60)
        rows.append([
            format_wareki(received) if i % 3 == 0 else f"{received:%Y/%m/%d}",
            f"{family}　{given}{i}", f"{family_kana}　{given_kana}", f"{birth:%Y/%m/%d}",
            "男" if i % 2 else "女", f"0144-{i % 90 + 10:02d}-{i % 10000:04d}",
            f"苫小牧市表町{i % 9 + 1}-{i % 20 + 1}", f"みなと内科クリニック{i % 40}",
            "北村", "内科", DOCTORS[i % len(DOCTORS)],
            f"{visit:%Y/%m/%d}" if visit else "", minutes, fee, "台帳の備考" if i % 7 == 0 else "",
        ])  # fmt: skip
    return rows


def write_ledger(path: Path, rows: list[list[object]]) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="cp932", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        return
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["セカンドオピニオン外来　受付台帳"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--csv", action="store_true", help="a CP932 CSV instead of .xlsx")
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    db = args.db or folder / "bench.db"
    store = open_store(db, create=True, staff="bench")
    if not list_departments(store):
        dept = add_department(store, "内科")
        for name in DOCTORS:
            add_doctor(store, DoctorInput(department_id=dept.id, name=f"{name}　医師"))
    path = folder / ("ledger.csv" if args.csv else "ledger.xlsx")
    write_ledger(path, ledger_rows(args.rows, clock.today()))
    print(f"ledger: {args.rows:,} rows ({path.stat().st_size / 1024:,.0f} KB, {path.suffix})")
    start = time.perf_counter()
    preview = preview_ledger(store, path)
    print(f"dry run (確認)                  {time.perf_counter() - start:8.1f} s"
          f"   to create {len(preview.to_create):,}, refused {len(preview.refused_rows):,}")  # fmt: skip
    start = time.perf_counter()
    result = import_ledger(store, path)
    took = time.perf_counter() - start
    print(f"import {args.rows:,} rows              {took:8.1f} s   created {result.created:,}"
          f" (target: under 30 s: {'met' if took < 30 else 'NOT met'})")  # fmt: skip
    start = time.perf_counter()
    again = import_ledger(store, path)
    print(f"the same file again             {time.perf_counter() - start:8.1f} s"
          f"   created {again.created:,}, already imported {len(again.preview.already_imported):,}")  # fmt: skip
    store.close()


if __name__ == "__main__":
    main()
