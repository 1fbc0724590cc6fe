"""Finding one open case from what the clerk typed: a case number (or a form's barcode), else a
name in any kana spelling. 書類受領 and 受信FAX's 案件を指定 both look cases up this way."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from desktop_app.domain.barcodes import parse_case_number
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import OPEN_STAGES
from desktop_app.services.case_rows import CaseRow, search_cases
from desktop_app.services.cases import find_case_id
from desktop_app.services.store import Store
from desktop_app.ui.actions import ServiceRunner

MAX_RESULTS = 30


@dataclass(frozen=True)
class Lookup:
    """The one case found, or the open cases to choose from, or why there is none."""

    case_id: int | None = None
    rows: tuple[CaseRow, ...] = ()
    total: int = 0
    capped: bool = False  # the count stopped (issue #13): 「N件以上」
    message: str = ""


def look_up_case(
    runner: ServiceRunner, parent: QWidget, text: str, limit: int = MAX_RESULTS
) -> Lookup:
    """By number when ``text`` is one, else the open cases whose names match."""
    number = parse_case_number(text)
    if number is not None:
        case_id = runner.call(parent, case_id_or_none, runner.store, number)
        if case_id is None:
            return Lookup(message=f"案件番号 {number} の案件は見つかりません。")
        return Lookup(case_id=case_id)
    page = runner.read(parent, search_cases, text, stages=OPEN_STAGES, limit=limit)
    rows = page.rows if page is not None else ()
    if not rows:
        return Lookup(message=f"「{text}」に該当する受付中の案件はありません。")
    if len(rows) == 1:
        return Lookup(case_id=rows[0].id)
    total, capped = (page.total, page.capped) if page else (len(rows), False)
    return Lookup(rows=rows, total=total, capped=capped)


def fill_results(results: QListWidget, rows: tuple[CaseRow, ...]) -> None:
    """One line a case, its id behind it; the first chosen."""
    results.clear()
    for row in rows:
        item = QListWidgetItem(
            f"{row.case_number}　{row.patient_name}（{row.furigana}）　{row.stage.label}"
        )
        item.setData(Qt.ItemDataRole.UserRole, row.id)
        results.addItem(item)
    results.setCurrentRow(0)


def case_id_or_none(store: Store, number: str) -> int | None:
    try:
        return find_case_id(store, number)
    except ValidationError:
        return None
