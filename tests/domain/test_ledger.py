"""The ledger's columns and rows (domain/ledger.py): headers, dates, the intake's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.ledger import (
    Field,
    LedgerRow,
    RowProblem,
    find_header_row,
    guess_mapping,
    parse_ledger_date,
    parse_minutes,
    parse_row,
    parse_yen,
)
from desktop_app.domain.people import Sex
from desktop_app.domain.stages import Stage

TODAY = dt.date(2026, 12, 3)
HEADERS = ["受付日", "氏名", "フリガナ", "生年月日", "性別", "電話番号", "住所",
           "紹介元医療機関", "紹介医", "診療科", "担当医", "実施日", "実施時間", "料金", "備考"]  # fmt: skip


def _row(**values: object) -> list[object]:
    by_header = {
        "受付日": "2024/4/1", "氏名": "山田　太郎", "フリガナ": "ヤマダ　タロウ",
        "生年月日": "S45.3.15",
    }  # fmt: skip
    by_header.update({k: v for k, v in values.items()})
    return [by_header.get(h) for h in HEADERS]


def _parse(**values: object) -> LedgerRow | list[RowProblem]:
    return parse_row(7, _row(**values), guess_mapping(HEADERS), TODAY)


def test_usual_headers_and_their_variants_are_recognised() -> None:
    mapping = guess_mapping(
        ["問い合わせ日", "患者氏名", "ﾌﾘｶﾞﾅ", "生年月日（和暦）", "ＴＥＬ", "〒", "紹介病院",
         "紹介医師", "科", "担当医師", "相談日", "相談時間(分)", "相談料", "メモ", "結果", "謎の列"]
    )  # fmt: skip
    assert mapping.fields == (
        Field.RECEIVED_ON, Field.NAME, Field.FURIGANA, Field.BIRTH_DATE, Field.PHONE,
        Field.POSTAL_CODE, Field.REFERRER, Field.REFERRING_DOCTOR, Field.DEPARTMENT,
        Field.DOCTOR, Field.VISIT_DATE, Field.MINUTES, Field.FEE, Field.NOTE, Field.STATUS, None,
    )  # fmt: skip
    assert mapping.missing() == ()


def test_a_saved_mapping_wins_over_the_guess_and_a_field_is_taken_once() -> None:
    mapping = guess_mapping(["受付日", "氏名", "カナ", "氏名"], {"カナ": "", "氏名": "name"})
    assert mapping.fields == (Field.RECEIVED_ON, Field.NAME, None, None)
    assert mapping.missing() == (Field.FURIGANA,)
    assert mapping.as_saved() == {"受付日": "received_on", "氏名": "name", "カナ": ""}


def test_title_rows_above_the_header_are_skipped() -> None:
    rows = [["令和6年度 セカンドオピニオン受付台帳"], [], ["No.", *HEADERS], ["1", "2024/4/1"]]
    assert find_header_row(rows) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024/4/1", dt.date(2024, 4, 1)),
        ("2024-04-01", dt.date(2024, 4, 1)),
        ("２０２４／４／１", dt.date(2024, 4, 1)),
        ("R6.4.1", dt.date(2024, 4, 1)),
        ("令和6年4月1日", dt.date(2024, 4, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("2024/04/01 0:00:00", dt.date(2024, 4, 1)),
        (45383, dt.date(2024, 4, 1)),  # Excel's serial number
        (dt.datetime(2024, 4, 1, 0, 0), dt.date(2024, 4, 1)),
    ],
)
def test_dates_as_offices_write_them(value: object, expected: dt.date) -> None:
    assert parse_ledger_date(value) == expected


def test_a_full_row_is_read_and_normalised() -> None:
    row = _parse(
        性別="女", 電話番号="０９０－１２３４－５６７８", 住所="〒０５３－８５６７ 苫小牧市清水町1-5-20",
        紹介元医療機関="苫小牧 クリニック", 紹介医="佐藤先生", 診療科="内科", 担当医="鈴木",
        実施日="R6.4.20", 実施時間="３０分", 料金="¥5,500",
    )  # fmt: skip
    assert isinstance(row, LedgerRow)
    assert (row.received_on, row.birth_date, row.sex) == (
        dt.date(2024, 4, 1), dt.date(1970, 3, 15), Sex.FEMALE,
    )  # fmt: skip
    assert (row.phone, row.mobile, row.postal_code) == ("", "09012345678", "0538567")
    assert row.address == "苫小牧市清水町1-5-20"
    assert (row.referring_doctor, row.minutes, row.fee) == ("佐藤", 30, 5500)
    assert (row.stage, row.ended_on) == (Stage.SETTLED, dt.date(2024, 4, 20))


def test_the_stage_follows_the_row() -> None:
    booked = _parse(担当医="鈴木", 実施日="2027/1/10")
    inquiry = _parse()
    cancelled = _parse(**{"備考": "体調不良"}, 実施日="2024/5/1", 担当医="鈴木")
    assert isinstance(booked, LedgerRow) and booked.stage == Stage.BOOKED
    assert booked.ended_on is None
    assert isinstance(inquiry, LedgerRow) and inquiry.stage == Stage.INQUIRY
    assert isinstance(cancelled, LedgerRow) and cancelled.stage == Stage.BOOKED
    status = parse_row(3, [*_row(), "キャンセル"], guess_mapping([*HEADERS, "状態"]), TODAY)
    assert isinstance(status, LedgerRow)
    assert (status.stage, status.ended_on) == (Stage.CANCELLED, dt.date(2024, 4, 1))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"生年月日": "2024/2/30"}, "行 7 生年月日: 2024/2/30 は日付として正しくありません"),
        ({"受付日": "2027/1/5"}, "行 7 受付日: 2027/01/05 は今日より後の日付です"),
        ({"生年月日": "2027/1/5"}, "行 7 生年月日: 2027/01/05 は未来の日付です"),
        ({"実施日": "2024/3/1", "担当医": "鈴木"},
         "行 7 実施日: 2024/03/01 が受付日 2024/04/01 より前です"),
        ({"氏名": ""}, "行 7 氏名: 氏名がありません"),
        ({"フリガナ": "山田"}, "行 7 フリガナ: 山田（フリガナはカタカナで入力してください）"),
        ({"電話番号": "12-34"}, "行 7 電話番号: 12-34（電話番号は0から始まる10桁または11桁で入力してください）"),
        ({"実施日": "2024/4/20", "料金": "5500", "実施時間": "30"},
         "行 7 担当医: 担当医がありません（実施日のある行には必要です）"),
        ({"実施日": "2024/4/20", "料金": "5500", "担当医": "鈴木"},
         "行 7 実施時間: 実施時間がありません（料金のある行には必要です）"),
    ],
)  # fmt: skip
def test_a_bad_row_is_refused_naming_row_and_column(values: dict[str, str], expected: str) -> None:
    problems = _parse(**values)
    assert isinstance(problems, list)
    assert expected in [str(p) for p in problems]


def test_the_key_is_the_rows_identity_not_its_place() -> None:
    a, b = _parse(), parse_row(99, _row(氏名="山田太郎"), guess_mapping(HEADERS), TODAY)
    other = _parse(実施日="2027/1/10", 担当医="鈴木")
    assert isinstance(a, LedgerRow) and isinstance(b, LedgerRow) and isinstance(other, LedgerRow)
    assert a.key == b.key != other.key
    assert len(a.key) == 64


def test_minutes_and_yen() -> None:
    assert [parse_minutes(v) for v in ("30", "１時間", "1:15", 45, dt.time(0, 30))] == [
        30, 60, 75, 45, 30,
    ]  # fmt: skip
    assert [parse_yen(v) for v in ("5,500", "￥11,000", "5500円", 5500.0)] == [
        5500, 11000, 5500, 5500,
    ]  # fmt: skip
