from __future__ import annotations

from desktop_app.services.drafts import discard_draft, draft_path, load_draft, save_draft
from desktop_app.services.store import data_dir


def test_a_draft_round_trips_in_the_data_folder() -> None:
    values = {"patient": {"name": "山田　太郎", "existing_id": None}, "content": {"answers": {}}}
    save_draft(values, page=2)
    assert draft_path() == data_dir() / "intake-draft.json"
    draft = load_draft()
    assert draft is not None and draft.values == values and draft.page == 2
    assert "山田　太郎" in draft_path().read_text(encoding="utf-8")  # readable, not escaped


def test_saving_leaves_no_temporary_files() -> None:
    save_draft({"caller": {"name": "a"}})
    save_draft({"caller": {"name": "b"}})
    assert sorted(p.name for p in draft_path().parent.iterdir()) == ["intake-draft.json"]
    assert load_draft().values["caller"]["name"] == "b"


def test_no_draft_and_discard_are_quiet() -> None:
    assert load_draft() is None
    discard_draft()
    save_draft({"caller": {}})
    discard_draft()
    assert load_draft() is None


def test_a_broken_file_is_set_aside_not_fatal() -> None:
    draft_path().parent.mkdir(parents=True, exist_ok=True)
    draft_path().write_text("{ not json", encoding="utf-8")
    assert load_draft() is None
    assert not draft_path().exists()
    assert draft_path().with_suffix(".broken.json").exists()
