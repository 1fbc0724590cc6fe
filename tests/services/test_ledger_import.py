"""Importing the office's ledger (services/ledger_import.py), read back through the services."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.ledger import Field
from desktop_app.domain.roles import Actor, Role
from desktop_app.domain.stages import Stage
from desktop_app.services.access import NotAllowed
from desktop_app.services.audit import verify_chain
from desktop_app.services.cases import get_case
from desktop_app.services.dto import CaseDetail
from desktop_app.services.ledger_import import import_ledger, preview_ledger
from desktop_app.services.ledger_read import LedgerFileError
from desktop_app.services.maintenance import check_database
from desktop_app.services.masters import DoctorInput, add_department, add_doctor
from desktop_app.services.settings import get_ledger_mapping
from desktop_app.services.store import Store

HEADERS = ["受付日", "氏名", "フリガナ", "生年月日", "性別", "電話番号", "住所", "紹介元医療機関",
           "紹介医", "診療科", "担当医", "実施日", "実施時間", "料金", "備考"]  # fmt: skip


@pytest.fixture
def masters(store: Store) -> Store:
    dept = add_department(store, "内科")
    add_doctor(store, DoctorInput(department_id=dept.id, name="鈴木　一郎"))
    return store


def _xlsx(path: Path, rows: Sequence[Sequence[object]], merge: Sequence[str] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["令和6年度　セカンドオピニオン外来　受付台帳"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(list(row))
    for ref in merge:
        sheet.merge_cells(ref)
    book.save(path)
    return path


def _csv(path: Path, rows: Sequence[Sequence[object]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


# A typical mess: full-width digits, 和暦, a day's 受付日 merged over two rows, a blank line,
# a row with an impossible date, a settled visit, a booking ahead, an open enquiry.
MESSY = [
    ["R6.4.1", "山田　太郎", "やまだ たろう", "S45.3.15", "男", "０９０－１２３４－５６７８",
     "〒053-8567 苫小牧市清水町1-5-20", "みなと内科クリニック", "北村先生", "内科", "鈴木",
     "令和6年4月20日", "３０", "５，５００", "手術か薬物療法か"],
    [None, "佐藤　花子", "サトウ　ハナコ", "1980/2/30", "女", "", "", "", "", "", "", "", "", "", ""],
    [None] * 15,
    [dt.datetime(2026, 11, 20), "田中　次郎", "ﾀﾅｶ ｼﾞﾛｳ", "H2.1.1", "", "0144-22-3344", "", "",
     "", "内科", "鈴木", "2027/1/12", "", "", ""],
    ["2026/11/25", "木村　三郎", "キムラ　サブロウ", "1990/1/1", "", "", "", "", "", "", "", "",
     "", "", "電話のみ"],
]  # fmt: skip


def _cases(store: Store, result_ids: Sequence[int]) -> dict[str, CaseDetail]:
    details = [get_case(store, i) for i in result_ids]
    return {d.patient.name: d for d in details}


def test_a_messy_ledger_is_previewed_then_imported_and_read_back(
    masters: Store, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "台帳.xlsx", MESSY, merge=["A4:A5"])
    preview = preview_ledger(masters, path)
    assert [str(p) for p in preview.refused] == [
        "行 5 生年月日: 1980/2/30 は日付として正しくありません"
    ]
    assert preview.rows == 4  # the blank line is not a row
    assert [r.row for r in preview.to_create] == [4, 7, 8]
    assert not any(True for _ in _audit_rows(masters, AuditAction.CASE_IMPORT))  # nothing written

    result = import_ledger(masters, path)
    assert result.created == 3 and not result.ok
    cases = _cases(masters, result.case_ids)
    settled = cases["山田　太郎"]
    assert settled.stage == Stage.SETTLED
    assert (settled.received_on, settled.ended_on) == (dt.date(2024, 4, 1), dt.date(2024, 4, 20))
    assert settled.patient.furigana == "ヤマダ　タロウ"
    assert (settled.patient.mobile, settled.patient.postal_code) == ("09012345678", "0538567")
    assert settled.case_number.startswith("SO-2024-")
    (visit,) = settled.appointments
    assert (visit.date, visit.minutes, visit.doctor) == (dt.date(2024, 4, 20), 30, "鈴木　一郎")
    (paid,) = settled.payments
    assert (paid.paid_on, paid.total_yen, paid.amount_reason) == (dt.date(2024, 4, 20), 5500, "")
    booked = cases["田中　次郎"]
    assert (booked.stage, booked.received_on, booked.ended_on) == (
        Stage.BOOKED, dt.date(2026, 11, 20), None,
    )  # fmt: skip
    assert [a.date for a in booked.appointments] == [dt.date(2027, 1, 12)]
    enquiry = cases["木村　三郎"]
    assert (enquiry.stage, enquiry.received_on) == (Stage.INQUIRY, dt.date(2026, 11, 25))
    # One entry per case and one for the import; the chain and every seal hold.
    assert len(list(_audit_rows(masters, AuditAction.CASE_IMPORT))) == 3
    assert len(list(_audit_rows(masters, AuditAction.LEDGER_IMPORT))) == 1
    with masters.read() as session:
        assert verify_chain(session) is None
    assert check_database(masters.location).ok


def test_the_same_file_twice_creates_nothing_new(masters: Store, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "l.xlsx", MESSY)
    first = import_ledger(masters, path)
    again = import_ledger(masters, path)
    assert first.created == 3
    assert again.created == 0 and again.new_patients == 0
    assert again.preview.already_imported == (4, 7, 8)
    # Re-sorted, the rows are still the same rows.
    resorted = _xlsx(tmp_path / "sorted.xlsx", list(reversed(MESSY)))
    assert import_ledger(masters, resorted).created == 0


def test_a_cp932_csv_with_a_patient_already_registered(
    masters: Store, make_case: Callable[..., CaseDetail], tmp_path: Path
) -> None:
    existing = make_case()  # 山田　太郎, ヤマダ　タロウ, 1970-03-15
    similar = make_case(
        name="山田　太朗", furigana="ヤマダ　タロウ", birth_date=dt.date(1985, 5, 5)
    )
    rows = [
        ["2024/5/1", "山田 太郎", "ヤマダ タロウ", "1970/3/15", "", "", "", "", "", "", "", "", "",
         "", "髙橋医院からの紹介①"],
        ["2024/5/2", "山田 太郎", "ヤマダ タロウ", "1985/5/5", "", "", "", "", "", "", "", "", "",
         "", ""],
        ["2024/5/3", "山田 太郎", "ヤマダ タロウ", "1970/3/15", "", "", "", "", "", "", "", "", "",
         "", ""],
    ]  # fmt: skip
    path = _csv(tmp_path / "ledger.csv", rows, "cp932")
    preview = preview_ledger(masters, path)
    assert preview.ok
    assert [(m.row, m.patient_id, m.same_person) for m in preview.existing_patients] == [
        (2, existing.patient.id, True),
        (3, similar.patient.id, False),
        (4, existing.patient.id, True),
    ]
    result = import_ledger(masters, path)
    assert result.ok and result.created == 3 and result.new_patients == 1
    cases = [get_case(masters, i) for i in result.case_ids]
    assert [c.patient.id for c in cases][0::2] == [existing.patient.id] * 2
    assert cases[1].patient.id not in (existing.patient.id, similar.patient.id)
    assert "髙橋医院からの紹介①" in cases[0].consultation


def test_a_utf8_csv_and_unknown_names_in_the_masters(masters: Store, tmp_path: Path) -> None:
    rows = [
        ["2024/6/1", "高橋　一", "タカハシ　ハジメ", "", "", "", "", "", "", "外科", "", "", "", "", ""],
        ["2024/6/2", "高橋　二", "タカハシ　フタバ", "", "", "", "", "", "", "", "田村", "2024/6/9",
         "30", "5500", ""],
    ]  # fmt: skip
    path = _csv(tmp_path / "ledger.csv", rows, "utf-8-sig")
    preview = preview_ledger(masters, path)
    assert preview.unknown_names == ("外科", "田村")
    assert [str(p) for p in preview.refused] == [
        "行 2 診療科: 「外科」がマスターにありません",
        "行 3 担当医: 「田村」がマスターにありません",
    ]
    assert import_ledger(masters, path).created == 0


def test_the_mapping_is_kept_and_a_given_one_wins(masters: Store, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "l.xlsx", MESSY[:1])
    mapping = {"備考": ""}  # the clerk leaves 備考 out
    result = import_ledger(masters, path, mapping)
    assert result.preview.mapping.column_of(Field.NOTE) is None
    assert get_case(masters, result.case_ids[0]).consultation == ""
    saved = get_ledger_mapping(masters)
    assert saved["受付日"] == "received_on" and saved["備考"] == ""
    # Next time the column stays out without being told.
    again = preview_ledger(masters, _xlsx(tmp_path / "next.xlsx", MESSY[3:]))
    assert again.mapping.column_of(Field.NOTE) is None


def test_unreadable_files_and_a_clerk_without_the_right(masters: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(LedgerFileError, match="Excel のファイル"):
        preview_ledger(masters, broken)
    headless = tmp_path / "x.csv"
    headless.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="見出しの行"):
        preview_ledger(masters, headless)
    masters.user = Actor("uketsuke", "受付 太郎", Role.RECEPTION)
    with pytest.raises(NotAllowed):
        import_ledger(masters, _xlsx(tmp_path / "l.xlsx", MESSY))


def _audit_rows(store: Store, action: AuditAction) -> list[object]:
    from sqlalchemy import select

    from desktop_app.db import tables

    log = tables.audit_log
    with store.read() as session:
        return list(session.scalars(select(log.c.id).where(log.c.action == action)))


def test_the_command_line_dry_run_and_import(
    masters: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_admin
) -> None:
    import argparse
    import json

    from desktop_app.cli_import import run_import
    from desktop_app.services.store import open_store
    from tests.stores import CLI_USER

    path = _xlsx(tmp_path / "l.xlsx", MESSY)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"備考": "", "メモ": "備考"}, ensure_ascii=False), "utf-8")
    masters.close()
    cli_admin(masters.location)

    def run(dry_run: bool) -> int:
        args = argparse.Namespace(
            db=str(masters.location), user=CLI_USER[1], file=str(path), dry_run=dry_run,
            mapping=str(mapping),
        )  # fmt: skip
        return run_import(args)

    assert run(dry_run=True) == 1
    out = capsys.readouterr().out
    assert "行 5 生年月日: 1980/2/30 は日付として正しくありません" in out.splitlines()
    assert "確認のみ（何も書き込んでいません）" in out
    assert run(dry_run=False) == 1
    assert "登録しました: 案件 3 件" in capsys.readouterr().out
    check = open_store(masters.location)
    try:
        assert get_ledger_mapping(check)["備考"] == ""
    finally:
        check.close()


def test_imported_history_counts_by_its_own_dates(masters: Store, tmp_path: Path) -> None:
    """The statistics of the ledger's months show the imported cases; an imported visit has
    no booking date, so it stays out of the lead times that start at the booking but counts
    from its enquiry."""
    from desktop_app.domain.statistics import fiscal_year
    from desktop_app.services.statistics import statistics

    import_ledger(masters, _xlsx(tmp_path / "ledger.xlsx", MESSY))
    data = statistics(masters, fiscal_year(2024))
    april = next(m for m in data.months if m.label == "2024年4月")
    assert (april.enquiries, april.sessions, april.revenue_yen) == (1, 1, 5500)
    leads = {lead.label: lead for lead in data.lead_times}
    assert leads["予約 → 受診"].count == 0
    assert leads["問い合わせ → 受診（全体）"].count == 1
    assert leads["問い合わせ → 受診（全体）"].median_days == 19
