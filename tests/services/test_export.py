"""CSV for Excel read back as Excel would: the BOM, the columns, the Japanese, the history."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.statistics import calendar_year
from desktop_app.services.export import (
    CASE_HEADERS,
    PAYMENT_HEADERS,
    export_cases,
    export_payments,
    export_stats,
    export_stats_table,
)
from desktop_app.services.statistics import statistics
from desktop_app.services.store import Store
from tests.services.stats_dataset import build_known_year

D = dt.date


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _exports(store: Store) -> list[AuditEntry]:
    with store.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT_CSV))
        )


def test_cases_export_has_personal_data_and_slash_dates(store: Store, tmp_path: Path) -> None:
    ids = build_known_year(store).case_ids
    out = tmp_path / "案件.csv"
    result = export_cases(store, out, date_from=D(2026, 3, 1), date_to=D(2026, 4, 30))
    rows = _read(out)
    assert tuple(rows[0]) == CASE_HEADERS
    assert result.rows == len(rows) - 1 == 3  # A, B, C
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["患者氏名"] == "統計　A"
    assert line["受付日"] == "2026/03/10"
    assert line["申込書受領日"] == "2026/03/20"
    assert (line["予約日"], line["予約時刻"], line["担当医"]) == (
        "2026/04/07",
        "14:00",
        "青木 一郎",
    )
    assert (line["段階"], line["実施時間（分）"]) == ("実施済", "45")
    assert line["紹介元医療機関"] == "みなと内科クリニック"
    entry = _exports(store)[-1]
    assert entry.staff == "テスト担当"
    assert entry.after is not None
    assert (entry.after["what"], entry.after["from"], entry.after["to"]) == (
        "cases", "2026-03-01", "2026-04-30",
    )  # fmt: skip
    assert "2026/03/01〜2026/04/30" in entry.summary
    assert ids["A"]


def test_payments_export_has_no_personal_data(store: Store, tmp_path: Path) -> None:
    build_known_year(store)
    out = tmp_path / "入金.csv"
    export_payments(store, out, date_from=D(2026, 1, 1), date_to=None)
    rows = _read(out)
    assert tuple(rows[0]) == PAYMENT_HEADERS
    assert [r[:3] + r[6:7] for r in rows[1:]] == [
        ["R-2026-00001", "2026/04/07", rows[1][2], "11000"],
        ["R-2026-00002", "2026/04/14", rows[2][2], "5500"],
    ]
    assert "統計" not in out.read_text(encoding="utf-8-sig")  # no patient name anywhere
    assert _exports(store)[-1].after["what"] == "payments"  # type: ignore[index]


def test_stats_export_holds_every_table_with_its_title(store: Store, tmp_path: Path) -> None:
    build_known_year(store)
    out = tmp_path / "統計.csv"
    export_stats(store, out, calendar_year(2026))
    rows = _read(out)
    assert rows[0] == ["月別件数　2026年（1月〜12月）"]
    assert rows[1] == [
        "月",
        "問い合わせ",
        "うち案件なし",
        "申込書受領",
        "実施",
        "キャンセル",
        "対象外",
    ]
    assert rows[5] == ["2026年4月", "1", "0", "1", "2", "1", "0"]
    titles = [r[0] for r in rows if len(r) == 1]
    assert [t.split("　")[0] for t in titles] == [
        "月別件数", "診療科・担当医別の実施件数", "紹介元医療機関別", "対象外の理由別",
        "所要日数（中央値）", "月別の収入",
    ]  # fmt: skip
    assert ["合計", "2", "16500"] in rows
    assert _exports(store)[-1].after["from"] == "2026-01-01"  # type: ignore[index]


def test_one_table_from_the_screen(store: Store, tmp_path: Path) -> None:
    build_known_year(store)
    data = statistics(store, calendar_year(2026))
    out = tmp_path / "lead.csv"
    export_stats_table(store, out, data, "lead_times")
    assert _read(out) == [
        ["区間", "件数", "中央値（日）"],
        ["問い合わせ → 申込書受領", "5", "8"],
        ["申込書受領 → 予約", "2", "8.5"],
        ["予約 → 受診", "2", "13.5"],
        ["問い合わせ → 受診（全体）", "2", "29"],
    ]


def test_unwritable_target_leaves_nothing_and_no_history(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "x.csv"
    with pytest.raises(ValidationError, match="書き込めません"):
        export_payments(store, target, date_from=None, date_to=None)
    assert _exports(store) == []


def test_failed_rename_keeps_the_old_file_whole(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    target = folder / "a-folder.csv"
    target.mkdir(parents=True)  # a folder where the file should go: the rename fails
    with pytest.raises(ValidationError, match="書き込めません"):
        export_payments(store, target, date_from=None, date_to=None)
    assert _exports(store) == []  # the audit entry rolled back with it
    assert [p.name for p in folder.iterdir()] == ["a-folder.csv"]  # no temporary file left


def test_text_excel_would_run_as_a_formula_is_quoted(store: Store, tmp_path: Path) -> None:
    from desktop_app.services.export import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("-1") == "'-1"
    assert _cell(-1) == -1
    assert _cell(D(2026, 1, 2)) == "2026/01/02"


def test_reversed_range_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="開始日"):
        export_cases(store, tmp_path / "x.csv", date_from=D(2026, 5, 1), date_to=D(2026, 4, 1))
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "digits",
    ["0144840158", "0144334678", "09012345678", "0120123456", "0312345678", "0145623456", ""],
)
def test_phone_shapes_worked_out_once_match_format_phone(digits: str) -> None:
    from desktop_app.domain.contact import format_phone
    from desktop_app.services.export import _phone_text

    assert _phone_text(digits) == format_phone(digits)
    assert _phone_text(digits) == format_phone(digits)  # the second time from the shape
