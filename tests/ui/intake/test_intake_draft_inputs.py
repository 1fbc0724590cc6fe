"""Any values in a draft: the wizard takes them back or refuses them, and never breaks."""

from __future__ import annotations

import datetime as dt

from hypothesis import event, given
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.services.drafts import Draft
from desktop_app.ui.intake.draft_fit import draft_problem
from desktop_app.ui.intake.state import build_new_case
from desktop_app.ui.intake.wizard import IntakeWizard
from tests.bad_input import assert_clear_error, budget, hostile_text
from tests.ui.intake.conftest import TODAY

SAVED_AT = dt.datetime(2026, 11, 24, 10, 15, tzinfo=dt.UTC)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text(20),
)
anything = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(hostile_text(8), scalars, max_size=3),
)


def like(blank: object) -> st.SearchStrategy:
    """A value of the blank's own type: what the draft check lets through."""
    if blank is None:
        typed: st.SearchStrategy = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))
    elif isinstance(blank, bool):
        typed = st.booleans()
    elif isinstance(blank, str):
        typed = st.one_of(hostile_text(), st.just(blank))
    elif isinstance(blank, list):
        typed = st.lists(st.one_of(scalars, st.sampled_from(["imaging_cd", "blood_test"])))
    elif isinstance(blank, dict):
        typed = st.dictionaries(st.one_of(st.sampled_from(sorted(blank) or ["x"])), st.booleans())
    else:
        typed = anything
    return typed


# One wizard for every example: restore() starts from a blank wizard each time.
@budget(80, reuse_fixtures=True)
@given(data=st.data())
def test_any_draft_is_restored_or_refused_and_the_wizard_keeps_working(
    wizard: IntakeWizard, data: st.DataObject
) -> None:
    values: dict[str, object] = {}
    for key, blank_fields in wizard.blank.to_json().items():
        if data.draw(st.integers(0, 5)) == 0:
            continue  # a page missing from the draft
        fields = {
            name: data.draw(
                anything if data.draw(st.integers(0, 59)) == 0 else like(blank),
                label=f"{key}.{name}",
            )
            for name, blank in blank_fields.items()
            if data.draw(st.integers(0, 7)) != 0
        }
        values[key] = fields
    draft = Draft(values=values, page=data.draw(st.integers(-2, 9)), saved_at=SAVED_AT)
    problem = wizard.check_draft(draft)
    restored = wizard.restore(draft)  # never raises
    if problem is not None:
        assert not restored
    if not restored:
        event("refused" if problem else "refused while loading")
        assert wizard.snapshot() == wizard.blank
        return
    event("restored")
    assert draft_problem(wizard.snapshot().to_json(), wizard.blank.to_json()) is None
    assert wizard.current_index() == min(max(draft.page, 0), len(wizard.steps) - 1)
    try:
        build_new_case(wizard.snapshot(), wizard.context.settings, TODAY)
    except ValidationError as exc:
        assert_clear_error(exc)
