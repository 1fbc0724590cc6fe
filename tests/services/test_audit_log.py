"""Reading the audit log: filters, pages, and a CSV export that is itself audited."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from desktop_app.domain import clock
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services import audit
from desktop_app.services.audit_log import (
    CSV_HEADERS,
    AuditFilter,
    count_entries,
    export_csv,
    list_entries,
    staff_names,
)
from desktop_app.services.cases import move_stage
from desktop_app.services.store import Store, StoreError


@pytest.fixture
def history(store: Store, make_case) -> list[str]:
    """Two clerks: A registers three cases, B moves the first two on. Case numbers returned."""
    store.staff = "受付A"
    cases = [make_case(name=f"山田　{k}") for k in ("一郎", "二郎", "三郎")]
    store.staff = "受付B"
    for case in cases[:2]:
        move_stage(store, case.id, Stage.FORMS_SENT)
    return [c.case_number for c in cases]


def test_filters_by_staff_case_action_and_date(store: Store, history: list[str]) -> None:
    assert count_entries(store) == 5
    assert staff_names(store) == ("受付A", "受付B")
    assert count_entries(store, AuditFilter(staff="受付B")) == 2
    first = history[0]
    assert {r.case_number for r in list_entries(store, AuditFilter(case_number=first))} == {first}
    assert count_entries(store, AuditFilter(case_number=first.lower()[-4:])) == 2
    moves = list_entries(store, AuditFilter(action=AuditAction.CASE_STAGE))
    assert [r.action_label for r in moves] == ["段階の変更", "段階の変更"]
    today = clock.today()
    assert count_entries(store, AuditFilter(date_from=today, date_to=today)) == 5
    yesterday = today - dt.timedelta(days=1)
    assert count_entries(store, AuditFilter(date_to=yesterday)) == 0
    assert count_entries(store, AuditFilter(date_from=today + dt.timedelta(days=1))) == 0
    with pytest.raises(ValidationError, match="開始日"):
        count_entries(store, AuditFilter(date_from=today, date_to=yesterday))


def test_pages_run_newest_first_without_gaps(store: Store, history: list[str]) -> None:
    first = list_entries(store, limit=2)
    second = list_entries(store, before_id=first[-1].id, limit=2)
    third = list_entries(store, before_id=second[-1].id, limit=2)
    ids = [r.id for r in (*first, *second, *third)]
    assert ids == [5, 4, 3, 2, 1]


def test_the_export_is_utf8_with_bom_in_japanese_and_is_itself_audited(
    store: Store, history: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "変更履歴.csv"
    assert export_csv(store, AuditFilter(staff="受付A"), target) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_HEADERS
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"], "oldest first"
    assert rows[1][2] == "受付A" and rows[1][3] == "案件の登録" and rows[1][4] == history[0]
    assert dt.datetime.strptime(rows[1][1], "%Y/%m/%d %H:%M")
    newest = list_entries(store, limit=1)[0]
    assert newest.action == AuditAction.AUDIT_EXPORT.value
    assert "3件" in newest.summary and "担当者：受付A" in newest.summary
    with store.read() as session:
        assert audit.verify_chain(session) is None


def test_an_export_that_cannot_be_written_is_refused_and_not_recorded(
    store: Store, history: list[str], tmp_path: Path
) -> None:
    with pytest.raises(StoreError, match="書き出せませんでした"):
        export_csv(store, AuditFilter(), tmp_path / "no-such-folder" / "x.csv")
    assert count_entries(store) == 5
