from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from desktop_app.services.drafts import (
    FORMAT_VERSION,
    MAX_DRAFT_BYTES,
    DraftLoad,
    discard_draft,
    draft_path,
    load_draft,
    open_draft,
    save_draft,
    set_aside_draft,
)
from desktop_app.services.store import data_dir, open_store


def test_a_draft_round_trips_in_the_data_folder(store) -> None:
    values = {"patient": {"name": "山田　太郎", "existing_id": None}, "content": {"answers": {}}}
    save_draft(store, values, page=2)
    assert draft_path(store).parent == data_dir()
    draft = load_draft(store)
    assert draft is not None and draft.values == values and draft.page == 2
    assert "山田　太郎" in draft_path(store).read_text(encoding="utf-8")  # readable, not escaped


def test_each_database_has_its_own_draft(store, tmp_path: Path) -> None:
    demo = open_store(tmp_path / "demo.db", create=True)
    save_draft(store, {"caller": {"name": "clinic"}})
    assert load_draft(demo) is None
    save_draft(demo, {"caller": {"name": "demo"}})
    assert load_draft(store).values["caller"]["name"] == "clinic"
    discard_draft(demo)
    assert load_draft(store) is not None
    demo.close()


def test_saving_leaves_no_temporary_files(store) -> None:
    save_draft(store, {"caller": {"name": "a"}})
    save_draft(store, {"caller": {"name": "b"}})
    assert [p.name for p in draft_path(store).parent.iterdir()] == [draft_path(store).name]
    assert load_draft(store).values["caller"]["name"] == "b"


def test_no_draft_and_discard_are_quiet(store) -> None:
    assert load_draft(store) is None
    discard_draft(store)
    save_draft(store, {"caller": {}})
    discard_draft(store)
    assert load_draft(store) is None


def test_a_broken_file_is_set_aside_not_fatal(store) -> None:
    path = draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json", encoding="utf-8")
    loaded = open_draft(store)
    assert loaded.draft is None
    assert not path.exists()
    assert loaded.set_aside == path.with_name(path.stem + ".broken-1.json")
    assert loaded.set_aside.read_text(encoding="utf-8") == "{ not json"
    assert open_draft(store) == DraftLoad(None)  # told once: nothing left to set aside


def _payload(**changes: object) -> dict:
    payload: dict = {
        "version": FORMAT_VERSION,
        "saved_at": "2026-11-24T10:15:00+09:00",
        "page": 1,
        "values": {"caller": {"name": "山田　花子"}, "patient": {"materials": ["blood"]}},
    }
    payload.update(changes)
    return payload


MALFORMED: list[bytes] = [
    b"",
    b"\xff\xfe{}",  # not UTF-8
    b"[]",
    b"null",
    b'"a draft"',
    json.dumps(_payload(version=2)).encode(),
    json.dumps(_payload(version=True)).encode(),
    json.dumps(_payload(page="2")).encode(),
    json.dumps(_payload(page=1.0)).encode(),
    json.dumps(_payload(page=[1])).encode(),
    json.dumps(_payload(page=2**70)).encode(),
    json.dumps(_payload(saved_at="yesterday")).encode(),
    json.dumps(_payload(saved_at=12)).encode(),
    json.dumps(_payload(saved_at="2026-11-24T10:15:00")).encode(),  # no time zone
    json.dumps(_payload(saved_at="0001-01-01T00:00:00+09:00")).encode(),  # not local time
    json.dumps(_payload(values=[])).encode(),
    json.dumps(_payload(values={"caller": ["name"]})).encode(),
    json.dumps(_payload(values={"caller": "name"})).encode(),
    json.dumps(_payload(values={"caller": {"name": [["nested"]]}})).encode(),
    json.dumps(_payload(values={"caller": {"name": {"a": {"b": 1}}}})).encode(),
    json.dumps(_payload(values={"patient": {"existing_id": 2**64}})).encode(),
    b'{"version": 1, "saved_at": "2026-11-24T10:15:00+09:00", "page": NaN, "values": {}}',
    json.dumps(_payload(values={"content": {"x": float("inf")}})).encode(),
    json.dumps(_payload(values={"caller": {"name": "\ud800"}})).encode(),  # lone surrogate
    json.dumps({k: v for k, v in _payload().items() if k != "values"}).encode(),
    b"[" * 100_000,  # deeper than the JSON reader recurses
    b"1" * 5000,  # an integer longer than Python converts
]


def test_every_malformed_draft_is_set_aside_under_the_next_number(store) -> None:
    path = draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    for number, raw in enumerate(MALFORMED, 1):
        path.write_bytes(raw)
        loaded = open_draft(store)
        assert loaded.draft is None, raw[:60]
        assert loaded.set_aside == path.with_name(f"{path.stem}.broken-{number}.json"), raw[:60]
        assert loaded.set_aside.read_bytes() == raw
        assert not path.exists()
    kept = sorted(p.name for p in path.parent.glob("*.broken-*.json"))
    assert len(kept) == len(MALFORMED)


def test_an_earlier_broken_copy_is_never_overwritten(store) -> None:
    path = draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    first = path.with_name(f"{path.stem}.broken-1.json")
    first.write_bytes(b"the first")
    third = path.with_name(f"{path.stem}.broken-3.json")
    third.write_bytes(b"the third")
    path.write_bytes(b"the second")
    assert load_draft(store) is None
    assert path.with_name(f"{path.stem}.broken-2.json").read_bytes() == b"the second"
    path.write_bytes(b"the fourth")
    assert open_draft(store).set_aside == path.with_name(f"{path.stem}.broken-4.json")
    assert first.read_bytes() == b"the first" and third.read_bytes() == b"the third"


def test_a_huge_file_is_not_read_as_a_draft(store) -> None:
    path = draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(b'{"values": "' + b"x" * (MAX_DRAFT_BYTES + 1) + b'"}')
    assert open_draft(store).set_aside is not None


def test_a_folder_in_the_drafts_place_is_set_aside(store) -> None:
    path = draft_path(store)
    path.mkdir(parents=True)
    loaded = open_draft(store)
    assert loaded.draft is None and loaded.set_aside is not None and loaded.set_aside.is_dir()
    save_draft(store, {"caller": {"name": "a"}})
    assert load_draft(store).values == {"caller": {"name": "a"}}


def test_unknown_pages_and_fields_pass_the_shape_check(store) -> None:
    """The wizard ignores what it does not know; the file format lets it through."""
    path = draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {"future_page": {"x": 1.5, "y": [1, "a", None, True]}, "caller": {"new": {"a": 1}}}
    path.write_text(json.dumps(_payload(values=values)), encoding="utf-8")
    draft = load_draft(store)
    assert draft is not None and draft.values == values and draft.page == 1
    assert draft.saved_at == dt.datetime(2026, 11, 24, 1, 15, tzinfo=dt.UTC)


def test_set_aside_without_a_draft_is_none(store) -> None:
    assert set_aside_draft(store, "nothing there") is None


def test_temporaries_of_saves_cut_short_are_tidied_when_old(store) -> None:
    folder = draft_path(store).parent
    folder.mkdir(parents=True, exist_ok=True)
    old, young = folder / ".intake-draft-old.tmp", folder / ".intake-draft-young.tmp"
    old.write_text("{", encoding="utf-8")
    young.write_text("{", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    assert load_draft(store) is None
    assert not old.exists()
    assert young.exists()  # perhaps another window saving right now
