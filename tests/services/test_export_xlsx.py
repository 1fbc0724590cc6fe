"""Excel workbooks beside the CSVs, read back with openpyxl as Excel would open them: dates as
dates, yen as numbers, phone numbers and postal codes as text, the header bold, frozen and
filtered; the same rows as the CSV; a suffix that is neither .xlsx nor .csv refused with
nothing written; the audit entry naming the format."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from desktop_app.db.models import AuditEntry
from desktop_app.domain import clock
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.statistics import calendar_year
from desktop_app.services import xlsx_export
from desktop_app.services.audit_log import CSV_HEADERS, AuditFilter, export_csv
from desktop_app.services.cases import create_case
from desktop_app.services.dto import NewCase, NewPatient
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
from desktop_app.services.xlsx_export import (
    ExportFormat,
    Sheet,
    display_width,
    export_format,
    sheet_name,
    write_workbook,
)
from tests.services.stats_dataset import build_known_year

D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
STATS_TITLES = [
    "月別件数", "診療科・担当医別の実施件数", "紹介元医療機関別", "対象外の理由別",
    "所要日数（中央値）", "月別の収入",
]  # fmt: skip


def _rows(path: Path, sheet: str | None = None) -> list[list[Any]]:
    book = load_workbook(path)
    ws = book[sheet] if sheet else book.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _as_csv_text(value: Any, number_format: str) -> str:
    """What the CSV writes for a cell the workbook holds (dates as YYYY/MM/DD, times HH:MM)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if number_format == xlsx_export.TIME_FORMAT:
            return f"{value:%H:%M}"
        if number_format == xlsx_export.DATETIME_FORMAT:
            return f"{value:%Y/%m/%d %H:%M}"
        return f"{value:%Y/%m/%d}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # the CSV's guard against a formula
    return str(value)


def _exports(store: Store, action: AuditAction = AuditAction.EXPORT_CSV) -> list[AuditEntry]:
    with store.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _entry_count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


@pytest.fixture
def known(store: Store) -> Store:
    build_known_year(store)
    # A patient from 登別: the phone's leading 0 and the postal code's must survive.
    create_case(
        store,
        NewCase(
            patient=NewPatient(
                name="登別　花子", furigana="ノボリベツ　ハナコ", birth_date=D(1948, 2, 29),
                postal_code="0510011", address="北海道室蘭市入江町1-1",
                phone="0143-22-1234", mobile="090-1234-5678",
            ),
            diagnosis="=HYPERLINK(\"x\")",  # text Excel would otherwise run as a formula
        ),
    )  # fmt: skip
    return store


def test_cases_workbook_keeps_dates_numbers_and_text(known: Store, tmp_path: Path) -> None:
    out = tmp_path / "案件.xlsx"
    result = export_cases(known, out, date_from=None, date_to=None)
    assert result.format is ExportFormat.XLSX and result.path == out
    book = load_workbook(out)
    assert book.sheetnames == ["案件"]
    ws = book["案件"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == CASE_HEADERS
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    last = ws.max_column
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, last).column_letter}{result.rows + 1}"
    col = {name: i + 1 for i, name in enumerate(header)}
    rows = {ws.cell(r, col["患者氏名"]).value: r for r in range(2, ws.max_row + 1)}
    r = rows["登別　花子"]

    def cell(name: str) -> Any:
        return ws.cell(r, col[name])

    assert cell("電話").value == "0143-22-1234" and cell("電話").data_type == "s"
    assert cell("携帯電話").value == "090-1234-5678" and cell("携帯電話").data_type == "s"
    assert cell("郵便番号").value == "051-0011" and cell("郵便番号").data_type == "s"
    assert isinstance(cell("案件番号").value, str) and cell("案件番号").data_type == "s"
    assert cell("病名").value == '=HYPERLINK("x")' and cell("病名").data_type == "s"
    assert cell("生年月日").value == dt.datetime(1948, 2, 29)
    assert cell("生年月日").number_format == "yyyy/mm/dd" and cell("生年月日").is_date
    received = cell("受付日")
    assert received.is_date and received.number_format == "yyyy/mm/dd"
    assert received.value == dt.datetime.combine(clock.today(), dt.time())
    # The known year's case A: its appointment date and time, its minutes as a number.
    a = ws.cell(rows["統計　A"], col["予約日"])
    assert a.value == dt.datetime(2026, 4, 7) and a.number_format == "yyyy/mm/dd"
    t = ws.cell(rows["統計　A"], col["予約時刻"])
    assert t.is_date and t.number_format == "hh:mm" and _as_csv_text(t.value, "hh:mm") == "14:00"
    minutes = ws.cell(rows["統計　A"], col["実施時間（分）"])
    assert minutes.value == 45 and minutes.data_type == "n"
    # Widths fit the Japanese: 住所 is wider than 性別, and no column is left at the default.
    widths = {
        name: ws.column_dimensions[ws.cell(1, i).column_letter].width for name, i in col.items()
    }
    assert widths["住所"] >= display_width("北海道室蘭市入江町1-1") >= 20
    assert widths["住所"] > widths["性別"] >= xlsx_export.MIN_WIDTH
    assert widths["受付日"] >= 10 and widths["電話"] >= len("0143-22-1234")
    entry = _exports(known)[-1]
    assert entry.after is not None
    assert (entry.after["what"], entry.after["format"]) == ("cases", "xlsx")
    assert entry.summary.startswith("Excelを書き出し：案件") and "案件.xlsx" in entry.summary


@pytest.mark.parametrize(
    ("export", "headers"), [(export_cases, CASE_HEADERS), (export_payments, PAYMENT_HEADERS)]
)
def test_the_workbook_holds_what_the_csv_holds(
    known: Store, tmp_path: Path, export: Callable[..., Any], headers: tuple[str, ...]
) -> None:
    csv_result = export(known, tmp_path / "x.csv", date_from=YEAR[0], date_to=None)
    xlsx_result = export(known, tmp_path / "x.xlsx", date_from=YEAR[0], date_to=None)
    assert csv_result.format is ExportFormat.CSV and xlsx_result.rows == csv_result.rows > 0
    expected = _csv(tmp_path / "x.csv")
    ws = load_workbook(tmp_path / "x.xlsx").worksheets[0]
    got = [
        [_as_csv_text(c.value, c.number_format) for c in row][: len(headers)]
        for row in ws.iter_rows()
    ]
    assert got == expected
    csv_entry, xlsx_entry = _exports(known)[-2:]
    assert csv_entry.after is not None and xlsx_entry.after is not None
    assert (csv_entry.after["format"], xlsx_entry.after["format"]) == ("csv", "xlsx")
    assert csv_entry.summary.startswith("CSVを書き出し：")


def test_payments_yen_are_numbers_shown_with_commas(known: Store, tmp_path: Path) -> None:
    out = tmp_path / "入金.xlsx"
    export_payments(known, out, date_from=YEAR[0], date_to=YEAR[1])
    ws = load_workbook(out)["入金"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == PAYMENT_HEADERS
    first = {name: ws.cell(2, i + 1) for i, name in enumerate(header)}
    assert first["領収書番号"].value == "R-2026-00001"
    assert first["入金日"].value == dt.datetime(2026, 4, 7) and first["入金日"].is_date
    for name in ("基本料金（円）", "延長料金（円）", "合計（円）"):
        assert isinstance(first[name].value, int), name
        assert first[name].number_format == "#,##0", name
    assert first["合計（円）"].value == 11000
    assert (
        first["実施時間（分）"].value == 45 and first["実施時間（分）"].number_format == "General"
    )
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:L3"


def test_stats_workbook_has_one_sheet_per_table(known: Store, tmp_path: Path) -> None:
    out = tmp_path / "統計.xlsx"
    result = export_stats(known, out, calendar_year(2026))
    book = load_workbook(out)
    assert book.sheetnames == STATS_TITLES
    assert book.properties.title == "統計　2026年（1月〜12月）"
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1]), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    months = _rows(out, "月別件数")
    assert months[0] == [
        "月",
        "問い合わせ",
        "うち案件なし",
        "申込書受領",
        "実施",
        "キャンセル",
        "対象外",
    ]
    assert months[4] == ["2026年4月", 1, 0, 1, 2, 1, 0]
    revenue = book["月別の収入"]
    assert [c.value for c in revenue[revenue.max_row]] == ["合計", 2, 16500]
    assert revenue.cell(revenue.max_row, 3).number_format == "#,##0"
    assert revenue.cell(revenue.max_row, 2).number_format == "General"
    assert _rows(out, "所要日数（中央値）")[2] == ["申込書受領 → 予約", 2, 8.5]
    assert result.rows == sum(ws.max_row - 1 for ws in book.worksheets)
    entry = _exports(known)[-1]
    assert entry.after is not None and entry.after["format"] == "xlsx"
    assert entry.summary.startswith("Excelを書き出し：統計（2026/01/01〜2026/12/31")


def test_one_table_from_the_screen_as_a_workbook(known: Store, tmp_path: Path) -> None:
    data = statistics(known, calendar_year(2026))
    out = tmp_path / "lead.XLSX"  # the suffix in capitals is still Excel
    result = export_stats_table(known, out, data, "lead_times")
    assert result.format is ExportFormat.XLSX
    assert load_workbook(out).sheetnames == ["所要日数（中央値）"]
    assert _rows(out) == [
        ["区間", "件数", "中央値（日）"],
        ["問い合わせ → 申込書受領", 5, 8],
        ["申込書受領 → 予約", 2, 8.5],
        ["予約 → 受診", 2, 13.5],
        ["問い合わせ → 受診（全体）", 2, 29],
    ]


def test_audit_log_workbook(known: Store, tmp_path: Path) -> None:
    out = tmp_path / "変更履歴.xlsx"
    written = export_csv(known, AuditFilter(), out)
    ws = load_workbook(out)["変更履歴"]
    assert tuple(c.value for c in ws[1]) == CSV_HEADERS
    assert ws.max_row == written + 1 and ws.freeze_panes == "A2"
    first = ws[2]
    assert isinstance(first[0].value, int)
    assert first[1].is_date and first[1].number_format == "yyyy/mm/dd hh:mm"
    assert first[1].value.year == 2026
    assert all(c.data_type == "s" for c in first[2:4])
    newest = _exports(known, AuditAction.AUDIT_EXPORT)[-1]
    assert newest.after is not None and newest.after["format"] == "xlsx"
    assert newest.summary.startswith("変更履歴をExcelに書き出し")
    # The CSV is as before.
    export_csv(known, AuditFilter(), tmp_path / "変更履歴.csv")
    assert _csv(tmp_path / "変更履歴.csv")[0] == list(CSV_HEADERS)
    assert _exports(known, AuditAction.AUDIT_EXPORT)[-1].after["format"] == "csv"  # type: ignore[index]


WRITERS: dict[str, Callable[[Store, Path], object]] = {
    "cases": lambda s, p: export_cases(s, p, date_from=None, date_to=None),
    "payments": lambda s, p: export_payments(s, p, date_from=None, date_to=None),
    "stats": lambda s, p: export_stats(s, p, calendar_year(2026)),
    "table": lambda s, p: export_stats_table(s, p, statistics(s, calendar_year(2026)), "revenue"),
    "audit": lambda s, p: export_csv(s, AuditFilter(), p),
}


@pytest.mark.parametrize("what", WRITERS)
@pytest.mark.parametrize("name", ["統計.txt", "統計.xls", "統計", "統計.xlsx.bak"])
def test_another_suffix_is_refused_before_anything_is_written(
    known: Store, tmp_path: Path, what: str, name: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = _entry_count(known)
    with pytest.raises(ValidationError, match=r"\.xlsx（Excel）か \.csv"):
        WRITERS[what](known, folder / name)
    assert list(folder.iterdir()) == []
    assert _entry_count(known) == before


def test_a_workbook_that_cannot_be_placed_leaves_nothing(known: Store, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    (folder / "a.xlsx").mkdir(parents=True)  # a folder where the file should go
    with pytest.raises(ValidationError, match="フォルダには書き込めません"):
        export_cases(known, folder / "a.xlsx", date_from=None, date_to=None)
    assert [p.name for p in folder.iterdir()] == ["a.xlsx"]
    assert _exports(known) == []


def test_more_rows_than_a_sheet_holds_is_refused_whole(
    known: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_export, "MAX_ROWS", 3)  # Excel's 1,048,576, made small
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ValidationError, match="CSVで書き出して"):
        export_cases(known, folder / "a.xlsx", date_from=None, date_to=None)
    assert list(folder.iterdir()) == []
    assert _exports(known) == []


# The writer itself --------------------------------------------------------------------------


def test_export_format_follows_the_suffix() -> None:
    assert export_format("a/b.csv") is ExportFormat.CSV
    assert export_format(Path("b.Xlsx")) is ExportFormat.XLSX
    with pytest.raises(ValidationError, match=r"一覧\.ods"):
        export_format("/tmp/一覧.ods")


def test_sheet_names_excel_accepts() -> None:
    used: set[str] = set()
    assert sheet_name("2026/04 [A]: *?\\", used) == "2026／04 ［A］： ＊？＼"
    long = "診療科・担当医別の実施件数" * 3
    assert len(sheet_name(long, used)) == 31
    second = sheet_name(long, used)
    assert len(second) == 31 and second.endswith("（2）")
    assert sheet_name("月別", used) == "月別"
    assert sheet_name("月別", used) == "月別（2）"
    assert sheet_name("", used) == "Sheet"
    assert sheet_name("History", used) == "History_"


def test_widths_count_full_width_characters_as_two() -> None:
    assert display_width("ABC") == 3
    assert display_width("統計　A") == 7
    assert display_width("ｱｲｳ") == 3  # half-width kana
    assert display_width("一行目\n二") == 6


def test_text_stays_text_and_odd_values_are_safe(tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    rows = [("0510011", "00123", "#N/A", "a\x0bb", D(1899, 12, 31), 1.5, True, "x" * 40_000)]
    with out.open("wb") as f:
        assert write_workbook(f, [Sheet("s", ("a", "b", "c", "d", "e", "f", "g", "h"), rows)]) == 1
    ws = load_workbook(out)["s"]
    cells = list(ws[2])
    assert [c.value for c in cells[:5]] == ["0510011", "00123", "#N/A", "ab", "1899/12/31"]
    assert all(c.data_type == "s" for c in cells[:5])
    assert cells[5].value == 1.5
    assert len(cells[7].value) == xlsx_export.MAX_TEXT and cells[7].value.endswith("（以下省略）")
    assert ws.column_dimensions["H"].width == xlsx_export.MAX_WIDTH


def test_an_empty_workbook_still_opens(tmp_path: Path) -> None:
    out = tmp_path / "e.xlsx"
    with out.open("wb") as f:
        assert write_workbook(f, [Sheet("空", ("a", "b"), [])]) == 0
    ws = load_workbook(out)["空"]
    assert _rows(out) == [["a", "b"]] and ws.auto_filter.ref == "A1:B1"
