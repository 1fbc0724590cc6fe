"""Bad input on the settings screen: saved whole or refused with a message, never half-saved."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from desktop_app.domain.eligibility import DEFAULT_EXCLUSION_REASONS, ExclusionReason, Route
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings, DateStyle
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import Store
from tests.bad_input import (
    assert_clear_error,
    budget,
    database_state,
    hostile_text,
    open_test_store,
    text_problems,
)

TEXT_FIELDS = (
    "hospital_name",
    "office_name",
    "postal_code",
    "address",
    "tel",
    "fax",
    "invoice_registration_number",
    "date_style",
)
INT_FIELDS = (
    "fee_per_block_yen",
    "session_minutes",
    "max_extension_minutes",
    "materials_deadline_days",
    "age_of_majority",
)
# What a buggy form could hand over for a number, beside numbers of any size.
NOT_INTS = st.sampled_from([True, False, None, 30.0, "30", ""])


@pytest.fixture(scope="module")
def settings_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_test_store(Path(tmp_path_factory.mktemp("bad-settings")) / "settings.db")
    yield store
    store.close()


reasons = st.builds(
    ExclusionReason,
    code=st.one_of(
        st.sampled_from([r.code for r in DEFAULT_EXCLUSION_REASONS]), hostile_text(broken=True)
    ),
    label=st.one_of(st.just("対象外の理由"), hostile_text(broken=True)),
    script=st.one_of(st.just("ご案内の文"), hostile_text(broken=True)),
    route=st.one_of(st.sampled_from(Route), hostile_text(10)),
    screening_question=hostile_text(broken=True),
)


@st.composite
def clinic_settings(draw: st.DrawFn) -> ClinicSettings:
    """The guide's settings with a few fields (or all of them) replaced by anything."""
    fields = (*TEXT_FIELDS, *INT_FIELDS, "annual_closures", "exclusion_reasons")
    everything = draw(st.integers(0, 5)) == 0
    chosen = [name for name in fields if everything or draw(st.integers(0, 9)) == 0]
    changes: dict[str, object] = {}
    for name in chosen:
        if name in TEXT_FIELDS:
            extra = [e.value for e in DateStyle] if name == "date_style" else []
            changes[name] = draw(
                st.one_of(hostile_text(broken=True), st.sampled_from(extra or [" "]))
            )
        elif name in INT_FIELDS:
            changes[name] = draw(st.one_of(st.integers(-10, 300), st.integers(), NOT_INTS))
        elif name == "annual_closures":
            pair = st.tuples(st.integers(-1, 32), st.integers(-1, 32))
            odd = st.sampled_from([(1,), (1, 2, 3), (), ("1", "2"), (None, None), "12"])
            changes[name] = tuple(draw(st.lists(st.one_of(pair, pair, odd), max_size=5)))
        else:
            changes[name] = tuple(draw(st.lists(reasons, max_size=4)))
    return dataclasses.replace(DEFAULT_SETTINGS, **changes)  # type: ignore[arg-type]


@budget(150)
@given(new=clinic_settings())
def test_update_settings_saves_whole_or_refuses_with_nothing_written(
    settings_store: Store, new: ClinicSettings
) -> None:
    before = database_state(settings_store)
    try:
        saved = update_settings(settings_store, new)
    except Exception as exc:
        assert_clear_error(exc)
        assert database_state(settings_store) == before
        event(f"refused: {getattr(exc, 'field', None)}")
        return
    event("saved")
    assert not text_problems(saved), "saved with NUL, controls or lone surrogates"
    assert get_settings(settings_store) == saved
    # Saving what was read back changes nothing and writes no second audit entry.
    after = database_state(settings_store)
    update_settings(settings_store, saved)
    assert database_state(settings_store) == after
