"""Every way to the rows (FTS trigrams, short keys, the scan, case numbers, whole phone
numbers, a stage filter) finds exactly what a plain substring test over the search text finds."""

from __future__ import annotations

import random
from collections.abc import Iterator

import jaconv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop_app.db.models import SOCase
from desktop_app.domain.japanese import search_key
from desktop_app.domain.people import Relationship
from desktop_app.domain.stages import OPEN_STAGES, Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.case_search import search_keys
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.dto import NewCaller, NewCase, NewPatient
from desktop_app.services.store import Store, open_store

FAMILY = [("山田", "ヤマダ"), ("山本", "ヤマモト"), ("鈴木", "スズキ"), ("佐々木", "ササキ")]
GIVEN = [("太郎", "タロウ"), ("花子", "ハナコ"), ("千尋", "チヒロ"), ("𠮷乃", "ヨシノ")]
# Numbers that share starts and ends, an eleven-digit one that is "0" and a ten-digit one,
# and a mobile beside a landline.
PHONES = ["0144840158", "0144840159", "01448401580", "00144840158", "09012345678", ""]
# Callers' numbers: one no patient has (a daughter's mobile), one a patient has too, and
# an eleven-digit "0" + ten of a patient's number.
CALLER_PHONES = ["08055556666", "0144840158", "00144840159", ""]


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[int, str]]]:
    """40 cases in a few stages, with callers (most with a phone of their own); and each
    case's stored search text."""
    pick = random.Random(13)
    store = open_store(tmp_path_factory.mktemp("search") / "search.db", create=True)
    for n in range(40):
        (family, family_kana), (given, given_kana) = pick.choice(FAMILY), pick.choice(GIVEN)
        patient = NewPatient(
            name=f"{family}　{given}",
            furigana=f"{family_kana}　{given_kana}",
            address="北海道苫小牧市表町1-1-1",
            phone=pick.choice(PHONES),
            mobile=pick.choice(PHONES),
        )
        caller = None
        if n % 3 == 0:
            caller = NewCaller(
                name="佐藤　恵子",
                relationship=Relationship.SPOUSE,
                furigana="サトウ　ケイコ",
                phone=CALLER_PHONES[(n // 3) % len(CALLER_PHONES)],
            )
        case = create_case(store, NewCase(patient=patient, caller=caller))
        if n % 4 == 1:
            move_stage(store, case.id, Stage.CANCELLED, reason="ご本人のご都合")
    with store.read() as session:
        texts = {i: t for i, t in session.execute(select(SOCase.id, SOCase.search_text))}
    yield store, texts
    store.close()


def _expected(texts: dict[int, str], query: str) -> list[int]:
    keys = search_keys(search_key(query))
    return sorted((i for i, t in texts.items() if any(k in t for k in keys)), reverse=True)


def _spellings(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [text, jaconv.kata2hira(text), jaconv.z2h(text, kana=True, digit=True, ascii=True)]
    )


@st.composite
def queries(draw: st.DrawFn, texts: list[str]) -> str:
    """A piece of a stored search text in some spelling, or a few characters from anywhere."""
    if draw(st.booleans()):
        text = draw(st.sampled_from(texts))
        start = draw(st.integers(0, len(text) - 1))
        piece = text[start : start + draw(st.integers(1, 12))]
        return draw(_spellings(piece))
    return draw(st.text(alphabet="0145-ヤマダスズキタロウ山田so2026", min_size=1, max_size=12))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_index_finds_what_a_substring_test_finds(
    searched: tuple[Store, dict[int, str]], data: st.DataObject
) -> None:
    store, texts = searched
    query = data.draw(queries(sorted(set(texts.values()))))
    found = [r.id for r in search_cases(store, query, limit=500).rows]
    assert found == _expected(texts, query), query
    page = search_cases(store, query, limit=3)
    assert [r.id for r in page.rows] == found[:3]
    assert page.total == len(found) or (page.capped and page.total < len(found))


@pytest.mark.parametrize(
    "query",
    [
        "0144840158",
        "0144-84-0158",
        "０１４４８４０１５８",
        "01448401580",
        "09012345678",
        "0144840157",
        "08055556666",  # only a caller's
        "080-5555-6666",
        "0144840159",  # a patient's, and ten digits of a caller's eleven
    ],
)
def test_whole_phone_numbers_through_the_number_index(
    searched: tuple[Store, dict[int, str]], query: str
) -> None:
    store, texts = searched
    assert [r.id for r in search_cases(store, query, limit=500).rows] == _expected(texts, query)
    open_ids = [r.id for r in search_cases(store, query, stages=OPEN_STAGES, limit=500).rows]
    with store.read() as session:
        cancelled = set(session.scalars(select(SOCase.id).where(SOCase.stage == Stage.CANCELLED)))
    assert open_ids == [i for i in _expected(texts, query) if i not in cancelled]


def test_the_fixture_has_what_the_phone_path_must_tell_apart(
    searched: tuple[Store, dict[int, str]],
) -> None:
    """Each number (and the eleven-digit "0" + ten) is on some case, so no query above is
    trivially empty."""
    _, texts = searched
    for number in PHONES[:-1]:
        assert any(number in t for t in texts.values()), number
    assert _expected(texts, "0144840158") != _expected(texts, "01448401580")


def test_callers_phones_are_in_the_search_text(searched: tuple[Store, dict[int, str]]) -> None:
    """A caller's number (the daughter's mobile, n = 0, 12, 24, 36) is in the search text of
    the cases they called about, as the patient's own numbers are."""
    store, texts = searched
    assert len([t for t in texts.values() if "08055556666" in t]) == 4
    assert len(search_cases(store, "080-5555-6666", limit=500).rows) == 4
