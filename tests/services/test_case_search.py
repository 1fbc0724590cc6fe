"""Search through the index: short keys, every kana width, numbers, edits, capped counts."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.db.search_index import index_problems
from desktop_app.domain.people import Relationship
from desktop_app.domain.stages import Stage
from desktop_app.services import case_rows as cases_service
from desktop_app.services.case_edit import case_edit_form, save_case_edit
from desktop_app.services.case_rows import search_cases
from desktop_app.services.case_search import search_keys
from desktop_app.services.cases import create_case, find_case_id
from desktop_app.services.dto import NewCaller, NewCase, NewPatient
from desktop_app.services.store import Store, open_store

POSTGRES_URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="SODESK_TEST_POSTGRES_URL is not set"
))]  # fmt: skip


def _empty_postgres() -> None:
    from sqlalchemy import create_engine

    from desktop_app.db.engine import database_url

    engine = create_engine(database_url(POSTGRES_URL))
    with engine.begin() as c:
        c.exec_driver_sql("DROP SCHEMA public CASCADE")
        c.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path: Path) -> Iterator[Store]:
    """A fresh store on SQLite, and on PostgreSQL when the environment provides one."""
    if request.param == "sqlite":
        target = str(tmp_path / "search.db")
    else:
        _empty_postgres()
        target = POSTGRES_URL
    store = open_store(target, create=True, staff="テスト担当")
    try:
        yield store
    finally:
        store.close()
        if request.param != "sqlite":
            _empty_postgres()  # the other PostgreSQL tests expect the database as CI made it


def _add(store: Store, name: str, furigana: str, phone: str = "") -> str:
    address = "北海道苫小牧市表町1-1-1"
    patient = NewPatient(name=name, furigana=furigana, phone=phone, address=address)
    new = NewCase(patient=patient)
    return create_case(store, new).case_number


def _found(store: Store, query: str, **kwargs: object) -> list[str]:
    return [r.case_number for r in search_cases(store, query, **kwargs).rows]  # type: ignore[arg-type]


@pytest.fixture
def people(any_store: Store) -> dict[str, str]:
    return {
        "yamada": _add(any_store, "山田　太郎", "ヤマダ　タロウ", "0144-84-0158"),
        "suzuki": _add(any_store, "鈴木　一郎", "スズキ　イチロウ", "090-1234-5678"),
        "yamamoto": _add(any_store, "山本　花子", "ヤマモト　ハナコ"),
        "gi": _add(any_store, "𠮷野　葵", "ヨシノ　アオイ"),
    }


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("や", ["yamamoto", "yamada"]),  # one character
        ("ﾔ", ["yamamoto", "yamada"]),
        ("やま", ["yamamoto", "yamada"]),  # two
        ("ダ", ["yamada"]),
        ("ウ", ["suzuki", "yamada"]),  # last character of a name (タロウ, イチロウ)
        ("山", ["yamamoto", "yamada"]),
        ("𠮷", ["gi"]),  # outside the BMP
        ("ゑ", []),
        ("やまだ", ["yamada"]),  # hiragana, katakana, half-width, with spaces
        ("ヤマダ", ["yamada"]),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", ["yamada"]),
        ("ヤマダ　タロウ", ["yamada"]),
        ("山田太郎", ["yamada"]),
        ("ろう", ["suzuki", "yamada"]),
        ("たろうさん", []),
    ],
)
def test_search_matches_substrings_of_any_length(
    any_store: Store, people: dict[str, str], query: str, who: list[str]
) -> None:
    assert _found(any_store, query) == [people[w] for w in who]


def test_phone_found_as_typed_with_or_without_hyphens(
    any_store: Store, people: dict[str, str]
) -> None:
    for query in ("0144840158", "0144-84-0158", "０１４４－８４－０１５８", "84-0158", "0158"):
        assert _found(any_store, query) == [people["yamada"]], query
    assert _found(any_store, "090-1234") == [people["suzuki"]]
    assert search_keys("0144-84-0158") == ("0144-84-0158", "0144840158")
    assert search_keys("ヤマダ") == ("ヤマダ",)


def test_case_number_in_any_spelling(any_store: Store, people: dict[str, str]) -> None:
    number = people["suzuki"]
    for query in (number, number.lower(), number.replace("SO", "ｓｏ"), number[-6:]):
        assert _found(any_store, query) == [number], query
    assert find_case_id(any_store, number.lower()) > 0
    assert len(_found(any_store, "so")) == 4  # two letters of every number
    assert _found(any_store, number[:-1]) == list(reversed(people.values()))  # SO-2026-000


def test_case_edited_after_creation_is_found_under_its_new_name(
    any_store: Store, people: dict[str, str]
) -> None:
    case_id = find_case_id(any_store, people["yamada"])
    form = case_edit_form(any_store, case_id)
    patient = dataclasses.replace(form.edit.patient, name="田中　太郎", furigana="タナカ　タロウ")
    save_case_edit(
        any_store,
        case_id,
        dataclasses.replace(form.edit, patient=patient),
        expected_version=form.edit.version,
    )
    assert _found(any_store, "たなか") == [people["yamada"]]
    assert _found(any_store, "ﾀﾅ") == [people["yamada"]]
    assert _found(any_store, "やまだ") == []
    assert _found(any_store, "や") == [people["yamamoto"]]


def test_stage_filter_with_a_key(any_store: Store, people: dict[str, str]) -> None:
    assert _found(any_store, "やま", stages=(Stage.INQUIRY,)) == [
        people["yamamoto"],
        people["yamada"],
    ]
    assert _found(any_store, "やま", stages=(Stage.CANCELLED,)) == []


def test_count_stops_past_the_page_and_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases_service, "COUNT_AHEAD", 3)
    numbers = [_add(store, f"患者　{k}", "カンジャ") for k in range(6)]
    page = search_cases(store, "かんじゃ", limit=2)
    assert (page.total, page.capped) == (3, True)
    assert [r.case_number for r in page.rows] == numbers[:-3:-1]
    page = search_cases(store, "かんじゃ", limit=2, offset=2)
    assert (page.total, page.capped) == (5, True)
    page = search_cases(store, "かんじゃ", limit=2, offset=3)
    assert (page.total, page.capped) == (6, False)
    assert [r.case_number for r in page.rows] == [numbers[2], numbers[1]]
    page = search_cases(store, "", limit=10)
    assert (page.total, page.capped) == (6, False)
    assert search_cases(store, "ん", limit=2).capped  # the short-key paths count the same way


def test_a_common_short_key_takes_the_scan_and_finds_the_same(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = [_add(store, "山田　太郎", "ヤマダ　タロウ") for _ in range(3)]
    _add(store, "鈴木　一郎", "スズキ　イチロウ")
    via_index = _found(store, "ヤ")
    monkeypatch.setattr("desktop_app.services.case_search.MAX_SHORT_TERMS", 0)
    assert _found(store, "ヤ") == via_index == numbers[::-1]


def test_index_follows_writes_and_the_check_sees_it(store: Store) -> None:
    number = _add(store, "山田　太郎", "ヤマダ　タロウ")
    with store.engine.connect() as connection:
        assert index_problems(connection) == []
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE cases SET search_text = 'zzz'"))
    assert _found(store, "zzz") == [number]
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM case_search"))
        assert index_problems(connection) == ["検索用の索引が 1 件の案件と一致しません"]
        connection.execute(text("DROP TRIGGER cases_search_delete"))
        assert "検索用の索引のトリガー cases_search_delete がありません" in index_problems(
            connection
        )


def test_list_lines_are_those_mapping_makes_from_the_whole_case(tmp_path: Path) -> None:
    """The joined columns give each line exactly what case_row gives from the ORM case."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from desktop_app.db.models import Appointment, SOCase
    from desktop_app.services.maintenance import rebuild_demo
    from desktop_app.services.mapping import case_row

    store = rebuild_demo(str(tmp_path / "demo.db"), 60)
    try:
        page = search_cases(store, limit=500)
        with store.read() as session:
            cases = session.scalars(
                select(SOCase).options(selectinload(SOCase.appointments)).order_by(SOCase.id.desc())
            ).all()
            expected = []
            for c in cases:
                live: list[Appointment] = sorted(
                    (a for a in c.appointments if not a.cancelled), key=lambda a: a.id
                )
                expected.append(case_row(c, live[-1] if live else None))
        assert list(page.rows) == expected
        assert any(r.doctor and r.department for r in page.rows)
        assert any(r.appointment for r in page.rows) and any(r.referrer for r in page.rows)
    finally:
        store.close()


def test_a_callers_phone_finds_the_case(any_store: Store, people: dict[str, str]) -> None:
    """The daughter's callback number finds the case, whole or in part, and follows edits."""
    patient = NewPatient(name="高橋　正", furigana="タカハシ　タダシ", address="苫小牧市")
    daughter = NewCaller(name="高橋　美咲", relationship=Relationship.CHILD, phone="080-7777-8888")
    number = create_case(any_store, NewCase(patient=patient, caller=daughter)).case_number
    for query in ("08077778888", "080-7777-8888", "０８０７７７７８８８８", "7777-8888", "78888"):
        assert _found(any_store, query) == [number], query
    assert _found(any_store, "タカハシ") == [number]

    case_id = find_case_id(any_store, number)
    form = case_edit_form(any_store, case_id)
    caller = dataclasses.replace(form.edit.caller, phone="070-1111-2222")
    save_case_edit(
        any_store,
        case_id,
        dataclasses.replace(form.edit, caller=caller),
        expected_version=form.edit.version,
    )
    assert _found(any_store, "070-1111-2222") == [number]
    assert _found(any_store, "080-7777-8888") == []
