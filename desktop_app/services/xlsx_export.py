"""Excel workbooks (.xlsx) for the exports, and which format a target's suffix asks for.

Values keep their type: a date is an Excel date (yyyy/mm/dd), a time a time, an amount of yen
a number shown as 1,234, a count a number; text stays text, so a phone number, a postal code
or a case number keeps its leading zeros and is never read as a number or a formula. Each
sheet has its header row bold, frozen and filtered, and columns as wide as their contents
(a full-width character counts as two). Rows are streamed (openpyxl's write-only mode), so
100,000 cases never sit in memory at once; the widths follow the first rows.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from desktop_app.domain.errors import ValidationError

log = logging.getLogger(__name__)

DATE_FORMAT = "yyyy/mm/dd"
DATETIME_FORMAT = "yyyy/mm/dd hh:mm"
TIME_FORMAT = "hh:mm"
YEN_FORMAT = "#,##0"
MAX_ROWS = 1_048_576  # one sheet, header row included
MAX_TEXT = 32_767  # characters in one cell
SHEET_NAME_LENGTH = 31
WIDTH_SAMPLE = 1_000  # rows looked at for the column widths
MIN_WIDTH = 6
MAX_WIDTH = 60
_FIRST_DATE = dt.date(1900, 3, 1)  # Excel's dates before this are off by a day (1900 leap year)
# Characters a sheet name may not hold, and the full-width ones that stand in for them.
_SHEET_NAME_SWAP = str.maketrans("[]:*?/\\", "［］：＊？／＼")


class ExportFormat(enum.Enum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def label(self) -> str:
        return "CSV" if self is ExportFormat.CSV else "Excel"

    @property
    def suffix(self) -> str:
        return f".{self.value}"


def export_format(path: Path | str) -> ExportFormat:
    """The format the target's suffix names (.xlsx: Excel, .csv: CSV, either case);
    ValidationError for any other name, before anything is written."""
    suffix = Path(str(path)).suffix.lower()
    for fmt in ExportFormat:
        if suffix == fmt.suffix:
            return fmt
    name = Path(str(path)).name or str(path)
    raise ValidationError(
        f"書き出すファイルの名前は .xlsx（Excel）か .csv（CSV）で終わるようにしてください：{name}",
        field="path",
    )


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name (as the clerk reads it), the header row and the rows (typed values:
    str, int, float, dt.date, dt.datetime, dt.time or None). Columns whose header names yen
    (円) are shown as 1,234."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


def write_workbook(out: IO[bytes], sheets: Iterable[Sheet], *, title: str = "") -> int:
    """Write the sheets as one workbook to ``out``; the number of data rows written."""
    book = Workbook(write_only=True)
    if title:
        book.properties.title = title
    used: set[str] = set()
    count = 0
    try:
        for sheet in sheets:
            count += _write_sheet(book, sheet, sheet_name(sheet.title, used))
        if not used:  # a workbook needs one sheet
            book.create_sheet("Sheet1")
    except BaseException:
        _discard(book)
        raise
    book.save(out)
    return count


def _discard(book: Any) -> None:
    """Close the sheets' streams and remove their temp files (openpyxl keeps each sheet in
    a private temp file until the book is saved): a failed export leaves nothing behind."""
    for ws in book.worksheets:
        try:
            if not ws.closed:
                ws.close()
            if ws._writer is not None:
                ws._writer.cleanup()
        except Exception:  # the export's own error is the one to report
            log.warning("a sheet of a failed workbook was not cleaned up", exc_info=True)


def sheet_name(title: str, used: set[str]) -> str:
    """``title`` as Excel allows a sheet name (31 characters, none of []:*?/\\, not blank, not
    a name already used in the book, whatever its case); the name is added to ``used``."""
    name = title.translate(_SHEET_NAME_SWAP).strip().strip("'") or "Sheet"
    if name.casefold() == "history":  # Excel keeps this name for itself
        name = f"{name}_"
    base, number = name[:SHEET_NAME_LENGTH], 1
    name = base
    while name.casefold() in used:
        number += 1
        tail = f"（{number}）"
        name = base[: SHEET_NAME_LENGTH - len(tail)] + tail
    used.add(name.casefold())
    return name


def _write_sheet(book: Any, sheet: Sheet, name: str) -> int:
    ws = book.create_sheet(name)
    headers = tuple(sheet.headers)
    yen = frozenset(i for i, header in enumerate(headers) if "円" in header)
    cells = _CellMaker(ws, yen)
    rows = iter(sheet.rows)
    sample = [cells.row(r) for r in islice(rows, WIDTH_SAMPLE)]
    columns = max([len(headers), *(len(r) for r in sample)])
    widths = [display_width(h) + 2 for h in headers] + [MIN_WIDTH] * (columns - len(headers))
    for row in sample:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _value_width(value, i in yen))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=_text(header))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    written = 0
    for row in _chain(sample, (cells.row(r) for r in rows)):
        if written + 2 > MAX_ROWS:
            raise ValidationError(
                f"Excelの1枚のシートに入る行数（{MAX_ROWS - 1:,}行）を超えます。"
                "期間を絞るか、CSVで書き出してください。",
                field="path",
            )
        ws.append(cells.styled(row))
        written += 1
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{written + 1}"
    return written


def _chain(first: list[list[object]], rest: Iterator[list[object]]) -> Iterator[list[object]]:
    yield from first
    yield from rest


class _CellMaker:
    """Turns a row of typed values into what the write-only sheet takes: plain values where
    Excel's defaults are right, a styled cell where a number format is needed."""

    def __init__(self, ws: Any, yen: frozenset[int]) -> None:
        self._ws = ws
        self._yen = yen
        # One styled cell per column and format, refilled for each row: the write-only sheet
        # writes a row out before append() returns.
        self._styled: dict[tuple[int, str], Any] = {}

    def row(self, values: Sequence[object]) -> list[object]:
        """The values as Excel should hold them (local naive datetimes, checked text)."""
        return [_value(v) for v in values]

    def styled(self, values: list[object]) -> list[object]:
        out: list[object] = []
        for i, value in enumerate(values):
            fmt = _number_format(value, i in self._yen)
            if fmt is None:
                if isinstance(value, str) and _needs_text_cell(value):
                    cell = WriteOnlyCell(self._ws, value=value)
                    cell.data_type = "s"  # never a formula nor an error value
                    out.append(cell)
                else:
                    out.append(value)
                continue
            cell = self._styled.get((i, fmt))
            if cell is None:
                cell = WriteOnlyCell(self._ws)
                cell.number_format = fmt
                self._styled[(i, fmt)] = cell
            cell.value = value
            out.append(cell)
        return out


def _value(value: object) -> object:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)  # the desk's wall clock
        return value if value.date() >= _FIRST_DATE else f"{value:%Y/%m/%d %H:%M}"
    if isinstance(value, dt.date):
        return value if value >= _FIRST_DATE else f"{value:%Y/%m/%d}"
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, int | float):
        return value
    return _text(str(value))


def _text(value: str) -> str:
    """Text as a cell may hold it: no control characters, at most 32,767 characters."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > MAX_TEXT:
        log.warning("a %d-character text cut to Excel's %d", len(value), MAX_TEXT)
        mark = "…（以下省略）"
        value = value[: MAX_TEXT - len(mark)] + mark
    return value


def _needs_text_cell(value: str) -> bool:
    """Text openpyxl would take for a formula (=…) or an error value (#N/A)."""
    return value.startswith("=") or value.startswith("#")


def _number_format(value: object, yen: bool) -> str | None:
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    if yen and isinstance(value, int | float) and not isinstance(value, bool):
        return YEN_FORMAT
    return None


def _value_width(value: object, yen: bool) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16 + 2
    if isinstance(value, dt.date):
        return 10 + 2
    if isinstance(value, dt.time):
        return 5 + 2
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{value:,}" if yen else f"{value}") + 2
    return display_width(str(value)) + 2


def display_width(text: str) -> int:
    """Columns ``text`` takes in a Japanese font: full-width (and ambiguous) characters count
    as two; the longest line of several."""
    return max((_line_width(line) for line in text.splitlines()), default=0)


def _line_width(line: str) -> int:
    return sum(_char_width(c) for c in line)


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("F", "W", "A") else 1
