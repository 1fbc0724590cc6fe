"""The canonical encoding is injective and the chain check names the first broken row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.audit_chain import (
    GENESIS,
    AuditContent,
    BreakKind,
    ChainedRow,
    encode,
    find_break,
    row_hash,
)

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_times = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
contents = st.builds(
    AuditContent,
    id=st.integers(min_value=1),
    at=_times,
    staff=st.text(),
    action=st.text(),
    entity=st.text(),
    entity_id=st.text(),
    case_id=st.none() | st.integers(),
    summary=st.text(),
    before=st.none() | st.dictionaries(st.text(), _json, max_size=4),
    after=st.none() | st.dictionaries(st.text(), _json, max_size=4),
)


def _canonical(content: AuditContent) -> tuple[object, ...]:
    """Equality as the chain means it: True and 1 differ, as JSON tells them apart."""
    return tuple(
        json.dumps(getattr(content, f.name), sort_keys=True, default=str)
        + type(getattr(content, f.name)).__name__
        for f in dataclasses.fields(content)
    )


@given(contents, contents)
def test_two_different_rows_never_encode_alike(a: AuditContent, b: AuditContent) -> None:
    if _canonical(a) != _canonical(b):
        assert encode(a) != encode(b)
        assert row_hash(GENESIS, a) != row_hash(GENESIS, b)
    else:
        assert encode(a) == encode(b)


@given(contents)
def test_the_encoding_reads_back_as_the_same_content(content: AuditContent) -> None:
    decoded = json.loads(encode(content).decode("utf-8"))
    assert decoded["id"] == content.id and decoded["summary"] == content.summary
    assert decoded["before"] == content.before and decoded["after"] == content.after
    assert decoded["at"] == content.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert set(decoded) == {f.name for f in dataclasses.fields(content)}


@given(contents, st.text(min_size=1))
def test_any_changed_field_changes_the_hash(content: AuditContent, extra: str) -> None:
    changed = dataclasses.replace(content, summary=content.summary + extra)
    assert row_hash(GENESIS, changed) != row_hash(GENESIS, content)
    assert row_hash("1" * 64, content) != row_hash(GENESIS, content)


def _content(n: int, **changes: object) -> AuditContent:
    base = AuditContent(
        id=n,
        at=dt.datetime(2026, 11, 25, 1, n % 60, tzinfo=dt.UTC),
        staff="受付A",
        action="case.stage",
        entity="case",
        entity_id=f"SO-2026-{n:04d}",
        case_id=n,
        summary=f"段階の変更 {n}",
        before={"stage": "inquiry", "note": None},
        after={"stage": "forms_sent", "flag": True, "items": [1, "2"]},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _chain(n: int) -> list[ChainedRow]:
    rows, prev = [], GENESIS
    for k in range(1, n + 1):
        content = _content(k)
        digest = row_hash(prev, content)
        rows.append(ChainedRow(content, prev, digest))
        prev = digest
    return rows


def test_a_sound_chain_has_no_break() -> None:
    assert find_break(_chain(10)) is None
    assert find_break([]) is None


def test_floats_naive_times_and_odd_keys_have_no_encoding() -> None:
    with pytest.raises(TypeError):
        encode(_content(1, after={"minutes": 30.5}))
    with pytest.raises(TypeError):
        encode(_content(1, before={1: "x"}))
    with pytest.raises(ValueError):
        encode(_content(1, at=dt.datetime(2026, 1, 1)))
    assert b'"before":null' in encode(_content(1, before=None))


def test_each_kind_of_tampering_names_its_row() -> None:
    rows = _chain(10)
    altered = [*rows]
    altered[4] = dataclasses.replace(rows[4], content=_content(5, summary="書き換え"))
    found = find_break(altered)
    assert found is not None and (found.kind, found.row.id) == (BreakKind.ALTERED, 5)
    assert "変更履歴の 5 行目" in found.message() and "改ざん" in found.message()

    removed = rows[:4] + rows[5:]
    found = find_break(removed)
    assert found is not None and (found.kind, found.missing_id) == (BreakKind.REMOVED, 5)
    assert found.message().startswith("変更履歴の 5 行目が削除されています")

    swapped = [*rows]
    swapped[4], swapped[5] = rows[5], rows[4]
    found = find_break(swapped)
    assert found is not None and (found.kind, found.row.id) == (BreakKind.REORDERED, 6)

    foreign = ChainedRow(_content(99), None, None)
    found = find_break([*rows[:5], foreign, *rows[5:]])
    assert found is not None and (found.kind, found.row.id) == (BreakKind.INSERTED, 99)

    forged_content = _content(6, summary="偽の行")
    forged = ChainedRow(
        forged_content, rows[4].row_hash, row_hash(rows[4].row_hash, forged_content)
    )
    found = find_break([*rows[:5], forged, *rows[5:]])
    assert found is not None and (found.kind, found.row.id) == (BreakKind.INSERTED, 6)
