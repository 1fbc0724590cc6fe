"""Reading a ledger file: an Excel workbook (.xlsx, its first sheet) or a CSV in UTF-8 or in
Shift_JIS/CP932 (what Excel on Japanese Windows writes). Rows come out as cell values with
their row numbers in the file, blank rows left out, merged cells filled in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.ledger import find_header_row, is_blank

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024
Cell = object  # str, int, float, date, datetime, time or None


class LedgerFileError(ValidationError):
    """The file cannot be read as a ledger (one sentence in Japanese)."""


@dataclass(frozen=True)
class LedgerTable:
    """The header row and the rows under it, each with its row number in the file."""

    headers: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]
    sheet: str = ""


def read_ledger(path: Path) -> LedgerTable:
    """The ledger at ``path``: .xlsx (or .xlsm) by openpyxl, anything else as CSV."""
    try:
        size = path.stat().st_size
    except OSError:
        raise LedgerFileError(f"ファイル {path.name} が見つからないか、開けません。") from None
    if size > MAX_FILE_BYTES:
        raise LedgerFileError(f"ファイル {path.name} が大きすぎます（200 MB まで）。")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows, sheet = _xlsx_rows(path)
    elif path.suffix.lower() == ".xls":
        raise LedgerFileError(
            "古い Excel 形式（.xls）は読めません。Excel で .xlsx か CSV として保存し直してください。"
        )
    else:
        rows, sheet = _csv_rows(path), ""
    return _table(path, rows, sheet)


def _table(path: Path, rows: list[tuple[int, tuple[Cell, ...]]], sheet: str) -> LedgerTable:
    head = find_header_row([cells for _n, cells in rows])
    if head is None:
        raise LedgerFileError(
            f"{path.name} に見出しの行（受付日・氏名・フリガナなど）が見つかりません。"
        )
    number, header_cells = rows[head]
    headers = tuple("" if c is None else str(c).strip() for c in header_cells)
    width = len(headers)
    body = tuple((n, _fit(cells, width)) for n, cells in rows[head + 1 :] if not is_blank(cells))
    return LedgerTable(headers=headers, header_row=number, rows=body, sheet=sheet)


def _fit(cells: Sequence[Cell], width: int) -> tuple[Cell, ...]:
    cells = tuple(cells[:width])
    return cells + (None,) * (width - len(cells))


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, tuple[Cell, ...]]], str]:
    # read_only streams the sheet (a normal load of 10,000 rows takes seconds longer) but
    # does not expose merged ranges, which an office ledger has (one 受付日 over the rows of
    # a day): those are read from the sheet's XML and filled in below. data_only: a
    # formula's last computed value.
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.utils.cell import range_boundaries  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        log.warning("ledger %s: not a workbook: %s", path, exc)
        raise LedgerFileError(
            f"{path.name} は Excel のファイル（.xlsx）として読めません。"
        ) from None
    try:
        sheet = book.active if book.active is not None else book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong <dimension>: read every row
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        merged = _merged_ranges(path, getattr(sheet, "_worksheet_path", ""))
        title = sheet.title
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("ledger %s: unreadable sheet: %s", path, exc)
        raise LedgerFileError(f"{path.name} のシートを読めません。") from None
    finally:
        book.close()
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row > len(values):
            continue
        top_row = values[min_row - 1]
        top = top_row[min_col - 1] if min_col - 1 < len(top_row) else None
        for r in range(min_row - 1, min(max_row, len(values))):
            row = values[r]
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col - 1, max_col):
                row[c] = top
    return [(i + 1, tuple(_excel_value(v) for v in row)) for i, row in enumerate(values)], title


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _merged_ranges(path: Path, member: str) -> list[str]:
    """The merged ranges (A5:A7 …) the sheet's XML lists."""
    if not member:
        return []
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as xml:
        data = xml.read()
    start = data.rfind(b"<mergeCells")
    if start < 0:
        start = data.rfind(b":mergeCells")
    return [] if start < 0 else [m.decode() for m in _MERGE_REF.findall(data, start)]


def _excel_value(value: object) -> Cell:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _csv_rows(path: Path) -> list[tuple[int, tuple[Cell, ...]]]:
    try:
        data = path.read_bytes()
    except OSError:
        raise LedgerFileError(f"ファイル {path.name} を開けません。") from None
    text = _decode(path, data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], ",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        for cells in reader:
            rows.append((reader.line_num, tuple(c.strip() or None for c in cells)))
    except csv.Error as exc:
        log.warning("ledger %s: bad CSV: %s", path, exc)
        raise LedgerFileError(
            f"{path.name} は CSV として読めません（{reader.line_num} 行目）。"
        ) from None
    return rows


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else CP932 (Shift_JIS with Windows'
    extra characters: ①, ㈱, 髙 and the like)."""
    if b"\x00" in data[:4096]:
        raise LedgerFileError(f"{path.name} は CSV でも Excel のファイルでもないようです。")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(
        f"{path.name} の文字コードが分かりません。UTF-8 か Shift_JIS の CSV で保存してください。"
    )
