"""Any bytes in the draft file: reading it never raises, and a bad one is set aside whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from desktop_app.services.drafts import FORMAT_VERSION, Draft, draft_path, open_draft
from desktop_app.services.store import Store
from tests.bad_input import budget, hostile_text, open_test_store

# Names the wizard uses, so that generated drafts often look like real ones.
PAGES = ("caller", "patient", "doctor", "content", "attendance", "mail")
FIELDS = ("name", "furigana", "phone", "birth", "existing_id", "answers", "materials", "page")

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text(20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(hostile_text(8), inner, max_size=4)
    ),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(PAGES + FIELDS), hostile_text(8))
field_values = st.one_of(
    json_scalars,
    st.lists(json_scalars, max_size=4),
    st.dictionaries(hostile_text(8), json_scalars, max_size=4),
    json_values,
)
draft_values = st.dictionaries(
    keys, st.one_of(st.dictionaries(keys, field_values, max_size=5), json_values), max_size=4
)
saved_ats = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
# A draft as this version writes it, with anything in its values ...
well_formed = st.fixed_dictionaries(
    {
        "version": st.just(FORMAT_VERSION),
        "saved_at": saved_ats,
        "page": st.integers(-3, 9),
        "values": draft_values,
    }
)
# ... and anything at all in each of its keys, or a key missing.
payloads = st.one_of(
    well_formed,
    st.fixed_dictionaries(
        {},
        optional={
            "version": st.one_of(st.just(FORMAT_VERSION), json_scalars),
            "saved_at": st.one_of(saved_ats, json_scalars),
            "page": st.one_of(st.integers(-3, 9), json_values),
            "values": st.one_of(draft_values, json_values),
        },
    ),
)


@pytest.fixture(scope="module")
def draft_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_test_store(Path(tmp_path_factory.mktemp("bad-drafts")) / "drafts.db")
    yield store
    store.close()


def _read_back(store: Store, raw: bytes) -> Draft | None:
    """Write ``raw`` as the draft, read it as the window does at start, check the outcome."""
    path = draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f"{path.stem}.broken-*.json"):
        old.unlink()
    path.write_bytes(raw)
    loaded = open_draft(store)  # never raises: that is the property
    if loaded.draft is None:
        event("set aside")
        assert loaded.set_aside is not None
        assert loaded.set_aside.read_bytes() == raw
        assert not path.exists()
    else:
        event("a draft")
        assert loaded.set_aside is None
        assert path.read_bytes() == raw
        assert isinstance(loaded.draft.page, int) and isinstance(loaded.draft.values, dict)
        assert loaded.draft.saved_at.tzinfo is not None
    return loaded.draft


@budget(200)
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_the_draft(draft_store: Store, raw: bytes) -> None:
    _read_back(draft_store, raw)


@budget(250)
@given(payload=payloads, indent=st.sampled_from([None, 1]))
def test_any_json_as_the_draft(draft_store: Store, payload: dict, indent: int | None) -> None:
    raw = json.dumps(payload, ensure_ascii=False, indent=indent).encode("utf-8", "surrogatepass")
    draft = _read_back(draft_store, raw)
    if draft is not None:
        assert draft.values == payload["values"] and draft.page == payload["page"]
