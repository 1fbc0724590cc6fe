"""Two desks writing at once, in two processes: the audit chain stays one sound chain."""

from __future__ import annotations

from desktop_app.services import audit
from desktop_app.services.store import open_store
from tests.services import race_workers
from tests.services.test_races import _two_desks, target  # noqa: F401 (the fixture)


def test_two_desks_writing_200_entries_each_leave_a_sound_chain(target: str) -> None:  # noqa: F811
    open_store(target, create=True).close()
    first, second = _two_desks(
        race_workers.create_cases, (target, "受付A", 200), (target, "受付B", 200)
    )
    assert len(first) == len(second) == 200
    store = open_store(target)
    try:
        with store.read() as session:
            rows = list(audit.stored_chain(session))
            assert audit.verify_chain(session) is None
    finally:
        store.close()
    assert len(rows) == 400
    assert [r.content.id for r in rows] == list(range(1, 401))
    assert {r.content.staff for r in rows} == {"受付A", "受付B"}
