from __future__ import annotations

from pathlib import Path

from desktop_app.services.drafts import discard_draft, draft_path, load_draft, save_draft
from desktop_app.services.store import data_dir, open_store


def test_a_draft_round_trips_in_the_data_folder(store) -> None:
    values = {"patient": {"name": "山田　太郎", "existing_id": None}, "content": {"answers": {}}}
    save_draft(store, values, page=2)
    assert draft_path(store).parent == data_dir()
    draft = load_draft(store)
    assert draft is not None and draft.values == values and draft.page == 2
    assert "山田　太郎" in draft_path(store).read_text(encoding="utf-8")  # readable, not escaped


def test_each_database_has_its_own_draft(store, tmp_path: Path) -> None:
    demo = open_store(tmp_path / "demo.db")
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
    assert load_draft(store) is None
    assert not path.exists()
    assert path.with_suffix(".broken.json").exists()
